"""The template catalog: named, reusable plans that other plans ``extends``.

Where templates are and which one a name means is :mod:`pytest_supaseed.plan_files`; this module
reads them (the plan models).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..plan_files import (
    BUILTIN_DIR,
    BUILTIN_PREFIX,
    USER_TEMPLATE_DIR,
    builtin_template_files,
    find_template_file,
    user_template_files,
)
from .loader import PlanSource, read_plan_file

__all__ = [
    "BUILTIN_DIR",
    "BUILTIN_PREFIX",
    "USER_TEMPLATE_DIR",
    "Template",
    "find_template",
    "list_templates",
]


@dataclass(frozen=True)
class Template:
    """A template file: its name, where it is, and whether it ships with pytest-supaseed."""

    name: str
    path: Path
    builtin: bool

    @property
    def qualified_name(self) -> str:
        """``builtin:NAME`` for built-ins, ``NAME`` for project templates."""
        return BUILTIN_PREFIX + self.name if self.builtin else self.name

    @property
    def directory(self) -> Path:
        """The directory relative paths in the template are resolved against."""
        return self.path.parent

    def source(self) -> PlanSource:
        """The template as written (append markers kept)."""
        kind = "built-in template" if self.builtin else "template"
        return read_plan_file(self.path, label=f"{kind} '{self.name}'")

    @property
    def description(self) -> str:
        """The template's one-line ``description`` (empty when it has none)."""
        text = self.source().data.get("description")
        return " ".join(str(text).split()) if text else ""


def list_templates(rootdir: Path | str) -> list[Template]:
    """Every template visible from ``rootdir``: project ones, then the built-ins they do not shadow."""
    user = {n: Template(n, p, builtin=False) for n, p in user_template_files(Path(rootdir)).items()}
    builtin = {
        n: Template(n, p, builtin=True)
        for n, p in builtin_template_files().items()
        if n not in user
    }
    return sorted([*user.values(), *builtin.values()], key=lambda t: (t.builtin, t.name))


def find_template(name: str, rootdir: Path | str) -> Template:
    """The template called ``name`` (``builtin:NAME`` forces the built-in); unknown names raise."""
    bare, path, builtin = find_template_file(name, rootdir)
    return Template(bare, path, builtin=builtin)
