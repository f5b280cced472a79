"""Carry templates between machines: ``supaseed cache export`` from one cache directory (one
machine's project cluster), ``import`` into an empty one: the next run reuses every template; a
tampered dump, a wrong manifest or a foreign plugin version is refused with one clear error."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_supaseed.backends.embedded import reap_orphans
from pytest_supaseed.cli import main

TESTS = """
import pytest

@pytest.mark.supaseed("small")
def test_small(supaseed_db):
    assert supaseed_db.execute("select count(*) from notes").fetchone() == (6,)

@pytest.mark.supaseed("other")
def test_other(supaseed_db):
    assert supaseed_db.execute("select count(*) from notes").fetchone() == (7,)
"""


@pytest.fixture
def machines() -> Iterator[tuple[Path, Path]]:
    """Two empty cache roots (two machines' project clusters), reachable by 'nobody' (the embedded
    server's user under root), removed afterwards."""
    shm = "/dev/shm" if os.access("/dev/shm", os.W_OK | os.X_OK) else None
    paths = [Path(tempfile.mkdtemp(prefix=f"supaseed-machine-{m}-", dir=shm)) for m in "ab"]
    for path in paths:
        os.chmod(path, 0o755)
    yield paths[0], paths[1]
    for path in paths:
        reap_orphans(path)
        shutil.rmtree(path, ignore_errors=True)


def _template_lines(result: pytest.RunResult) -> list[str]:
    return [line for line in result.stdout.lines if " seed=" in line and "rows inserted" in line]


def test_export_import_then_every_template_is_reused(
    project,
    machines: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project.tests(TESTS)
    machine_a, machine_b = machines
    bundle = tmp_path / "bundle"

    monkeypatch.setenv("SUPASEED_CACHE_DIR", str(machine_a))
    first = project.run("-p", "no:randomly")
    first.assert_outcomes(passed=2)
    assert all("built in" in line for line in _template_lines(first)), first.stdout.lines
    assert main(["cache", "export", str(bundle), "--rootdir", str(project.root)]) == 0
    manifest = json.loads((bundle / "manifest.json").read_text())
    names = sorted(entry["name"] for entry in manifest["databases"])
    assert len(names) == 3  # the base database and the two templates
    assert manifest["server_version_num"] >= 150000
    assert all((bundle / entry["file"]).stat().st_size > 0 for entry in manifest["databases"])

    # A tampered dump: one clear error naming the file; nothing imported.
    tampered = tmp_path / "tampered"
    tampered.mkdir()
    for path in bundle.iterdir():
        (tampered / path.name).write_bytes(path.read_bytes())
    victim = tampered / f"{names[-1]}.dump"
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    monkeypatch.setenv("SUPASEED_CACHE_DIR", str(machine_b))
    capsys.readouterr()
    assert main(["cache", "import", str(tampered), "--rootdir", str(project.root)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert str(victim) in err
    assert "sha256 does not match" in err

    # Another plugin version's bundle is refused too (its names would never match).
    foreign = json.loads((tampered / "manifest.json").read_text())
    foreign["plugin_version"] = "0.0.0-other"
    (tampered / "manifest.json").write_text(json.dumps(foreign))
    assert main(["cache", "import", str(tampered), "--rootdir", str(project.root)]) == 1
    assert "exported by pytest-supaseed 0.0.0-other" in capsys.readouterr().err

    # The genuine bundle into the empty cache directory of "machine B": all three restored.
    assert main(["cache", "import", str(bundle), "--rootdir", str(project.root)]) == 0
    out = capsys.readouterr().out
    assert "3 imported, 0 already present" in out, out
    second = project.run("-p", "no:randomly")
    second.assert_outcomes(passed=2)
    lines = _template_lines(second)
    assert len(lines) == 2, second.stdout.lines
    assert all("reused" in line and "built" not in line for line in lines), lines
    assert sorted(line.split(" seed=")[0] for line in lines) == ["other", "small"]
