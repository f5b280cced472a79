"""Rewrite relative links after docs pages moved: ``python tools/docs_links.py MOVES`` where MOVES
holds ``old new`` lines (paths under docs/). Used once for the move to getting-started/, guides/,
production/, api-reference/ and examples/; kept for the next reorganisation.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"(\]\()([^)\s#]+)(#[^)\s]*)?(\))")


def rewrite(moves: dict[Path, Path]) -> list[Path]:
    """Fix every relative link of README.md and docs/**.md; returns the files changed."""
    back = {new: old for old, new in moves.items()}
    changed = []
    for path in [
        ROOT / "README.md",
        ROOT / "example_project" / "README.md",
        *sorted((ROOT / "docs").rglob("*.md")),
    ]:
        old_self = back.get(path, path)
        text = path.read_text(encoding="utf-8")

        def fix(match: re.Match[str], path: Path = path, old_self: Path = old_self) -> str:
            target = match[2]
            if "://" in target or target.startswith("mailto:"):
                return match[0]
            old_target = Path(os.path.normpath(old_self.parent / target))
            new_target = moves.get(old_target, old_target)
            rel = os.path.relpath(new_target, path.parent)
            if target.endswith("/") and not rel.endswith("/"):
                rel += "/"
            return f"{match[1]}{rel}{match[3] or ''}{match[4]}"

        new_text = LINK.sub(fix, text)
        if new_text != text:
            path.write_text(new_text, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str]) -> int:
    """Read the moves file and rewrite."""
    moves = {}
    for line in Path(argv[0]).read_text().splitlines():
        if line.strip():
            old, new = line.split()
            moves[ROOT / "docs" / old] = ROOT / "docs" / new
    for path in rewrite(moves):
        print(f"fixed {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
