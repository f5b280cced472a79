"""docs/api-reference/index.md is what tools/api_reference.py generates from the code today."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_api_reference_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location(
        "api_reference", ROOT / "tools" / "api_reference.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    generated = module.render()
    current = (ROOT / "docs" / "api-reference.md").read_text(encoding="utf-8")
    assert current == generated, "run: python tools/api_reference.py"
    assert "| `rls_matrix(" in current
    assert "| `users` |" in current
