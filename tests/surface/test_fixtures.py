"""The fixtures end to end, through real pytest runs (pytester subprocesses) on the embedded server."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

MIGRATION_1 = """\
create table public.notes (
  id bigint generated always as identity primary key,
  owner_id uuid not null references auth.users (id),
  body text not null
);
alter table public.notes enable row level security;
create policy "own notes" on public.notes for all to authenticated
  using (auth.uid() = owner_id) with check (auth.uid() = owner_id);
grant select, insert on public.notes to authenticated;
"""

MIGRATION_2 = """\
-- depends on the first migration: fails if the order were wrong
alter table public.notes add column title text not null default 'untitled';
create table public.counter (n int);
"""


def test_migrations_in_order_rows_isolated_and_rls(app) -> None:
    app.make(
        """
        import pytest

        @pytest.mark.parametrize("who", ["first", "second", "third"])
        def test_writes_do_not_leak(supaseed_db, who):
            supaseed_db.execute("insert into counter values (1)")
            assert supaseed_db.execute("select count(*) from counter").fetchone() == (1,)

        def test_schema_from_migrations(supaseed_db):
            cols = supaseed_db.execute(
                "select column_name from information_schema.columns "
                "where table_name = 'notes' order by ordinal_position").fetchall()
            assert [c[0] for c in cols] == ["id", "owner_id", "body", "title"]

        def test_savepoints_inside(supaseed_db):
            supaseed_db.execute("insert into counter values (1)")
            try:
                with supaseed_db.transaction():
                    supaseed_db.execute("insert into counter values (2)")
                    raise RuntimeError
            except RuntimeError:
                pass
            assert supaseed_db.execute("select sum(n) from counter").fetchone() == (1,)

        def test_leaves_session_state(supaseed_db):
            supaseed_db.execute("select pg_advisory_lock(42)")
            supaseed_db.execute("prepare leftover as select 1")
            supaseed_db.execute("set role authenticated")
            supaseed_db.row_factory = __import__("psycopg").rows.dict_row

        def test_session_state_was_reset(supaseed_db):
            assert supaseed_db.execute("select current_user").fetchone() == ("postgres",)
            assert supaseed_db.execute(
                "select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()"
            ).fetchone() == (0,)
            assert supaseed_db.execute("select count(*) from pg_prepared_statements "
                                       "where name = 'leftover'").fetchone() == (0,)

        def test_closes_its_connection(supaseed_db):
            supaseed_db.close()

        def test_gets_a_working_connection_after_a_close(supaseed_db):
            assert supaseed_db.execute("select 1").fetchone() == (1,)

        def test_commit_is_refused(supaseed_db):
            import psycopg
            with pytest.raises(psycopg.ProgrammingError):
                supaseed_db.commit()

        import json, uuid

        def test_policy_uses_auth_uid(supaseed_db):
            db = supaseed_db
            alice, bob = uuid.uuid4(), uuid.uuid4()
            for uid, email in ((alice, "alice@example.com"), (bob, "bob@example.com")):
                db.execute(
                    "insert into auth.users (id, email, encrypted_password) values "
                    "(%s, %s, extensions.crypt('pw', extensions.gen_salt('bf')))", (uid, email))
            db.execute("insert into notes (owner_id, body) values (%s, 'a'), (%s, 'b')", (alice, bob))
            with db.transaction():
                db.execute("set local role authenticated")
                db.execute("select set_config('request.jwt.claims', %s, true)",
                           (json.dumps({"sub": str(alice), "role": "authenticated"}),))
                assert db.execute("select auth.uid()").fetchone() == (alice,)
                assert db.execute("select body from notes").fetchall() == [("a",)]
            with db.transaction():
                db.execute("set local role service_role")
                assert db.execute("select count(*) from notes").fetchone() == (2,)
            with db.transaction():
                db.execute("set local role anon")
                # released savepoints keep SET LOCAL values: clear the claims like a request without a JWT
                db.execute("select set_config('request.jwt.claims', '', true)")
                assert db.execute("select auth.uid()").fetchone() == (None,)
                assert db.execute("select count(*) from notes").fetchone() == (0,)
        """,
        {
            "20240101000000_notes.sql": MIGRATION_1 + "grant select on public.notes to anon;\n",
            "20240102000000_more.sql": MIGRATION_2,
        },
    )
    result = app.run("-v")
    result.assert_outcomes(passed=11)


def test_broken_migration_names_file_and_line(app) -> None:
    app.make(
        """
        def test_needs_db(supaseed_db):
            pass
        """,
        {
            "20240101000000_ok.sql": "create table ok (n int);\n",
            "20240102000000_broken.sql": "create table a (n int);\n\nselect * from missing_table;\n",
        },
    )
    result = app.run()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*MigrationError: supabase/migrations/20240102000000_broken.sql:3: *missing_table*"]
    )


def test_one_server_shared_by_xdist_workers(app) -> None:
    out = app.root / "seen"
    out.mkdir()
    app.make(
        f"""
        import os, pytest

        @pytest.mark.parametrize("i", range(4))
        def test_record(supaseed_server, supaseed_dsn, supaseed_db, supaseed_run_id, i):
            worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
            assert supaseed_run_id == os.environ["PYTEST_XDIST_TESTRUNUID"]
            assert ("_" + worker) in supaseed_dsn
            name = supaseed_db.execute("select current_database()").fetchone()[0]
            (__import__("pathlib").Path({str(out)!r}) / f"{{worker}}-{{i}}").write_text(
                supaseed_server.dsn + "\\n" + supaseed_server.details.get("pid", "") + "\\n" + name)
        """,
        {"20240101000000_a.sql": "create table a (n int);\n"},
    )
    result = app.run("-n", "2")
    result.assert_outcomes(passed=4)
    records = [p.read_text().splitlines() for p in out.iterdir()]
    assert len({r[0] for r in records}) == 1, "every worker uses the same server"
    assert len({r[2] for r in records}) == 2, "each worker has its own clone"
    pid = int(records[0][1])
    assert (
        not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
    )


def test_keep_leaves_server_and_says_how_to_connect(app) -> None:
    app.make("def test_x(supaseed_db):\n    pass\n")
    result = app.run("--supaseed-keep")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["*supaseed: server kept*", "connect: psql 'postgresql://*'", "pid: *"]
    )
    pid_line = next(line for line in result.outlines if line.startswith("pid: "))
    pid = int(pid_line.split()[1])
    try:
        import psycopg

        dsn = next(line for line in result.outlines if line.startswith("connect: ")).split("'")[1]
        with psycopg.connect(dsn) as conn:
            names = [r[0] for r in conn.execute("select datname from pg_database")]
        assert any(n.startswith("supaseed_w_") for n in names), "the worker clone is kept too"
    finally:
        os.kill(pid, signal.SIGINT)


def test_docker_backend_without_engine_skips(app, monkeypatch: pytest.MonkeyPatch) -> None:
    from pytest_supaseed.backends.docker import probe_docker

    if probe_docker() is None:
        pytest.skip("a Docker engine answers here; the skip path cannot be shown")
    monkeypatch.delenv("CI", raising=False)
    app.pytester.makepyfile("def test_x(supaseed_db):\n    pass\n\ndef test_plain():\n    pass\n")
    result = app.run("--supaseed-backend", "docker", "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED*docker backend: no Docker engine answers*"])
    monkeypatch.setenv("CI", "true")
    result = app.run("--supaseed-backend", "docker")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*DockerUnavailableError*"])


def test_remote_dsn_refused_naming_flag(app) -> None:
    app.pytester.makepyfile("def test_x(supaseed_server):\n    pass\n")
    result = app.run(
        "--supaseed-backend",
        "external",
        "--supaseed-dsn",
        "postgresql://postgres:pw@db.example.com:5432/postgres",
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*UnsafeDatabaseError*--supaseed-allow-remote*"])


def test_external_backend_on_5432(app) -> None:
    from pytest_supaseed.backends.embedded import port_in_use

    if not port_in_use(5432):
        pytest.skip("no PostgreSQL listens on 127.0.0.1:5432")
    app.make(
        """
        def test_x(supaseed_server, supaseed_db):
            assert supaseed_server.backend == "external"
            assert supaseed_db.execute("show port").fetchone() == ("5432",)
            supaseed_db.execute("select count(*) from auth.users")
        """,
        {"20240101000000_a.sql": "create table a (n int);\n"},
    )
    app.pytester.makeini(
        "[pytest]\nsupaseed_backend = external\n"
        "supaseed_dsn = postgresql://postgres@127.0.0.1:5432/postgres\n"
    )
    result = app.run()
    result.assert_outcomes(passed=1)


def test_fixtures_are_documented(app) -> None:
    app.pytester.makepyfile("def test_x():\n    pass\n")
    result = app.run("--fixtures")
    for expected in (
        ["*supaseed_server [[]session scope[]] -- *", "*The PostgreSQL server of this run*"],
        ["*supaseed_dsn [[]session scope[]] -- *", "*own copy of the base database*"],
        ["supaseed_db -- *", "*inside a transaction rolled back after the test*"],
    ):
        result.stdout.fnmatch_lines(expected)


def test_wrong_pg_bin_reports_places_and_remedies(app) -> None:
    app.pytester.makepyfile("def test_x(supaseed_db):\n    pass\n\ndef test_plain():\n    pass\n")
    result = app.run("--supaseed-pg-bin", str(app.root / "no-such-dir"))
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "BinariesNotFoundError: No PostgreSQL server binaries (initdb, postgres) were found*",
            "*--supaseed-pg-bin / SUPASEED_PG_BIN: */no-such-dir *",
            "Remedies:",
            "  1. *",
        ]
    )
