"""What changed between two schemas: two snapshots, or a snapshot and a live database.

The diff is data (a tuple of :class:`Change`), so the plan-update workflow can act on it, and it
renders as a readable table. Every change has a mirror: ``diff(a, b)`` and ``diff(b, a)`` hold the
same changes with added/removed swapped and before/after exchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .model import Schema
from .snapshot import snapshot

# kind -> the kind of the same change seen the other way round
INVERSE_KIND: dict[str, str] = {}
for _added, _removed in (
    ("table_added", "table_removed"),
    ("column_added", "column_removed"),
    ("foreign_key_added", "foreign_key_removed"),
    ("unique_added", "unique_removed"),
    ("check_added", "check_removed"),
    ("enum_added", "enum_removed"),
    ("enum_label_added", "enum_label_removed"),
    ("trigger_added", "trigger_removed"),
    ("policy_added", "policy_removed"),
    ("function_added", "function_removed"),
):
    INVERSE_KIND[_added] = _removed
    INVERSE_KIND[_removed] = _added
for _changed in (
    "column_type_changed",
    "column_nullability_changed",
    "column_default_changed",
    "column_identity_changed",
    "column_generated_changed",
    "column_domain_checks_changed",
    "primary_key_changed",
    "foreign_key_changed",
    "unique_changed",
    "check_changed",
    "trigger_changed",
    "policy_changed",
    "rls_changed",
    "function_changed",
):
    INVERSE_KIND[_changed] = _changed

CHANGE_KINDS: tuple[str, ...] = tuple(sorted(INVERSE_KIND))
"""Every kind of change :func:`diff` reports."""


@dataclass(frozen=True, slots=True)
class Change:
    """One difference.

    Attributes:
        kind: one of :data:`CHANGE_KINDS` (``column_type_changed``, ``enum_label_added``, ...).
        subject: the object, qualified: ``public.accounts``, ``public.accounts.name``,
            ``public.accounts accounts_slug_key``, ``public.mood 'happy'``,
            ``public.is_set(field_name text)``.
        before: the old value (``None`` for an addition): a type text, a bool, a default
            expression, or the object's snapshot data.
        after: the new value (``None`` for a removal).
    """

    kind: str
    subject: str
    before: Any = None
    after: Any = None

    @property
    def table(self) -> str | None:
        """The qualified table the change is in, when it is in one."""
        if self.kind.startswith(("enum_", "function_")):
            return None
        head = self.subject.split(" ")[0]
        parts = head.split(".")
        return ".".join(parts[:2])

    def inverse(self) -> Change:
        """The same change seen from the other side."""
        return Change(INVERSE_KIND[self.kind], self.subject, self.after, self.before)

    def describe(self) -> str:
        """``"column_type_changed public.t.name: character varying(100) -> ...(255)"``."""
        return f"{self.kind} {self.subject}: {_short(self.before)} -> {_short(self.after)}"


@dataclass(frozen=True, slots=True)
class SchemaDiff:
    """The changes from an old schema to a new one, sorted by subject then kind.

    Attributes:
        changes: every change.
    """

    changes: tuple[Change, ...]

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def of_kind(self, *kinds: str) -> tuple[Change, ...]:
        """The changes of the given kinds."""
        return tuple(c for c in self.changes if c.kind in kinds)

    def for_table(self, table: str) -> tuple[Change, ...]:
        """The changes inside ``table`` (qualified name)."""
        return tuple(c for c in self.changes if c.table == table)

    def inverse(self) -> SchemaDiff:
        """The diff the other way round (equal to ``diff(new, old)``)."""
        return SchemaDiff(tuple(sorted((c.inverse() for c in self.changes), key=_order)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: ``{"changes": [{"kind", "subject", "before", "after"}, ...]}``."""
        return {
            "changes": [
                {"kind": c.kind, "subject": c.subject, "before": c.before, "after": c.after}
                for c in self.changes
            ]
        }

    def render(self) -> str:
        """A fixed-width table: change | object | before | after (``no changes`` when empty)."""
        if not self.changes:
            return "No schema changes."
        rows = [("change", "object", "before", "after")]
        rows += [(c.kind, c.subject, _short(c.before), _short(c.after)) for c in self.changes]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        widths[2] = min(widths[2], 40)
        widths[3] = min(widths[3], 40)
        lines = []
        for i, row in enumerate(rows):
            cells = [_clip(cell, widths[j]).ljust(widths[j]) for j, cell in enumerate(row)]
            lines.append("  ".join(cells).rstrip())
            if i == 0:
                lines.append("  ".join("-" * w for w in widths))
        lines.append(f"{len(self.changes)} change(s).")
        return "\n".join(lines)


