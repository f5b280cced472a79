"""docs/production/troubleshooting.md covers every error the code can give: each error class (every
subclass of SupaseedError, found by importing the package) and SupaseedWarning have a hand-written
section (meaning and fix), and the generated catalogue lists every place that makes one, with its
message (an AST scan of pytest_supaseed/, tools/error_catalog.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "production" / "troubleshooting.md"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "error_catalog", ROOT / "tools" / "error_catalog.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


CATALOG = _tool()


def test_every_error_class_has_a_section_with_meaning_and_fix() -> None:
    text = PAGE.read_text(encoding="utf-8")
    classes = set(CATALOG.error_classes())
    assert {"ConfigError", "SeedDataError", "BackendError", "ClusterInUseError"} <= classes
    found = CATALOG.kinds(CATALOG.scan(classes))
    assert {CATALOG.WARNING, CATALOG.PYTEST} <= found
    missing = (classes | found) - CATALOG.documented_classes(text)
    assert missing == set(), f"add a '### Name' section (meaning and fix) for {sorted(missing)}"
    head = text.split(CATALOG.START, 1)[0]
    for name in CATALOG.documented_classes(text):
        section = head.split(f"### {name}\n", 1)[1].split("\n### ", 1)[0]
        assert len(section.split()) >= 15, name  # more than a heading


def test_the_catalogue_lists_every_place_that_makes_an_error() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert text == CATALOG.render(text), "run: python tools/error_catalog.py"
    sites = CATALOG.scan(set(CATALOG.error_classes()))
    assert len(sites) >= 200
    kinds = {site.kind for site in sites}
    assert {"ConfigError", "AssetError", "SchemaError", CATALOG.WARNING} <= kinds
    # every raise of one of our classes is in the scan (a raise the scan missed would fail here)
    assert any(s.module == "cli/common.py" and "no such directory" in s.template for s in sites)


def test_the_scan_finds_a_new_raise_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "pytest_supaseed"
    package.mkdir()
    (package / "new.py").write_text(
        "from .errors import AssetError\n\n"
        "def load(name):\n"
        "    raise AssetError(f'pool {name!r}: a brand new problem; fix it')\n"
    )
    monkeypatch.setattr(CATALOG, "PACKAGE", package)
    sites = CATALOG.scan({"AssetError"})
    assert [(s.kind, s.module, s.function, s.template) for s in sites] == [
        ("AssetError", "new.py", "load", "pool {name}: a brand new problem; fix it")
    ]
    text = PAGE.read_text(encoding="utf-8")
    assert "a brand new problem" not in text  # so the first test would fail until regenerated
