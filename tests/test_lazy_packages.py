"""The package ``__init__`` files import nothing of their own (pytest_supaseed/lazy_exports.py):
two threads importing the library for the first time at once (the early start or the template
databases built ahead, and pytest importing test modules that import ``pytest_supaseed.config``)
must not deadlock into a half-initialised module; every exported name still loads on first use,
the same object as in its submodule."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import pytest_supaseed

PACKAGE = Path(pytest_supaseed.__file__).parent


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
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
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
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


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
    outcomes = []
    for _ in range(10):  # before the lazy packages, most of these failed (ImportError, deadlock)
        done = subprocess.run(
            [sys.executable, "-c", RACE],
            capture_output=True,
            text=True,
            env={"PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"},
        )
        assert done.returncode == 0, done.stderr
        outcomes.append(done.stdout.strip())
    assert outcomes == ["[]"] * 10
