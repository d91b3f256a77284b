"""A throwaway S3-compatible object store in one folder, to keep Pulumi state in: the CLI's S3 backend
(`pulumi login 's3://BUCKET?endpoint=…'`). The e2e tests start one.

The server is the Versity S3 Gateway (versitygw, Apache-2.0) over its POSIX backend: a real S3 server
that keeps each bucket as a folder and each object as a plain file in it. It is built once from the Go
module proxy (`go install`, about two minutes on two cores) into the project's cache
($PIXVERSE_CACHE_DIR, else ~/.cache/pulumi-pixverse), keyed by its version; `SETUP_PARTS=s3 source
tools/setup.sh` builds it (`python3 tools/s3_server.py build` does just that).

The folder holds root/ (the gateway's top folder: root/<BUCKET>/ is the bucket, each object a file at its
key), meta/ (the objects' metadata: etags, content types), server.log, and `credentials` (the root user's
access key and secret key, one a line, mode 0600, written before the first start). The server gets them
in its environment, never on its command line, listens on 127.0.0.1 only, on a port found free at each
start, and the bucket BUCKET is made through the S3 API (a signed CreateBucket) once it answers. A client
gives the same credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (`client_env`). Standard
library only.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

MODULE = "github.com/versity/versitygw"
VERSION = "v1.8.0"
"""The gateway's release: the one place its version is named."""
BUCKET = "pulumi"
REGION = "us-east-1"
START_LIMIT = 30.0
"""Seconds a started server has to answer its first request."""


class ServerError(Exception):
    """The server could not be built, started or stopped; the message says why, in one line."""


def cache_dir() -> Path:
    """Where the built gateway is kept: a folder per version in the project's cache."""
    root = os.environ.get("PIXVERSE_CACHE_DIR") or Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "pulumi-pixverse"
    )
    return Path(root) / f"versitygw-{VERSION}"


def program() -> Path:
    """The built gateway's executable."""
    built = cache_dir() / "versitygw"
    if not built.is_file():
        raise ServerError(
            f"the S3 server versitygw {VERSION} is not built ({built} is missing): "
            "`SETUP_PARTS=s3 source tools/setup.sh` builds it"
        )
    return built


