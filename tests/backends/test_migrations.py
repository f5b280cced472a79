"""apply_migrations: order, seed files like `supabase db reset`, and errors naming file and line."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from pytest_supaseed.errors import ConfigError, MigrationError
from pytest_supaseed.lifecycle.migrations import apply_migrations, seed_files, split_statements


def _write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_migrations_run_in_file_name_order_then_seed(
    fresh_conn: psycopg.Connection, tmp_path: Path
) -> None:
    _write(
        tmp_path,
        "supabase/migrations/20240102000000_second.sql",
        "insert into log values ('second');\n",
    )
    _write(
        tmp_path,
        "supabase/migrations/20240101000000_first.sql",
        "create table log (n serial, what text);\ninsert into log(what) values ('first');\n",
    )
    _write(
        tmp_path,
        "supabase/migrations/20240103000000_third.sql",
        "insert into log(what) values ('third');",
    )
    _write(tmp_path, "supabase/seed.sql", "insert into log(what) values ('seed');")
    # 'second' inserts into the first column on purpose: fails unless 'first' ran before.
    _write(
        tmp_path,
        "supabase/migrations/20240102000000_second.sql",
        "insert into log(what) values ('second');\n",
    )
    files = apply_migrations(fresh_conn, tmp_path)
    assert [f.name for f in files] == [
        "20240101000000_first.sql",
        "20240102000000_second.sql",
        "20240103000000_third.sql",
        "seed.sql",
    ]
    rows = fresh_conn.execute("select what from log order by n").fetchall()
    assert [r[0] for r in rows] == ["first", "second", "third", "seed"]


def test_non_migration_names_are_skipped_with_a_warning(
    fresh_conn: psycopg.Connection, tmp_path: Path
) -> None:
    _write(tmp_path, "supabase/migrations/20240101000000_a.sql", "create table a (n int);")
    _write(tmp_path, "supabase/migrations/notes.sql", "this is not sql;")
    with pytest.warns(UserWarning, match="notes.sql"):
        files = apply_migrations(fresh_conn, tmp_path)
    assert [f.name for f in files] == ["20240101000000_a.sql"]


def test_syntax_error_names_file_and_line(fresh_conn: psycopg.Connection, tmp_path: Path) -> None:
    _write(tmp_path, "supabase/migrations/20240101000000_ok.sql", "create table ok (n int);")
    _write(
        tmp_path,
        "supabase/migrations/20240102000000_broken.sql",
        "-- a comment\ncreate table fine (n int);\n\ncreate tabel broken (n int);\n",
    )
    with pytest.raises(MigrationError) as info:
        apply_migrations(fresh_conn, tmp_path)
    err = info.value
    assert err.file == "supabase/migrations/20240102000000_broken.sql"
    assert err.line == 4
    assert str(err).startswith("supabase/migrations/20240102000000_broken.sql:4: ")
    assert "tabel" in str(err)
    # The broken file is one transaction: its first statement is rolled back; earlier files stay.
    tables = {
        r[0]
        for r in fresh_conn.execute("select tablename from pg_tables where schemaname='public'")
    }
    assert tables == {"ok"}


def test_runtime_error_without_position_is_located(
    fresh_conn: psycopg.Connection, tmp_path: Path
) -> None:
    _write(
        tmp_path,
        "supabase/migrations/20240101000000_x.sql",
        "create table t (n int primary key);\n"
        "insert into t values (1);\n"
        "do $$ begin\n  perform 1; -- a ; inside a body\nend $$;\n"
        "insert into t values ('a;b'::text::int);\n",
    )
    with pytest.raises(MigrationError) as info:
        apply_migrations(fresh_conn, tmp_path)
    assert info.value.line == 6
    assert "invalid input syntax" in str(info.value)
    assert fresh_conn.execute("select to_regclass('t')").fetchone() == (None,)


def test_seed_paths_from_config_toml(fresh_conn: psycopg.Connection, tmp_path: Path) -> None:
    _write(tmp_path, "supabase/migrations/20240101000000_a.sql", "create table s (what text);")
    _write(
        tmp_path,
        "supabase/config.toml",
        '[db.seed]\nenabled = true\nsql_paths = ["./seeds/b/*.sql", "./seeds/a.sql", "./seeds/b/1.sql"]\n',
    )
    _write(tmp_path, "supabase/seeds/b/2.sql", "insert into s values ('b2');")
    _write(tmp_path, "supabase/seeds/b/1.sql", "insert into s values ('b1');")
    _write(tmp_path, "supabase/seeds/a.sql", "insert into s values ('a');")
    _write(tmp_path, "supabase/seed.sql", "insert into s values ('default seed must not run');")
    apply_migrations(fresh_conn, tmp_path)
    assert [r[0] for r in fresh_conn.execute("select what from s")] == ["b1", "b2", "a"]


def test_seed_disabled(tmp_path: Path) -> None:
    _write(tmp_path, "supabase/config.toml", "[db.seed]\nenabled = false\n")
    _write(tmp_path, "supabase/seed.sql", "select 1;")
    assert seed_files(tmp_path) == []


def test_bad_config_toml_names_the_key(tmp_path: Path) -> None:
    _write(tmp_path, "supabase/config.toml", "[db.seed]\nsql_paths = './seed.sql'\n")
    with pytest.raises(ConfigError, match=r"db\.seed\.sql_paths"):
        seed_files(tmp_path)


def test_custom_migrations_dir(fresh_conn: psycopg.Connection, tmp_path: Path) -> None:
    _write(tmp_path, "db/migrations/001_init.sql", "create table custom (n int);")
    files = apply_migrations(fresh_conn, tmp_path, "db/migrations")
    assert [f.name for f in files] == ["001_init.sql"]
    with pytest.raises(ConfigError, match="--supaseed-migrations"):
        apply_migrations(fresh_conn, tmp_path, "missing/dir")


def test_no_supabase_folder_is_nothing_to_do(
    fresh_conn: psycopg.Connection, tmp_path: Path
) -> None:
    assert apply_migrations(fresh_conn, tmp_path) == []


def test_split_statements_respects_quotes_comments_and_dollar_bodies() -> None:
    sql = (
        "select ';';\n"
        "-- ; comment\n"
        'select "a;b" from x;\n'
        "/* ; /* nested ; */ */ select 1;\n"
        "create function f() returns int language sql as $body$ select 1; $body$;\n"
        "select E'it\\'s;';\n"
        "select 2"
    )
    parts = [s.strip() for _, s in split_statements(sql)]
    assert len(parts) == 6
    assert parts[0] == "select ';';"
    assert parts[3].startswith("create function")
    assert parts[3].endswith("$body$;")
    assert parts[4] == "select E'it\\'s;';"
    assert parts[5] == "select 2"
