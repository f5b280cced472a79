"""The template catalog: named, reusable plans that other plans ``extends``.

Built-in templates live in this package (``config/templates/<name>/template.toml``, with their
demo schema and sample assets beside them). A project adds its own as
``<rootdir>/supaseed/templates/<name>.toml`` (or ``<name>/template.toml``); a project template with
the name of a built-in shadows it, and ``builtin:<name>`` always means the built-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, did_you_mean
from .loader import PlanSource, read_plan_file

__all__ = [
    "BUILTIN_DIR",
    "BUILTIN_PREFIX",
    "USER_TEMPLATE_DIR",
    "Template",
    "find_template",
    "list_templates",
]

#: Where the built-in templates are.
BUILTIN_DIR = Path(__file__).resolve().parent / "templates"
#: Project templates, relative to the rootdir.
USER_TEMPLATE_DIR = Path("supaseed") / "templates"
#: ``extends = "builtin:makerkit-saas"`` names the built-in even when a project template shadows it.
BUILTIN_PREFIX = "builtin:"


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


def _builtin_templates() -> dict[str, Template]:
    found: dict[str, Template] = {}
    if BUILTIN_DIR.is_dir():
        for path in sorted(BUILTIN_DIR.glob("*/template.toml")):
            found[path.parent.name] = Template(path.parent.name, path, builtin=True)
    return found


def _user_templates(rootdir: Path) -> dict[str, Template]:
    folder = Path(rootdir) / USER_TEMPLATE_DIR
    found: dict[str, Template] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.toml")):
        found[path.stem] = Template(path.stem, path, builtin=False)
    for path in sorted(folder.glob("*/template.toml")):
        name = path.parent.name
        if name in found:
            raise ConfigError(
                f"template '{name}' is defined twice ({found[name].path.name} and "
                f"{name}/template.toml); keep one",
                file=str(folder),
            )
        found[name] = Template(name, path, builtin=False)
    return found


def _suggest(name: str, known: list[str]) -> str:
    # Template names are long and hyphenated; "outdoor" should find "outdoor-platform" even where
    # difflib's ratio is too low.
    close = did_you_mean(name, known)
    if close:
        return close
    partial = [k for k in known if k.startswith(name) or name in k or k in name]
    return f" (did you mean '{partial[0]}'?)" if len(partial) == 1 else ""


def list_templates(rootdir: Path | str) -> list[Template]:
    """Every template visible from ``rootdir``: project ones, then the built-ins they do not shadow."""
    user = _user_templates(Path(rootdir))
    builtin = {n: t for n, t in _builtin_templates().items() if n not in user}
    return sorted([*user.values(), *builtin.values()], key=lambda t: (t.builtin, t.name))


def find_template(name: str, rootdir: Path | str) -> Template:
    """The template called ``name`` (``builtin:NAME`` forces the built-in); unknown names raise."""
    builtin = _builtin_templates()
    if name.startswith(BUILTIN_PREFIX):
        bare = name[len(BUILTIN_PREFIX) :]
        if bare in builtin:
            return builtin[bare]
        raise ConfigError(
            f"unknown built-in template '{bare}'{did_you_mean(bare, builtin)}; "
            f"built-ins: {', '.join(sorted(builtin))}"
        )
    user = _user_templates(Path(rootdir))
    if name in user:
        return user[name]
    if name in builtin:
        return builtin[name]
    known = sorted({*user, *builtin})
    raise ConfigError(
        f"unknown template '{name}'{_suggest(name, known)}; available: {', '.join(known)} "
        f"(project templates go in {USER_TEMPLATE_DIR}/<name>.toml)"
    )
