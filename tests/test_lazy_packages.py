"""The package ``__init__`` files import nothing of their own (pytest_supaseed/lazy_exports.py):
two threads importing the library for the first time at once (the early start or the template
databases built ahead, and pytest importing test modules that import ``pytest_supaseed.config``)
must not deadlock into a half-initialised module; every exported name still loads on first use,
the same object as in its submodule."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from importlib.util import resolve_name
from pathlib import Path

import pytest

import pytest_supaseed

PACKAGE = Path(pytest_supaseed.__file__).parent


def _fresh(code: str) -> str:
    """What ``code`` prints in a new interpreter (which has imported nothing of ours yet)."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        timeout=60,  # a deadlock CPython would not detect
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _lazy_inits() -> list[Path]:
    return sorted(
        path for path in PACKAGE.rglob("__init__.py") if "lazy_package(" in path.read_text()
    )


def _module(path: Path) -> str:
    return ".".join(path.parent.relative_to(PACKAGE.parent).parts)


def test_package_inits_that_import_their_own_modules_are_lazy() -> None:
    # A package __init__ importing a module of its own at import time is the deadlock's shape
    # (the command line's entry package aside: it runs on one thread).
    eager = [
        f"{_module(path)}: from .{node.module} import ..."
        for path in sorted(PACKAGE.rglob("__init__.py"))
        if path.parent.name != "cli"
        for node in ast.parse(path.read_text()).body  # module level, not under TYPE_CHECKING
        if isinstance(node, ast.ImportFrom) and node.level == 1
    ]
    assert eager == []
    assert len(_lazy_inits()) == 10


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _run_at_import(body: list[ast.stmt]) -> list[ast.Import | ast.ImportFrom]:
    """The import statements a module runs when it is imported: module level, in ``if``/``try``/
    ``with`` blocks too, but not under ``if TYPE_CHECKING:`` nor in functions."""
    found: list[ast.Import | ast.ImportFrom] = []
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, ast.If):
            if getattr(node.test, "id", None) != "TYPE_CHECKING":
                found += _run_at_import(node.body)
            found += _run_at_import(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody):
                found += _run_at_import(block)
        elif isinstance(node, ast.With):
            found += _run_at_import(node.body)
    return found


def _graph() -> dict[str, set[str]]:
    """Who waits for whose import lock: each module for the modules its import runs (a name read
    from a lazy package: that name's module; ``from pkg import module``: that module) and for its
    parent package (importing ``pkg.child`` holds the child's lock while ``pkg`` is imported)."""
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    lazy: dict[str, dict[str, str]] = {}
    for name, path in paths.items():
        for node in ast.parse(path.read_text()).body:
            call = getattr(node, "value", None)
            if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "lazy_package":
                for where, names in ast.literal_eval(call.args[1]).items():
                    for attr in names:
                        lazy.setdefault(name, {})[attr] = resolve_name(where, name)
    graph: dict[str, set[str]] = {name: set() for name in paths}
    for name, path in paths.items():
        if "." in name:
            graph[name].add(name.rsplit(".", 1)[0])
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in _run_at_import(ast.parse(path.read_text()).body):
            if isinstance(node, ast.Import):
                graph[name] |= {a.name for a in node.names if a.name in paths}
                continue
            target = resolve_name("." * node.level + (node.module or ""), package)
            if target not in paths:
                continue
            graph[name].add(target)
            for alias in node.names:
                if alias.name in lazy.get(target, {}):
                    graph[name].add(lazy[target][alias.name])
                elif f"{target}.{alias.name}" in paths:
                    graph[name].add(f"{target}.{alias.name}")
        graph[name].discard(name)
    return graph


def test_the_import_locks_have_no_cycle_parents_included() -> None:
    # No cycle of modules each waiting for the next one's import lock: no two threads can wait
    # for each other while importing the library (this found cycles through schema, config,
    # generate, assets, associate and backends when their __init__ files imported eagerly).
    graph = _graph()
    cycles = []
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []
    assert "pytest_supaseed.config.loader" in graph["pytest_supaseed.config.catalog"]


@pytest.mark.parametrize("init", _lazy_inits(), ids=_module)
def test_every_export_loads_and_matches_what_type_checkers_see(init: Path) -> None:
    tree = ast.parse(init.read_text())
    checked: dict[str, str] = {}  # name -> module, from the `if TYPE_CHECKING:` imports
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for inner in node.body:
                if isinstance(inner, ast.ImportFrom):
                    for alias in inner.names:
                        checked[alias.name] = "." * inner.level + (inner.module or "")
    package = _module(init)
    code = (
        "import importlib, json, sys\n"
        f"pkg = importlib.import_module({package!r})\n"
        "exports = pkg.__dict__['__lazy_exports__']\n"
        "loaded = {n: getattr(pkg, n) for n in pkg.__all__}\n"
        "same = all(loaded[n] is getattr(importlib.import_module(exports[n], pkg.__name__), n)"
        " for n in exports)\n"
        "print(json.dumps({'exports': exports, 'all': sorted(pkg.__all__), 'same': same,"
        " 'dir': sorted(set(exports) - set(dir(pkg)))}))\n"
    )
    found = json.loads(_fresh(code))
    assert found["exports"] == checked  # the lazy map says what the TYPE_CHECKING imports say
    assert found["all"] == sorted(checked)  # __all__ is exactly the exports
    assert found["same"] is True
    assert found["dir"] == []


def test_an_export_named_like_its_module_is_the_export_after_the_module_was_imported() -> None:
    code = (
        "import pytest_supaseed.schema.diff, pytest_supaseed.schema.introspect\n"
        "import pytest_supaseed.assets.select\n"
        "from pytest_supaseed.schema import diff, introspect\n"
        "from pytest_supaseed.assets import select\n"
        "print(all(callable(f) and not hasattr(f, '__path__') and type(f).__name__ == 'function'"
        " for f in (diff, introspect, select)))\n"
    )
    assert _fresh(code) == "True"


#: Two threads import for the first time at once: one as a test module does, the other as the
#: early start (plan check) and a template database's build do. Before the lazy packages, 9 of
#: 10 such interpreters failed (a detected import deadlock, or a half-initialised module).
RACE = """
import threading
errors = []
start = threading.Barrier(2)

def collect():
    start.wait()
    try:
        from pytest_supaseed.assets import load_pool, map_rows
        from pytest_supaseed.config import resolve_plan
        from pytest_supaseed.testing import as_user
    except Exception as exc:
        errors.append(repr(exc))

def background():
    start.wait()
    try:
        import pytest_supaseed.config.loader
        import pytest_supaseed.lifecycle.schema_check
        import pytest_supaseed.lifecycle.template_build
    except Exception as exc:
        errors.append(repr(exc))

threads = [threading.Thread(target=collect), threading.Thread(target=background)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(errors)
"""


def test_two_threads_importing_the_library_at_once_never_get_a_half_initialised_module() -> None:
    # before the lazy packages, most of these failed (ImportError, deadlock)
    assert [_fresh(RACE) for _ in range(10)] == ["[]"] * 10
