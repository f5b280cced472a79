"""What a schema change does to a seed plan: each change of :func:`~pytest_supaseed.schema.diff.diff` with a severity.

Given the last snapshot (``supaseed.schema.json``), the live schema and the resolved plan:

- ``error``: a plan key names a removed table or column; a type, nullability, domain or CHECK
  change that a constant or mapping of the plan can no longer fill (the plan check says which);
- ``warning``: a new NOT NULL column the plan leaves to the generic generator although its name
  suggests better (``price``, ``email``, ``slug``...); a removed enum label the plan uses;
- ``suggestion``: a new nullable column, a new table linked by a foreign key to a seeded table, a
  new enum label;
- ``info``: everything else (a widened ``varchar`` the plan's values still fit, a new trigger...).

Problems the plan check finds that no change explains (a plan already broken) are errors of kind
``plan_problem``. Each impact carries the plan key, where that key is written (file and line) and,
when there is one, a :class:`~pytest_supaseed.config.suggest.Suggestion` that ``supaseed update`` can apply.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..assets import load_pool
from ..config.loader import format_key_path
from ..config.resolve import ResolvedPlan
from ..config.suggest import Edit, Suggestion, column_suggestion, table_key
from ..errors import SupaseedError
from ..schema.diff import Change, diff
from ..schema.model import Schema, Table, qualify
from ..schema.snapshot import snapshot
from .check import CheckReport, PlanProblem, locate

__all__ = ["SEVERITIES", "Impact", "ImpactReport", "analyze", "pool_fields", "seeded_tables"]

Severity = Literal["error", "warning", "suggestion", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "suggestion", "info")
"""Severities, most serious first."""

KeyPath = tuple[str, ...]


@dataclass(frozen=True)
class Impact:
    """One schema change (or plan problem) and what it means for the plan.

    Attributes:
        severity: ``error``, ``warning``, ``suggestion`` or ``info``.
        kind: the change kind (``column_removed``...) or ``plan_problem``.
        subject: the changed object (``public.authors.role``).
        message: what it means for the plan.
        table: the qualified table, when the change is in one.
        column: the column, when the change is about one.
        plan_key: the plan key it touches (``tables.authors.columns.role``), else None.
        path: ``plan_key`` as a tuple.
        file: the file that writes ``plan_key``.
        line: its line there.
        suggestion: the plan change to make, when there is one.
    """

    severity: Severity
    kind: str
    subject: str
    message: str
    table: str | None = None
    column: str | None = None
    plan_key: str | None = None
    path: KeyPath = ()
    file: str | None = None
    line: int | None = None
    suggestion: Suggestion | None = None

    @property
    def where(self) -> str:
        """``supaseed.toml:9`` (or the file alone, or ``""``)."""
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        return self.file or ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: severity, kind, table, column, plan_key, suggestion and the rest."""
        return {
            "severity": self.severity,
            "kind": self.kind,
            "subject": self.subject,
            "table": self.table,
            "column": self.column,
            "plan_key": self.plan_key,
            "file": self.file,
            "line": self.line,
            "message": self.message,
            "suggestion": self.suggestion.describe() if self.suggestion else None,
            "edits": [
                {"op": e.op, "path": list(e.path), "value": e.value}
                for e in (self.suggestion.edits if self.suggestion else ())
            ],
        }


@dataclass(frozen=True)
class ImpactReport:
    """Every impact, most serious first."""

    impacts: tuple[Impact, ...]

    def __bool__(self) -> bool:
        return bool(self.impacts)

    def of(self, severity: Severity) -> tuple[Impact, ...]:
        """The impacts of one severity."""
        return tuple(i for i in self.impacts if i.severity == severity)

    @property
    def actionable(self) -> tuple[Impact, ...]:
        """Errors, warnings and suggestions: what ``supaseed update`` asks about."""
        return tuple(i for i in self.impacts if i.severity != "info")

    def to_dict(self) -> dict[str, Any]:
        """``{"impacts": [...], "counts": {"error": n, ...}}``."""
        return {
            "impacts": [i.to_dict() for i in self.impacts],
            "counts": {s: len(self.of(s)) for s in SEVERITIES},
        }

    def render(self) -> str:
        """One block per impact: severity, kind, subject, plan key with file:line, the fix."""
        if not self.impacts:
            return "No schema changes: nothing affects the plan."
        lines: list[str] = []
        width = max(len(i.severity) for i in self.impacts)
        for i in self.impacts:
            lines.append(f"{i.severity:<{width}}  {i.kind}  {i.subject}: {i.message}")
            if i.plan_key and i.where:
                lines.append(f"{'':<{width}}    plan key: {i.plan_key} ({i.where})")
            if i.suggestion:
                lines.append(
                    f"{'':<{width}}    suggestion: {i.suggestion.describe()}  "
                    f"# {i.suggestion.reason}"
                )
        counts = ", ".join(f"{len(self.of(s))} {s}(s)" for s in SEVERITIES)
        lines.append(counts + ".")
        return "\n".join(lines)


