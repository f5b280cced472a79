"""Every relative link of README.md and docs/ resolves, and every path under docs/ ending in .md
that the package, the tests, the tools or the pages name exists (docstrings and error messages
point users there)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [
    ROOT / "README.md",
    ROOT / "example_project" / "README.md",
    *sorted((ROOT / "docs").rglob("*.md")),
]
LINK = re.compile(r"\]\(([^)\s]+)\)")
DOCS_PATH = re.compile(r"(?<![\w/.-])docs/[\w./-]+?\.md\b")
SOURCES = [
    *PAGES,
    *sorted((ROOT / "pytest_supaseed").rglob("*.py")),
    *sorted((ROOT / "tests").rglob("*.py")),
    *sorted((ROOT / "tools").rglob("*.py")),
    *sorted((ROOT / "bench").rglob("*.py")),
    ROOT / "pyproject.toml",
]


def _links() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
        for match in LINK.finditer(text):
            target = match[1]
            if "://" in target or target.startswith(("mailto:", "#")):
                continue
            found.append((page.relative_to(ROOT).as_posix(), target))
    return found


LINKS = _links()


def test_there_are_links_to_check() -> None:
    assert len(LINKS) >= 100
    assert {page for page, _ in LINKS} >= {"README.md", "docs/index.md"}


@pytest.mark.parametrize(("page", "target"), LINKS)
def test_relative_links_resolve(page: str, target: str) -> None:
    path = (ROOT / page).parent / target.split("#", 1)[0]
    assert path.exists(), f"{page}: link to {target} ({path.relative_to(ROOT)}) does not exist"


def test_docs_paths_named_anywhere_exist() -> None:
    missing = []
    for source in SOURCES:
        text = source.read_text(encoding="utf-8")
        for match in DOCS_PATH.finditer(text):
            if not (ROOT / match[0]).is_file():
                line = text[: match.start()].count("\n") + 1
                missing.append(f"{source.relative_to(ROOT)}:{line}: {match[0]}")
    assert missing == []
