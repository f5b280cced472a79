"""``pytest --supaseed-log-json``: the plugin's events as JSON lines on stderr."""

from __future__ import annotations

import json

TESTS = """
import pytest

@pytest.mark.supaseed("small")
def test_notes(supaseed_db):
    assert supaseed_db.execute("select count(*) from notes").fetchone() == (6,)
"""


def test_events_as_json_lines(project) -> None:
    project.tests(TESTS)
    result = project.run("-p", "no:randomly", "-s", "--supaseed-log-json", "--supaseed-rebuild")
    result.assert_outcomes(passed=1)
    events = [json.loads(line) for line in result.stderr.lines if line.startswith("{")]
    by_name = {e["event"]: e for e in events}
    assert by_name["table"]["table"] == "public.notes"
    assert by_name["table"]["rows"] == 6
    assert by_name["template_db"]["cache_hit"] is False
    assert by_name["template_db"]["template_db"].startswith("supaseed_tpl_")
    assert all("event" in e and "ts" in e for e in events)
