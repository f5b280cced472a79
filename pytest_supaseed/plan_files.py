"""Where a project's seed plan is: the file names plan discovery looks for, and the one it finds.

A leaf (standard library and errors only): the test session's controller and the xdist workers
ask whether there is a plan without loading the plan models (:mod:`pytest_supaseed.config`).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from .errors import ConfigError

__all__ = ["PLAN_FILE_NAMES", "find_plan_file"]

#: Plan files looked for in the rootdir, besides ``[tool.supaseed]`` in ``pyproject.toml``.
PLAN_FILE_NAMES: tuple[str, ...] = ("supaseed.toml", "supaseed.yaml", "supaseed.yml")


def _has_tool_table(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        # A broken pyproject.toml is pytest's problem to report, not a plan of ours.
        return False
    return isinstance(data.get("tool", {}).get("supaseed"), dict)


def find_plan_file(rootdir: Path) -> Path | None:
    """The plan file under ``rootdir``, or None; more than one candidate is a :class:`ConfigError`."""
    rootdir = Path(rootdir)
    found = [rootdir / name for name in PLAN_FILE_NAMES if (rootdir / name).is_file()]
    pyproject = rootdir / "pyproject.toml"
    if pyproject.is_file() and _has_tool_table(pyproject):
        found.append(pyproject)
    if len(found) > 1:
        names = ", ".join(
            p.name + (" [tool.supaseed]" if p.name == "pyproject.toml" else "") for p in found
        )
        raise ConfigError(
            f"more than one seed plan found ({names}); keep one of them", file=str(rootdir)
        )
    return found[0] if found else None
