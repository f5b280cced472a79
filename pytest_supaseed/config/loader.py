"""Plan files: find them, read them, validate them with errors that point at the line.

A plan comes from, in this order of discovery under the pytest rootdir: ``supaseed.toml``,
``supaseed.yaml`` / ``supaseed.yml``, or the ``[tool.supaseed]`` table of ``pyproject.toml``. More
than one of them is an error (which one wins would be a guess). A plan may also be given directly as
a path, a dict or a :class:`SeedPlan`.

Validation errors from pydantic become one :class:`ConfigError` naming the file, the key path
(``tables.posts.countt``), the line where the format gives it, and a did-you-mean for unknown keys.
"""

from __future__ import annotations

import copy
import functools
import re
import tomllib
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from ..errors import ConfigError, did_you_mean
from ..plan_files import PLAN_FILE_NAMES, find_plan_file
from .locate import toml_line, yaml_line
from .models import SeedPlan

__all__ = [
    "APPEND_SUFFIX",
    "PLAN_FILE_NAMES",
    "PlanSource",
    "allowed_keys",
    "check_layer",
    "default_at",
    "find_plan_file",
    "format_key_path",
    "load_plan",
    "plan_json_schema",
    "plan_source",
    "read_plan_file",
    "strip_append_markers",
    "validate_plan",
    "validation_error",
]

#: File names searched for in the rootdir, in this order; ``pyproject.toml`` is checked last.
#: A key ending in this suffix (``"roles+" = [...]``) appends its list to the inherited one.
APPEND_SUFFIX = "+"

Format = Literal["toml", "yaml", "python"]


@dataclass(frozen=True)
class PlanSource:
    """A plan as written (append markers kept), with where it came from.

    ``base_dir`` is the directory relative paths in the plan are resolved against; ``prefix`` is
    the key path of the plan inside its file (``("tool", "supaseed")`` for ``pyproject.toml``).
    """

    data: Mapping[str, Any]
    label: str
    base_dir: Path
    file: Path | None = None
    text: str | None = None
    format: Format = "python"
    prefix: tuple[str, ...] = field(default=())

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """Line of key ``path`` in the source file, when the format tells."""
        if self.text is None:
            return None
        if self.format == "toml":
            return toml_line(self.text, [str(p) for p in path], self.prefix)
        if self.format == "yaml":
            return yaml_line(self.text, path)
        return None


def format_key_path(path: Sequence[str | int]) -> str:
    """``tables."public.posts".count``: dotted, quoting parts that are not bare keys."""
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
            continue
        text = part if re.fullmatch(r"[A-Za-z0-9_+-]+", part) else f'"{part}"'
        out.append(("." if out else "") + text)
    return "".join(out)


@functools.cache
def plan_json_schema() -> dict[str, Any]:
    """The JSON Schema of a plan file (what ``supaseed schema`` prints)."""
    schema = SeedPlan.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "pytest-supaseed seed plan"
    _allow_append_keys(schema, schema.get("$defs", {}), set())
    return schema


def _allow_append_keys(node: Any, defs: Mapping[str, Any], seen: set[int]) -> None:
    # Every list-valued property ``x`` may also be written ``"x+"`` (append); say so in the schema
    # so that editors and validators accept the same files the loader does.
    if not isinstance(node, dict) or id(node) in seen:
        return
    seen.add(id(node))
    props = node.get("properties")
    if isinstance(props, dict):
        for name, sub in list(props.items()):
            if _is_list_schema(sub, defs):
                props.setdefault(name + APPEND_SUFFIX, copy.deepcopy(sub))
    for value in node.values():
        if isinstance(value, dict):
            _allow_append_keys(value, defs, seen)
        elif isinstance(value, list):
            for item in value:
                _allow_append_keys(item, defs, seen)


def _is_list_schema(node: Any, defs: Mapping[str, Any]) -> bool:
    node = _deref(node, defs)
    if not isinstance(node, dict):
        return False
    if node.get("type") == "array":
        return True
    branches = node.get("anyOf") or node.get("oneOf") or []
    return any(
        _deref(b, defs).get("type") == "array"
        for b in branches
        if isinstance(b, dict) and _deref(b, defs).get("type") != "null"
    ) and all(
        _deref(b, defs).get("type") in ("array", "null") for b in branches if isinstance(b, dict)
    )


