"""The foreign-key graph of a schema and the order to insert rows in.

Parents come before children. A cycle (``teams.owner_id -> users``, ``users.team_id -> teams``) or a
self-reference (``categories.parent_id -> categories``) cannot be ordered as is: the plan names the
foreign key that breaks it and how (insert NULL and update after, or defer the constraint), and a
cycle with no such key is an error that says which key to change.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from ..errors import SchemaError
from .model import ForeignKey, Schema, qualify

BreakStrategy = Literal["null_then_update", "defer_constraint", "same_statement"]
"""How a deferred edge is satisfied.

- ``null_then_update``: insert the referencing column(s) as NULL, UPDATE them once the referenced
  rows exist (the key's columns are nullable).
- ``defer_constraint``: ``SET CONSTRAINTS <name> DEFERRED`` and insert both sides in one transaction
  (the key is ``DEFERRABLE``).
- ``same_statement``: a NOT NULL, non-deferrable self-reference; PostgreSQL checks it at the end of
  each statement, so the rows go in one INSERT/COPY with every parent present in it (a root row
  references itself).
"""


@dataclass(frozen=True, slots=True)
class DeferredEdge:
    """A foreign key the insert order does not satisfy by itself.

    Attributes:
        foreign_key: the key.
        strategy: how to satisfy it (see :data:`BreakStrategy`).
        reason: ``"self-reference"`` or ``"cycle a -> b -> a"``.
    """

    foreign_key: ForeignKey
    strategy: BreakStrategy
    reason: str

    @property
    def table(self) -> str:
        """Qualified name of the referencing table."""
        return self.foreign_key.table

    @property
    def columns(self) -> tuple[str, ...]:
        """The referencing columns to leave NULL (or defer) on insert."""
        return self.foreign_key.columns

    def describe(self) -> str:
        """One line: which key, why, and what to do."""
        fk = self.foreign_key
        cols = ", ".join(fk.columns)
        what = {
            "null_then_update": f"insert {fk.table}.({cols}) as NULL, update after",
            "defer_constraint": f"SET CONSTRAINTS {fk.name} DEFERRED, insert in one transaction",
            "same_statement": f"insert {fk.table} rows parents-first in one statement",
        }[self.strategy]
        return f"{fk.name} ({fk.table} -> {fk.ref_table}; {self.reason}): {what}"


@dataclass(frozen=True, slots=True)
class InsertPlan:
    """Tables in an order that satisfies their foreign keys, plus the keys that need extra steps.

    Attributes:
        tables: qualified table names, every referenced table before the tables referencing it
            (ties broken by name, so the order is stable).
        deferred: keys not satisfied by the order alone: cycle breakers and self-references.
        cycles: each cycle found, as the sorted qualified names of the tables in it.
        external: tables referenced by the planned tables but not part of the plan (expected to
            be filled already, e.g. ``auth.users``), sorted.
    """

    tables: tuple[str, ...]
    deferred: tuple[DeferredEdge, ...] = ()
    cycles: tuple[tuple[str, ...], ...] = ()
    external: tuple[str, ...] = ()

    def deferred_for(self, table: str) -> tuple[DeferredEdge, ...]:
        """Deferred keys of ``table`` (whose columns to leave NULL or defer when inserting it)."""
        qualified = qualify(table)
        return tuple(d for d in self.deferred if d.table == qualified)

    def describe(self) -> str:
        """A readable, multi-line account of the order and of every deferred key."""
        lines = [f"{i:>3}. {t}" for i, t in enumerate(self.tables, 1)]
        if self.deferred:
            lines.append("deferred foreign keys:")
            lines += [f"  - {d.describe()}" for d in self.deferred]
        if self.external:
            lines.append("referenced, not planned: " + ", ".join(self.external))
        return "\n".join(lines)


def insert_order(schema: Schema, tables: Iterable[str] | None = None) -> InsertPlan:
    """Order ``tables`` (default: every table of ``schema``) so parents are inserted first.

    ``tables`` accepts ``"table"`` (public) or ``"schema.table"``. Keys to tables outside the set
    are listed in :attr:`InsertPlan.external` and do not constrain the order. Raises
    :class:`SchemaError` for a cycle that no nullable or deferrable key can break.
    """
    names = sorted({schema.table(t).qualified_name for t in tables} if tables else schema.tables)
    planned = set(names)
    deferred: list[DeferredEdge] = []
    edges: list[ForeignKey] = []
    external: set[str] = set()
    for name in names:
        for fk in schema.tables[name].foreign_keys:
            if fk.ref_table not in planned:
                external.add(fk.ref_table)
            elif fk.is_self_reference:
                deferred.append(DeferredEdge(fk, _self_strategy(fk), "self-reference"))
            else:
                edges.append(fk)

    cycles: list[tuple[str, ...]] = []
    while True:
        components = [c for c in _strongly_connected(names, edges) if len(c) > 1]
        if not components:
            break
        component = components[0]
        if tuple(component) not in cycles:
            cycles.append(tuple(component))
        members = set(component)
        inside = [fk for fk in edges if fk.table in members and fk.ref_table in members]
        breaker = _pick_breaker(inside)
        if breaker is None:
            raise SchemaError(_unbreakable_message(component, inside))
        strategy: BreakStrategy = "null_then_update" if breaker.nullable else "defer_constraint"
        path = _cycle_through(breaker, inside)
        deferred.append(DeferredEdge(breaker, strategy, "cycle " + " -> ".join(path)))
        edges.remove(breaker)

    return InsertPlan(
        tables=_topological(names, edges),
        deferred=tuple(sorted(deferred, key=lambda d: (d.table, d.foreign_key.name))),
        cycles=tuple(sorted(cycles)),
        external=tuple(sorted(external)),
    )


def _self_strategy(fk: ForeignKey) -> BreakStrategy:
    if fk.nullable:
        return "null_then_update"
    if fk.deferrable:
        return "defer_constraint"
    return "same_statement"


def _pick_breaker(candidates: list[ForeignKey]) -> ForeignKey | None:
    """The key to cut: nullable keys first (NULL-then-UPDATE works in autocommit and with COPY),
    then deferrable ones; among equals table and constraint name decide, so plans are stable."""
    ranked = sorted(
        (fk for fk in candidates if fk.nullable or fk.deferrable),
        key=lambda fk: (not fk.nullable, fk.table, fk.name),
    )
    return ranked[0] if ranked else None


def _unbreakable_message(component: list[str], inside: list[ForeignKey]) -> str:
    keys = "\n".join(
        f"  - {fk.name}: {fk.table}.({', '.join(fk.columns)}) -> {fk.ref_table}"
        for fk in sorted(inside, key=lambda f: f.name)
    )
    return (
        f"Tables {', '.join(component)} reference each other in a cycle in which every foreign "
        f"key is NOT NULL and NOT DEFERRABLE, so no insert order works:\n{keys}\n"
        "Make one of these columns nullable, or declare the constraint DEFERRABLE."
    )


def _cycle_through(fk: ForeignKey, inside: list[ForeignKey]) -> list[str]:
    """A shortest path of tables closing the cycle that ``fk`` is on: child -> ... -> child."""
    adjacency: dict[str, list[str]] = defaultdict(list)
    for edge in inside:
        adjacency[edge.table].append(edge.ref_table)
    start, goal = fk.ref_table, fk.table
    previous: dict[str, str] = {start: start}
    frontier = [start]
    while frontier and goal not in previous:
        nxt = []
        for node in frontier:
            for ref in sorted(adjacency[node]):
                if ref not in previous:
                    previous[ref] = node
                    nxt.append(ref)
        frontier = nxt
    path = [goal]
    while path[-1] != start and path[-1] in previous:
        path.append(previous[path[-1]])
    path.reverse()
    return [fk.table, *path] if path[0] == start else [fk.table, fk.ref_table, fk.table]


def _strongly_connected(nodes: list[str], edges: list[ForeignKey]) -> list[list[str]]:
    """Tarjan's algorithm (iterative: schemas with long FK chains must not hit the recursion
    limit); each component sorted, components in discovery order."""
    adjacency: dict[str, list[str]] = defaultdict(list)
    for fk in edges:
        adjacency[fk.table].append(fk.ref_table)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child_i = work.pop()
            if child_i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = sorted(set(adjacency[node]))
            if child_i < len(children):
                work.append((node, child_i + 1))
                child = children[child_i]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return result


def _topological(nodes: list[str], edges: list[ForeignKey]) -> tuple[str, ...]:
    """Kahn's algorithm with a name-ordered heap: parents first, ties alphabetical."""
    waiting_on: dict[str, set[str]] = {n: set() for n in nodes}
    children: dict[str, set[str]] = defaultdict(set)
    for fk in edges:
        waiting_on[fk.table].add(fk.ref_table)
        children[fk.ref_table].add(fk.table)
    ready = [n for n in nodes if not waiting_on[n]]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        node = heapq.heappop(ready)
        order.append(node)
        for child in children[node]:
            waiting_on[child].discard(node)
            if not waiting_on[child]:
                heapq.heappush(ready, child)
    return tuple(order)
