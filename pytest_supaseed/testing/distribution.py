"""Assert how seeded rows are spread over their parents, on any database.

    assert_distribution(conn, "posts", "user_id", min=1, max=4, total=10, targets="users")
    assert_category_balance(conn, "posts", "user_id", "category", {"technical": (0.3, 0.5)})

A failure says which targets are off and prints a compact histogram of items per target.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import psycopg
from psycopg import sql

from pytest_supaseed.histogram import render_histogram

from .queries import tuple_rows

__all__ = ["assert_category_balance", "assert_distribution"]

Bound = tuple[float, float] | Mapping[str, float]


def _ident(name: str) -> sql.Identifier:
    """``"schema.table"`` or ``"table"`` as a safely quoted identifier."""
    return sql.Identifier(*name.split(".", 1))


def _counts(
    conn: psycopg.Connection[Any],
    table: str,
    fk_column: str,
    targets: str | None,
    target_key: str,
) -> tuple[dict[Hashable, int], int]:
    """Items per target (targets without items included when ``targets`` is given), and NULL fks."""
    fk = sql.Identifier(fk_column)
    if targets is None:
        query = sql.SQL(
            "SELECT {fk}, count(*) FROM {t} WHERE {fk} IS NOT NULL GROUP BY {fk} ORDER BY {fk}"
        ).format(fk=fk, t=_ident(table))
    else:
        query = sql.SQL(
            "SELECT p.{key}, count(c.{fk}) FROM {parents} p LEFT JOIN {t} c ON c.{fk} = p.{key}"
            " GROUP BY p.{key} ORDER BY p.{key}"
        ).format(fk=fk, key=sql.Identifier(target_key), parents=_ident(targets), t=_ident(table))
    rows = tuple_rows(conn, query).fetchall()
    nulls = tuple_rows(
        conn, sql.SQL("SELECT count(*) FROM {t} WHERE {fk} IS NULL").format(t=_ident(table), fk=fk)
    ).fetchone()
    return {r[0]: int(r[1]) for r in rows}, int(nulls[0]) if nulls else 0


def _examples(pairs: list[tuple[Hashable, int]], limit: int = 5) -> str:
    shown = ", ".join(f"{t!s}: {k}" for t, k in pairs[:limit])
    return shown + (f", ... ({len(pairs) - limit} more)" if len(pairs) > limit else "")


def assert_distribution(
    conn: psycopg.Connection[Any],
    table: str,
    fk_column: str,
    min: int | None = None,
    max: int | None = None,
    total: int | None = None,
    targets: str | None = None,
    *,
    target_key: str = "id",
) -> dict[Hashable, int]:
    """Assert every target has ``min..max`` rows of ``table`` pointing at it, ``total`` in all.

    ``targets`` names the parent table (its ``target_key`` column is what ``fk_column`` points at):
    its rows without any item count as 0, which ``min`` then catches. Without it only targets that
    have items are seen. Returns the counts per target.
    """
    __tracebackhide__ = True
    counts, nulls = _counts(conn, table, fk_column, targets, target_key)
    problems: list[str] = []
    if min is not None:
        low = [(t, k) for t, k in counts.items() if k < min]
        if low:
            problems.append(f"{len(low)} targets below min {min} ({_examples(low)})")
    if max is not None:
        high = [(t, k) for t, k in counts.items() if k > max]
        if high:
            problems.append(f"{len(high)} targets above max {max} ({_examples(high)})")
    placed = sum(counts.values())
    if total is not None and placed != total:
        problems.append(f"total {placed} != {total}")
    if problems:
        where = f"{table}.{fk_column}" + (f" -> {targets}.{target_key}" if targets else "")
        extra = f"; {nulls} rows have no target" if nulls else ""
        raise AssertionError(
            f"{where}: " + "; ".join(problems) + f" ({placed} items over {len(counts)} targets"
            f"{extra})\nitems per target:\n{render_histogram(counts.values())}"
        )
    return counts


def _bound(spec: Bound) -> tuple[float, float]:
    if isinstance(spec, Mapping):
        return float(spec.get("min", 0.0)), float(spec.get("max", 1.0))
    low, high = spec
    return float(low), float(high)


def assert_category_balance(
    conn: psycopg.Connection[Any],
    table: str,
    fk_column: str,
    category_column: str,
    bounds: Mapping[str, Bound],
    *,
    scope: str = "per_target",
) -> None:
    """Assert each category's share lies in its ``(min, max)`` fractions.

    ``scope="per_target"`` checks the share of what each target got; ``"overall"`` the share of
    all rows that have a target. ``bounds`` values are ``(min, max)`` or ``{"min": .., "max": ..}``.
    """
    __tracebackhide__ = True
    if scope not in ("per_target", "overall"):
        raise ValueError(f"scope must be 'per_target' or 'overall', not {scope!r}")
    rows = tuple_rows(
        conn,
        sql.SQL(
            "SELECT {fk}, {cat}::text, count(*) FROM {t} WHERE {fk} IS NOT NULL GROUP BY 1, 2"
        ).format(
            fk=sql.Identifier(fk_column), cat=sql.Identifier(category_column), t=_ident(table)
        ),
    ).fetchall()
    per_target: dict[Hashable, dict[str | None, int]] = {}
    for target, category, n in rows:
        per_target.setdefault(target, {})[category] = int(n)
    sizes = {t: sum(c.values()) for t, c in per_target.items()}
    problems: list[str] = []
    for category, spec in bounds.items():
        low, high = _bound(spec)
        asked = f"{low:.0%}-{high:.0%}"
        if scope == "overall":
            everything = sum(sizes.values())
            got = sum(c.get(category, 0) for c in per_target.values())
            share = got / everything if everything else 0.0
            if not low - 1e-9 <= share <= high + 1e-9:
                problems.append(f"{category!r}: {got}/{everything} = {share:.0%}, asked {asked}")
            continue
        off = [
            (t, f"{c.get(category, 0)}/{sizes[t]}")
            for t, c in sorted(per_target.items(), key=lambda kv: str(kv[0]))
            if not low - 1e-9 <= c.get(category, 0) / sizes[t] <= high + 1e-9
        ]
        if off:
            shown = ", ".join(f"{t!s}: {frac}" for t, frac in off[:5])
            more = f", ... ({len(off) - 5} more)" if len(off) > 5 else ""
            problems.append(f"{category!r} outside {asked} for {len(off)} targets ({shown}{more})")
    if problems:
        raise AssertionError(
            f"{table}.{category_column} per {fk_column} ({scope}): "
            + "; ".join(problems)
            + f"\nitems per target:\n{render_histogram(sizes.values())}"
        )
