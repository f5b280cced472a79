"""``pytest --help`` says what the README's option table says (tests/docs/test_readme_options.py
checks that the table is the generated one)."""

from __future__ import annotations

import pytest

from pytest_supaseed.options import OPTIONS


def test_pytest_help_says_what_the_readme_says(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    text = " ".join(" ".join(result.outlines).split())
    for opt in OPTIONS:
        expected = f"{opt.help} (env {opt.env})" if opt.env else opt.help
        assert " ".join(expected.split()) in text, opt.flag
    assert "SUPASEED_DSN" not in text
