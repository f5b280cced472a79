"""A run that never uses supaseed pays nothing for it: no database driver or plan code imported, no
server started, and pytest re-compiles only the plugin module and the test helpers of our package
(not the library) for assertion rewriting. The per-test fixtures still honour overrides of the
session layers they fetch on first use."""

from __future__ import annotations

import json
import sys
import textwrap

import pytest

#: Written by the project's conftest at the very end of the run (after the plugin's own hooks).
RECORDER = """
import json
import sys

import pytest


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    from pytest_supaseed.run_state import peek_run_state

    state = peek_run_state(config)
    with open("modules.json", "w") as out:
        json.dump(
            {
                "modules": sorted(sys.modules),
                "server_started": state is not None and state.server.handle is not None,
            },
            out,
        )
"""

#: Never imported by a run that does not seed (the plugin and fixtures load only small modules).
HEAVY = (
    "psycopg",
    "pydantic",
    "pytest_supaseed.config",
    "pytest_supaseed.report",
    "pytest_supaseed.lifecycle.session",
    "pytest_supaseed.lifecycle.connections",
    "pytest_supaseed.backends.embedded",
    "pytest_supaseed.seed",
    "pytest_supaseed.schema",
)


def test_a_run_without_supaseed_imports_nothing_heavy_and_starts_no_server(app) -> None:
    app.pytester.makeconftest(RECORDER)
    app.pytester.makepyfile(
        test_plain="""
        import pytest

        @pytest.mark.parametrize("i", range(3))
        def test_plain(i):
            assert i >= 0
        """
    )
    # pytest-postgresql (a dev dependency) imports psycopg itself: leave it out of this run
    result = app.run("-p", "no:postgresql")
    result.assert_outcomes(passed=3)
    seen = json.loads((app.root / "modules.json").read_text())
    modules = set(seen["modules"])
    assert "pytest_supaseed.plugin" in modules  # the plugin did load
    loaded_heavy = sorted(
        name for name in modules for heavy in HEAVY if name == heavy or name.startswith(heavy + ".")
    )
    assert loaded_heavy == []
    assert seen["server_started"] is False


def test_the_plugin_names_the_schema_snapshot_file_as_the_schema_package_does() -> None:
    from pytest_supaseed.plugin import SNAPSHOT_FILE
    from pytest_supaseed.schema.snapshot import DEFAULT_SNAPSHOT_FILE

    assert SNAPSHOT_FILE == DEFAULT_SNAPSHOT_FILE


def test_only_the_plugin_and_the_test_helpers_are_rewritten(
    pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pytest marks our whole package when it is installed from a wheel (every module of a
    ``pytest11`` distribution); the plugin narrows the mark to itself and ``testing/``. Checked on
    a real rewrite hook marked as a wheel install marks it (this dev venv's editable install is not
    marked at all)."""
    from _pytest.assertion.rewrite import AssertionRewritingHook

    import pytest_supaseed
    import pytest_supaseed.config
    import pytest_supaseed.testing
    from pytest_supaseed import plugin

    hook = AssertionRewritingHook(pytestconfig)
    with monkeypatch.context() as scope:
        # as at pytest's start-up, before the package is imported (else pytest warns about it)
        scope.delitem(sys.modules, "pytest_supaseed")
        hook.mark_rewrite("pytest_supaseed")
    monkeypatch.setattr(sys, "meta_path", [hook, *sys.meta_path])

    def rewritten(name: str, package: object) -> bool:
        return hook.find_spec(name, list(package.__path__)) is not None  # type: ignore[attr-defined]

    assert rewritten("pytest_supaseed.config.models", pytest_supaseed.config)  # before: all of it
    plugin._rewrite_only_the_pytest_layer()
    assert not rewritten("pytest_supaseed.config.models", pytest_supaseed.config)
    assert not rewritten("pytest_supaseed.fixtures", pytest_supaseed)
    assert rewritten("pytest_supaseed.plugin", pytest_supaseed)
    assert rewritten("pytest_supaseed.testing.distribution", pytest_supaseed.testing)


def test_per_test_fixtures_honour_overridden_session_layers(app) -> None:
    """``supaseed_session`` and ``supaseed_dsn`` fetch their layers on first use: an override in
    the project's conftest still decides (here the worker id in the clones' names)."""
    app.pytester.makeconftest(
        """
        import pytest


        @pytest.fixture(scope="session")
        def supaseed_worker_id():
            return "overridden"
        """
    )
    app.pytester.makepyfile(
        test_db=textwrap.dedent(
            """
            import pytest


            def test_unmarked(supaseed_db):
                name = supaseed_db.execute("select current_database()").fetchone()[0]
                assert name.endswith("_overridden"), name


            @pytest.mark.supaseed(users={"count": 2, "makerkit_test_users": False})
            def test_marked(supaseed_db):
                name = supaseed_db.execute("select current_database()").fetchone()[0]
                assert name.endswith("_overridden"), name
                assert supaseed_db.execute("select count(*) from auth.users").fetchone() == (2,)
            """
        )
    )
    app.run().assert_outcomes(passed=2)
