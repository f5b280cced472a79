"""Bad projects for ``supaseed seed`` without ``--dsn``: migrations, seed files, supabase/config.toml,
the embedded server's settings, the command line. Each: exit code, the first line of the message
(file:line or setting, and the fix), no traceback from our code.

One project folder and one private cache (``SUPASEED_CACHE_DIR``) serve the whole module, so the
embedded server is a warm restart of one cluster and the shared cache's clusters are not evicted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .corpus import OUR_FRAME, Case, check_outcome, run_cli, seed_argv, write_files

GOOD_MIGRATION = (
    "create table authors (id uuid primary key default gen_random_uuid(), name text not null);\n"
)
PLAN = "seed = 1\n[tables.authors]\ncount = 2\n"


@pytest.fixture(scope="module")
def cache() -> Iterator[Path]:
    # below a directory every account can traverse: the server may run as another account
    shm = Path("/dev/shm")
    root = Path(tempfile.mkdtemp(prefix="supaseed-safety-", dir=shm if shm.is_dir() else None))
    saved = os.environ.get("SUPASEED_CACHE_DIR")
    os.environ["SUPASEED_CACHE_DIR"] = str(root)
    yield root
    if saved is None:
        os.environ.pop("SUPASEED_CACHE_DIR", None)
    else:
        os.environ["SUPASEED_CACHE_DIR"] = saved
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def project(cache: Path) -> Path:
    """The module's one project folder (one cluster, warm restarts), emptied for each case."""
    root = cache / "project"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    return root


def _mig(sql: str, name: str = "20240101000000_init.sql") -> dict[str, str | bytes]:
    return {f"supabase/migrations/{name}": sql}