@dataclass(frozen=True)
class _Ref:
    path: KeyPath
    table: str
    column: str | None


def _plan_refs(resolved: ResolvedPlan) -> list[_Ref]:
    """Every key of the plan that names a table or a column."""
    plan = resolved.plan
    refs: list[_Ref] = []
    for key, config in plan.tables.items():
        table = qualify(key)
        refs.append(_Ref(("tables", key), table, None))
        refs += [_Ref(("tables", key, "columns", c), table, c) for c in config.columns]
        for parent in config.count_per_parent or {}:
            if "." not in parent:
                refs.append(_Ref(("tables", key, "count_per_parent", parent), table, parent))
    for name, mapping in plan.mappings.items():
        table = qualify(mapping.table)
        refs.append(_Ref(("mappings", name), table, None))
        refs += [_Ref(("mappings", name, "fields", c), table, c) for c in mapping.fields]
    for name, assoc in plan.associations.items():
        refs.append(_Ref(("associations", name), qualify(assoc.items), None))
        refs.append(_Ref(("associations", name), qualify(assoc.targets), None))
        refs.append(
            _Ref(("associations", name, "fk_column"), qualify(assoc.items), assoc.fk_column)
        )
    for table_name, columns in plan.ai.fields.items():
        table = qualify(table_name)
        refs.append(_Ref(("ai", "fields", table_name), table, None))
        refs += [_Ref(("ai", "fields", table_name, c), table, c) for c in columns]
    return refs


def seeded_tables(resolved: ResolvedPlan) -> set[str]:
    """Qualified names of the tables the plan fills (``[tables]``, mappings, associations)."""
    plan = resolved.plan
    found = {qualify(k) for k in plan.tables}
    found |= {qualify(m.table) for m in plan.mappings.values()}
    found |= {qualify(a.items) for a in plan.associations.values()}
    return found


def pool_fields(resolved: ResolvedPlan) -> dict[str, list[str]]:
    """The field names the assets of each non-image pool carry (a pool that does not load has
    none: the plan check reports why)."""
    out: dict[str, list[str]] = {}
    for name, config in sorted(resolved.plan.asset_pools.items()):
        if config.type == "image":
            continue
        try:
            pool = load_pool(name, config, resolved.rootdir)
        except SupaseedError:
            continue
        keys: set[str] = set()
        for asset in pool.loaded:
            keys.update(str(k) for k in asset.fields)
        out[name] = sorted(keys)
    return out