def _deref(node: Any, defs: Mapping[str, Any]) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = defs.get(str(node["$ref"]).rsplit("/", 1)[-1], {})
    return node


def _schema_at(path: Sequence[str | int]) -> dict[str, Any] | None:
    """The (dereferenced) JSON Schema node for key ``path`` of a plan, or None."""
    schema = plan_json_schema()
    defs = schema.get("$defs", {})
    node: Any = schema
    for part in path:
        node = _deref(node, defs)
        candidates = [node] + [
            _deref(b, defs) for b in node.get("anyOf", []) + node.get("oneOf", [])
        ]
        for cand in candidates:
            if isinstance(part, str) and part in cand.get("properties", {}):
                node = cand["properties"][part]
                break
        else:
            for cand in candidates:
                if isinstance(part, int) and isinstance(cand.get("items"), dict):
                    node = cand["items"]
                    break
                if isinstance(part, str) and isinstance(cand.get("additionalProperties"), dict):
                    node = cand["additionalProperties"]
                    break
            else:
                return None
    result = _deref(node, defs)
    return result if isinstance(result, dict) else None


def allowed_keys(path: Sequence[str | int]) -> list[str]:
    """The keys a plan accepts inside key ``path`` (for did-you-mean suggestions)."""
    node = _schema_at(path)
    if node is None:
        return []
    defs = plan_json_schema().get("$defs", {})
    keys: list[str] = list(node.get("properties", {}))
    for branch in node.get("anyOf", []) + node.get("oneOf", []):
        keys += [k for k in _deref(branch, defs).get("properties", {}) if k not in keys]
    return keys


def default_at(path: Sequence[str | int]) -> Any:
    """The default value (JSON form) of key ``path`` of a plan, or None when it has none.

    Walks the models rather than the JSON Schema, which leaves out defaults made by factories.
    """
    model: type[BaseModel] | None = SeedPlan
    pending_key = False
    value: Any = None
    for part in path:
        if pending_key:  # a key of a dict[str, Model] section: the next part is inside the model
            pending_key = False
            continue
        if model is None:
            return None
        info = _field(model, str(part))
        if info is None:
            return None
        value = None if info.is_required() else info.get_default(call_default_factory=True)
        model, pending_key = _inner_model(info.annotation)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    return copy.deepcopy(value)


def _field(model: type[BaseModel], name: str) -> FieldInfo | None:
    for field_name, info in model.model_fields.items():
        if name in (field_name, info.alias):
            return info
    return None


def _inner_model(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The model inside ``annotation`` and whether a dict key comes before it."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is dict and len(args) == 2:
        inner, _ = _inner_model(args[1])
        return inner, inner is not None
    for arg in args:
        inner, keyed = _inner_model(arg)
        if inner is not None:
            return inner, keyed
    return None, False


def strip_append_markers(
    data: Any, source: PlanSource | None = None, path: tuple[str, ...] = ()
) -> Any:
    """``data`` with ``"key+"`` keys renamed ``key`` (the form the models validate)."""
    if isinstance(data, list):
        return [strip_append_markers(item, source, path) for item in data]
    if not isinstance(data, Mapping):
        return data
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = str(key)
        if name.endswith(APPEND_SUFFIX) and len(name) > 1:
            name = name[: -len(APPEND_SUFFIX)]
            here = (*path, str(key))
            if name in data:
                raise _located(
                    f"both '{name}' and '{key}' are set; use one ('{key}' appends to the inherited list)",
                    source,
                    here,
                )
            if not isinstance(value, list):
                raise _located(
                    f"'{key}' appends to a list, so its value must be a list", source, here
                )
        out[name] = strip_append_markers(value, source, (*path, str(key)))
    return out


def _located(message: str, source: PlanSource | None, path: Sequence[str | int]) -> ConfigError:
    return ConfigError(
        message,
        file=_display(source),
        key_path=format_key_path(path) or None,
        line=source.line_of(path) if source else None,
    )


def _display(source: PlanSource | None) -> str | None:
    if source is None:
        return None
    return str(source.file) if source.file else source.label


def validate_plan(source: PlanSource) -> SeedPlan:
    """Validate ``source`` into a :class:`SeedPlan`; errors become a located :class:`ConfigError`."""
    data = strip_append_markers(source.data, source)
    try:
        return SeedPlan.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, data, source) from None


