"""``supaseed seed`` end to end: a plan file, a real database, the printed summary."""

from __future__ import annotations

import gc
import warnings
from pathlib import Path
from typing import Any

import psycopg
import pytest

from pytest_supaseed.cli import main

ALL_TYPES_SQL = (Path(__file__).parent / "all_types.sql").read_text()


def _migration(root: Path, sql: str) -> None:
    """``root``'s supabase/migrations/0001_init.sql with ``sql``."""
    migrations = root / "supabase" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "0001_init.sql").write_text(sql)


def test_seed_with_dsn_and_plan_file(
    fresh_conn: psycopg.Connection[Any],
    fresh_db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fresh_conn.execute(ALL_TYPES_SQL)
    plan = tmp_path / "supaseed.toml"
    plan.write_text("seed = 5\n[tables.organizations]\ncount = 4\n[tables.members]\ncount = 30\n")
    code = main(
        [
            "seed",
            "--plan",
            str(plan),
            "--dsn",
            fresh_db,
            "--seed",
            "9",
            "--rootdir",
            str(tmp_path),
            "--no-progress",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("seed 9: 34 rows")
    assert "public.members" in out
    assert fresh_conn.execute("select count(*) from members").fetchone() == (30,)


def test_errors_are_one_line_with_the_fix(
    fresh_conn: psycopg.Connection[Any],
    fresh_db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fresh_conn.execute("create table places (id uuid primary key, spot point not null)")
    plan = tmp_path / "supaseed.toml"
    plan.write_text("[tables.places]\ncount = 3\n")
    code = main(["seed", "--plan", str(plan), "--dsn", fresh_db, "--rootdir", str(tmp_path)])
    assert code == 1
    assert "configure a generator for public.places.spot" in capsys.readouterr().err


def test_seed_without_dsn_uses_an_embedded_server_and_the_project_migrations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _migration(
        tmp_path,
        (
            "create table authors (id uuid primary key default gen_random_uuid(), name text not null);\n"
            "create table posts (id bigserial primary key, author_id uuid not null references authors(id),"
            " title varchar(80) not null);\n"
        ),
    )
    (tmp_path / "supaseed.toml").write_text(
        "seed = 3\n[tables.authors]\ncount = 5\n"
        "[tables.posts]\ncount_per_parent = { authors = { min = 1, max = 3 } }\n"
    )
    assert main(["seed", "--rootdir", str(tmp_path), "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("seed 3: ")
    assert "public.authors          5" in captured.out
    assert "server stopped (use --keep" in captured.err


def test_keep_leaves_the_server_running_and_prints_a_dsn_to_connect_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import re

    from pytest_supaseed.backends.embedded import stop_postgres

    _migration(tmp_path, "create table authors (id uuid primary key, name text not null);\n")
    (tmp_path / "supaseed.toml").write_text("seed = 3\n[tables.authors]\ncount = 7\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["seed", "--rootdir", str(tmp_path), "--keep", "--no-progress"]) == 0
        gc.collect()
    out, err = capsys.readouterr()
    # left running on purpose: no "subprocess ... is still running" warning about it
    assert "still running" not in err
    assert not [w for w in caught if "still running" in str(w.message)]
    found = re.search(r"^kept: psql '([^']+)'", out, re.MULTILINE)
    assert found, out
    # the server outlived the command: connect with the printed DSN and find the seeded rows
    with psycopg.connect(found.group(1), autocommit=True) as conn:
        data_dir = Path(str(conn.execute("show data_directory").fetchone()[0]))  # type: ignore[index]
        try:
            assert conn.execute("select count(*) from authors").fetchone() == (7,)
        finally:
            pid = int((data_dir / "postmaster.pid").read_text().split()[0])
            conn.close()
            assert stop_postgres(pid, data_dir)


def test_seed_without_dsn_applies_the_plans_explicit_migrations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A plan's ``migrations.paths`` is the schema to seed (as template builds apply it)."""
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "0001_gear.sql").write_text(
        "create table gear (id bigserial primary key, name text not null);\n"
    )
    (tmp_path / "supaseed.toml").write_text(
        'seed = 4\n[migrations]\npaths = ["db"]\n[tables.gear]\ncount = 7\n'
    )
    assert main(["seed", "--rootdir", str(tmp_path), "--no-progress"]) == 0
    assert "public.gear" in capsys.readouterr().out


def test_a_second_run_on_an_unchanged_plan_reuses_the_template_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``supaseed seed`` goes through lifecycle/ as pytest does: the first run builds the
    template database, the second finds it (same name, same build stamp) and seeds nothing."""
    import re

    from pytest_supaseed.lifecycle.base import project_server
    from pytest_supaseed.lifecycle.databases import database_metadata

    _migration(
        tmp_path,
        (
            "create table authors (id uuid primary key default gen_random_uuid(), name text not null);\n"
        ),
    )
    (tmp_path / "supaseed.toml").write_text("seed = 3\n[tables.authors]\ncount = 6\n")
    args = ["seed", "--rootdir", str(tmp_path), "--no-progress"]

    assert main(args) == 0
    first = capsys.readouterr().out
    built = re.search(r"^template database (supaseed_tpl_\w+): built in ", first, re.MULTILINE)
    assert built, first
    with project_server(tmp_path) as server:
        stamp = database_metadata(server, built.group(1))
    assert stamp is not None
    assert stamp["report"]["rows"] == {"public.authors": 6}

    assert main(args) == 0
    second = capsys.readouterr().out
    assert f"template database {built.group(1)}: reused (cache hit, nothing seeded)" in second
    assert second.startswith("seed 3: 6 rows")  # the stored report, read back
    with project_server(tmp_path) as server:
        assert database_metadata(server, built.group(1)) == stamp  # not rebuilt

    (tmp_path / "supaseed.toml").write_text("seed = 3\n[tables.authors]\ncount = 7\n")
    assert main(args) == 0
    third = capsys.readouterr().out
    assert "built in" in third
    assert built.group(1) not in third


def test_seed_checks_the_plan_against_the_project_schema_first_as_a_test_session_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _migration(
        tmp_path,
        (
            "create table authors (id uuid primary key default gen_random_uuid(), name text not null);\n"
        ),
    )
    # a column the schema does not have: the plan check names it with the file's line
    (tmp_path / "supaseed.toml").write_text(
        'seed = 3\n[tables.authors]\ncount = 4\ncolumns = { nickname = "x" }\n'
    )
    assert main(["seed", "--rootdir", str(tmp_path), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "supaseed.toml:" in err
    assert "nickname" in err
    assert "template database" not in err


def test_the_second_run_reuses_by_the_recorded_resolution_without_the_plan_models(
    tmp_path: Path,
) -> None:
    """The run after a build finds the template database by the resolution the build recorded
    (plan file, migrations, templates unchanged): it loads neither the plan models (pydantic) nor
    the seeding engine. A template database dropped since is built again by the full run, and the
    reuse attempt leaves no database behind."""
    import json
    import re
    import subprocess
    import sys

    from pytest_supaseed.lifecycle.base import project_server
    from pytest_supaseed.lifecycle.databases import drop_database

    _migration(tmp_path, "create table authors (id uuid primary key, name text not null);\n")
    (tmp_path / "supaseed.toml").write_text("seed = 5\n[tables.authors]\ncount = 4\n")
    code = (
        "import json, sys\n"
        "from pytest_supaseed.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "heavy = [m for m in ('pydantic', 'pytest_supaseed.cli.seed_build',\n"
        "                     'pytest_supaseed.seed.engine') if m in sys.modules]\n"
        "print(json.dumps({'code': code, 'heavy': heavy}))\n"
    )

    def run() -> tuple[str, dict[str, Any]]:
        done = subprocess.run(
            [sys.executable, "-c", code, "seed", "--rootdir", str(tmp_path), "--no-progress"],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        *lines, last = done.stdout.strip().splitlines()
        return "\n".join(lines), json.loads(last)

    first, loaded = run()
    built = re.search(r"^template database (supaseed_tpl_\w+): built in ", first, re.MULTILINE)
    assert built, first
    assert "pydantic" in loaded["heavy"]  # the build resolved the plan
    second, loaded = run()
    assert f"template database {built.group(1)}: reused (cache hit, nothing seeded)" in second
    assert second.startswith("seed 5: 4 rows")
    assert loaded == {"code": 0, "heavy": []}

    with project_server(tmp_path) as server:
        drop_database(server, built.group(1))
    third, loaded = run()
    assert f"template database {built.group(1)}: built in " in third  # the same name, again
    with project_server(tmp_path) as server, psycopg.connect(server.dsn_for("postgres")) as conn:
        names = [r[0] for r in conn.execute("select datname from pg_database").fetchall()]
    assert built.group(1) in names
    assert [n for n in names if n.startswith("supaseed_tmp_")] == []  # no temporary left