CASES = [
    Case(
        "migration-syntax-error",
        ("supabase/migrations/20240101000000_init.sql:2", "syntax error"),
        plan=PLAN,
        files=_mig(GOOD_MIGRATION + "create tabel posts (id int);\n"),
        dsn=None,
    ),
    Case(
        "migration-runtime-error",
        ("supabase/migrations/20240101000000_init.sql:2", "does not exist"),
        plan=PLAN,
        files=_mig(GOOD_MIGRATION + "alter table missing add column x int;\n"),
        dsn=None,
    ),
    Case(
        "migration-not-utf8",
        ("supabase/migrations/20240101000000_init.sql", "cannot read the file"),
        plan=PLAN,
        files=_mig(b"create table caf\xe9 (id int);\n"),  # type: ignore[arg-type]
        dsn=None,
    ),
    Case(
        "seed-sql-fails",
        ("supabase/seed.sql:1", "violates not-null"),
        plan=PLAN,
        files={
            **_mig(GOOD_MIGRATION),
            "supabase/seed.sql": "insert into authors (name) values (null);\n",
        },
        dsn=None,
    ),
    Case(
        "config-toml-invalid",
        ("supabase/config.toml", "invalid TOML"),
        plan=PLAN,
        files={**_mig(GOOD_MIGRATION), "supabase/config.toml": "[db.seed\nenabled = true\n"},
        dsn=None,
    ),
    Case(
        "config-toml-sql-paths-not-a-list",
        ("supabase/config.toml", "db.seed.sql_paths", "must be a list"),
        plan=PLAN,
        files={**_mig(GOOD_MIGRATION), "supabase/config.toml": "[db.seed]\nsql_paths = 3\n"},
        dsn=None,
    ),
    Case(
        "sql-paths-match-nothing-strict",
        ("strict:", "db.seed.sql_paths", "'./seeds/*.sql' matches no file", "fix the path"),
        plan=PLAN,
        files={
            **_mig(GOOD_MIGRATION),
            "supabase/config.toml": '[db.seed]\nsql_paths = ["./seeds/*.sql"]\n',
        },
        argv=("--strict",),
        dsn=None,
    ),
    Case(
        "plan-table-missing-from-migrations",
        # the plan check before the build names the file and line (as a test session does)
        ("supaseed.toml:1 at 'tables.posts'", "no table 'public.posts'", "name an existing table"),
        plan="[tables.posts]\ncount = 1\n",
        files=_mig(GOOD_MIGRATION),
        dsn=None,
    ),
    Case(
        "constant-breaks-migration-check",
        ("supaseed.toml:3 at 'tables.authors.columns.name'", "authors_name_check", "constant 'x'"),
        plan='[tables.authors]\ncount = 2\ncolumns = { name = "x" }\n',
        files=_mig(
            "create table authors (id uuid primary key default gen_random_uuid(), "
            "name text not null check (length(name) > 2));\n"
        ),
        dsn=None,
    ),
    Case(
        "no-plan-seeds-nothing-warns",
        ("the plan fills no table", "add [tables.<name>]"),
        plan=None,
        files=_mig(GOOD_MIGRATION),
        dsn=None,
        code=0,
    ),
    Case(
        "no-plan-seeds-nothing-strict",
        ("strict:", "the plan fills no table"),
        plan=None,
        files=_mig(GOOD_MIGRATION),
        argv=("--strict",),
        dsn=None,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_project(case: Case, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(project, case.files)
    check_outcome(case, run_cli(seed_argv(case, project, ""), capsys))


def test_sql_paths_matching_nothing_is_a_warning(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = Case(
        "sql-paths-warning",
        ("db.seed.sql_paths", "'./seeds/*.sql' matches no file"),
        plan=PLAN,
        files={
            **_mig(GOOD_MIGRATION),
            "supabase/config.toml": '[db.seed]\nsql_paths = ["./seeds/*.sql"]\n',
        },
        dsn=None,
    )
    write_files(project, case.files)
    outcome = run_cli(seed_argv(case, project, ""), capsys)
    assert outcome.code == 0, outcome.err
    assert "supaseed: warning: " in outcome.err
    assert "'./seeds/*.sql' matches no file" in outcome.err


@pytest.mark.parametrize(
    ("env", "expect"),
    [
        ({"SUPASEED_PG_BIN": "/nonexistent/bin"}, ("No PostgreSQL server binaries", "fix:")),
        (
            {"SUPASEED_RUN_AS": "no_such_account_x"},
            ("SUPASEED_RUN_AS=no_such_account_x", "useradd --system"),
        ),
    ],
    ids=["pg-bin-missing", "run-as-unknown"],
)
def test_bad_server_settings(
    env: dict[str, str],
    expect: tuple[str, ...],
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if "SUPASEED_RUN_AS" in env and os.geteuid() != 0:
        pytest.skip("SUPASEED_RUN_AS is read only when running as root")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    case = Case("server", expect, plan=PLAN, files=_mig(GOOD_MIGRATION), dsn=None)
    write_files(project, case.files)
    check_outcome(case, run_cli(seed_argv(case, project, ""), capsys))


def test_cache_dir_of_another_account(
    project: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to give the directory to another account")
    foreign = cache / "foreign-cache"
    foreign.mkdir()
    os.chown(foreign, 1, 1)  # daemon
    monkeypatch.setenv("SUPASEED_CACHE_DIR", str(foreign))
    case = Case("cache", ("belongs to uid 1", "SUPASEED_CACHE_DIR"), plan=PLAN, dsn=None)
    check_outcome(case, run_cli(seed_argv(case, project, ""), capsys))


def test_cache_dir_the_server_cannot_reach(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if os.geteuid() != 0:
        pytest.skip("the server runs as another account only when we are root")
    closed = Path(tempfile.mkdtemp(prefix="supaseed-closed-"))  # 0700, root's
    try:
        cache = closed / "cache"
        monkeypatch.setenv("SUPASEED_CACHE_DIR", str(cache))
        # one line naming the server's binary it cannot reach, and both fixes
        expect = (
            f"cannot reach {cache / 'install'}",
            f"make {cache} and its parents world-traversable (chmod o+x)",
            "or set SUPASEED_CACHE_DIR to a directory that is",
        )
        case = Case("closed", expect, plan=PLAN, dsn=None)
        check_outcome(case, run_cli(seed_argv(case, project, ""), capsys))
    finally:
        shutil.rmtree(closed, ignore_errors=True)


@pytest.mark.parametrize(
    ("argv", "expect"),
    [
        (["seed", "--seed", "abc"], "invalid int value: 'abc'"),
        (["seed", "--no-such-flag"], "unrecognized arguments: --no-such-flag"),
        (["seed", "--plan", "a.toml", "--template", "b"], "not allowed with argument"),
    ],
    ids=["seed-not-int", "unknown-flag", "plan-and-template"],
)
def test_usage_errors_exit_2(argv: list[str], expect: str) -> None:
    """Usage errors come from argparse (exit 2, ``supaseed seed: error: ...``); through a real
    process, as a user's shell sees them."""
    script = Path(sys.executable).with_name("supaseed")
    out = subprocess.run([str(script), *argv], capture_output=True, text=True, check=False)
    assert out.returncode == 2
    assert expect in out.stderr
    assert "Traceback" not in out.stderr


def test_failure_through_a_real_process(project: Path) -> None:
    """The same one line through the console script: stderr, exit 1, no frame of our code."""
    write_files(project, _mig(GOOD_MIGRATION + "create tabel x (id int);\n"))
    (project / "supaseed.toml").write_text(PLAN)
    script = Path(sys.executable).with_name("supaseed")
    out = subprocess.run(
        [str(script), "seed", "--rootdir", str(project), "--no-progress"],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ.copy(),
    )
    assert out.returncode == 1
    assert out.stderr.startswith("supaseed: error: supabase/migrations/20240101000000_init.sql:2")
    assert not OUR_FRAME.search(out.stderr + out.stdout)