#: Errors a layer of a chain may have on its own that merging with its templates can mend: an entry
#: completed by an inherited one (missing keys), checks across keys of the merged entry.
_MERGEABLE = frozenset({"missing", "value_error", "assertion_error"})


def check_layer(source: PlanSource) -> SeedPlan | None:
    """Validate one layer of an ``extends`` chain: unknown keys and wrong types raise at once;
    a layer that is only incomplete returns None (the merged plan is validated as a whole)."""
    data = strip_append_markers(source.data, source)
    try:
        return SeedPlan.model_validate(data)
    except ValidationError as exc:
        hard = [e for e in exc.errors() if e["type"] not in _MERGEABLE]
        if not hard:
            return None
        raise validation_error(exc, data, source, errors=hard) from None


def validation_error(
    exc: ValidationError,
    data: Any,
    source: PlanSource | None,
    sources_by_path: Mapping[tuple[str, ...], PlanSource] | None = None,
    *,
    errors: Sequence[Any] | None = None,
) -> ConfigError:
    """Turn pydantic's errors into one :class:`ConfigError` (first problem located, all listed).

    ``sources_by_path`` (for merged plans) maps key paths to the source that last set them, so that
    a bad merged value is blamed on the file that wrote it. ``errors`` limits the report to those.
    """
    problems: dict[tuple[str | int, ...], list[str]] = {}
    for error in exc.errors() if errors is None else errors:
        path = _data_path(error["loc"], data, error["type"])
        if error["type"] == "extra_forbidden":
            key = str(path[-1])
            suggestion = did_you_mean(key, allowed_keys(path[:-1]))
            message = f"unknown key '{key}'{suggestion}"
        elif error["type"] == "missing":
            message = f"missing required key '{path[-1]}'"
        else:
            message = str(error["msg"])
            message = message.removeprefix("Value error, ")
            if "input" in error and error["type"] not in ("value_error", "assertion_error"):
                message += f" (got {error['input']!r})"
        messages = problems.setdefault(path, [])
        if message not in messages:
            messages.append(message)
    located: list[tuple[str | None, str | None, int | None, str]] = []
    for path, messages in problems.items():
        blamed = source
        if sources_by_path is not None:
            blamed = _blame(path, sources_by_path) or source
        text = " or ".join(messages) if len(messages) > 1 else messages[0]
        line = blamed.line_of(path) if blamed else None
        located.append((_display(blamed), format_key_path(path) or None, line, text))
    # Report in file order: the first problem is the one a reader meets first.
    located.sort(key=lambda item: (item[0] or "", item[2] if item[2] is not None else 1 << 30))
    file, key_path, line, message = located[0]
    if len(located) > 1:
        others = []
        for o_file, o_path, o_line, o_message in located[1:]:
            where = f"{o_file}:{o_line}" if o_file and o_line else (o_file or "")
            where = " ".join(w for w in (where, f"at '{o_path}'" if o_path else "") if w)
            others.append(f"  - {where}: {o_message}" if where else f"  - {o_message}")
        message += f"\n{len(located) - 1} more problem(s):\n" + "\n".join(others)
    return ConfigError(message, file=file, key_path=key_path, line=line)


def _blame(
    path: Sequence[str | int], sources_by_path: Mapping[tuple[str, ...], PlanSource]
) -> PlanSource | None:
    parts = tuple(str(p) for p in path)
    for end in range(len(parts), 0, -1):
        if parts[:end] in sources_by_path:
            return sources_by_path[parts[:end]]
    return None


def _child(node: Any, part: str | int) -> tuple[bool, Any]:
    if isinstance(node, Mapping) and part in node:
        return True, node[part]
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return True, node[part]
    return False, None


