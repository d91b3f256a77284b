"""The PostgreSQL backend in the e2e tests: a throwaway cluster (tools/postgres_cluster.py), and what a
`postgres://` backend holds, read with psql and pg_dump as someone looking into the database would.

The CLI's PostgreSQL backend (pulumi/pulumi's pkg/backend/diy/postgres) keeps each file of a DIY
backend as one row of the table `pulumi_state` (or the URL's `table=`): `key`, the file's path after
the URL's path (the database's name: `pulumi/.pulumi/stacks/<project>/<stack>.json` is a stack's state,
`pulumi/.pulumi/locks/organization/<project>/<stack>/<id>.json` its lock; history, backups), `data`,
JSON `{"data": "<the file's bytes in base64>"}`, and `updated_at`. Base64 hides text from a plain scan of the
database, so each row is read decoded too.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

sys.path.append(str(Path(__file__).resolve().parents[2] / "tools"))  # as tools/local_stack.py imports it
from postgres_cluster import Cluster, bin_dir


def key(url: str, path: str) -> str:
    """The key of the row that holds the file `path` of the backend at `url` (the URL's path first)."""
    return f"{urlsplit(url).path.strip('/')}/{path}"


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """A cluster in a new folder of the system's temporary one (a short path, as its Unix socket's
    must be, that the server's user may enter), stopped and removed at the end."""
    folder = Path(tempfile.mkdtemp(prefix="pixverse-pg-"))
    cluster = Cluster(folder)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(folder)


def _client(program: str, url: str, *args: str) -> str:
    """Run psql or pg_dump on the database of `url` (its password in PGPASSWORD, never on a command
    line; `table=`, which only the CLI reads, left out); what it printed."""
    parts = urlsplit(url)
    query = urlencode([(name, value) for name, value in parse_qsl(parts.query) if name != "table"])
    plain = urlunsplit(
        (parts.scheme, f"{parts.username}@{parts.hostname}:{parts.port}", parts.path, query, "")
    )
    env = {**os.environ, "PGPASSWORD": unquote(parts.password or "")}
    done = subprocess.run(
        [str(bin_dir() / program), *args, plain], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"{program} failed: {done.stderr}"
    return done.stdout


def rows(url: str) -> dict[str, bytes]:
    """Every row of the backend's table: its key and the file it holds, decoded (and gunzipped, when
    the CLI compressed it)."""
    table = dict(parse_qsl(urlsplit(url).query)).get("table", "pulumi_state")
    listed = _client(
        "psql", url, "-X", "-A", "-t", "-F", "\t", "-c", f"SELECT key, data->>'data' FROM {table}"
    )
    held = {}
    for line in listed.splitlines():
        name, encoded = line.split("\t")
        data = base64.b64decode(encoded)
        held[name] = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    return held


def locks(url: str, stack: str) -> list[str]:
    """The keys of the locks the backend holds on `stack` ("organization/<project>/<stack>")."""
    return sorted(held for held in rows(url) if held.startswith(key(url, f".pulumi/locks/{stack}/")))


def stored_texts(url: str) -> dict[str, str]:
    """What the backend stores, as text to scan: each row decoded ("database row <key>") and the whole
    database as `pg_dump --data-only` writes it ("database dump")."""
    texts = {f"database row {name}": data.decode("utf-8", "replace") for name, data in rows(url).items()}
    texts["database dump"] = _client("pg_dump", url, "--data-only")
    return texts
