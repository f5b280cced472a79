"""Hypothesis strategies for rows of an introspected table.

``rows(table)`` builds lists of rows (``{column: value}``) that a real INSERT accepts: values of the
column's type within its limits (``varchar(n)``, integer kinds, ``numeric(p,s)``, enum labels), the
understood CHECK constraints (ranges, ``IN`` lists, length bounds, ``a < b``), unique keys unique
within one example, and foreign keys drawn from the parent keys you pass. Unlike the seeding
generators (fast, realistic), these explore the edges: empty strings, the longest allowed text,
boundary numbers, non-ASCII, and they shrink to a minimal failing example.

    from pytest_supaseed.testing.strategies import rows

    @given(rows(schema.table("products"), parents={"organizations": org_ids}, max_size=5))
    def test_insert(batch): ...
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from ..errors import GenerationError
from ..schema.model import Column, ForeignKey, Table, qualify
from .checks import ColumnRules, TableRules, table_and_domain_checks
from .columns import INT_RANGES, TEXT_TYPES, scalar_type
from .table import _step, has_volatile_default, uses_sequence

_TEXT_CHARS = st.characters(codec="utf-8", exclude_characters="\x00")  # Postgres text has no NUL
_MIN_TS = dt.datetime(1900, 1, 1)
_MAX_TS = dt.datetime(2100, 12, 31)


def _bounds(
    rules: ColumnRules, low: Decimal, high: Decimal, step: Decimal
) -> tuple[Decimal, Decimal]:
    if rules.lower is not None:
        low = max(low, rules.lower if rules.lower_inclusive else rules.lower + step)
    if rules.upper is not None:
        high = min(high, rules.upper if rules.upper_inclusive else rules.upper - step)
    return low, high


def _day_bounds(rules: ColumnRules) -> tuple[dt.date, dt.date]:
    first, last = _MIN_TS.date(), _MAX_TS.date()
    if rules.not_after_now:
        last = dt.date(2024, 12, 31)  # before any day this can run on
    if rules.earliest is not None:
        first = max(first, rules.earliest)
    if rules.latest is not None:
        last = min(last, rules.latest)
    return first, last


def _scalar(
    table: Table, column: Column, type_name: str, rules: ColumnRules
) -> st.SearchStrategy[Any]:
    base = scalar_type(type_name)
    ref = f"{table.qualified_name}.{column.name}"
    if column.enum_labels is not None:
        labels = [
            lbl for lbl in column.enum_labels if rules.allowed is None or lbl in rules.allowed
        ]
        return st.sampled_from(labels)
    if base in INT_RANGES:
        if rules.allowed is not None:
            return st.sampled_from([int(a) for a in rules.allowed])
        t_low, t_high = INT_RANGES[base]
        low, high = _bounds(rules, Decimal(t_low), Decimal(t_high), Decimal(1))
        return st.integers(int(low), int(high)).filter(lambda x: x not in rules.excluded)
    if base in ("numeric", "decimal"):
        if rules.allowed is not None:
            return st.sampled_from([Decimal(a) for a in rules.allowed])
        scale = column.numeric_scale if column.numeric_scale is not None else 2
        step = Decimal(1).scaleb(-scale)
        cap = (
            Decimal(10) ** (column.numeric_precision - scale) - step
            if column.numeric_precision is not None
            else Decimal(10) ** 9
        )
        low, high = _bounds(rules, -cap, cap, step)
        return st.decimals(low, high, places=scale, allow_nan=False, allow_infinity=False)
    if base in ("real", "double precision"):
        low, high = _bounds(rules, Decimal("-1e6"), Decimal("1e6"), Decimal("0.001"))
        return st.floats(float(low), float(high), allow_nan=False, allow_infinity=False)
    if base in TEXT_TYPES:
        if rules.allowed is not None:
            return st.sampled_from([str(a) for a in rules.allowed])
        max_len = column.max_length
        if rules.max_length is not None:
            max_len = rules.max_length if max_len is None else min(max_len, rules.max_length)
        min_len = max(rules.min_length or 0, 1 if rules.non_empty else 0)
        if rules.patterns:
            # Hypothesis writes strings matching a regular expression: the first pattern leads,
            # any others and the length limits filter
            first, ci = rules.patterns[0]
            others = [re.compile(p, re.IGNORECASE if c else 0) for p, c in rules.patterns[1:]]
            return st.from_regex(re.compile(first, re.IGNORECASE if ci else 0)).filter(
                lambda s: (
                    "\x00" not in s
                    and min_len <= len(s) <= (max_len if max_len is not None else 10**9)
                    and all(o.search(s) for o in others)
                )
            )
        if base in ("character", "bpchar"):
            # char(n) pads with blanks and compares without them: keep values free of them
            return st.text(_TEXT_CHARS, min_size=max(min_len, 1), max_size=max_len or 1).map(
                lambda s: s.replace(" ", "x")
            )
        return st.text(
            _TEXT_CHARS, min_size=min_len, max_size=max_len if max_len is not None else 50
        )
    if base == "boolean":
        return st.sampled_from(rules.allowed) if rules.allowed is not None else st.booleans()
    if base == "uuid":
        return st.uuids()
    if base in ("timestamp with time zone", "timestamp without time zone"):
        day_lo, day_hi = _day_bounds(rules)
        # naive bounds; a day of margin keeps UTC-offset instants inside the checks
        earliest = dt.datetime.combine(day_lo + dt.timedelta(days=1), dt.time())
        latest = dt.datetime.combine(day_hi - dt.timedelta(days=1), dt.time())
        if "with time zone" in base:
            return st.datetimes(earliest, latest, timezones=st.just(dt.UTC))
        return st.datetimes(earliest, latest)
    if base == "date":
        return st.dates(*_day_bounds(rules))
    if base == "time without time zone":
        return st.times()
    if base == "interval":
        return st.timedeltas(dt.timedelta(days=-3650), dt.timedelta(days=3650))
    if base in ("json", "jsonb"):
        leaf = (
            st.none()
            | st.booleans()
            | st.integers(-(2**31), 2**31)
            | st.text(_TEXT_CHARS, max_size=10)
        )
        return st.dictionaries(st.text(_TEXT_CHARS, max_size=8), leaf, max_size=4)
    if base == "bytea":
        return st.binary(max_size=32)
    if base in ("inet", "cidr"):
        return (
            st.ip_addresses(v=4)
            if base == "inet"
            else st.ip_addresses(v=4).map(lambda a: __import__("ipaddress").ip_network(a))
        )
    raise GenerationError(
        f"{ref} has type '{column.type}', which rows() cannot generate; pass "
        f"overrides={{'{column.name}': <strategy>}}"
    )


def _column_strategy(table: Table, column: Column, rules: TableRules) -> st.SearchStrategy[Any]:
    col_rules = rules.columns.get(column.name, ColumnRules())
    if column.is_array:
        element = column.element_type or column.base_type.removesuffix("[]")
        strategy: st.SearchStrategy[Any] = st.lists(
            _scalar(table, column, element, ColumnRules()), max_size=3
        )
    else:
        strategy = _scalar(table, column, column.base_type, col_rules)
    if column.nullable and not col_rules.not_null:
        strategy = st.none() | strategy
    return strategy


def _parents_for(
    fk: ForeignKey, parents: Mapping[str, Sequence[Any]]
) -> list[tuple[Any, ...]] | None:
    for key in (fk.name, fk.ref_table, fk.ref_table.split(".", 1)[1], *fk.columns):
        if key in parents or qualify(key) in parents:
            found = parents.get(key, parents.get(qualify(key)))
            assert found is not None
            return [k if isinstance(k, tuple) else (k,) for k in found]
    return None


def _insert_columns(table: Table, fk_columns: set[str]) -> list[Column]:
    chosen = []
    for col in table.columns:
        if (
            col.generated or col.identity is not None
        ):  # identity, ALWAYS or BY DEFAULT: the database numbers rows
            continue
        keyish = col.name in table.primary_key or any(
            col.name in s for s in table.unique_column_sets()
        )
        if (
            col.name in fk_columns
            or col.default is None
            or has_volatile_default(col)
            or (keyish and not uses_sequence(col))
        ):
            chosen.append(col)
    return chosen


def rows(
    table: Table,
    parents: Mapping[str, Sequence[Any]] | None = None,
    *,
    min_size: int = 1,
    max_size: int = 10,
    overrides: Mapping[str, st.SearchStrategy[Any]] | None = None,
    domain_checks: Mapping[str, Sequence[str]] | None = None,
) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Lists of rows valid for ``table`` (see the module docstring).

    ``parents`` maps a foreign key (its name, parent table or column) to the parent keys to draw
    from (scalars, or tuples for composite keys). A NOT NULL foreign key without parents is a
    :class:`GenerationError`. ``overrides`` replaces the strategy of chosen columns. Columns the
    database fills (serial, identity, non-volatile defaults, generated) are left out of the rows.
    ``domain_checks``: CHECK expressions of domain-typed columns (``{"rank": ["VALUE > 0"]}``);
    default: each column's :attr:`~pytest_supaseed.schema.model.Column.domain_checks`.
    """
    parents = dict(parents or {})
    overrides = dict(overrides or {})
    rules, check_columns = table_and_domain_checks(table, domain_checks)
    fk_values: dict[str, st.SearchStrategy[Any]] = {}
    fk_columns: set[str] = set()
    for fk in table.foreign_keys:
        keys = _parents_for(fk, parents)
        if keys is None or not keys:
            if not fk.nullable and not all(c in overrides for c in fk.columns):
                raise GenerationError(
                    f"{table.qualified_name}.{', '.join(fk.columns)} references {fk.ref_table}: "
                    f"pass its keys, e.g. rows(table, parents={{'{fk.ref_table}': [...]}})"
                )
            continue
        fk_columns.update(fk.columns)
        fk_values[fk.name] = st.sampled_from(keys)
    columns = _insert_columns(table, fk_columns)
    for check_name, expression in rules.not_understood:
        cols = check_columns.get(check_name, ())
        if not any(c in overrides for c in cols):
            raise GenerationError(
                f"{table.qualified_name}: check '{check_name}' ({expression}) is not understood; "
                f"pass overrides={{'{cols[0] if cols else '?'}': <strategy>}}"
            )
    plain: dict[str, st.SearchStrategy[Any]] = {}
    for col in columns:
        if col.name in overrides:
            plain[col.name] = overrides[col.name]
        elif col.name not in fk_columns:
            plain[col.name] = _column_strategy(table, col, rules)

    relations = list(rules.relations)

    def assemble(values: dict[str, Any], keys: dict[str, tuple[Any, ...]]) -> dict[str, Any]:
        row = dict(values)
        for fk in table.foreign_keys:
            key = keys.get(fk.name)
            if key is not None:
                row.update(zip(fk.columns, key))
        for rel in relations:
            left, op, right = rel.left, rel.op, rel.right
            if op in (">", ">="):
                left, right, op = right, left, "<" if op == ">" else "<="
            a, b = row.get(left), row.get(right)
            if (
                a is not None
                and b is not None
                and not (a < b if op in ("<", "<>", "!=") else a <= b)
            ):
                row[right] = a + _step(a, 0.0)
        return row

    row_strategy = st.builds(
        assemble, st.fixed_dictionaries(plain), st.fixed_dictionaries(fk_values)
    )
    names = {c.name for c in columns} | fk_columns
    uniques = [s for s in table.unique_column_sets() if set(s) <= names]
    citext = {c.name for c in table.columns if scalar_type(c.base_type) == "citext"}

    def key_of(cols: tuple[str, ...]) -> Callable[[dict[str, Any]], Any]:
        def key(row: dict[str, Any]) -> Any:
            return tuple(
                row[c].lower() if c in citext and isinstance(row[c], str) else row[c] for c in cols
            )

        return key

    return st.lists(
        row_strategy,
        min_size=min_size,
        max_size=max_size,
        unique_by=tuple(key_of(s) for s in uniques) if uniques else None,
    )
