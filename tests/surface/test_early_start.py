"""A single-process run of a project that seeds starts its server while pytest collects: the first
database fixture finds it up instead of starting it. A project without a plan file starts nothing
(tests/surface/test_startup_cost.py), a run whose tests need no database still ends with its
server stopped, and after such a run (as pytest's cache remembers it) the next starts on first use."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any

import pytest

#: Records, when collection is over (before any test runs), whether the run's server is already up
#: (waiting for the early start, if one is under way, up to a minute), and at the very end where its
#: data directory was.
RECORDER = """
import json
import time

import pytest

from pytest_supaseed.run_state import peek_run_state


def _handle(config):
    state = peek_run_state(config)
    return None if state is None else state.server.handle


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session):
    state = peek_run_state(session.config)
    # the early start's thread (ServerSlot internals: no fixture has run yet to join it)
    with open("started.json", "w") as out:
        json.dump({"early_start": state is not None and state.server._preparing is not None}, out)
    deadline = time.monotonic() + 60
    while _handle(session.config) is None and time.monotonic() < deadline:
        time.sleep(0.01)
    with open("collected.json", "w") as out:
        json.dump({"server_up_before_tests": _handle(session.config) is not None}, out)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    handle = _handle(config)
    with open("ended.json", "w") as out:
        json.dump({"data_dir": None if handle is None else handle.details.get("data_dir")}, out)
"""


def _read(project: Any, name: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((project.root / name).read_text())
    return data


def test_the_server_is_up_before_the_first_test_of_a_project_with_templates(
    project: Any,
) -> None:
    project.pytester.makeconftest(RECORDER)
    project.tests(
        """
        import pytest

        @pytest.mark.supaseed("small")
        def test_seeded(supaseed_db):
            assert supaseed_db.execute("select count(*) from public.notes").fetchone() == (6,)
        """
    )
    result = project.run("-p", "no:randomly")
    result.assert_outcomes(passed=1)
    # No fixture had run yet: only the early start can have started it.
    assert _read(project, "collected.json") == {"server_up_before_tests": True}


def test_a_run_of_tests_without_a_database_stops_the_server_the_early_start_started(
    project: Any,
) -> None:
    project.pytester.makeconftest(RECORDER)
    project.tests(
        """
        def test_plain():
            assert 1 + 1 == 2
        """
    )
    result = project.run("-p", "no:randomly")
    result.assert_outcomes(passed=1)
    assert _read(project, "collected.json") == {"server_up_before_tests": True}
    data_dir = _read(project, "ended.json")["data_dir"]
    assert isinstance(data_dir, str)
    # stopped at the end of the run (a running postmaster keeps its pid file)
    assert not (Path(data_dir) / "postmaster.pid").exists()


@pytest.mark.parametrize("option", ["--collect-only", "--setup-plan"])
def test_collect_only_and_setup_plan_start_nothing(project: Any, option: str) -> None:
    project.pytester.makeconftest(RECORDER.replace("time.monotonic() + 60", "time.monotonic()"))
    project.tests(
        """
        def test_db(supaseed_db):
            pass
        """
    )
    result = project.run("-p", "no:randomly", option, "-q")
    assert result.ret == 0
    assert _read(project, "collected.json") == {"server_up_before_tests": False}
    assert _read(project, "ended.json") == {"data_dir": None}


def test_the_plugin_spells_the_plan_file_names_as_plan_files_does() -> None:
    from pytest_supaseed.plan_files import PLAN_FILE_NAMES, USER_TEMPLATE_DIR
    from pytest_supaseed.plugin import PLAN_FILES, TEMPLATE_DIR

    assert PLAN_FILES == PLAN_FILE_NAMES
    assert Path(TEMPLATE_DIR) == USER_TEMPLATE_DIR


def test_after_a_run_that_needed_no_database_the_next_starts_its_server_on_first_use(
    project: Any,
) -> None:
    project.pytester.makeconftest(RECORDER.replace("time.monotonic() + 60", "time.monotonic()"))
    plain = """
        def test_plain():
            assert 1 + 1 == 2
        """
    seeded = """
        import pytest

        @pytest.mark.supaseed("small")
        def test_seeded(supaseed_db):
            assert supaseed_db.execute("select count(*) from public.notes").fetchone() == (6,)
        """

    def run(source: str) -> bool:
        project.tests(source)
        # pytest's cache on (the project fixture's runs turn it off): it carries the hint
        project.pytester.runpytest_subprocess("-p", "no:randomly").assert_outcomes(passed=1)
        started: bool = _read(project, "started.json")["early_start"]  # type: ignore[assignment]
        return started

    assert run(plain) is True  # nothing known yet: starts early
    assert run(plain) is False  # the last run needed no database
    assert run(seeded) is False  # still the last run's hint; this one needs it (and passes)
    assert run(seeded) is True


#: Holds the early start's server start until the run ends (a slow initdb, made certain) and
#: records every ServerSlot.base_database call.
SLOW_START = """
import threading

import pytest

from pytest_supaseed import run_state

_release = threading.Event()
_start = run_state.ServerSlot.start
_base = run_state.ServerSlot.base_database


def _slow_start(self, *, join=True):
    if threading.current_thread().name == "supaseed-prepare":
        _release.wait(60)
    _start(self, join=join)


