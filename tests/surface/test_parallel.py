"""200 tests over two templates: isolated under -n 0, -n 2 and pytest-randomly; workers only clone."""

from __future__ import annotations

import pytest

TESTS = """
import pytest

@pytest.mark.supaseed("small")
@pytest.mark.parametrize("i", range(100))
def test_small(supaseed_db, i):
    # Every test writes, and must see the seeded rows plus only its own write.
    supaseed_db.execute(
        "insert into notes (owner_id, title) select id, %s from auth.users order by id limit 1",
        (f"small-{i}",),
    )
    assert supaseed_db.execute("select count(*) from notes").fetchone() == (7,)
    titles = supaseed_db.execute("select count(*) from notes where title like 'small-%%'").fetchone()
    assert titles == (1,)

@pytest.mark.supaseed("other")
@pytest.mark.parametrize("i", range(100))
def test_other(supaseed_db, i):
    supaseed_db.execute(
        "insert into notes (owner_id, title) select id, %s from auth.users order by id limit 1",
        (f"other-{i}",),
    )
    assert supaseed_db.execute("select count(*) from notes").fetchone() == (8,)
    assert supaseed_db.execute("select count(*) from auth.users").fetchone() == (5,)
"""


# The serial case (-n 0 on a fresh project, 200 passed) is the first run of
# test_workers_only_clone_when_templates_exist below.
@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("-p", "no:randomly", "-n", "2"), id="xdist"),
        pytest.param(("-p", "randomly", "-n", "2"), id="xdist-randomly"),
    ],
)
def test_two_hundred_isolated_tests(project, args) -> None:
    project.tests(TESTS)
    result = project.run(*args)
    result.assert_outcomes(passed=200)


def test_workers_only_clone_when_templates_exist(project) -> None:
    project.tests(TESTS)
    # 200 isolated tests under -n 0 (the serial case), building both templates
    project.run("-p", "no:randomly", "-n", "0").assert_outcomes(passed=200)
    result = project.run("-p", "no:randomly", "-n", "2")
    result.assert_outcomes(passed=200)
    summary = [line for line in result.stdout.lines if " seed=" in line and "rows inserted" in line]
    assert summary, "\n".join(result.stdout.lines)
    template_lines = summary
    assert len(template_lines) == 2, summary
    assert all("reused" in line and "built" not in line for line in template_lines), summary
