"""Every code block of README.md and docs/ is checked: TOML parses (and a plan validates), Python
parses, and the commands of console blocks exist. Blocks that run are run by the tests named in
the docs (README's 30 seconds: example_project/tests/test_readme.py, the supa-seed example:
tests/assets/test_supa_seed_spellings.py, ...)."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

from pytest_supaseed.config.models import SeedPlan

ROOT = Path(__file__).resolve().parents[2]
FILES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)

#: TOML blocks that are not a whole plan, and why (still checked to parse).
NOT_A_PLAN = {
    ("assets.md", "[asset_pools.posts.selection]"): "a fragment of the pool above it",
    ("migrations.md", "[db.seed]"): "supabase/config.toml, not a plan",
    ("templates.md", "# supaseed/templates/my-project.toml"): "uses 'roles+', merged by the loader",
}


def _blocks() -> list[tuple[str, int, str, str]]:
    found = []
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            line = text[: match.start()].count("\n") + 1
            found.append((path.relative_to(ROOT).as_posix(), line, match[1], match[2]))
    return found


BLOCKS = _blocks()


def test_there_are_blocks_to_check() -> None:
    assert len([b for b in BLOCKS if b[2] in ("toml", "python")]) >= 35


@pytest.mark.parametrize(
    ("where", "line", "body"),
    [(w, n, b) for w, n, lang, b in BLOCKS if lang == "toml"],
    ids=lambda v: str(v)[:40] if isinstance(v, str) and "\n" not in v else None,
)
def test_toml_blocks_parse_and_plans_validate(where: str, line: int, body: str) -> None:
    data = tomllib.loads(body)
    first = body.splitlines()[0]
    if any(where.endswith(f) and first.startswith(start) for f, start in NOT_A_PLAN):
        return
    SeedPlan.model_validate(data)


@pytest.mark.parametrize(
    ("where", "line", "body"), [(w, n, b) for w, n, lang, b in BLOCKS if lang == "python"]
)
def test_python_blocks_parse(where: str, line: int, body: str) -> None:
    ast.parse(body, filename=f"{where}:{line}")