def diff(old: Schema | Mapping[str, Any], new: Schema | Mapping[str, Any]) -> SchemaDiff:
    """The changes from ``old`` to ``new``; each is a :class:`Schema` or a snapshot
    (:func:`~.snapshot.snapshot` / :func:`~.snapshot.load_snapshot`)."""
    a = snapshot(old) if isinstance(old, Schema) else old
    b = snapshot(new) if isinstance(new, Schema) else new
    changes: list[Change] = []
    _diff_keyed(changes, a.get("tables", {}), b.get("tables", {}), "table", "", _diff_table)
    _diff_enums(changes, a.get("enums", {}), b.get("enums", {}))
    _diff_keyed(
        changes, a.get("functions", {}), b.get("functions", {}), "function", "", _diff_function
    )
    return SchemaDiff(tuple(sorted(changes, key=_order)))


def _order(c: Change) -> tuple[str, str]:
    return (c.subject, c.kind)


def _diff_keyed(
    out: list[Change],
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    noun: str,
    prefix: str,
    changed: Any,
) -> None:
    """Added / removed / changed objects of one kind, keyed by name."""
    for name in sorted(old.keys() - new.keys()):
        out.append(Change(f"{noun}_removed", prefix + name, old[name], None))
    for name in sorted(new.keys() - old.keys()):
        out.append(Change(f"{noun}_added", prefix + name, None, new[name]))
    for name in sorted(old.keys() & new.keys()):
        if old[name] != new[name]:
            changed(out, prefix + name, old[name], new[name])


def _diff_table(out: list[Change], table: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> None:
    _diff_keyed(out, a["columns"], b["columns"], "column", f"{table}.", _diff_column)
    if a["primary_key"] != b["primary_key"]:
        out.append(Change("primary_key_changed", table, a["primary_key"], b["primary_key"]))
    for noun, key in (
        ("foreign_key", "foreign_keys"),
        ("unique", "uniques"),
        ("check", "checks"),
        ("trigger", "triggers"),
        ("policy", "policies"),
    ):
        _diff_keyed(out, a[key], b[key], noun, f"{table} ", _changed_as(f"{noun}_changed"))
    rls_a = {"enabled": a["rls_enabled"], "forced": a["rls_forced"]}
    rls_b = {"enabled": b["rls_enabled"], "forced": b["rls_forced"]}
    if rls_a != rls_b:
        out.append(Change("rls_changed", table, rls_a, rls_b))


def _diff_column(
    out: list[Change], column: str, a: Mapping[str, Any], b: Mapping[str, Any]
) -> None:
    for field, kind in (
        ("type", "column_type_changed"),
        ("nullable", "column_nullability_changed"),
        ("default", "column_default_changed"),
        ("identity", "column_identity_changed"),
        ("generated", "column_generated_changed"),
    ):
        if a.get(field) != b.get(field):
            out.append(Change(kind, column, a.get(field), b.get(field)))
    # absent (a snapshot without domain checks) and empty mean the same
    checks_a, checks_b = a.get("domain_checks") or [], b.get("domain_checks") or []
    if checks_a != checks_b:
        out.append(Change("column_domain_checks_changed", column, checks_a, checks_b))


def _diff_function(out: list[Change], name: str, a: Any, b: Any) -> None:
    out.append(Change("function_changed", name, a, b))


def _changed_as(kind: str) -> Any:
    def record(out: list[Change], subject: str, a: Any, b: Any) -> None:
        out.append(Change(kind, subject, a, b))

    return record


def _diff_enums(out: list[Change], a: Mapping[str, list[str]], b: Mapping[str, list[str]]) -> None:
    for name in sorted(a.keys() - b.keys()):
        out.append(Change("enum_removed", name, a[name], None))
    for name in sorted(b.keys() - a.keys()):
        out.append(Change("enum_added", name, None, b[name]))
    for name in sorted(a.keys() & b.keys()):
        old, new = a[name], b[name]
        for label in old:
            if label not in new:
                out.append(Change("enum_label_removed", f"{name} '{label}'", label, None))
        for label in new:
            if label not in old:
                out.append(Change("enum_label_added", f"{name} '{label}'", None, label))


def _short(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "NOT NULL" if value is False else "NULL"  # only nullability is a bare bool
    if isinstance(value, Mapping):
        return _describe_mapping(value)
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "-"
    return str(value)


def _describe_mapping(value: Mapping[str, Any]) -> str:
    if "primary_key" in value:  # a whole table
        return f"{len(value['columns'])} columns"
    if "ref_table" in value:
        return f"({', '.join(value['columns'])}) -> {value['ref_table']}"
    if "type" in value:
        null = "" if value.get("nullable") else " not null"
        default = f" default {value['default']}" if value.get("default") else ""
        return f"{value['type']}{null}{default}"
    if "columns" in value:
        where = f" where {value['predicate']}" if value.get("predicate") else ""
        return f"({', '.join(value['columns'] + value.get('expressions', []))}){where}"
    if "timing" in value:
        return f"{value['timing']} {' OR '.join(value['events'])} -> {value['function']}"
    if "command" in value:
        return f"{value['command']} to {', '.join(value['roles'])}"
    if "enabled" in value and "forced" in value:
        return ("enabled" if value["enabled"] else "disabled") + (
            ", forced" if value["forced"] else ""
        )
    if "returns" in value:
        return f"returns {value['returns']}"
    return str(value)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
