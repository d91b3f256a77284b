"""Build a release of pulumi-pixverse into a folder (default dist/), as the release workflow publishes it.

    python tools/release.py [--dist DIR] [STEP ...]       STEP: plugin, packages, checksums, report

- plugin: `pulumi-resource-pixverse-v{version}-{os}-{arch}.tar.gz` for this machine, the archive the
  engine downloads and unpacks into its plugin folder: a self-contained executable (PyInstaller, one
  folder: no Python, virtualenv or pip needed where it runs) with LICENSE beside it. Built from the
  wheel in a virtualenv of its own, and cached by the content of everything it is built from.
- packages: the wheel and sdist of pulumi-pixverse and of the Python SDK (sdk/python), checked with
  `twine check`; the TypeScript SDK's npm tarball (`npm ci`, `npm run build`, `npm pack` of sdk/nodejs);
  schema.json (sdk/schema.json, which must be the plugin's schema at this version).
- checksums: SHA256SUMS of every file in the folder.
- report: each artifact's size, and the plugin's start (exec to printed port, median of 10): the release
  executable against the console script of the virtualenv running this.
No step given: all of them. One version names everything: the package's (pyproject.toml).

Every archive is reproducible from the commit: its entries sorted, owned by 0:0 with no user or group
name, dated SOURCE_DATE_EPOCH (the commit's time, `git log -1 --format=%ct`, set for every build tool
too), mode 0755 (folders, executables) or 0644 (the rest), gzip headers with no name and mtime 0; wheels
likewise (zip entries dated from it, modes 0755 or 0644). So two builds of one commit give the same
wheels, sdists, npm tarball and schema.json, byte for byte, when they run the same npm (the builds use
the virtualenv's setuptools, pinned in pyproject's `release` group, not the newest an isolated build
would fetch); and the same plugin archive on one platform. Its bundled dist-info keeps what the plugin
reads (METADATA, entry points) without RECORD and direct_url.json, which name the temporary folder it was
built in (the console scripts' #! lines, the wheel's path) and which nothing in a frozen program reads.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

import tomllib

REPO_ROOT = Path(__file__).resolve().parents[1]
PLUGIN = "pulumi-resource-pixverse"
VERSION: str = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["version"]
CACHE_ROOT = Path(
    os.environ.get("PIXVERSE_CACHE_DIR")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pulumi-pixverse"
)
PLUGIN_SOURCES = ("provider", "pyproject.toml", "LICENSE", "README.md", "tools/release.py")
"""What the plugin is built from: its content names the cache entry."""
ENTRY = "from pulumi_pixverse.plugin import main\n\nmain()\n"
STARTS = 10


def say(message: str) -> None:
    print(f"release: {message}", file=sys.stderr, flush=True)


def run(*argv: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    """Run a build command; its output goes to the log unless it fails, then its end is shown."""
    done = subprocess.run(
        [str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
        sys.exit(f"release: `{' '.join(map(str, argv))}` failed:\n{tail}")


@functools.cache
def source_date_epoch() -> int:
    """The time of the commit built (`git log -1 --format=%ct`): the one date inside every artifact."""
    shown = subprocess.run(
        ["git", "log", "-1", "--format=%ct"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    return int(shown.stdout)


def _mode(executable: bool) -> int:
    return 0o755 if executable else 0o644


def write_tar_gz(root: Path, out: Path) -> None:
    """Everything under `root` (named relative to it, sorted) into the tar.gz `out`, normalized as the
    module's docstring says: the same files give the same bytes, whoever and whenever they were made."""
    with (
        open(out, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as compressed,
        tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as archive,
    ):
        for path in sorted(root.rglob("*"), key=lambda p: p.relative_to(root).as_posix()):
            entry = archive.gettarinfo(path, arcname=path.relative_to(root).as_posix())
            entry.uid = entry.gid = 0
            entry.uname = entry.gname = ""
            entry.mtime = source_date_epoch()
            entry.mode = _mode(entry.isdir() or bool(entry.mode & 0o111))
            if entry.isfile():
                with open(path, "rb") as content:
                    archive.addfile(entry, content)
            else:
                archive.addfile(entry)


def normalize_sdist(sdist: Path, out: Path) -> None:
    """The sdist `sdist` written again to `out` by write_tar_gz."""
    with tempfile.TemporaryDirectory() as unpacked, tarfile.open(sdist) as archive:
        archive.extractall(unpacked, filter="data")
        write_tar_gz(Path(unpacked), out)


def normalize_wheel(wheel: Path, out: Path) -> None:
    """The wheel `wheel` written again to `out`, its entries in their order, each dated from
    SOURCE_DATE_EPOCH (UTC) with mode 0755 or 0644; RECORD's hashes of their content still hold."""
    with zipfile.ZipFile(wheel) as original:
        entries = [(info, original.read(info)) for info in original.infolist()]
    with zipfile.ZipFile(out, "w") as normalized:
        for info, data in entries:
            entry = zipfile.ZipInfo(info.filename, date_time=time.gmtime(source_date_epoch())[:6])
            entry.create_system = 3  # unix: the mode below is a unix mode
            entry.external_attr = (0o100000 | _mode(bool(info.external_attr >> 16 & 0o111))) << 16
            normalized.writestr(entry, data, compress_type=zipfile.ZIP_DEFLATED)


def platform_name() -> str:
    """This machine as plugin archives name it: linux-amd64, darwin-arm64, windows-amd64, ..."""
    system = platform.system().lower()
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    return f"{system}-{arch}"


def plugin_archive_name() -> str:
    return f"{PLUGIN}-v{VERSION}-{platform_name()}.tar.gz"


def source_key() -> str:
    """A digest of every tracked file the plugin is built from, and of the Python building it."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", *PLUGIN_SOURCES],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    digest = hashlib.sha256(f"{sys.version} {platform_name()}".encode())
    for name in sorted(filter(None, listed)):
        path = REPO_ROOT / name.decode()
        if path.is_file():
            digest.update(name + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def build_wheel(out: Path) -> Path:
    run(sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", out, REPO_ROOT)
    (wheel,) = out.glob("pulumi_pixverse-*.whl")
    return wheel


def build_plugin(dist: Path) -> Path:
    """The plugin archive for this machine in `dist`; PyInstaller's folder comes from the cache when its
    sources are unchanged, and is archived afresh (dated by this commit)."""
    name = plugin_archive_name()
    cached = CACHE_ROOT / f"plugin-{source_key()}" / PLUGIN
    if not cached.is_dir():
        say(f"building {name} (PyInstaller, once per content; about a minute)")
        with tempfile.TemporaryDirectory() as work_dir:
            work = Path(work_dir)
            wheel = build_wheel(work / "wheel")
            venv = work / "venv"
            run(sys.executable, "-m", "venv", venv)
            python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
            pyinstaller = _requirement("pyinstaller")
            run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel, pyinstaller)
            (work / "entry.py").write_text(ENTRY)
            run(
                python, "-m", "PyInstaller", "--onedir", "--noconfirm", "--clean", "--log-level=WARN",
                "--name", PLUGIN, "--copy-metadata", "pulumi-pixverse",
                "--distpath", work / "out", "--workpath", work / "build", "--specpath", work,
                work / "entry.py",
                env=os.environ | {"PYTHONHASHSEED": "0"},  # base_library.zip's order follows string hashes
            )  # fmt: skip
            folder = work / "out" / PLUGIN
            for build_path in ("RECORD", "direct_url.json"):  # they name `work` (see the module)
                for found in folder.glob(f"_internal/*.dist-info/{build_path}"):
                    found.unlink()
            shutil.copy(REPO_ROOT / "LICENSE", folder / "LICENSE")
            partial = cached.with_suffix(".partial")
            shutil.rmtree(partial, ignore_errors=True)
            shutil.copytree(folder, partial, symlinks=True)
            partial.replace(cached)
    else:
        say(f"{name}: unchanged sources, PyInstaller's folder from the cache ({cached})")
    write_tar_gz(cached, dist / name)
    return dist / name


def _requirement(name: str) -> str:
    """`name`'s requirement in pyproject.toml's `release` group (the one place its version is named)."""
    group = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["dependency-groups"]["release"]
    return next(r for r in group if r.startswith(name))


def build_packages(dist: Path) -> None:
    """Python distributions (checked with twine), the npm tarball, and schema.json."""
    say("building the wheels and sdists of pulumi-pixverse and of the Python SDK")
    python_dists = []
    with tempfile.TemporaryDirectory() as built_dir:
        built = Path(built_dir)
        for source in (REPO_ROOT, REPO_ROOT / "sdk" / "python"):
            run(sys.executable, "-m", "build", "--no-isolation", "--outdir", built, source)
        for path in sorted(built.iterdir()):
            normalize = normalize_wheel if path.suffix == ".whl" else normalize_sdist
            normalize(path, dist / path.name)
            python_dists.append(dist / path.name)
    run(sys.executable, "-m", "twine", "check", "--strict", *python_dists)
    say("twine check: passed for " + ", ".join(p.name for p in python_dists))
    say("building the TypeScript SDK's npm tarball (npm ci, npm run build, npm pack)")
    with tempfile.TemporaryDirectory() as work_dir:
        sdk = Path(work_dir) / "nodejs"
        shutil.copytree(
            REPO_ROOT / "sdk" / "nodejs", sdk, ignore=shutil.ignore_patterns("node_modules", "bin")
        )
        npm = shutil.which("npm") or sys.exit("release: npm is not on PATH: install Node.js 20 or newer")
        run(npm, "ci", "--no-audit", "--no-fund", "--loglevel=error", cwd=sdk)
        run(npm, "run", "build", cwd=sdk)
        run(npm, "pack", "--pack-destination", dist.resolve(), cwd=sdk)
    from pulumi_pixverse.plugin.schema import schema_json

    committed = (REPO_ROOT / "sdk" / "schema.json").read_text()
    if committed != schema_json():
        sys.exit("release: sdk/schema.json is not the plugin's schema at this version: run tools/gen-sdk")
    shutil.copy(REPO_ROOT / "sdk" / "schema.json", dist / "schema.json")


def write_checksums(dist: Path) -> None:
    lines = []
    for path in sorted(dist.iterdir()):
        if path.is_file() and path.name != "SHA256SUMS":
            lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n")
    (dist / "SHA256SUMS").write_text("".join(lines))
    say(f"SHA256SUMS: {len(lines)} files")


def seconds_to_port(argv: list[str], env: dict[str, str]) -> float:
    """From exec to the port the plugin prints (the plugin protocol's handshake), then stop it."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        elapsed = time.perf_counter() - started
        if not port.isdigit():
            sys.exit(f"release: {argv[0]} printed {port!r}, not a port")
        return elapsed
    finally:
        process.kill()
        process.wait()


def report(dist: Path) -> None:
    """Sizes, and the plugin's start: the release executable (run with an empty PATH: nothing of this
    machine's Python) against the console script `pip install` makes."""
    print(f"pulumi-pixverse v{VERSION}, {dist}:")
    for path in sorted(dist.iterdir()):
        print(f"  {_size(path.stat().st_size)}  {path.name}")
    archive = dist / plugin_archive_name()
    script = Path(sys.executable).parent / PLUGIN
    if not archive.is_file() or not script.is_file():
        return
    with tempfile.TemporaryDirectory() as unpacked_dir:
        unpacked = Path(unpacked_dir)
        with tarfile.open(archive) as tar:
            tar.extractall(unpacked, filter="tar")
        size = sum(p.stat().st_size for p in unpacked.rglob("*") if p.is_file())
        print(f"  {_size(size)}  the plugin unpacked ({archive.name})")
        starts = {
            "release executable": ([str(unpacked / PLUGIN), "127.0.0.1:1"], {"PATH": ""}),
            "console script": ([str(script), "127.0.0.1:1"], dict(os.environ)),
        }
        print(f"plugin start, exec to printed port (median of {STARTS}):")
        for label, (argv, env) in starts.items():
            times = [seconds_to_port(argv, env) for _ in range(STARTS)]
            median, low, high = statistics.median(times), min(times), max(times)
            print(f"  {label:18}  {median:.2f} s  (min {low:.2f}, max {high:.2f})")


def _size(size: int) -> str:
    return f"{size / 1e6:7.1f} MB" if size >= 1e6 else f"{size / 1e3:7.1f} kB"


STEPS = {"plugin": build_plugin, "packages": build_packages, "checksums": write_checksums, "report": report}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=REPO_ROOT / "dist", help="the folder to write")
    parser.add_argument("steps", nargs="*", metavar="STEP", help=f"{', '.join(STEPS)} (default: all, afresh)")
    args = parser.parse_args()
    unknown = set(args.steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown step {', '.join(sorted(unknown))}: the steps are {', '.join(STEPS)}")
    dist: Path = args.dist
    os.environ["SOURCE_DATE_EPOCH"] = str(source_date_epoch())  # for every build tool run below
    if not args.steps:
        shutil.rmtree(dist, ignore_errors=True)
    dist.mkdir(parents=True, exist_ok=True)
    steps = args.steps or list(STEPS)
    for step in steps:
        STEPS[step](dist)


if __name__ == "__main__":
    main()
