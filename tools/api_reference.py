"""Write docs/api-reference/index.md from the code: plan sections (the JSON Schema), test helpers,
Hypothesis strategies, the report API. ``python tools/api_reference.py`` rewrites the file;
``tests/docs/test_api_reference.py`` fails when it is out of date.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "api-reference.md"

HEADER = """# API reference

Generated from the code by `python tools/api_reference.py` (a test fails when this page is out of
date): the plan file's sections from its JSON Schema (`supaseed schema` prints all of it), then the
Python API a test or a script imports.
"""


def _first_paragraph(obj: Any) -> str:
    doc = inspect.getdoc(obj) or ""
    return " ".join(doc.split("\n\n", 1)[0].split())


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _signature(name: str, obj: Callable[..., Any]) -> str:
    try:
        signature = str(inspect.signature(obj))
    except (TypeError, ValueError):
        signature = "(...)"
    return f"{name}{signature}".replace("'", "").replace("psycopg.Connection[Any]", "Connection")


def plan_sections() -> list[str]:
    """One row per top-level key of a plan file, with its type and description."""
    from pytest_supaseed.config import plan_json_schema

    schema = plan_json_schema()
    root = schema["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    lines = ["## Plan file sections", "", "| key | type | what |", "| --- | --- | --- |"]
    for key, spec in root["properties"].items():
        if key.endswith("+"):
            continue  # the append form of a list key ("demo_schema+"), see templates.md
        ref = spec.get("$ref") or next(
            (s.get("$ref") for s in spec.get("anyOf", []) if "$ref" in s), None
        )
        kind = ref.rsplit("/", 1)[1] if ref else spec.get("type", "any")
        if ref and not spec.get("description"):
            spec = {**spec, "description": schema["$defs"][kind].get("description", "")}
        if isinstance(kind, list):
            kind = " or ".join(kind)
        description = " ".join(str(spec.get("description", "")).split())
        lines.append(f"| `{key}` | {kind} | {_cell(description)} |")
    return lines


def _functions(module_name: str, names: list[str], title: str) -> list[str]:
    module = importlib.import_module(module_name)
    lines = [f"## {title}", "", f"`{module_name}`", "", "| function | what |", "| --- | --- |"]
    for name in names:
        obj = getattr(module, name)
        lines.append(f"| `{_cell(_signature(name, obj))}` | {_cell(_first_paragraph(obj))} |")
    return lines


def render() -> str:
    """The whole page."""
    from pytest_supaseed import testing
    from pytest_supaseed.testing import strategies

    parts = [HEADER, *plan_sections(), ""]
    parts += _functions("pytest_supaseed.testing", sorted(testing.__all__), "Test helpers")
    parts += [""]
    parts += _functions(
        "pytest_supaseed.testing.strategies", sorted(strategies.__all__), "Hypothesis strategies"
    )
    parts += [""]
    parts += _functions(
        "pytest_supaseed.report",
        ["collect_report", "render_html", "write_html", "histogram_png"],
        "Seed report",
    )
    return "\n".join(parts).rstrip() + "\n"


def main() -> int:
    """Rewrite docs/api-reference/index.md."""
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