def _data_path(loc: Sequence[str | int], data: Any, kind: str) -> tuple[str | int, ...]:
    """Keep the parts of pydantic's ``loc`` that are keys of the data (drops union branch tags)."""
    path: list[str | int] = []
    node: Any = data
    for index, part in enumerate(loc):
        found, child = _child(node, part)
        if found:
            path.append(part)
            node = child
        elif index == len(loc) - 1 and kind == "missing" and isinstance(node, Mapping):
            path.append(part)
    return tuple(path)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read plan file: {exc.strerror or exc}", file=str(path)) from None


def read_plan_file(path: Path, *, label: str | None = None) -> PlanSource:
    """Read a TOML / YAML plan file (or ``pyproject.toml``'s ``[tool.supaseed]``) as written."""
    path = Path(path)
    text = _read_text(path)
    suffix = path.suffix.lower()
    prefix: tuple[str, ...] = ()
    if suffix == ".toml":
        fmt: Format = "toml"
        try:
            data: Any = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            found = re.search(r"at line (\d+)", str(exc))
            raise ConfigError(
                f"not valid TOML: {exc}", file=str(path), line=int(found[1]) if found else None
            ) from None
        if path.name == "pyproject.toml":
            prefix = ("tool", "supaseed")
            data = data.get("tool", {}).get("supaseed")
            if data is None:
                raise ConfigError(
                    "no [tool.supaseed] table; add one or put the plan in supaseed.toml",
                    file=str(path),
                )
    elif suffix in (".yaml", ".yml"):
        fmt = "yaml"
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ConfigError(
                f"not valid YAML: {getattr(exc, 'problem', None) or exc}",
                file=str(path),
                line=mark.line + 1 if mark is not None else None,
            ) from None
        if data is None:
            data = {}
    else:
        raise ConfigError("unsupported plan file type; use .toml, .yaml or .yml", file=str(path))
    if not isinstance(data, dict):
        raise ConfigError(
            f"a plan must be a table of keys, not {type(data).__name__}", file=str(path), line=1
        )
    return PlanSource(
        data=data,
        label=label or path.name,
        base_dir=path.resolve().parent,
        file=path,
        text=text,
        format=fmt,
        prefix=prefix,
    )


def plan_source(
    source: str | Path | Mapping[str, Any] | SeedPlan | None, *, rootdir: Path
) -> PlanSource:
    """The :class:`PlanSource` of anything :func:`load_plan` accepts."""
    rootdir = Path(rootdir).resolve()
    if source is None:
        found = find_plan_file(rootdir)
        if found is None:
            return PlanSource(data={}, label="empty plan (no plan file found)", base_dir=rootdir)
        return read_plan_file(found)
    if isinstance(source, SeedPlan):
        data = source.model_dump(mode="json", exclude_unset=True, by_alias=True)
        return PlanSource(data=data, label="SeedPlan object", base_dir=rootdir)
    if isinstance(source, Mapping):
        return PlanSource(data=dict(source), label="plan dict", base_dir=rootdir)
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_absolute():
            path = rootdir / path
        if not path.is_file():
            raise ConfigError(f"plan file not found: {path}", file=str(source))
        return read_plan_file(path)
    raise ConfigError(f"a plan must be a path, a dict or a SeedPlan, not {type(source).__name__}")


def load_plan(
    source: str | Path | Mapping[str, Any] | SeedPlan | None = None, *, rootdir: Path | str
) -> SeedPlan:
    """Load and validate one plan, without resolving its templates (see :func:`resolve_plan`).

    ``source`` is None (discover the plan file under ``rootdir``; none found gives an empty plan),
    a path to a ``.toml`` / ``.yaml`` file (relative to ``rootdir``), a dict, or a ``SeedPlan``.
    """
    if isinstance(source, SeedPlan):
        return source
    found = plan_source(source, rootdir=Path(rootdir))
    if not found.data.get("extends"):
        return validate_plan(found)  # without templates, an incomplete plan is simply wrong
    plan = check_layer(found)
    if plan is not None:
        return plan
    try:
        validate_plan(found)
    except ConfigError as exc:
        raise ConfigError(
            f"{exc}\nThis plan completes entries of the templates it extends, so it is only valid "
            "merged with them: use resolve_plan() (or `supaseed plan`) to get the merged plan."
        ) from None
    raise AssertionError("unreachable: check_layer and validate_plan disagree")  # pragma: no cover
