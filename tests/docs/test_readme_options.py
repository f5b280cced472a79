"""The README's option table is generated from the option table (and pytest --help agrees with it:
tests/surface/test_options_help.py)."""

from __future__ import annotations

from pathlib import Path

from pytest_supaseed.options import options_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_shows_the_generated_option_table() -> None:
    assert options_markdown() in (ROOT / "README.md").read_text(encoding="utf-8")
