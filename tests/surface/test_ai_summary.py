"""The pytest summary reports a template database's AI usage (here: the model is down)."""

from __future__ import annotations

TESTS = """
import pytest

@pytest.mark.supaseed("ai_notes")
def test_notes(supaseed):
    assert supaseed.count("notes") == 6
"""

AI_NOTES = """\
description = "small, with AI-written note bodies"
extends = "small"

[ai]
provider = "ollama"
base_url = "http://127.0.0.1:9"
cache_dir = "../../ai-cache"

[ai.fields."public.notes".body]
prompt = "A note titled {title}"
fallback = "empty"
"""


def test_the_summary_shows_the_ai_usage_of_a_template(project) -> None:
    (project.root / "supaseed" / "templates" / "ai_notes.toml").write_text(AI_NOTES)
    project.tests(TESTS)
    result = project.run("-p", "no:randomly")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "ai_notes seed=7: * rows inserted, built in *",
            "  ai ollama/llama3.2: 0 requests, 0 cache hits, 6 fallbacks, cost $0.0000",
            "    public.notes.body [medium]: 0 written (0 requests, 0 cached), 6 fallback empty "
            "(6 unreachable)",
            "    notice: ollama at http://127.0.0.1:9: * unreachable*",
        ]
    )
    again = project.run("-p", "no:randomly")  # reused: the usage comes from the stored result
    again.assert_outcomes(passed=1)
    again.stdout.fnmatch_lines(
        ["ai_notes seed=7: * rows inserted, reused*", "  ai ollama/llama3.2: 0 requests*"]
    )
