"""docs/api-reference/ is what tools/api_reference.py generates from the code today: the plan's
JSON Schema, the fixtures (fixtures.py), the marker (its signature), the options (options.py), the
helpers, the strategies, the report API."""

from __future__ import annotations

import importlib.util
import inspect
from pathlib import Path
from types import ModuleType

from pytest_supaseed import marker
from pytest_supaseed.options import OPTIONS

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "docs" / "api-reference"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "api_reference", ROOT / "tools" / "api_reference.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PAGES: dict[str, str] = _tool().render()


def test_the_api_reference_is_up_to_date() -> None:
    on_disk = {p.name for p in FOLDER.glob("*.md")}
    assert on_disk == set(PAGES), "run: python tools/api_reference.py"
    for name, generated in PAGES.items():
        current = (FOLDER / name).read_text(encoding="utf-8")
        assert current == generated, f"{name}: run: python tools/api_reference.py"


def test_it_covers_what_the_code_defines() -> None:
    fixtures = PAGES["fixtures.md"]
    for name in ("supaseed", "supaseed_db", "supaseed_async_db", "supaseed_session"):
        assert f"\n## {name}\n" in fixtures
    assert "| `.as_user(" in fixtures
    for opt in OPTIONS:
        assert f"| `{opt.flag}` | `{opt.ini}` |" in PAGES["options.md"]
    for parameter in inspect.signature(marker._supaseed_marker).parameters:
        assert parameter in PAGES["marker.md"]
    for section in marker.plan_sections():
        assert f"`{section}`" in PAGES["marker.md"]
    assert "## TableConfig" in PAGES["plan.md"]
    assert "| `count_per_parent` |" in PAGES["plan.md"]
    assert "| `rls_matrix(" in PAGES["helpers.md"]
    assert "| `users` |" in PAGES["plan.md"]
