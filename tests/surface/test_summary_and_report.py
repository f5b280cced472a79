"""The terminal summary (one line per plan, details under -v) and --supaseed-report, end to end."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

TESTS = """
import pytest


@pytest.mark.supaseed("small")
def test_small(supaseed):
    assert supaseed.count("notes") == 6


@pytest.mark.supaseed("small", users={"count": 4})
def test_small_with_four_users(supaseed):
    assert supaseed.count("auth.users") == 4


@pytest.mark.supaseed("other")
def test_other(supaseed):
    assert supaseed.count("notes") == 7
"""


class _Sections(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.labels: list[str] = []
        self.images = 0
        self.flagged: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section":
            self.labels.append(str(a.get("data-label")))
        if tag == "img":
            self.images += 1
        if tag == "tr" and a.get("data-rls") == "false":
            self.flagged.append(str(a.get("data-table")))


def test_one_line_per_plan_that_says_what_distinguishes_it(project: Any) -> None:
    project.tests(TESTS)
    result = project.run("-p", "no:randomly")
    result.assert_outcomes(passed=3)
    lines = result.outlines[
        result.outlines.index(next(line for line in result.outlines if "- supaseed -" in line)) :
    ]
    plans = [line for line in lines if " seed=" in line and "rows inserted" in line]
    assert len(plans) == 3
    assert any(line.startswith("small seed=7: 12 rows inserted") for line in plans), plans
    assert any(line.startswith("small + users.count=4 seed=7: ") for line in plans), plans
    assert any(line.startswith("other seed=11: 17 rows inserted") for line in plans), plans
    assert not any(
        line.strip().startswith("public.notes") for line in lines
    )  # rows per table: -v only


def test_details_under_verbose(project: Any) -> None:
    project.tests(TESTS)
    result = project.run("-p", "no:randomly", "-v", "-k", "test_other")
    result.assert_outcomes(passed=1)
    text = "\n".join(result.outlines)
    assert "other seed=11: 17 rows inserted" in text
    assert any(
        line.strip().startswith("public.notes") and line.strip().endswith(" 7")
        for line in result.outlines
    )
    assert "phases: " in text


def test_the_report_has_a_section_per_plan(project: Any) -> None:
    project.tests(TESTS)
    result = project.run("-p", "no:randomly", "--supaseed-report", "out/report.html")
    result.assert_outcomes(passed=3)
    page = Path(project.root, "out", "report.html")
    assert f"-> {page}" in "\n".join(result.outlines)
    parser = _Sections()
    parser.feed(page.read_text(encoding="utf-8"))
    assert sorted(parser.labels) == ["other", "small", "small + users.count=4"]
    assert parser.flagged == []  # public.notes has RLS
