"""A release is reproducible from its commit (tools/release.py): two clones, made at different times and
with their files dated and permitted differently, build the same wheels, sdists, npm tarball and
schema.json, byte for byte; the plugin archive's tar and gzip layers give the same bytes for the same
files, whoever made them and when; and two builds of the plugin, each with a cache of its own, give the
same archive."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from types import ModuleType

from harness import REPO_ROOT

RELEASE_PY = REPO_ROOT / "tools" / "release.py"


def _clone(target: Path, mtime: int, extra_mode: int) -> Path:
    """A clone of this repository holding the working tree's files (committed or not), every file and
    folder dated `mtime` and given the mode bits `extra_mode` on top of its own."""
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(target)], check=True, timeout=300)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if (REPO_ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(REPO_ROOT / name, target / name)
    for path in [target, *target.rglob("*")]:
        if ".git" not in path.relative_to(target).parts and not path.is_symlink():
            path.chmod(path.stat().st_mode | extra_mode)
            os.utime(path, (mtime, mtime))
    return target


def _packages(clone: Path) -> str:
    """SHA256SUMS of the packages and schema.json that `clone`'s tools/release.py builds."""
    dist = clone / "dist"
    argv = [sys.executable, str(clone / "tools" / "release.py"), "--dist", str(dist), "packages", "checksums"]
    subprocess.run(argv, cwd=clone, check=True, timeout=1200)
    return (dist / "SHA256SUMS").read_text()


def test_two_clones_of_one_commit_build_the_same_packages(tmp_path: Path) -> None:
    first = _packages(_clone(tmp_path / "first", mtime=1_000_000_000, extra_mode=0))
    second = _packages(_clone(tmp_path / "second", mtime=1_700_000_000, extra_mode=0o020))
    names = sorted(line.split()[1] for line in first.splitlines())
    assert len(names) == 6 and "schema.json" in names, first
    assert first == second, "built differently: " + ", ".join(
        sorted(set(first.splitlines()) ^ set(second.splitlines()))
    )


def _release() -> ModuleType:
    spec = importlib.util.spec_from_file_location("release", RELEASE_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _folder(root: Path, mtime: int, file_mode: int, exec_mode: int) -> Path:
    """The same files (an executable, a data file, a symlink, folders), dated and permitted as given."""
    (root / "_internal" / "lib").mkdir(parents=True)
    (root / "tool").write_bytes(b"\x7fELF not really\n")
    (root / "_internal" / "lib" / "data.txt").write_text("data\n")
    (root / "_internal" / "link").symlink_to("lib/data.txt")
    (root / "tool").chmod(exec_mode)
    (root / "_internal" / "lib" / "data.txt").chmod(file_mode)
    for path in [root, *root.rglob("*")]:
        os.utime(path, (mtime, mtime), follow_symlinks=False)
    return root


def test_the_plugin_archives_tar_and_gzip_layers_give_the_same_bytes_for_the_same_files(
    tmp_path: Path,
) -> None:
    release = _release()
    made = {}
    for name, mtime, file_mode, exec_mode in (
        ("a", 1_000_000_000, 0o600, 0o700),
        ("b", 1_700_000_000, 0o664, 0o775),
    ):
        out = tmp_path / f"{name}.tar.gz"
        release.write_tar_gz(_folder(tmp_path / name, mtime, file_mode, exec_mode), out)
        made[name] = out.read_bytes()
    assert made["a"] == made["b"]
    header = made["a"][:10]
    assert header[3] & 0x08 == 0 and header[4:8] == b"\0\0\0\0"  # gzip: no file name, mtime 0
    with tarfile.open(tmp_path / "a.tar.gz") as archive:
        entries = {e.name: (e.mode, e.uid, e.gid, e.uname, e.gname, e.mtime) for e in archive.getmembers()}
        assert archive.getnames() == sorted(archive.getnames())
    epoch = release.source_date_epoch()
    assert entries == {
        "_internal": (0o755, 0, 0, "", "", epoch),
        "_internal/lib": (0o755, 0, 0, "", "", epoch),
        "_internal/lib/data.txt": (0o644, 0, 0, "", "", epoch),
        "_internal/link": (0o755, 0, 0, "", "", epoch),
        "tool": (0o755, 0, 0, "", "", epoch),
    }


def _plugin_archive(dist: Path, cache: Path) -> tuple[bytes, list[str]]:
    """The plugin archive that tools/release.py builds with the cache `cache`, and its entries' names."""
    argv = [sys.executable, str(RELEASE_PY), "--dist", str(dist), "plugin"]
    subprocess.run(argv, env=os.environ | {"PIXVERSE_CACHE_DIR": str(cache)}, check=True, timeout=1200)
    (archive,) = dist.glob("pulumi-resource-pixverse-*.tar.gz")
    with tarfile.open(archive) as tar:
        return archive.read_bytes(), tar.getnames()


def test_two_plugin_builds_give_the_same_archive(tmp_path: Path) -> None:
    (first, names), (second, _) = (
        _plugin_archive(tmp_path / f"dist-{n}", tmp_path / f"cache-{n}") for n in (1, 2)
    )
    metadata = [
        name for name in names if re.fullmatch(r"_internal/pulumi_pixverse-[^/]+\.dist-info/[^/]+", name)
    ]
    assert any(name.endswith("/METADATA") for name in metadata), names  # the plugin reads its version there
    assert not [name for name in metadata if name.endswith(("/RECORD", "/direct_url.json"))], metadata
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
