"""Bad markers and plans through pytest: each test fails with one line naming the key and the fix,
no traceback from pytest-supaseed's code, and the good test next to them still passes.

One pytester run (a subprocess, as a user's pytest) holds every case as its own test.
"""

from __future__ import annotations

import re
import textwrap

import pytest

MIGRATION = """\
create table public.notes (
  id bigint generated always as identity primary key,
  owner_id uuid not null references auth.users (id),
  title text not null check (length(title) > 0)
);
"""
SMALL = """\
seed = 7
[users]
count = 2
makerkit_test_users = false
[accounts]
personal = false
[tables."public.notes"]
count_per_parent = { owner_id = 2 }
"""
WITH_POOL = """\
seed = 3
[users]
count = 2
makerkit_test_users = false
[accounts]
personal = false
[asset_pools.p]
type = "json"
path = ["data/*.json", "missing/*.json"]
[mappings.notes]
pool = "p"
table = "public.notes"
fields = { title = "title" }
"""

CASES = {
    # test name: (marker arguments, fragments of its one-line failure)
    "test_constant_breaks_not_null": (
        '"small", tables={"public.notes": {"columns": {"title": "{{ null }}"}}}',
        ("public.notes.title", "NOT NULL", "Fix"),
    ),
    "test_negative_count": (
        '"small", tables={"public.notes": {"count": -1, "count_per_parent": None}}',
        ("customizations argument", 'tables."public.notes".count', "greater than or equal to 0"),
    ),
    "test_unknown_table": (
        '"small", tables={"public.nots": {"count": 1}}',
        ("tables.public.nots", "did you mean", "Fix the table name"),
    ),
    "test_unknown_column": (
        '"small", tables={"public.notes": {"columns": {"titel": "x"}}}',
        ("columns.titel", "did you mean 'title'"),
    ),
    "test_strict_pool_matches_nothing": (
        '"small", asset_pools={"p": {"type": "json", "path": "nothing/*.json", "strict": True}}',
        ("asset_pools.p (strict)", "matched no file"),
    ),
    "test_impossible_constant_type": (
        '"small", tables={"public.notes": {"columns": {"owner_id": "not-a-uuid"}}}',
        ("columns.owner_id", "not a valid uuid"),
    ),
}


def _source() -> str:
    lines = ["import pytest", ""]
    for name, (args, _) in CASES.items():
        lines += [f"@pytest.mark.supaseed({args})", f"def {name}(supaseed_db):", "    pass", ""]
    lines += ['@pytest.mark.supaseed("small")', "def test_good(supaseed_db):", "    pass", ""]
    lines += ['@pytest.mark.supaseed("withpool")', "def test_warned(supaseed_db):", "    pass", ""]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def _runs() -> dict[str, pytest.RunResult]:
    """The run of the project below, made once per module (per xdist worker) for both tests."""
    return {}


@pytest.fixture
def outcome(pytester: pytest.Pytester, _runs: dict[str, pytest.RunResult]) -> pytest.RunResult:
    if "outcome" not in _runs:
        _runs["outcome"] = _run_project(pytester)
    return _runs["outcome"]


def _run_project(pytester: pytest.Pytester) -> pytest.RunResult:
    root = pytester.path
    (root / "supabase" / "migrations").mkdir(parents=True)
    (root / "supabase" / "migrations" / "20240101000000_notes.sql").write_text(MIGRATION)
    (root / "supaseed" / "templates").mkdir(parents=True)
    (root / "supaseed" / "templates" / "small.toml").write_text(SMALL)
    (root / "supaseed" / "templates" / "withpool.toml").write_text(WITH_POOL)
    data = root / "supaseed" / "templates" / "data"  # pool paths are relative to the plan file
    data.mkdir()
    (data / "good.json").write_text('{"title": "A good note"}')
    (data / "bad.json").write_text('{"title": ')
    pytester.makepyfile(test_app=textwrap.dedent(_source()))
    return pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "no:randomly", "-ra", "-vv"
    )


def test_each_bad_marker_is_one_line(outcome: pytest.RunResult) -> None:
    text = outcome.stdout.str() + outcome.stderr.str()
    assert "Traceback" not in text
    assert not re.search(r"pytest_supaseed/[\w/]+\.py:\d+", text), text
    summary = {
        line.split(" - ", 1)[0].split("::")[-1]: line
        for line in outcome.outlines
        if line.startswith(("FAILED ", "ERROR ")) and " - " in line
    }
    for name, (_, fragments) in CASES.items():
        assert name in summary, text
        for fragment in fragments:
            assert fragment in summary[name], (name, fragment, summary[name])
    outcome.assert_outcomes(passed=2, errors=len(CASES))


def test_dropped_files_and_empty_globs_show_in_the_seed_summary(outcome: pytest.RunResult) -> None:
    outcome.stdout.fnmatch_lines(
        [
            "*warning: pool 'p': skipped supaseed/templates/data/bad.json:1: invalid JSON*strict = true*",
            "*warning: pool 'p': pattern '*/missing/*.json' matched no file*",
        ]
    )