def _recorded_base(self):
    with open("base_calls.txt", "a") as out:
        out.write(threading.current_thread().name + "\\n")
    return _base(self)


run_state.ServerSlot.start = _slow_start
run_state.ServerSlot.base_database = _recorded_base


@pytest.hookimpl(tryfirst=True)
def pytest_unconfigure(config):
    _release.set()  # before the plugin's own unconfigure waits for the early start
"""


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("def test_broken(:\n    pass\n", "*1 error*"),  # a syntax error
        (  # a marker the plugin refuses at collection (a usage error)
            "import pytest\n\n@pytest.mark.supaseed(bogus=1)\ndef test_x(supaseed_db):\n    pass\n",
            "*bogus*",
        ),
    ],
    ids=["syntax-error", "bad-marker"],
)
def test_a_run_stopped_before_its_first_test_does_not_build_the_base_database(
    project: Any, source: str, says: str
) -> None:
    project.pytester.makeconftest(SLOW_START)
    project.tests(source)
    result = project.run("-p", "no:randomly")
    assert result.ret in (2, 4)  # interrupted by a collection error; usage error
    output = result.stdout.lines + result.stderr.lines
    assert any(fnmatch.fnmatch(line, says) for line in output), output
    # the early start was still starting its server when the run ended: it stops there
    assert not (project.root / "base_calls.txt").exists()


def test_an_overridden_base_database_fixture_is_not_built_by_the_early_start(
    project: Any,
) -> None:
    project.pytester.makeconftest(
        SLOW_START.replace("_release.wait(60)", "pass")
        + """

@pytest.fixture(scope="session")
def supaseed_base_database(supaseed_server, supaseed_settings, supaseed_lease):
    from pytest_supaseed.lifecycle.base import ensure_base_database
    return ensure_base_database(
        supaseed_server, supaseed_settings.rootdir, "db/migrations", before=supaseed_lease.hold
    )
"""
    )
    project.db_migrations_test()
    project.run("-p", "no:randomly").assert_outcomes(passed=1)
    # neither the early start nor anything else built the default base database
    assert not (project.root / "base_calls.txt").exists()


def test_a_project_with_its_own_server_fixture_starts_nothing_early(project: Any) -> None:
    project.pytester.makeconftest(
        RECORDER.replace("time.monotonic() + 60", "time.monotonic()")
        + """

@pytest.fixture(scope="session")
def supaseed_server(supaseed_run_state):
    # a project's own server would be started here; this one takes the plugin's, on first use
    return supaseed_run_state.server.get()
"""
    )
    project.tests(
        """
        import pytest

        @pytest.mark.supaseed("small")
        def test_seeded(supaseed_db):
            assert supaseed_db.execute("select count(*) from public.notes").fetchone() == (6,)
        """
    )
    project.run("-p", "no:randomly").assert_outcomes(passed=1)
    assert _read(project, "started.json") == {"early_start": False}


@pytest.mark.parametrize(
    ("where", "conftest"),
    [
        (  # a deeper conftest.py, loaded only at collection
            "sub",
            """
import pytest

@pytest.fixture(scope="session")
def supaseed_server(supaseed_run_state):
    return supaseed_run_state.server.get()
""",
        ),
        (  # the root conftest, under another Python name
            ".",
            """
import pytest

@pytest.fixture(scope="session", name="supaseed_server")
def my_own_server(supaseed_run_state):
    return supaseed_run_state.server.get()
""",
        ),
    ],
    ids=["nested-conftest", "fixture-name-alias"],
)
def test_an_own_server_seen_at_collection_stops_the_early_start_before_the_base_database(
    project: Any, where: str, conftest: str
) -> None:
    # the early start's server start waits for the end of collection, then goes on
    released_at_collection = SLOW_START.replace(
        "@pytest.hookimpl(tryfirst=True)\ndef pytest_unconfigure(config):",
        "@pytest.hookimpl(trylast=True)\ndef pytest_collection_finish(session):",
    )
    folder = project.root / where
    folder.mkdir(exist_ok=True)
    root_conftest = released_at_collection + (conftest if where == "." else "")
    (project.root / "conftest.py").write_text(root_conftest)
    if where != ".":
        (folder / "conftest.py").write_text(conftest)
    (folder / "test_app.py").write_text(
        "import pytest\n\n"
        '@pytest.mark.supaseed("small")\n'
        "def test_seeded(supaseed_db):\n"
        '    assert supaseed_db.execute("select count(*) from public.notes").fetchone() == (6,)\n'
    )
    project.run("-p", "no:randomly").assert_outcomes(passed=1)
    calls = (project.root / "base_calls.txt").read_text().split()
    assert "supaseed-prepare" not in calls  # only the test's own fixtures built the base
    assert calls == ["MainThread"]


def test_a_run_that_selects_no_test_leaves_the_hint_as_it_was(project: Any) -> None:
    project.tests(
        """
        def test_db(supaseed_db):
            pass
        """
    )
    hint = project.root / ".pytest_cache" / "v" / "supaseed" / "last_run_needed_no_database"
    project.pytester.runpytest_subprocess("-p", "no:randomly").assert_outcomes(passed=1)
    assert json.loads(hint.read_text()) is False
    result = project.pytester.runpytest_subprocess("-p", "no:randomly", "-k", "no_such_test")
    assert result.ret == 5  # no tests ran
    assert json.loads(hint.read_text()) is False
