"""The copy of a PostgreSQL install that carries the extension pack (``with_extension_pack``): one
``cp`` process, hard links where the file system allows them, copies where it refuses them, and
never a half copy left in the way of the next try."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_supaseed.backends.binaries import PgBinaries
from pytest_supaseed.backends.extensions import _remove_tree, pack_files, with_extension_pack
from pytest_supaseed.errors import BackendError


def _install(root: Path) -> PgBinaries:
    """A small install: bin, lib, share/extension, and a read-only folder as some installs have."""
    (root / "bin").mkdir(parents=True)
    (root / "bin" / "postgres").write_bytes(b"\x7fELF postgres")
    (root / "bin" / "postgres").chmod(0o755)
    (root / "lib").mkdir()
    (root / "lib" / "plpgsql.so").write_bytes(b"so")
    extension = root / "share" / "extension"
    extension.mkdir(parents=True)
    (extension / "plpgsql.control").write_text("comment = 'PL/pgSQL'\n")
    frozen = root / "share" / "frozen"
    (frozen / "deeper").mkdir(parents=True)
    (frozen / "deeper" / "data.txt").write_text("read only\n")
    frozen.chmod(0o555)
    return PgBinaries(bin_dir=root / "bin", version="17.10", version_num=170010, source="test")


@pytest.fixture
def world_path() -> Iterator[Path]:
    """A folder another user can reach (pytest's tmp_path lives under a 0700 folder of root's)."""
    path = Path(tempfile.mkdtemp(prefix="supaseed-copy-"))
    path.chmod(0o755)
    yield path
    _remove_tree(path)


def _listing(root: Path) -> dict[str, bytes | None]:
    return {
        str(path.relative_to(root)): (path.read_bytes() if path.is_file() else None)
        for path in sorted(root.rglob("*"))
    }


def _without_pack(listing: dict[str, bytes | None]) -> dict[str, bytes | None]:
    pack = {f"share/extension/{p.name}" for p in pack_files()} | {
        "share/extension/.pytest-supaseed-pack"
    }
    return {name: data for name, data in listing.items() if name not in pack}


def test_the_copy_holds_the_install_linked_on_one_file_system(world_path: Path) -> None:
    binaries = _install(world_path / "install")
    root = binaries.bin_dir.parent
    moved = with_extension_pack(binaries, world_path / "cache")
    copy = moved.bin_dir.parent
    assert _without_pack(_listing(copy)) == _listing(root)
    assert (copy / "share" / "extension" / "pg_net.control").is_file()  # the pack is in
    # hard links: the same file, no bytes copied
    assert (copy / "bin" / "postgres").stat().st_ino == (root / "bin" / "postgres").stat().st_ino
    assert sorted(p.name for p in (world_path / "cache" / "install").iterdir()) == sorted(
        [copy.name, copy.name + ".lock"]
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make an install another user copies")
def test_where_hard_links_are_refused_the_copy_is_made_of_copies_and_leaves_nothing_behind(
    world_path: Path,
) -> None:
    protected = Path("/proc/sys/fs/protected_hardlinks")
    if not protected.is_file() or protected.read_text().strip() != "1":
        pytest.skip("the kernel allows hard links to other users' files here")
    # root's install (a root-owned wheel, a read-only install), copied by `nobody`: linking root's
    # files is refused, so the first try stops half-way with read-only folders already made
    binaries = _install(world_path / "install")
    root = binaries.bin_dir.parent
    cache = world_path / "cache"
    cache.mkdir()
    os.chown(cache, 65534, 65534)
    script = textwrap.dedent(
        f"""
        import json, os, platform, shutil, subprocess, tempfile
        import filelock
        from pathlib import Path
        from pytest_supaseed.backends.binaries import PgBinaries
        from pytest_supaseed.backends.extensions import pack_files, with_extension_pack
        pack_files()  # imports what reading package data needs
        os.setgid(65534)
        os.setuid(65534)  # all imported: nobody cannot read this interpreter's files
        binaries = PgBinaries(Path({str(binaries.bin_dir)!r}), "17.10", 170010, "test")
        moved = with_extension_pack(binaries, Path({str(cache)!r}))
        print(json.dumps(str(moved.bin_dir.parent)))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    copy = Path(json.loads(done.stdout))
    assert _without_pack(_listing(copy)) == _listing(root)
    assert (copy / "bin" / "postgres").stat().st_ino != (root / "bin" / "postgres").stat().st_ino
    # the half copy of the first try is gone: only the copy and its lock file
    assert sorted(p.name for p in (cache / "install").iterdir()) == sorted(
        [copy.name, copy.name + ".lock"]
    )


def test_what_a_killed_copy_left_is_replaced_by_a_whole_copy(world_path: Path) -> None:
    binaries = _install(world_path / "install")
    root = binaries.bin_dir.parent
    install = world_path / "cache" / "install"
    install.mkdir(parents=True)
    # a copy killed half-way: the pack folder without bin/postgres, and a staging folder
    broken = install / f"{binaries.key}-pack"
    (broken / "share").mkdir(parents=True)
    (broken / "share" / "half.txt").write_text("half\n")
    stale = install / ".copy-killed"
    (stale / "bin").mkdir(parents=True)
    moved = with_extension_pack(binaries, world_path / "cache")
    copy = moved.bin_dir.parent
    assert copy == broken
    assert _without_pack(_listing(copy)) == _listing(root)
    assert sorted(p.name for p in install.iterdir()) == sorted([copy.name, copy.name + ".lock"])


def test_a_copy_that_cannot_be_made_is_one_error_naming_the_folder(world_path: Path) -> None:
    binaries = _install(world_path / "install")
    cache = world_path / "cache"
    cache.mkdir()
    (cache / "install").write_text("a file where the copies' folder goes\n")
    with pytest.raises(BackendError, match="Could not copy the PostgreSQL install") as caught:
        with_extension_pack(binaries, cache)
    assert str(cache / "install") in str(caught.value)
    assert "SUPASEED_CACHE_DIR" in str(caught.value)