def build() -> Path:
    """Build the gateway from the Go module proxy into the cache unless it is there; its executable.
    Go's output goes to a log beside the cache's folder, whose last lines a failure shows. The folder
    appears whole or not at all (built in a staging folder, then renamed)."""
    target = cache_dir()
    if (target / "versitygw").is_file():
        return target / "versitygw"
    if shutil.which("go") is None:
        raise ServerError(f"no Go toolchain on PATH: cannot build the S3 server versitygw {VERSION}")
    target.parent.mkdir(parents=True, exist_ok=True)
    log = target.with_name(f"{target.name}.log")
    print(f"s3_server: building versitygw {VERSION} (about two minutes; Go's output: {log})", file=sys.stderr)
    staging = Path(tempfile.mkdtemp(prefix=f"{target.name}.", dir=target.parent))
    env = {**os.environ, "GOBIN": str(staging), "CGO_ENABLED": "0", "GOTOOLCHAIN": "local"}
    env["GOFLAGS"] = env.get("GOFLAGS") or "-buildvcs=false"
    with log.open("w") as output:
        done = subprocess.run(
            ["go", "install", "-trimpath", f"{MODULE}/cmd/versitygw@{VERSION}"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if done.returncode != 0 or not (staging / "versitygw").is_file():
        shutil.rmtree(staging)
        tail = log.read_text(errors="replace").strip().splitlines()[-30:]
        raise ServerError(f"building versitygw {VERSION} failed: {' | '.join(tail)}")
    staging.chmod(0o755)
    staging.rename(target)
    return target / "versitygw"


_LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))
"""Requests to the server on 127.0.0.1: never through HTTP(S)_PROXY."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


class Server:
    """The object store in `folder` (see the module's docstring); nothing happens until `start`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.root = folder / "root"
        self.bucket_dir = self.root / BUCKET
        """The bucket's folder: each object is the file at its key under it."""
        self.meta = folder / "meta"
        self.log = folder / "server.log"
        self.credentials_file = folder / "credentials"
        self.program = program()
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def access_key(self) -> str:
        return self.credentials_file.read_text().split()[0]

    @property
    def secret_key(self) -> str:
        return self.credentials_file.read_text().split()[1]

    @property
    def url(self) -> str:
        """The backend URL of the running server, as `pulumi login` and PULUMI_BACKEND_URL take it (its
        credentials are not in it: see `client_env`)."""
        endpoint = f"http://127.0.0.1:{self.port}"
        return f"s3://{BUCKET}?endpoint={endpoint}&region={REGION}&use_path_style=true"

    def client_env(self) -> dict[str, str]:
        """The environment variables that give a client (the Pulumi CLI) the server's credentials."""
        return {"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key}

    def start(self) -> str:
        """Set the folder up when it holds no credentials, start the server unless it runs, make the
        bucket when it is missing; the backend URL."""
        if not self.credentials_file.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.credentials_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as credentials:
                credentials.write(f"pixverse{os.urandom(6).hex()}\n{os.urandom(20).hex()}\n")
        for folder in (self.root, self.meta):
            folder.mkdir(mode=0o700, exist_ok=True)
        if not self.running():
            self._start_server()
        return self.url

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 seconds) when it runs."""
        if self.process is not None and self.running():
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def _start_server(self) -> None:
        """Start the server on a free port (another one, up to three times, when it was taken meanwhile)
        and make the bucket once it answers."""
        env = {
            **os.environ,
            "ROOT_ACCESS_KEY_ID": self.access_key,
            "ROOT_SECRET_ACCESS_KEY": self.secret_key,
        }
        for _ in range(3):
            self.port = _free_port()
            with self.log.open("ab") as log:
                self.process = subprocess.Popen(
                    [str(self.program), "--port", f"127.0.0.1:{self.port}", "--quiet",
                     "posix", "--sidecar", str(self.meta), str(self.root)],
                    env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )  # fmt: skip
            if self._make_bucket():
                return
        said = self.log.read_text(errors="replace").strip().splitlines()[-1:] if self.log.exists() else []
        raise ServerError(f"versitygw did not start in {self.folder}: {' '.join(said) or 'no output'}")

    def _make_bucket(self) -> bool:
        """Create the bucket (already there is fine) as soon as the server accepts a connection; False
        when the server ended first."""
        deadline = time.monotonic() + START_LIMIT
        while self.running() and time.monotonic() < deadline:
            try:
                with _LOOPBACK.open(self._signed("PUT", f"/{BUCKET}"), timeout=10):
                    return True
            except urllib.error.HTTPError as refused:
                if b"BucketAlreadyOwnedByYou" in refused.read():
                    return True
                raise ServerError(f"creating the bucket {BUCKET} failed: HTTP {refused.code}") from None
            except (ConnectionError, urllib.error.URLError):
                time.sleep(0.05)  # not listening yet: the server says nothing when it is
        if self.running():
            self.stop()
            raise ServerError(f"versitygw in {self.folder} did not answer within {START_LIMIT:.0f} s")
        return False

    def _signed(self, method: str, path: str) -> urllib.request.Request:
        """A request with no body, signed with the root user's credentials (AWS Signature Version 4)."""
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        payload = hashlib.sha256(b"").hexdigest()
        headers = {"host": f"127.0.0.1:{self.port}", "x-amz-content-sha256": payload, "x-amz-date": stamp}
        names = ";".join(sorted(headers))
        lines = [f"{name}:{headers[name]}" for name in sorted(headers)]
        canonical = "\n".join([method, path, "", *lines, "", names, payload])
        scope = f"{stamp[:8]}/{REGION}/s3/aws4_request"
        to_sign = f"AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        key = f"AWS4{self.secret_key}".encode()
        for part in scope.split("/"):
            key = _hmac(key, part)
        signature = _hmac(key, to_sign).hex()
        headers["authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={self.access_key}/{scope}, SignedHeaders={names}, "
            f"Signature={signature}"
        )
        return urllib.request.Request(f"http://{headers.pop('host')}{path}", headers=headers, method=method)


if __name__ == "__main__":
    if sys.argv[1:] != ["build"]:
        sys.exit("usage: python3 tools/s3_server.py build")
    try:
        print(build())
    except ServerError as failed:
        sys.exit(f"s3_server: {failed}")
