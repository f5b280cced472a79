"""Resolving a plan: follow ``extends``, merge every layer, record where each value came from.

Layers are merged in a fixed order, later layers winning:

1. the templates of the ``extends`` chain, most basic first (depth-first, each template once, its
   parents before it; a list ``extends = ["a", "b"]`` merges ``a``'s chain, then ``b``'s);
   each template contributes its own keys, then its ``customizations``;
2. the plan itself, then its ``customizations``;
3. the ``customizations`` argument of :func:`resolve_plan`.

Merge rules: tables (dicts) merge key by key, recursively; scalars and lists replace; a list key
written with a ``+`` suffix (``"roles+" = ["admin"]``) appends to the inherited list instead. Setting
one of a table's ``count`` / ``count_per_parent`` drops the other, and ``count_per_parent`` replaces
as a whole. Each template's ``demo_schema`` accumulates along the chain (base first).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from .. import demo_schemas
from ..errors import ConfigError
from ..file_globs import find_files
from .catalog import BUILTIN_DIR, BUILTIN_PREFIX, Template, find_template
from .loader import (
    APPEND_SUFFIX,
    PlanSource,
    check_layer,
    default_at,
    format_key_path,
    plan_source,
    strip_append_markers,
    validation_error,
)
from .models import SeedPlan

__all__ = [
    "DEMO_PREFIX",
    "MigrationChoice",
    "ResolvedPlan",
    "plan_hash",
    "resolve_plan",
]

#: ``demo_schema = ["demo:makerkit_v2"]`` names a schema shipped in ``pytest_supaseed.demo_schemas``.
DEMO_PREFIX = "demo:"

#: Keys of an asset pool whose values are paths or glob patterns relative to the plan's directory.
POOL_PATH_KEYS: tuple[str, ...] = ("path", "json_schema")

KeyPath = tuple[str, ...]

_NOT_MERGED = ("extends", "customizations", "demo_schema")


@dataclass(frozen=True)
class MigrationChoice:
    """Which schema SQL applies before seeding, and why.

    ``kind`` is ``"explicit"`` (the plan's ``migrations.paths``), ``"project"`` (the project's own
    ``supabase/migrations``), ``"demo"`` (the templates' demo schema: the project has none) or
    ``"none"``. ``paths`` are directories or ``.sql`` files, in the order to apply them.
    """

    kind: Literal["explicit", "project", "demo", "none"]
    paths: tuple[Path, ...]


@dataclass(frozen=True)
class ResolvedPlan:
    """A plan with its templates merged in, and the record of how it came to be."""

    plan: SeedPlan
    """The merged, validated plan (``extends`` and ``customizations`` already applied)."""
    chain: tuple[Template, ...]
    """The templates merged, most basic first."""
    provenance: Mapping[KeyPath, str]
    """Key path → label of the layer that last set it (``"built-in template 'makerkit-saas'"``)."""
    demo_schema: tuple[Path, ...]
    """SQL files of the demo schema of the chain, in the order to apply them."""
    rootdir: Path
    source_label: str = "plan"
    layers: tuple[str, ...] = field(default=())
    """Labels of the merged layers, in merge order."""
    sources: Mapping[str, PlanSource] = field(default_factory=dict)
    """Each merged layer's source (file, text, format) by its label: what locates a key's line."""

    @property
    def chain_names(self) -> tuple[str, ...]:
        """Names of the templates merged, most basic first."""
        return tuple(t.name for t in self.chain)

    def source_of(self, path: str | Sequence[str]) -> str:
        """Label of the layer that set key ``path`` (``"users.count"`` or a tuple); ``"default"``."""
        parts = tuple(path.split(".")) if isinstance(path, str) else tuple(path)
        return _source_of(self.provenance, parts)

    def asset_files(self) -> tuple[Path, ...]:
        """Every file the plan's asset pools match (their ``path`` minus ``exclude``, found the
        way the asset loader finds them) and their ``json_schema`` files, sorted."""
        files: set[Path] = set()
        for pool in self.plan.asset_pools.values():
            found, _ = find_files(self.rootdir, pool.path, pool.exclude)
            files.update((self.rootdir / f.rel).resolve() for f in found)
            if pool.json_schema and Path(pool.json_schema).is_file():
                files.add(Path(pool.json_schema))
        return tuple(sorted(files))

    def migrations(
        self, project_root: Path | str | None = None, migrations_dir: Path | str | None = None
    ) -> MigrationChoice:
        """What schema to apply before seeding: explicit paths win, then the project's own
        ``supabase/migrations/*.sql`` (or ``migrations_dir``'s, relative to the project root:
        ``--supaseed-migrations`` / ``supaseed ... --migrations``), then the chain's demo schema."""
        if self.plan.migrations.paths is not None:
            return MigrationChoice("explicit", tuple(Path(p) for p in self.plan.migrations.paths))
        root = Path(project_root) if project_root is not None else self.rootdir
        project = root / "supabase" / "migrations"
        if migrations_dir is not None:
            project = root / Path(migrations_dir).expanduser()  # an absolute path stays absolute
        if project.is_dir() and any(project.glob("*.sql")):
            return MigrationChoice("project", (project,))
        if self.demo_schema:
            return MigrationChoice("demo", self.demo_schema)
        return MigrationChoice("none", ())

    def explain(self) -> list[tuple[str, Any, str]]:
        """(key path, value, source) for every leaf of the resolved plan, in plan order."""
        dumped = self.plan.model_dump(
            mode="json", by_alias=True, exclude={"customizations", "extends", "demo_schema"}
        )
        return [
            (format_key_path(path), value, self.source_of(path))
            for path, value in _leaves(dumped, ())
        ]


def _source_of(provenance: Mapping[KeyPath, str], path: KeyPath) -> str:
    """The label recorded for ``path`` or its closest recorded ancestor; ``"default"``."""
    for end in range(len(path), 0, -1):
        if path[:end] in provenance:
            return provenance[path[:end]]
    return "default"


def _leaves(value: Any, path: KeyPath) -> Iterator[tuple[KeyPath, Any]]:
    if isinstance(value, dict) and value:
        for key, sub in value.items():
            yield from _leaves(sub, (*path, str(key)))
    else:
        yield path, value


# --- the chain ---------------------------------------------------------------------------------


def _linearize(
    names: Sequence[str],
    rootdir: Path,
    referrer: PlanSource | None,
    trail: tuple[str, ...],
    seen: dict[str, Template],
) -> list[Template]:
    """Templates named by ``names`` and their ancestors, parents first, each once.

    ``referrer`` is the plan whose ``extends`` names them (errors point at its file).
    """
    order: list[Template] = []
    for name in names:
        try:
            template = find_template(name, rootdir)
        except ConfigError as exc:
            if referrer is None:
                raise
            raise _at_extends(str(exc), referrer) from None
        key = template.qualified_name
        if key in trail:
            cycle = [*trail[trail.index(key) :], key]
            message = "template cycle: " + " -> ".join(cycle) + "; remove one of these 'extends'"
            if referrer is None:
                raise ConfigError(message, file=str(template.path), key_path="extends")
            raise _at_extends(message, referrer)
        if key in seen:
            continue
        source = template.source()
        parents = _extends_of(source)
        # A project template extending its own name means the built-in it shadows.
        parents = [
            BUILTIN_PREFIX + p if (p == template.name and not template.builtin) else p
            for p in parents
        ]
        order += _linearize(parents, rootdir, source, (*trail, key), seen)
        seen[key] = template
        order.append(template)
    return order


def _extends_of(source: PlanSource) -> list[str]:
    check_layer(source)  # a wrong type for 'extends' (or a typo anywhere) is reported here
    value = source.data.get("extends")
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _at_extends(message: str, source: PlanSource) -> ConfigError:
    return ConfigError(
        message,
        file=str(source.file) if source.file else source.label,
        key_path="extends",
        line=source.line_of(["extends"]),
    )


# --- merging -----------------------------------------------------------------------------------


@dataclass
class _Merge:
    data: dict[str, Any] = field(default_factory=dict)
    provenance: dict[KeyPath, str] = field(default_factory=dict)
    blame: dict[KeyPath, PlanSource] = field(default_factory=dict)

    def apply(self, layer: Mapping[str, Any], source: PlanSource, label: str) -> None:
        self._merge(self.data, layer, (), source, label)

    def _forget(self, path: KeyPath) -> None:
        for key in [k for k in self.provenance if k[: len(path)] == path]:
            del self.provenance[key]
            self.blame.pop(key, None)

    def _record(self, path: KeyPath, source: PlanSource, label: str) -> None:
        self.provenance[path] = label
        self.blame[path] = source

    def _merge(
        self,
        base: dict[str, Any],
        over: Mapping[str, Any],
        path: KeyPath,
        source: PlanSource,
        label: str,
    ) -> None:
        for raw_key, value in over.items():
            key = str(raw_key)
            append = key.endswith(APPEND_SUFFIX) and len(key) > 1
            if append:
                key = key[: -len(APPEND_SUFFIX)]
            here = (*path, key)
            if append:
                inherited = base.get(key)
                if inherited is None:
                    inherited = default_at(here)
                if not isinstance(inherited, list):
                    inherited = []
                base[key] = [*inherited, *copy.deepcopy(list(value))]
                before = _source_of(self.provenance, here)
                self._forget(here)
                self._record(here, source, f"{before} + {label}")
                continue
            # one layer giving both keys is a conflict the plan model refuses, not a replacement
            dropped = _drop_exclusive(base, key, path, over)
            if dropped:
                self._forget((*path, dropped))
            if isinstance(value, Mapping) and not _replaces_whole(here):
                if not isinstance(base.get(key), dict):
                    base[key] = {}
                    # An empty table still creates the entry (``[tables.logs]``); its values are
                    # defaults, so it records no provenance of its own.
                    self._forget(here)
                # Recursing (rather than copying) also applies '+' markers nested in new entries.
                self._merge(base[key], value, here, source, label)
                continue
            base[key] = strip_append_markers(copy.deepcopy(value))
            self._forget(here)
            if isinstance(value, Mapping) and value:
                for leaf, _ in _leaves(dict(value), here):
                    self._record(leaf, source, label)
            else:
                self._record(here, source, label)


def _is_table_path(path: KeyPath) -> bool:
    return len(path) == 2 and path[0] == "tables"


def _drop_exclusive(
    base: dict[str, Any], key: str, path: KeyPath, layer: Mapping[str, Any]
) -> str | None:
    """Remove the key ``key`` excludes from ``base``; return its name when one was removed."""
    # ``count`` and ``count_per_parent`` are two ways to say one thing; a layer that says it the
    # other way means to replace, not to produce an invalid plan. A layer that says both is
    # left alone: validation refuses it with the fix.
    if _is_table_path(path):
        other = {"count": "count_per_parent", "count_per_parent": "count"}.get(key)
        if other and other in base and other not in layer and other + APPEND_SUFFIX not in layer:
            del base[other]
            return other
    return None


def _replaces_whole(path: KeyPath) -> bool:
    return len(path) == 3 and path[0] == "tables" and path[2] == "count_per_parent"


# --- paths -------------------------------------------------------------------------------------


def _absolute(value: str, base_dir: Path) -> str:
    if "://" in value or value.startswith(DEMO_PREFIX):
        return value
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else base_dir / path)


def _with_absolute_paths(data: Mapping[str, Any], base_dir: Path) -> dict[str, Any]:
    """``data`` with the relative paths it holds made absolute against ``base_dir``."""
    out = copy.deepcopy(dict(data))
    for section in ("migrations",):
        block = out.get(section)
        if isinstance(block, dict):
            for key in ("paths", "paths" + APPEND_SUFFIX):
                if isinstance(block.get(key), list):
                    block[key] = [_absolute(str(p), base_dir) for p in block[key]]
    for key in ("demo_schema", "demo_schema" + APPEND_SUFFIX):
        if isinstance(out.get(key), list):
            out[key] = [_absolute(str(p), base_dir) for p in out[key]]
    pools = out.get("asset_pools")
    if isinstance(pools, dict):
        for pool in pools.values():
            if not isinstance(pool, dict):
                continue
            for key in POOL_PATH_KEYS:
                for name in (key, key + APPEND_SUFFIX):
                    value = pool.get(name)
                    if isinstance(value, str):
                        pool[name] = _absolute(value, base_dir)
                    elif isinstance(value, list):
                        pool[name] = [_absolute(str(v), base_dir) for v in value]
    custom = out.get("customizations")
    if isinstance(custom, dict):
        out["customizations"] = _with_absolute_paths(custom, base_dir)
    return out


def _demo_files(entries: Sequence[str], source: PlanSource) -> list[Path]:
    files: list[Path] = []
    for index, entry in enumerate(entries):
        if entry.startswith(DEMO_PREFIX):
            try:
                files.extend(demo_schemas.paths(entry[len(DEMO_PREFIX) :]))
            except Exception as exc:  # the demo_schemas module raises SchemaError with a suggestion
                raise ConfigError(
                    str(exc),
                    file=str(source.file or source.label),
                    key_path=f"demo_schema[{index}]",
                ) from None
            continue
        path = Path(entry)
        if path.is_dir():
            files += sorted(path.glob("*.sql"))
        elif path.is_file():
            files.append(path)
        else:
            raise ConfigError(
                f"demo schema path not found: {path}",
                file=str(source.file or source.label),
                key_path=f"demo_schema[{index}]",
                line=source.line_of(["demo_schema"]),
            )
    return files


# --- the entry point ---------------------------------------------------------------------------


def resolve_plan(
    plan_or_name: str | Path | Mapping[str, Any] | SeedPlan | None = None,
    *,
    rootdir: Path | str,
    customizations: Mapping[str, Any] | SeedPlan | None = None,
) -> ResolvedPlan:
    """Resolve a plan: follow its ``extends`` chain and merge every layer (see the module doc).

    ``plan_or_name`` is a template name (``str``), a plan file (``Path``), a dict, a
    :class:`SeedPlan`, or None to use the plan file found under ``rootdir``. ``customizations`` is
    merged last (a pytest marker's overrides, for example). Write ``+`` append markers in the plan
    source (file or dict): a :class:`SeedPlan` object has already lost them.
    """
    root = Path(rootdir).resolve()
    layers: list[tuple[PlanSource, Template | None]]
    if isinstance(plan_or_name, str):
        try:
            top = find_template(plan_or_name, root).source()
        except ConfigError as exc:
            if Path(plan_or_name).suffix.lower() in (".toml", ".yaml", ".yml"):
                raise ConfigError(
                    f"{exc}; a str names a template: pass pathlib.Path('{plan_or_name}') "
                    "for a plan file"
                ) from None
            raise
        chain = _linearize([plan_or_name], root, None, (), {})
        layers = [(t.source(), t) for t in chain]
    else:
        top = plan_source(plan_or_name, rootdir=root)
        # _extends_of checks the plan first, so its own typos are reported against its own file.
        chain = _linearize(_extends_of(top), root, top, (), {})
        layers = [(t.source(), t) for t in chain] + [(top, None)]

    merge = _Merge()
    labels: list[str] = []
    sources: dict[str, PlanSource] = {}
    demo: list[Path] = []
    for source, template in layers:
        base_dir = template.directory if template else source.base_dir
        data = _with_absolute_paths(source.data, base_dir)
        own = {k: v for k, v in data.items() if k not in _NOT_MERGED}
        merge.apply(own, source, source.label)
        labels.append(source.label)
        sources[source.label] = source
        custom = data.get("customizations")
        if isinstance(custom, Mapping) and custom:
            nested = sorted(set(custom) & {"extends", "customizations"})
            if nested:
                raise ConfigError(
                    f"customizations cannot contain '{nested[0]}'; put 'extends' at the top level",
                    file=str(source.file) if source.file else source.label,
                    key_path=f"customizations.{nested[0]}",
                    line=source.line_of(["customizations", nested[0]]),
                )
            merge.apply(custom, source, f"{source.label} (customizations)")
            labels.append(f"{source.label} (customizations)")
        entries = [str(e) for e in data.get("demo_schema") or data.get("demo_schema+") or []]
        demo += [f for f in _demo_files(entries, source) if f not in demo]

    if customizations is not None:
        extra: Mapping[str, Any]
        if isinstance(customizations, SeedPlan):
            extra = customizations.model_dump(mode="json", exclude_unset=True, by_alias=True)
        else:
            extra = customizations
        nested = sorted(set(extra) & {"extends", "customizations"})
        if nested:
            raise ConfigError(
                f"the customizations argument cannot contain {', '.join(nested)}; "
                "pass the template to extend as the plan instead"
            )
        extra_source = PlanSource(data=dict(extra), label="customizations argument", base_dir=root)
        check_layer(extra_source)
        merge.apply(_with_absolute_paths(extra, root), extra_source, extra_source.label)
        labels.append(extra_source.label)

    merged = strip_append_markers(merge.data)
    merged["demo_schema"] = [str(p) for p in demo]
    try:
        plan = SeedPlan.model_validate(merged)
    except ValidationError as exc:
        raise validation_error(exc, merged, top, merge.blame) from None
    return ResolvedPlan(
        plan=plan,
        chain=tuple(chain),
        provenance=dict(merge.provenance),
        demo_schema=tuple(demo),
        rootdir=root,
        source_label=top.label,
        layers=tuple(labels),
        sources=sources,
    )


def _portable(value: Any, root: Path) -> Any:
    # Absolute paths differ between machines and checkouts; the hash must not.
    if isinstance(value, dict):
        return {k: _portable(v, root) for k, v in value.items()}
    if isinstance(value, list):
        return [_portable(v, root) for v in value]
    if isinstance(value, str) and value.startswith("/"):
        return _portable_path(Path(value), root)
    return value


def _portable_path(path: Path, root: Path) -> str:
    for base, tag in ((BUILTIN_DIR.parent.parent, "<pytest_supaseed>"), (root, "<rootdir>")):
        try:
            return f"{tag}/{path.relative_to(base).as_posix()}"
        except ValueError:
            continue
    return path.as_posix()


def plan_hash(resolved: ResolvedPlan) -> str:
    """Stable hex digest of what the plan will produce: the merged plan, the content of its
    demo schema files and asset files, and (AI on) the key of its AI answers. Independent of where
    the project is checked out."""
    digest = hashlib.sha256()
    dumped = resolved.plan.model_dump(mode="json", by_alias=True)
    canonical = json.dumps(_portable(dumped, resolved.rootdir), sort_keys=True, default=str)
    digest.update(canonical.encode())
    if resolved.plan.ai.enabled:  # what decides the AI answers (the answer cache's key inputs)
        digest.update(f"\0ai\0{resolved.plan.ai.fingerprint()}".encode())
    for kind, files in (("demo", resolved.demo_schema), ("asset", resolved.asset_files())):
        for path in files:
            digest.update(f"\0{kind}\0{_portable_path(path, resolved.rootdir)}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]
