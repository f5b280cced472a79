"""``--migrations PATH`` on every command that builds the project's database to read its schema or
check its plan (seed, init, detect, snapshot, diff, plan --check, update), with the meaning
``supaseed seed`` gives it: PATH replaces ``supabase/migrations`` (relative to ROOTDIR).

The project below keeps its migrations in ``db/migrations``: without the option the commands see
no ``public.posts``; with it they do. Bad uses are one ``supaseed: error:`` line each.
The plugin's ``--supaseed-migrations``: tests/surface/test_supaseed_migrations_option.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pytest_supaseed.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[2]

SCHEMA = """
create table public.authors (
  id uuid primary key default gen_random_uuid(),
  name text not null
);
create table public.posts (
  id uuid primary key default gen_random_uuid(),
  author_id uuid not null references public.authors (id),
  title text not null
);
"""

PLAN = """seed = 3

[tables."public.authors"]
count = 2

[tables."public.posts"]
count = 4
"""

READING_COMMANDS = ("seed", "init", "detect", "snapshot", "diff", "plan", "update")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("migrations-option") / "app"
    (root / "db" / "migrations").mkdir(parents=True)
    (root / "db" / "migrations" / "20240101000000_blog.sql").write_text(SCHEMA)
    (root / "supaseed.toml").write_text(PLAN)
    return root


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_every_command_that_builds_the_database_takes_migrations() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for command in READING_COMMANDS:
        flags = {o for a in sub.choices[command]._actions for o in a.option_strings}
        assert "--migrations" in flags, command


def test_plan_check_reads_the_given_migrations(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(project)
    code, out, _ = _run(capsys, "plan", "--check", "--rootdir", root)
    assert code == 1  # supabase/migrations does not exist: no public.posts to seed
    assert "public.posts" in out
    code, out, err = _run(
        capsys, "plan", "--check", "--rootdir", root, "--migrations", "db/migrations"
    )
    assert (code, err) == (0, ""), out


def test_schema_commands_read_the_given_migrations(
    project: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = str(project)
    code, out, _ = _run(
        capsys, "detect", "--format", "json", "--rootdir", root, "--migrations", "db/migrations"
    )
    assert code == 0
    assert "public.posts" in json.loads(out)["custom_tables"]

    snap = tmp_path / "schema.json"
    code, out, _ = _run(
        capsys, "snapshot", "-o", str(snap), "--rootdir", root, "--migrations", "db/migrations"
    )
    assert code == 0
    assert "public.posts" in json.loads(snap.read_text())["tables"]

    # The same migrations: no changes. Without them: the two tables are gone.
    args = ("diff", str(snap), "--exit-code", "--rootdir", root)
    assert _run(capsys, *args, "--migrations", "db/migrations")[0] == 0
    code, out, _ = _run(capsys, *args)
    assert code == 1
    assert "public.posts" in out

    # --impact and update read the live schema through the same option.
    code, out, _ = _run(capsys, *args, "--impact", "--migrations", "db/migrations")
    assert code == 0, out
    code, out, _ = _run(
        capsys,
        "update",
        "--dry-run",
        "--snapshot",
        str(snap),
        "--rootdir",
        root,
        "--migrations",
        str(project / "db" / "migrations"),  # absolute works too
    )
    assert code == 0, out
    assert not (project / ".supaseed" / "backups").exists()


def test_seed_and_init_read_the_given_migrations(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(project)
    code, out, _ = _run(
        capsys, "seed", "--rootdir", root, "--no-progress", "--migrations", "db/migrations"
    )
    assert code == 0
    assert re.search(r"^\s+public\.posts\s+4\s", out, re.M), out
    code, out, _ = _run(
        capsys, "init", "--stdout", "--rootdir", root, "--migrations", "db/migrations"
    )
    assert code == 0
    assert '[tables."public.posts"]' in out


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["plan", "--migrations", "db/migrations"], "add --check"),
        (["detect", "--migrations", "db/nowhere"], "no such directory"),
        (["seed", "--migrations", "db/nowhere"], "no such directory"),
        (
            [
                "plan",
                "--check",
                "--dsn",
                "postgresql://127.0.0.1/x",
                "--migrations",
                "db/migrations",
            ],
            "drop one of the two",
        ),
        (
            ["seed", "--dsn", "postgresql://127.0.0.1/x", "--migrations", "db/migrations"],
            "drop one of the two",
        ),
    ],
)
def test_bad_uses_are_one_error_line(
    project: Path, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    code, _, err = _run(capsys, *argv, "--rootdir", str(project))
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("supaseed: error: --migrations")
    assert says in lines[0]


SHOP = ROOT / "pytest_supaseed" / "config" / "templates" / "e-commerce" / "migrations"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A project whose schema is the e-commerce template's, kept in db/migrations (so it has no
    supabase/migrations): a template extending e-commerce must not apply its demo schema on top."""
    root = tmp_path / "shop"
    (root / "db" / "migrations").mkdir(parents=True)
    sql_text = (SHOP / "0001_shop.sql").read_text(encoding="utf-8")
    (root / "db" / "migrations" / "20240101000000_shop.sql").write_text(sql_text)
    (root / "supaseed.toml").write_text('extends = "e-commerce"\nseed = 2\n\n[users]\ncount = 3\n')
    return root


def test_seed_uses_the_given_migrations_instead_of_a_templates_demo_schema(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(
        capsys, "seed", "--rootdir", str(shop), "--no-progress", "--migrations", "db/migrations"
    )
    assert code == 0, err  # before: "relation "products" already exists" from the demo schema
    assert re.search(r"^\s+public\.products\s+50\s", out, re.M), out
    code, out, err = _run(
        capsys, "plan", "--check", "--rootdir", str(shop), "--migrations", "db/migrations"
    )
    assert code == 0, out + err
