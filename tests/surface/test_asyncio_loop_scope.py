"""A fresh project with pytest-asyncio gets no asyncio_default_fixture_loop_scope deprecation
warning: the plugin gives the ini key its default when the project does not set it."""

from __future__ import annotations

import pytest

TESTS = """
import asyncio

import pytest


@pytest.mark.asyncio
async def test_sleeps():
    await asyncio.sleep(0)


def test_scope(pytestconfig):
    assert pytestconfig.getini("asyncio_default_fixture_loop_scope") == {expected!r}
"""


def test_a_fresh_project_runs_without_the_deprecation_warning(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TESTS.format(expected="function"))
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-W", "error::DeprecationWarning")
    result.assert_outcomes(passed=2)
    output = "\n".join(result.outlines + result.errlines)
    assert "is unset" not in output  # pytest-asyncio's warning text
    assert "PytestDeprecationWarning" not in output


def test_the_projects_own_setting_wins(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = module\n")
    pytester.makepyfile(TESTS.format(expected="module"))
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=2)
