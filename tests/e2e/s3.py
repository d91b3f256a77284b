"""The S3 backend in the e2e tests: a throwaway object store (tools/s3_server.py, the Versity S3 Gateway
over plain files), and what an `s3://` backend holds, read from the bucket's folder as someone looking
into the store's disk would: each object is the file at its key, as the CLI wrote it.

The CLI's S3 backend (gocloud.dev's blob over S3) keeps each file of a DIY backend as one object of the
bucket, under the URL's path (none here): `.pulumi/stacks/<project>/<stack>.json` is a stack's state,
`.pulumi/locks/organization/<project>/<stack>/<id>.json` its lock; history and backups beside them.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.append(str(Path(__file__).resolve().parents[2] / "tools"))  # as postgres.py does
from s3_server import Server


@contextlib.contextmanager
def throwaway_server() -> Iterator[Server]:
    """A server in a new folder of the system's temporary one, stopped and removed at the end."""
    folder = Path(tempfile.mkdtemp(prefix="pixverse-s3-"))
    server = Server(folder)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder)


def objects(server: Server) -> dict[str, bytes]:
    """Every object of the bucket: its key and its bytes."""
    files = (path for path in server.bucket_dir.rglob("*") if path.is_file())
    return {path.relative_to(server.bucket_dir).as_posix(): path.read_bytes() for path in files}


def locks(server: Server, stack: str) -> list[str]:
    """The keys of the locks the bucket holds on `stack` ("organization/<project>/<stack>")."""
    prefix = f".pulumi/locks/{stack}/"
    return sorted(key for key in objects(server) if key.startswith(prefix) and key.endswith(".json"))


def state(server: Server, project: str, stack: str) -> dict[str, Any]:
    """The state of `stack` of `project`, as the bucket holds it."""
    return dict(json.loads(objects(server)[f".pulumi/stacks/{project}/{stack}.json"]))
