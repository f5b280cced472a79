"""Where a project's seed plans are: its plan file and the template files, built-in and its own.

Standard library and errors only: the test session's controller and the xdist workers ask whether
there is a plan, and whether a marker's template exists, without loading the plan models
(:mod:`pytest_supaseed.config`, whose catalog reads these files).

Built-in templates live in this package (``config/templates/<name>/template.toml``). A project
adds its own as ``<rootdir>/supaseed/templates/<name>.toml`` (or ``<name>/template.toml``); a
project template with the name of a built-in shadows it, and ``builtin:<name>`` always means the
built-in.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from .errors import ConfigError, did_you_mean

__all__ = [
    "BUILTIN_DIR",
    "BUILTIN_PREFIX",
    "PLAN_FILE_NAMES",
    "USER_TEMPLATE_DIR",
    "builtin_template_files",
    "find_plan_file",
    "find_template_file",
    "user_template_files",
]

#: Plan files looked for in the rootdir, besides ``[tool.supaseed]`` in ``pyproject.toml``.
PLAN_FILE_NAMES: tuple[str, ...] = ("supaseed.toml", "supaseed.yaml", "supaseed.yml")
#: Where the built-in templates are.
BUILTIN_DIR = Path(__file__).resolve().parent / "config" / "templates"
#: Project templates, relative to the rootdir.
USER_TEMPLATE_DIR = Path("supaseed") / "templates"
#: ``extends = "builtin:makerkit-saas"`` names the built-in even when a project template shadows it.
BUILTIN_PREFIX = "builtin:"


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


def builtin_template_files() -> dict[str, Path]:
    """The built-in templates: name -> ``template.toml``."""
    if not BUILTIN_DIR.is_dir():
        return {}
    return {path.parent.name: path for path in sorted(BUILTIN_DIR.glob("*/template.toml"))}


def user_template_files(rootdir: Path) -> dict[str, Path]:
    """The project's templates: name -> file; a name defined twice is a :class:`ConfigError`."""
    folder = Path(rootdir) / USER_TEMPLATE_DIR
    found: dict[str, Path] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.toml")):
        found[path.stem] = path
    for path in sorted(folder.glob("*/template.toml")):
        name = path.parent.name
        if name in found:
            raise ConfigError(
                f"template '{name}' is defined twice ({found[name].name} and "
                f"{name}/template.toml); keep one",
                file=str(folder),
            )
        found[name] = path
    return found


def _suggest(name: str, known: list[str]) -> str:
    # Template names are long and hyphenated; "outdoor" should find "outdoor-platform" even where
    # difflib's ratio is too low.
    close = did_you_mean(name, known)
    if close:
        return close
    partial = [k for k in known if k.startswith(name) or name in k or k in name]
    return f" (did you mean '{partial[0]}'?)" if len(partial) == 1 else ""


def find_template_file(name: str, rootdir: Path | str) -> tuple[str, Path, bool]:
    """The template called ``name`` (``builtin:NAME`` forces the built-in) as (its bare name, its
    file, whether it is a built-in); an unknown name is a :class:`ConfigError` with the closest."""
    builtin = builtin_template_files()
    if name.startswith(BUILTIN_PREFIX):
        bare = name[len(BUILTIN_PREFIX) :]
        if bare in builtin:
            return bare, builtin[bare], True
        raise ConfigError(
            f"unknown built-in template '{bare}'{did_you_mean(bare, builtin)}; "
            f"built-ins: {', '.join(sorted(builtin))}"
        )
    user = user_template_files(Path(rootdir))
    if name in user:
        return name, user[name], False
    if name in builtin:
        return name, builtin[name], True
    known = sorted({*user, *builtin})
    raise ConfigError(
        f"unknown template '{name}'{_suggest(name, known)}; available: {', '.join(known)} "
        f"(project templates go in {USER_TEMPLATE_DIR}/<name>.toml)"
    )
