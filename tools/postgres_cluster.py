"""A throwaway PostgreSQL cluster in one folder, to keep Pulumi state in: the CLI's PostgreSQL backend
(`pulumi login postgres://…`). `tools/local up --backend postgres` and the e2e tests start one.

The folder holds data/ (the cluster), socket/ (its Unix socket, open to the cluster's owner only),
server.log, and `password` (the Pulumi role's, mode 0600, written last: a folder without it is set up
again). The server listens on 127.0.0.1 only, on a port found free at each start (read back from
data/postmaster.pid while it runs). The role `pulumi` owns the database `pulumi` and logs in with its
password over TCP (scram-sha-256); the superuser `postgres` only through the socket.

PostgreSQL refuses to run as root: run as root, the server's programs run as the `postgres` user
(runuser), who then owns the folder, so every folder above it must let that user through. fsync is off:
the cluster is for trying things out and for tests; a crash of the machine may lose it. Standard
library only (tools/local_stack.py imports it before any set-up).
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
from pathlib import Path

ROLE = DATABASE = "pulumi"
SUPERUSER = "postgres"
"""The cluster's superuser, and the system user that runs the server when this runs as root."""


class ClusterError(Exception):
    """The cluster could not be set up, started or stopped; the message says why, in one line."""


def bin_dir() -> Path:
    """The folder of PostgreSQL's programs: initdb's, from PATH or else the newest
    /usr/lib/postgresql/<version>/bin (Debian's and Ubuntu's, which is not on PATH)."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb") if p.parts[-3].isdigit()]
    if not versions:
        raise ClusterError(
            "PostgreSQL is not installed (no initdb on PATH nor in /usr/lib/postgresql/): "
            "`SETUP_PARTS=postgres source tools/setup.sh` installs it"
        )
    return max(versions, key=lambda folder: int(folder.parts[-2]))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """The cluster in `folder` (see the module's docstring); nothing happens until `start`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.socket_dir = folder / "socket"
        self.log = folder / "server.log"
        self.password_file = folder / "password"
        self.bin = bin_dir()
        self.owner: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            try:
                self.owner = pwd.getpwnam(SUPERUSER)
            except KeyError:
                raise ClusterError(f"run as root, PostgreSQL needs the system user {SUPERUSER}") from None

    @property
    def password(self) -> str:
        """The password of the role `pulumi`."""
        return self.password_file.read_text().strip()

    @property
    def port(self) -> int:
        """The running server's port (the fourth line of data/postmaster.pid)."""
        return int((self.data / "postmaster.pid").read_text().splitlines()[3])

    @property
    def url(self) -> str:
        """The backend URL of the running cluster, as `pulumi login` and PULUMI_BACKEND_URL take it."""
        return f"postgres://{ROLE}:{self.password}@127.0.0.1:{self.port}/{DATABASE}?sslmode=disable"

    def start(self) -> str:
        """Set the cluster up when the folder holds none, start it unless it runs; its backend URL."""
        if not self.password_file.exists():
            self._set_up()
        elif not self.running():
            self._start_server()
        return self.url

    def running(self) -> bool:
        return self.data.is_dir() and self._run("pg_ctl", "status", "-D", str(self.data)).returncode == 0

    def stop(self) -> None:
        """Stop the server (a fast shutdown: open sessions are ended) when it runs."""
        if self.running():
            self._checked("pg_ctl", "stop", "-D", str(self.data), "-m", "fast", "-w")

    def psql(self, sql: str, database: str = DATABASE) -> str:
        """Run `sql` (given on stdin, so no value in it shows on a command line) as the superuser,
        through the socket; the rows it prints, unaligned, one a line, fields split by `|`."""
        argv = [str(self.bin / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        argv += ["-h", str(self.socket_dir), "-p", str(self.port), "-U", SUPERUSER, "-d", database]
        done = subprocess.run(argv, input=sql, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ClusterError(f"psql failed: {done.stderr.strip()}")
        return done.stdout

    def _set_up(self) -> None:
        """initdb, the server's settings, the first start, then the role and its database."""
        for part in (self.data, self.socket_dir):
            shutil.rmtree(part, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        for part in (self.data, self.socket_dir):
            part.mkdir(mode=0o700)
        if self.owner is not None:
            for path in (self.folder, self.data, self.socket_dir):
                os.chown(path, self.owner.pw_uid, self.owner.pw_gid)
        self._checked(
            "initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth-local=trust",
            "--auth-host=scram-sha-256", "--encoding=UTF8", "--no-locale", "--no-sync", "--no-instructions",
        )  # fmt: skip
        socket_dir = str(self.socket_dir).replace("'", "''")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"listen_addresses = '127.0.0.1'\nunix_socket_directories = '{socket_dir}'\nfsync = off\n"
            )
        self._start_server()
        password = secrets.token_hex(16)
        self.psql(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{password}'", database="postgres")
        self.psql(f"CREATE DATABASE {DATABASE} OWNER {ROLE}", database="postgres")
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as password_file:
            password_file.write(password)

    def _start_server(self) -> None:
        """Start the server on a free port (another one, up to three times, when it was taken meanwhile)."""
        for _ in range(3):
            started = self._run(
                "pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                "-o", f"-p {_free_port()}",
            )  # fmt: skip
            if started.returncode == 0:
                return
        log = self.log.read_text(errors="replace").strip().splitlines()[-1:] if self.log.exists() else []
        raise ClusterError(
            f"PostgreSQL did not start in {self.data}: {' '.join(log) or started.stderr.strip()}"
        )

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        """Run one of PostgreSQL's programs as the cluster's owner, in the cluster's folder."""
        as_owner = ["runuser", "-u", SUPERUSER, "--"] if self.owner is not None else []
        return subprocess.run(
            [*as_owner, str(self.bin / program), *args],
            cwd=self.folder,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )

    def _checked(self, program: str, *args: str) -> None:
        done = self._run(program, *args)
        if done.returncode != 0:
            said = " ".join((done.stderr or done.stdout).split())
            raise ClusterError(f"`{program} {args[0]}` failed in {self.folder}: {said}")
