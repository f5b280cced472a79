"""Where the tests that run pytest itself live.

The rule: a test module (or conftest) requests the ``pytester`` fixture only in ``tests/surface/``
(real pytest runs of small projects: its conftest points every inner run at the suite's own cache
root, and tests/conftest.py schedules such tests first) or ``tests/examples/`` (the example
projects run as their users run them). A docs test that runs a page's block as a pytest project
(the fixture override of README.md and docs/guides/pytest.md) is a surface test: it lives in
``tests/surface/`` and the page's ``run-by`` mark names it there; the docs tests that run complete
Python blocks do so in their own process (tests/docs/test_code_blocks.py) and need no pytester.
The one exception is tests/conftest.py, which finishes setting pytester up for a test that asked
for it (see EXEMPT). Most surface tests get pytester through tests/surface/conftest.py's ``app``
and ``project`` fixtures, which no other folder sees.

A request is a parameter named ``pytester`` (or the legacy ``testdir``) of any function, a
``getfixturevalue("pytester")`` call, or ``"pytester"`` in ``pytest.mark.usefixtures(...)``.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ALLOWED = {"surface", "examples"}
EXEMPT = {"conftest.py": "the suite's conftest sets pytester up first for tests that request it"}
FIXTURES = {"pytester", "testdir"}


def pytester_requests(source: str) -> list[int]:
    """The lines of ``source`` that request the pytester fixture."""
    lines: list[int] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            params = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            lines += [arg.lineno for arg in params if arg.arg in FIXTURES]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("getfixturevalue", "usefixtures")
            and any(isinstance(arg, ast.Constant) and arg.value in FIXTURES for arg in node.args)
        ):
            lines.append(node.lineno)
    return sorted(lines)


def _requests_by_file() -> dict[str, list[int]]:
    found = {}
    for path in sorted(TESTS.rglob("*.py")):
        lines = pytester_requests(path.read_text(encoding="utf-8"))
        if lines:
            found[path.relative_to(TESTS).as_posix()] = lines
    return found


def test_the_scan_finds_each_form_of_request() -> None:
    source = (
        "import pytest\n"
        "def test_a(tmp_path, pytester): ...\n"
        "async def test_b(*, testdir): ...\n"
        "def test_c(request):\n"
        "    request.getfixturevalue('pytester')\n"
        "@pytest.mark.usefixtures('tmp_path', 'pytester')\n"
        "def test_d(): ...\n"
        "def test_e(request, pytester_like):\n"
        "    request.getfixturevalue('tmp_path')\n"
    )
    assert pytester_requests(source) == [2, 3, 5, 6]


def test_only_surface_and_example_tests_request_pytester() -> None:
    found = _requests_by_file()
    # the scan sees the real ones: the surface conftest's fixtures (app, project), which most tests
    # there use, and the tests that take pytester itself
    assert "surface/conftest.py" in found, found
    assert sum(name.startswith("surface/test_") for name in found) >= 5, found
    misplaced = {
        f"tests/{name}:{lines[0]}": "requests pytester"
        for name, lines in found.items()
        if name.split("/", 1)[0] not in ALLOWED and name not in EXEMPT
    }
    assert not misplaced, (
        f"{misplaced}: tests that run pytest through pytester belong in tests/surface/ "
        "(move them there: its conftest gives their runs the suite's cache)"
    )
