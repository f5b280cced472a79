"""A bare install works: no PostgreSQL on PATH (the wheel is enough), as root and as an ordinary user."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_supaseed.backends.binaries import can_traverse

PROJECT_TEST = """
import shutil

def test_bare_machine(supaseed_server, supaseed_db):
    assert shutil.which("initdb") is None and shutil.which("pg_config") is None
    assert "celerp" in supaseed_server.details["binaries"]
    assert supaseed_server.version_num // 10000 == 17
    supaseed_db.execute("insert into items (name) values ('x')")
    assert supaseed_db.execute("select count(*) from items").fetchone() == (1,)
    # pgcrypto in schema extensions: what Supabase apps use for passwords
    assert supaseed_db.execute(
        "select extensions.crypt('pw', extensions.gen_salt('bf')) like '$2a$%'").fetchone() == (True,)
"""

MIGRATION = "create table public.items (id serial primary key, name text not null);\n"


def _write_project(root: Path) -> None:
    (root / "supabase" / "migrations").mkdir(parents=True)
    (root / "supabase" / "migrations" / "20240101000000_items.sql").write_text(MIGRATION)
    (root / "test_bare.py").write_text(textwrap.dedent(PROJECT_TEST))


def _bare_env(tmp: Path) -> dict[str, str]:
    """The environment of a machine without PostgreSQL: an empty PATH, no SUPASEED_PG_BIN."""
    empty = tmp / "empty-bin"
    empty.mkdir(exist_ok=True)
    env = {
        k: v
        for k, v in os.environ.items()
        # PYTEST_ADDOPTS: the plugins the suite's pytest runs do not load (tests/conftest.py)
        if k in ("SUPASEED_CACHE_DIR", "SUPASEED_MAX_CLUSTERS", "PYTEST_ADDOPTS")
        or not k.startswith(("SUPASEED_", "PG", "PYTEST_"))
    }
    env["PATH"] = str(empty)
    return env


def test_no_postgres_on_path_as_current_user(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    if os.geteuid() != 0:
        pytest.skip("the as-root variant needs root; test_as_ordinary_user covers this user")
    _write_project(pytester.path)
    for key, value in _bare_env(pytester.path).items():
        monkeypatch.setenv(key, value)
    for key in [k for k in os.environ if k.startswith(("SUPASEED_", "PG"))]:
        if key not in ("SUPASEED_CACHE_DIR", "SUPASEED_MAX_CLUSTERS"):
            monkeypatch.delenv(key)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def _python_for(uid: int, gid: int) -> str | None:
    """An interpreter of this Python version that ``uid`` may execute, or None."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (sys.executable, f"/usr/bin/{version}", f"/usr/local/bin/{version}"):
        path = Path(candidate)
        if path.exists() and can_traverse(path.resolve(), uid, {gid}):
            return str(path)
    return None


@pytest.fixture
def nobody_dir() -> Iterator[Path]:
    """A project folder an ordinary user owns (pytest's own tmp dirs are private to root)."""
    path = Path(tempfile.mkdtemp(prefix="supaseed-nobody-"))
    os.chown(path, 65534, 65534)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_as_ordinary_user(nobody_dir: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("already running as an ordinary user: the whole suite is that test")
    runuser = shutil.which("runuser")
    if runuser is None:
        pytest.skip("runuser (util-linux) is not installed")
    python = _python_for(65534, 65534)
    if python is None:
        pytest.skip(f"no Python {sys.version_info[:2]} that user nobody may execute")
    site_packages = sysconfig.get_paths()["purelib"]
    if not can_traverse(Path(site_packages), 65534, {65534}):
        pytest.skip(f"user nobody cannot read {site_packages}")
    _write_project(nobody_dir)
    for path in [nobody_dir, *nobody_dir.rglob("*")]:
        os.chown(path, 65534, 65534)
    # -S and addsitedir: use this virtualenv's packages from whichever interpreter nobody can run.
    bootstrap = (
        "import site, sys; sys.path.insert(0, sys.argv.pop(1)); site.addsitedir(sys.path[0]); "
        "import pytest; sys.exit(pytest.main(sys.argv[1:]))"
    )
    env = _bare_env(nobody_dir)
    # nobody's own cache root inside the suite's (never nobody's real default in /dev/shm)
    nobody_cache = Path(env["SUPASEED_CACHE_DIR"]) / "nobody"
    nobody_cache.mkdir(exist_ok=True)
    os.chown(nobody_cache, 65534, 65534)
    env["SUPASEED_CACHE_DIR"] = str(nobody_cache)
    env["SUPASEED_MAX_CLUSTERS"] = "2"  # each run is a new project dir: keep few clusters
    env["HOME"] = str(nobody_dir)
    out = subprocess.run(
        [
            runuser,
            "-u",
            "nobody",
            "--",
            python,
            "-S",
            "-c",
            bootstrap,
            site_packages,
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            "-q",
            "-rA",
        ],
        cwd=nobody_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 passed" in out.stdout


def test_plugin_import_is_light() -> None:
    code = (
        "import sys, pytest_supaseed.plugin; "
        "heavy = [m for m in ('psycopg', 'pydantic', 'faker', 'filelock') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