def analyze(
    old: Schema | Mapping[str, Any],
    new: Schema,
    resolved: ResolvedPlan,
    report: CheckReport,
) -> ImpactReport:
    """The impact of every change from ``old`` to ``new`` on ``resolved`` (module docstring).

    ``report`` is the plan check of ``resolved`` against ``new``
    (:func:`~pytest_supaseed.plancheck.check.check_plan`): it decides whether a changed type, domain or
    CHECK still takes the plan's values.
    """
    changes = diff(old, snapshot(new))
    refs = _plan_refs(resolved)
    problems = {p.path: p for p in report.problems}
    used: set[KeyPath] = set()
    fields = pool_fields(resolved) if resolved.plan.mappings else {}
    seeded = seeded_tables(resolved)
    impacts: list[Impact] = []

    def add(
        severity: Severity,
        change: Change,
        message: str,
        *,
        table: str | None = None,
        column: str | None = None,
        path: KeyPath = (),
        suggestion: Suggestion | None = None,
    ) -> None:
        # a key the suggestion would add is not in any file yet: no file or line to point at
        written = bool(path) and change.kind not in ("column_added", "table_added")
        file, line = locate(resolved, path) if written else (None, None)
        impacts.append(
            Impact(
                severity,
                change.kind,
                change.subject,
                message,
                table,
                column,
                format_key_path(path) if path else None,
                path,
                file,
                line,
                suggestion,
            )
        )

    for change in changes.changes:
        table_name = change.table
        column_name = _column_of(change)
        if change.kind == "table_removed":
            hits = [r for r in refs if r.table == table_name and r.column is None]
            for ref in _dedupe(hits):
                used.update(p for p in problems if p[: len(ref.path)] == ref.path)
                add(
                    "error",
                    change,
                    "the plan names a table the migration removed",
                    table=table_name,
                    path=ref.path,
                    suggestion=Suggestion("drop the broken key", (Edit("delete", ref.path),)),
                )
            if not hits:
                add("info", change, "not in the plan", table=table_name)
            continue
        if change.kind == "column_removed":
            hits = [r for r in refs if r.table == table_name and r.column == column_name]
            for ref in _dedupe(hits):
                used.update(p for p in problems if p[: len(ref.path)] == ref.path)
                add(
                    "error",
                    change,
                    f"the plan writes column '{column_name}', which the migration removed",
                    table=table_name,
                    column=column_name,
                    path=ref.path,
                    suggestion=Suggestion("drop the broken key", (Edit("delete", ref.path),)),
                )
            if not hits:
                add("info", change, "not in the plan", table=table_name, column=column_name)
            continue
        if change.kind == "column_added" and table_name and column_name:
            _column_added(add, change, resolved, new.tables[table_name], column_name, refs, fields)
            continue
        if change.kind == "table_added" and table_name:
            _table_added(add, change, resolved, new, new.tables[table_name], seeded)
            continue
        if change.kind == "enum_label_added":
            enum, label = _enum_label(change)
            users = _enum_columns(new, enum)
            add(
                "suggestion",
                change,
                f"new label '{label}': generated values of {', '.join(users) or 'its columns'} "
                "now include it; set a constant to use it everywhere",
            )
            continue
        if change.kind == "enum_label_removed":
            enum, label = _enum_label(change)
            labelled = _constants_equal(resolved, new, enum, label)
            for hit_path, table_q, col in labelled:
                used.add(hit_path)
                add(
                    "warning",
                    change,
                    f"the plan sets {table_q}.{col} to the removed label '{label}'",
                    table=table_q,
                    column=col,
                    path=hit_path,
                    suggestion=Suggestion("drop the broken key", (Edit("delete", hit_path),)),
                )
            if not labelled:
                add("info", change, f"label '{label}' is not used by the plan")
            continue
        if change.kind in _VALUE_CHANGES and table_name:
            columns = _columns_touched(change, column_name, new)
            broken = [
                p
                for r in refs
                if r.table == table_name and r.column in columns
                for p in _problems_under(problems, r.path)
            ]
            # a mapping's mapped values are checked as a whole: its problem sits on the mapping
            for r in refs:
                if r.table != table_name or r.path[0] != "mappings" or len(r.path) != 2:
                    continue
                for p in _problems_under(problems, r.path):
                    if p.path == r.path and any(f".{c}'" in p.message for c in columns):
                        broken.append(p)
            for p in _dedupe_problems(broken):
                used.add(p.path)
                sug = _replacement(resolved, new, table_name, p)
                add(
                    "error",
                    change,
                    f"{_change_words(change)}, and the plan's value no longer fits: {p.message}",
                    table=table_name,
                    column=p.column or column_name,
                    path=p.path,
                    suggestion=sug,
                )
            if not broken:
                add(
                    "info",
                    change,
                    f"{_change_words(change)}; the plan's values still fit"
                    if any(r.table == table_name and r.column in columns for r in refs)
                    else _change_words(change),
                    table=table_name,
                    column=column_name,
                )
            continue
        add("info", change, change.describe().split(": ", 1)[-1], table=table_name)

    for path, problem in problems.items():
        if path in used or problem.severity != "error":
            continue
        impacts.append(
            Impact(
                "error",
                "plan_problem",
                problem.table or "plan",
                f"{problem.message}; fix: {problem.fix}",
                problem.table,
                problem.column,
                problem.key_path,
                problem.path,
                problem.file,
                problem.line,
                None,
            )
        )
    order = {s: i for i, s in enumerate(SEVERITIES)}
    impacts.sort(key=lambda i: (order[i.severity], i.subject, i.kind, i.plan_key or ""))
    return ImpactReport(tuple(impacts))


_VALUE_CHANGES = frozenset(
    {
        "column_type_changed",
        "column_nullability_changed",
        "column_domain_checks_changed",
        "column_default_changed",
        "check_added",
        "check_changed",
    }
)


def _column_of(change: Change) -> str | None:
    if change.kind.startswith("column_"):
        return change.subject.split(".")[-1]
    return None


def _dedupe(refs: Sequence[_Ref]) -> list[_Ref]:
    seen: set[KeyPath] = set()
    out = []
    for ref in refs:
        if ref.path not in seen:
            seen.add(ref.path)
            out.append(ref)
    return out


def _dedupe_problems(problems: Sequence[PlanProblem]) -> list[PlanProblem]:
    seen: set[KeyPath] = set()
    out = []
    for p in problems:
        if p.path not in seen:
            seen.add(p.path)
            out.append(p)
    return out


def _problems_under(problems: Mapping[KeyPath, PlanProblem], path: KeyPath) -> list[PlanProblem]:
    return [p for k, p in problems.items() if k[: len(path)] == path and p.severity == "error"]


def _columns_touched(change: Change, column: str | None, new: Schema) -> set[str]:
    if column is not None:
        return {column}
    if change.kind in ("check_added", "check_changed") and change.table:
        name = change.subject.split(" ", 1)[1] if " " in change.subject else ""
        table = new.tables.get(change.table)
        if table is not None:
            for check in table.checks:
                if check.name == name:
                    return set(check.columns)
    return set()


