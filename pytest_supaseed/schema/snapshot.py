"""A stable, sorted JSON snapshot of a schema (``supaseed.schema.json``).

The snapshot holds what decides how rows can be generated and inserted: tables, columns (type,
nullability, default, identity, generated, the CHECKs of a domain type), keys, uniques, checks, foreign keys, enums, triggers,
RLS policies and function signatures. It is plain data, keyed by name and written with sorted keys,
so the same schema always gives byte-identical JSON and a commit diff shows only real changes.
Column positions, OIDs, comments and the server version are left out for the same reason.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import SchemaError
from .model import Column, Schema, Table

SNAPSHOT_FORMAT = "supaseed.schema/1"
"""The value of the snapshot's ``format`` key; bumped when the layout changes."""

DEFAULT_SNAPSHOT_FILE = "supaseed.schema.json"
"""The file name ``supaseed snapshot`` writes by default."""

Snapshot = dict[str, Any]


def snapshot(schema: Schema) -> Snapshot:
    """The JSON-ready snapshot of ``schema`` (see the module docstring for what it holds)."""
    functions: dict[str, dict[str, Any]] = {}
    for f in schema.functions:
        functions[f.signature] = {
            "returns": f.returns,
            "language": f.language,
            "security_definer": f.security_definer,
            "volatility": f.volatility,
            "kind": f.kind,
            # a hash, not the text: the snapshot stays small and still shows that a body changed
            "body_sha256": hashlib.sha256(f.body.strip().encode()).hexdigest()[:16]
            if f.body
            else None,
        }
    return {
        "format": SNAPSHOT_FORMAT,
        "schemas": list(schema.schemas),
        "tables": {name: _table(t) for name, t in sorted(schema.tables.items())},
        "enums": {name: list(e.labels) for name, e in sorted(schema.enums.items())},
        "functions": dict(sorted(functions.items())),
    }


def _column(c: Column) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": c.type,
        "nullable": c.nullable,
        "default": c.default,
        "identity": c.identity,
        "generated": c.generation_expression if c.generated else None,
    }
    # only domain columns with checks carry the key: every other column keeps its old bytes
    if c.domain_checks:
        out["domain_checks"] = list(c.domain_checks)
    return out


def _table(t: Table) -> dict[str, Any]:
    return {
        "columns": {c.name: _column(c) for c in t.columns},
        "primary_key": list(t.primary_key),
        "uniques": {
            u.name: {
                "columns": list(u.columns),
                "expressions": list(u.expressions),
                "predicate": u.predicate,
                "nulls_not_distinct": u.nulls_not_distinct,
            }
            for u in t.uniques
        },
        "checks": {c.name: c.expression for c in t.checks},
        "foreign_keys": {
            fk.name: {
                "columns": list(fk.columns),
                "ref_table": fk.ref_table,
                "ref_columns": list(fk.ref_columns),
                "on_delete": fk.on_delete,
                "on_update": fk.on_update,
                "deferrable": fk.deferrable,
                "initially_deferred": fk.initially_deferred,
            }
            for fk in t.foreign_keys
        },
        "triggers": {
            tr.name: {
                "timing": tr.timing,
                "events": list(tr.events),
                "level": tr.level,
                "function": tr.function,
                "condition": tr.condition,
                "enabled": tr.enabled,
            }
            for tr in t.triggers
        },
        "rls_enabled": t.rls_enabled,
        "rls_forced": t.rls_forced,
        "policies": {
            p.name: {
                "command": p.command,
                "permissive": p.permissive,
                "roles": list(p.roles),
                "using": p.using,
                "with_check": p.with_check,
            }
            for p in t.policies
        },
    }


def dumps(snap: Mapping[str, Any]) -> str:
    """Serialise a snapshot: sorted keys, two-space indent, trailing newline (stable bytes)."""
    return json.dumps(snap, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_snapshot(schema_or_snapshot: Schema | Mapping[str, Any], path: Path | str) -> Path:
    """Write the snapshot of a schema (or an existing snapshot) to ``path``; return the path."""
    snap = (
        snapshot(schema_or_snapshot)
        if isinstance(schema_or_snapshot, Schema)
        else dict(schema_or_snapshot)
    )
    target = Path(path)
    target.write_text(dumps(snap), encoding="utf-8")
    return target


def load_snapshot(path: Path | str) -> Snapshot:
    """Read a snapshot file, checking that it is one (format key) and that it parses."""
    source = Path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SchemaError(
            f"{source}: no such snapshot file. Create it with `supaseed snapshot -o {source}`."
        ) from None
    except json.JSONDecodeError as exc:
        raise SchemaError(
            f"{source}:{exc.lineno}: not valid JSON ({exc.msg}). Regenerate it with "
            f"`supaseed snapshot -o {source}`."
        ) from None
    if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise SchemaError(
            f"{source}: not a supaseed schema snapshot (format {found!r}, expected "
            f"{SNAPSHOT_FORMAT!r}). Regenerate it with `supaseed snapshot -o {source}`."
        )
    return data
