"""The package's import graph has no cycle, counting imports inside functions and under
``TYPE_CHECKING``; library modules import each other at module top (laziness only in the pytest
layer and the command line's entry modules); and library modules never import pytest
(import-linter checks the layers)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest_supaseed

PACKAGE = Path(pytest_supaseed.__file__).parent
PYTEST_LAYER = {
    "pytest_supaseed.plugin",
    "pytest_supaseed.run_state",
    "pytest_supaseed.fixtures",
    "pytest_supaseed.async_fixtures",
    "pytest_supaseed.marker",
}
#: The command line's entry points defer imports too: ``cli/__init__`` imports the module of the
#: subcommand it was given, and ``supaseed seed`` loads its full half (``cli/seed_build``: the plan
#: models, the seeding engine) only when it cannot reuse a template database by its recorded
#: resolution.
COMMAND_LINE_ENTRY = {"pytest_supaseed.cli", "pytest_supaseed.cli.seed"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every package module ``name`` imports, wherever the import statement stands."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module or ""
            targets = [stem] + [f"{stem}.{alias.name}" for alias in node.names]
        for target in targets:
            # ``from .pkg import mod`` names a module; ``from .mod import func`` names the module.
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports (module-level and function-level alike)."""
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` as a path ``[a, b, ..., a]``, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def _parents_free(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The graph without edges from a package's ``__init__`` to its own submodules (a package
    re-exporting its parts is not a cycle with them) and from a module to its own package."""
    return {
        name: {t for t in targets if not t.startswith(name + ".") and not name.startswith(t + ".")}
        for name, targets in graph.items()
    }


def _type_checking_block(node: ast.stmt) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level_imports(body: list[ast.stmt]) -> set[ast.stmt]:
    """The import statements run when the module is imported: at module level, inside top-level
    ``if`` / ``try`` blocks, and under ``if TYPE_CHECKING:`` (never run, but not lazy either)."""
    found: set[ast.stmt] = set()
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.add(node)
        elif isinstance(node, ast.If) and _type_checking_block(node):
            found.update(n for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom))
        elif isinstance(node, ast.If | ast.Try):
            for block in (node.body, node.orelse, getattr(node, "finalbody", [])):
                found |= _top_level_imports(block)
            for handler in getattr(node, "handlers", []):
                found |= _top_level_imports(handler.body)
    return found


def deferred_package_imports(source: str, *, package: str = "pytest_supaseed") -> list[str]:
    """``line: statement`` of every import of a ``package`` module that is not at module top (in a
    function or method, or a class body), ``if TYPE_CHECKING:`` blocks excepted."""
    tree = ast.parse(source)
    top = _top_level_imports(tree.body)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom) or node in top:
            continue
        if isinstance(node, ast.ImportFrom):
            ours = node.level > 0 or (node.module or "").split(".")[0] == package
        else:
            ours = any(alias.name.split(".")[0] == package for alias in node.names)
        if ours:
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_deferred_package_imports_finds_function_level_imports_only() -> None:
    source = """
from typing import TYPE_CHECKING
from . import top
import pytest_supaseed.errors
if TYPE_CHECKING:
    from .model import Schema
try:
    from .fast import thing
except ImportError:
    thing = None


def f():
    import json
    from .engine import seed
    import pytest_supaseed.logs as logs


class C:
    from ..errors import SupaseedError
"""
    assert deferred_package_imports(source) == [
        "15: from .engine import seed",
        "16: import pytest_supaseed.logs as logs",
        "20: from ..errors import SupaseedError",
    ]


def test_library_modules_import_the_package_at_module_top() -> None:
    """Laziness only at the entry points: outside the pytest layer and the command line's entry
    modules, no import of one of the package's modules waits inside a function (optional
    third-party libraries may)."""
    deferred = {
        name: found
        for name, path in _modules().items()
        if name not in PYTEST_LAYER | COMMAND_LINE_ENTRY
        if (found := deferred_package_imports(path.read_text()))
    }
    assert deferred == {}


def test_no_package_defers_its_names_with_a_module_getattr() -> None:
    """A PEP 562 ``__getattr__`` could hide imports from the graph: packages defer their names
    only through ``lazy_exports.lazy_package``, whose map tests/test_lazy_packages.py holds to the
    ``TYPE_CHECKING`` imports this graph counts."""
    lazy = [
        name
        for name, path in _modules().items()
        if any(
            isinstance(node, ast.FunctionDef) and node.name == "__getattr__"
            for node in ast.parse(path.read_text()).body
        )
    ]
    assert lazy == []


def test_find_cycle_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph()
    assert "pytest_supaseed.lifecycle.template_db" in graph
    cycle = find_cycle(_parents_free(graph))
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_library_modules_never_import_pytest() -> None:
    offenders = []
    for name, path in _modules().items():
        if name in PYTEST_LAYER:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            if any(
                n == "pytest" or n.startswith(("pytest.", "_pytest", "pytest_asyncio"))
                for n in names
            ):
                offenders.append(name)
    assert offenders == []


GRAPH_START = "<!-- module-graph:start (python tests/test_import_graph.py --write) -->"
GRAPH_END = "<!-- module-graph:end -->"
ARCHITECTURE_MD = Path(__file__).parent.parent / "docs" / "architecture.md"


def render_graph(graph: dict[str, set[str]]) -> str:
    """Every module of the package and the package modules it imports, one line each."""
    prefix = "pytest_supaseed."

    def short(name: str) -> str:
        return name.removeprefix(prefix) if name != "pytest_supaseed" else "(package)"

    lines = ["```"]
    for name in sorted(graph):
        targets = sorted(short(t) for t in graph[name] if t != "pytest_supaseed")
        lines.append(f"{short(name)} -> {', '.join(targets) or '(nothing of the package)'}")
    lines.append("```")
    return "\n".join(lines)


def test_docs_architecture_draws_the_real_module_graph() -> None:
    text = ARCHITECTURE_MD.read_text()
    drawn = text.split(GRAPH_START, 1)[1].split(GRAPH_END, 1)[0].strip()
    assert drawn == render_graph(import_graph()), (
        "docs/architecture.md is out of date: run python tests/test_import_graph.py --write"
    )


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--write"]:
        text = ARCHITECTURE_MD.read_text()
        head, rest = text.split(GRAPH_START, 1)
        tail = rest.split(GRAPH_END, 1)[1]
        ARCHITECTURE_MD.write_text(
            f"{head}{GRAPH_START}\n{render_graph(import_graph())}\n{GRAPH_END}{tail}"
        )
    else:
        print(render_graph(import_graph()))
