"""The README's option table is generated from the option table, and agrees with pytest --help."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_supaseed.options import OPTIONS, options_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_shows_the_generated_option_table() -> None:
    assert options_markdown() in (ROOT / "README.md").read_text(encoding="utf-8")


def test_pytest_help_says_what_the_readme_says(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    text = " ".join(" ".join(result.outlines).split())
    for opt in OPTIONS:
        expected = f"{opt.help} (env {opt.env})" if opt.env else opt.help
        assert " ".join(expected.split()) in text, opt.flag
    assert "SUPASEED_DSN" not in text
