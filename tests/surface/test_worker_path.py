"""Under xdist the controller checks (or builds) the base database once and hands its name, or its
error, to every worker: workers repeat none of it."""

from __future__ import annotations


def test_workers_receive_the_base_database_from_the_controller(app) -> None:
    app.make(
        """
        import pytest
        from pytest_supaseed.run_state import get_run_state

        @pytest.mark.parametrize("i", range(4))
        def test_base(request, supaseed_base_database, supaseed_db, i):
            remote = get_run_state(request.config).server.remote
            assert remote is not None and remote["base_database"] == supaseed_base_database
            assert supaseed_db.execute("select count(*) from items").fetchone() == (0,)
        """,
        {"20240101000000_app.sql": "create table items (n int);\n"},
    )
    app.run("-n", "2").assert_outcomes(passed=4)


def test_a_broken_migration_fails_every_worker_with_the_same_message(app) -> None:
    app.make(
        """
        import pytest

        @pytest.mark.parametrize("i", range(2))
        def test_needs_db(supaseed_db, i):
            pass
        """,
        {"20240101000000_app.sql": "create table a (n int);\n\nselect * from missing_table;\n"},
    )
    result = app.run("-n", "2")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        ["*MigrationError: supabase/migrations/20240101000000_app.sql:3: *missing_table*"] * 2
    )