def _change_words(change: Change) -> str:
    if change.kind == "column_type_changed":
        return f"type {change.before} -> {change.after}"
    if change.kind == "column_nullability_changed":
        return "now NOT NULL" if change.after is False else "now nullable"
    if change.kind == "column_domain_checks_changed":
        return f"domain checks now {', '.join(change.after or []) or 'none'}"
    if change.kind == "column_default_changed":
        return f"default {change.before} -> {change.after}"
    if change.kind == "check_added":
        return f"new CHECK {change.after}"
    return f"CHECK {change.before} -> {change.after}"


def _replacement(
    resolved: ResolvedPlan, new: Schema, table_name: str, problem: PlanProblem
) -> Suggestion:
    """A generator for a column whose constant no longer fits (else: drop the key)."""
    table = new.tables[table_name]
    if problem.column and table.has_column(problem.column) and problem.path[0] == "tables":
        found = column_suggestion(resolved.plan, table, table.column(problem.column))
        if found is not None and found.edits[0].path == problem.path:
            return found
    return Suggestion("drop the broken key", (Edit("delete", problem.path),))


def _column_added(
    add: Any,
    change: Change,
    resolved: ResolvedPlan,
    table: Table,
    column_name: str,
    refs: Sequence[_Ref],
    fields: Mapping[str, Sequence[str]],
) -> None:
    column = table.column(column_name)
    table_q = table.qualified_name
    if any(r.table == table_q and r.column == column_name for r in refs):
        add("info", change, "the plan already fills it", table=table_q, column=column_name)
        return
    if not column.insertable:
        add("info", change, "filled by the database", table=table_q, column=column_name)
        return
    suggestion = column_suggestion(resolved.plan, table, column, pool_fields=fields)
    path = suggestion.edits[0].path if suggestion else ()
    if column.required:
        if suggestion is None:
            add(
                "info",
                change,
                "new NOT NULL column; the generic generator fills it",
                table=table_q,
                column=column_name,
            )
            return
        add(
            "warning",
            change,
            f"new NOT NULL column ({column.type}); the plan leaves it to the generic generator, "
            f"its name suggests {suggestion.reason}",
            table=table_q,
            column=column_name,
            path=path,
            suggestion=suggestion,
        )
        return
    if column.has_default and suggestion is None:
        add("info", change, "new column with a default", table=table_q, column=column_name)
        return
    what = suggestion.reason if suggestion else "the generic generator's value"
    add(
        "suggestion",
        change,
        f"new {'nullable ' if column.nullable else ''}column ({column.type}); suggested: {what}",
        table=table_q,
        column=column_name,
        path=path,
        suggestion=suggestion,
    )


def _table_added(
    add: Any, change: Change, resolved: ResolvedPlan, new: Schema, table: Table, seeded: set[str]
) -> None:
    table_q = table.qualified_name
    parents = [fk for fk in table.foreign_keys if fk.ref_table in seeded and len(fk.columns) == 1]
    children = [fk for fk in new.referencing(table_q) if fk.table in seeded]
    if not parents and not children:
        add("info", change, "not linked to a seeded table", table=table_q)
        return
    key = table_key(resolved.plan.tables, table_q)
    value: dict[str, Any]
    if parents:
        fk = parents[0]
        value = {"count_per_parent": {fk.columns[0]: 2}}
        reason = f"2 rows per {fk.ref_table} row"
        linked = f"references seeded {fk.ref_table} ({fk.columns[0]})"
    else:
        value = {"count": 10}
        reason = "10 rows"
        linked = f"referenced by seeded {children[0].table}"
    add(
        "suggestion",
        change,
        f"new table; {linked}",
        table=table_q,
        path=("tables", key),
        suggestion=Suggestion(reason, (Edit("set", ("tables", key), value),)),
    )


def _enum_label(change: Change) -> tuple[str, str]:
    enum, _, label = change.subject.partition(" ")
    return enum, label.strip("'")


def _enum_columns(schema: Schema, enum: str) -> list[str]:
    return [
        f"{t.qualified_name}.{c.name}"
        for t in schema.tables.values()
        for c in t.columns
        if c.enum_name == enum
    ]


def _constants_equal(
    resolved: ResolvedPlan,
    new: Schema,
    enum: str,
    label: str,
) -> list[tuple[KeyPath, str, str]]:
    found: list[tuple[KeyPath, str, str]] = []
    for key, config in resolved.plan.tables.items():
        table = new.tables.get(qualify(key))
        if table is None:
            continue
        for col, value in config.columns.items():
            if value == label and table.has_column(col) and table.column(col).enum_name == enum:
                found.append((("tables", key, "columns", col), table.qualified_name, col))
    return found
