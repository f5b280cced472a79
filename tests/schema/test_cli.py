"""supaseed detect / snapshot / diff, run through the real entry point against real databases."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from pytest_supaseed import demo_schemas
from pytest_supaseed.cli import main

Loader = Callable[[str], psycopg.Connection]


def test_detect_table_and_json(
    load_demo: Loader, supabase_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    load_demo("v3")
    assert main(["detect", "--dsn", supabase_db]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Schema: MakerKit v3"
    assert "[x] table public.nonces: v3 one-time tokens" in out
    assert (
        "on_auth_user_created (AFTER INSERT) -> kit.setup_new_user: creates public.accounts" in out
    )

    assert main(["detect", "--dsn", supabase_db, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["kit"], data["supabase"]) == ("v3", "layer")
    assert "public.nonces" in data["kit_tables"]


def test_snapshot_then_diff_against_the_live_database(
    fresh_conn: psycopg.Connection,
    fresh_db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fresh_conn.execute("create table public.items (id int primary key, name varchar(100))")
    snap = tmp_path / "supaseed.schema.json"
    assert main(["snapshot", "--dsn", fresh_db, "-o", str(snap)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {snap} (1 tables)"
    assert json.loads(snap.read_text())["tables"]["public.items"]["columns"]["name"]["type"] == (
        "character varying(100)"
    )

    assert main(["diff", str(snap), "--dsn", fresh_db, "--exit-code"]) == 0
    assert capsys.readouterr().out.strip() == "No schema changes."

    fresh_conn.execute("alter table public.items alter column name type varchar(255)")
    assert main(["diff", str(snap), "--dsn", fresh_db, "--exit-code"]) == 1
    out = capsys.readouterr().out
    assert (
        "column_type_changed  public.items.name  character varying(100)  character varying(255)"
        in out
    )

    assert main(["diff", str(snap), "--dsn", fresh_db, "--format", "json"]) == 0
    (change,) = json.loads(capsys.readouterr().out)["changes"]
    assert (change["kind"], change["before"], change["after"]) == (
        "column_type_changed",
        "character varying(100)",
        "character varying(255)",
    )


def test_diff_between_two_snapshot_files_and_stdout_snapshot(
    fresh_conn: psycopg.Connection,
    fresh_db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fresh_conn.execute("create type public.color as enum ('red')")
    assert main(["snapshot", "--dsn", fresh_db, "-o", "-"]) == 0
    old = tmp_path / "old.json"
    old.write_text(capsys.readouterr().out)
    fresh_conn.execute("alter type public.color add value 'blue'")
    new = tmp_path / "new.json"
    assert main(["snapshot", "--dsn", fresh_db, "-o", str(new)]) == 0
    capsys.readouterr()
    assert main(["diff", str(old), str(new)]) == 0
    assert "enum_label_added  public.color 'blue'" in capsys.readouterr().out
    assert main(["diff", str(new), str(old)]) == 0
    assert "enum_label_removed  public.color 'blue'" in capsys.readouterr().out


def test_errors_are_one_line_with_the_fix(
    fresh_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", str(tmp_path / "nope.json"), "--dsn", fresh_db]) == 1
    assert "no such snapshot file" in capsys.readouterr().err
    assert main(["detect", "--dsn", fresh_db, "--schemas", "pubic"]) == 1
    assert "did you mean 'public'" in capsys.readouterr().err


def test_detect_without_dsn_builds_the_project_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    migrations = tmp_path / "supabase" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "20240101000000_schema.sql").write_text(demo_schemas.sql("lite"))
    (migrations / "20240102000000_notes.sql").write_text(
        "create table public.notes (id int primary key, account_id uuid references public.accounts)"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["detect", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["kit"], data["custom_tables"]) == ("lite", ["public.notes"])
