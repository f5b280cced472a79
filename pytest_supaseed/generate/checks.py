"""Understanding simple CHECK constraints well enough to generate rows that pass them.

Postgres prints a check back in a normalised form (``pg_get_constraintdef``), e.g.::

    ((rating >= 1) AND (rating <= 5))
    (price > (0)::numeric)
    (char_length(name) <= 40)
    (status = ANY (ARRAY['draft'::text, 'published'::text]))
    (starts_at < ends_at)

This module turns the conjunctive parts it recognises into :class:`ColumnRules` (bounds, allowed
values, length bounds) and :class:`Relation` (``a < b`` between two columns). A check with any part
it does not recognise is returned as *not understood*, so the caller can ask the user for a
generator instead of letting the insert fail.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..schema.model import Table

_IDENT = r'(?:"[^"]+"|[a-z_][a-z0-9_$]*)'
_CAST = r"(?:::[a-z_ ]+(?:\(\d+(?:,\d+)?\))?(?:\[\])?)*"
_NUM = r"-?\d+(?:\.\d+)?"
_NUM_LIT = rf"(?:\(?'?(?P<num>{_NUM})'?\)?{_CAST})"
_COL = rf"\(?(?P<col>{_IDENT})\)?{_CAST}"
_OP = r"(?P<op><=|>=|<>|!=|<|>|=)"

_COL_OP_NUM = re.compile(rf"^{_COL}\s*{_OP}\s*{_NUM_LIT}$")
_NUM_OP_COL = re.compile(
    rf"^\(?'?(?P<num>{_NUM})'?\)?{_CAST}\s*{_OP}\s*\(?(?P<col>{_IDENT})\)?{_CAST}$"
)
_LEN_OP_NUM = re.compile(
    rf"^(?:char_length|length|character_length)\(\(?(?P<col>{_IDENT})\)?{_CAST}\)\s*{_OP}\s*{_NUM_LIT}$"
)
_COL_OP_COL = re.compile(
    rf"^\(?(?P<a>{_IDENT})\)?{_CAST}\s*(?P<op><=|>=|<>|!=|<|>)\s*\(?(?P<b>{_IDENT})\)?{_CAST}$"
)
_COL_ANY = re.compile(rf"^{_COL}\s*=\s*ANY\s*\(\s*\(?ARRAY\[(?P<items>.*)\]\)?{_CAST}\s*\)$")
_COL_NOT_NULL = re.compile(rf"^{_COL}\s+IS\s+NOT\s+NULL$")
_COL_NE_EMPTY = re.compile(rf"^{_COL}\s*(?:<>|!=)\s*''{_CAST}$")
_COL_BOOL = re.compile(rf"^{_COL}\s*=\s*(?P<value>true|false)$", re.IGNORECASE)
_NOT_COL = re.compile(rf"^NOT\s+{_COL}$")
_COL_REGEX = re.compile(rf"^{_COL}\s*(?P<op>~\*?)\s*'(?P<pattern>(?:[^']|'')*)'{_CAST}$")
_NOW = r"(?:now\(\)|CURRENT_TIMESTAMP|CURRENT_DATE|LOCALTIMESTAMP|statement_timestamp\(\)|transaction_timestamp\(\))"
_COL_BEFORE_NOW = re.compile(rf"^{_COL}\s*(?P<op><=|<)\s*\(?{_NOW}\)?{_CAST}$", re.IGNORECASE)
_NOW_AFTER_COL = re.compile(rf"^\(?{_NOW}\)?{_CAST}\s*(?P<op>>=|>)\s*{_COL}$", re.IGNORECASE)
_DATE_LIT = r"'(?P<date>\d{4}-\d{2}-\d{2}(?:[ T][0-9:.+\-]+)?)'"
_COL_OP_DATE = re.compile(rf"^{_COL}\s*{_OP}\s*\(?{_DATE_LIT}{_CAST}\)?{_CAST}$")
_STR_ITEM = re.compile(r"^'((?:[^']|'')*)'" + _CAST + "$")
_BOOL = {"true", "false"}


@dataclass
class ColumnRules:
    """What the understood checks demand of one column."""

    lower: Decimal | None = None
    lower_inclusive: bool = True
    upper: Decimal | None = None
    upper_inclusive: bool = True
    allowed: tuple[Any, ...] | None = None
    excluded: set[Any] = field(default_factory=set)
    min_length: int | None = None
    max_length: int | None = None
    not_null: bool = False
    non_empty: bool = False
    not_after_now: bool = False
    """``col <= now()``: values are instants in the past (generated before the fixed reference)."""
    earliest: dt.date | None = None
    latest: dt.date | None = None
    """Date bounds from ``col >= '2020-01-01'::date`` style checks (inclusive, day precision)."""
    patterns: list[tuple[str, bool]] = field(default_factory=list)
    """``(regular expression, case-insensitive)`` pairs from ``col ~ '...'`` / ``col ~* '...'``:
    generated values are checked against them (Python's ``re`` reads the common POSIX subset)."""

    def bound(self, op: str, value: Decimal) -> None:
        """Tighten the range with ``column <op> value``."""
        if op in (">", ">="):
            if self.lower is None or value >= self.lower:
                self.lower, self.lower_inclusive = value, op == ">="
        elif op in ("<", "<="):
            if self.upper is None or value <= self.upper:
                self.upper, self.upper_inclusive = value, op == "<="
        elif op == "=":
            self.allowed = (value,)
        else:  # <> / !=
            self.excluded.add(value)

    def length(self, op: str, value: int) -> None:
        """Tighten the length range with ``length(column) <op> value``."""
        if op == ">":
            self.min_length = max(self.min_length or 0, value + 1)
        elif op == ">=":
            self.min_length = max(self.min_length or 0, value)
        elif op == "<":
            self.max_length = min(self.max_length or value - 1, value - 1)
        elif op == "<=":
            self.max_length = min(self.max_length or value, value)
        elif op == "=":
            self.min_length = self.max_length = value


@dataclass(frozen=True)
class Relation:
    """``left <op> right`` between two columns of the same row (``starts_at < ends_at``)."""

    left: str
    op: str
    right: str


@dataclass
class TableRules:
    """Everything understood from a table's checks, and the checks that were not."""

    columns: dict[str, ColumnRules] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    not_understood: list[tuple[str, str]] = field(default_factory=list)
    """``(check name, expression)`` pairs."""

    def for_column(self, name: str) -> ColumnRules:
        """The rules of ``name`` (created empty on first use)."""
        return self.columns.setdefault(name, ColumnRules())


def _strip_parens(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    in_str = False
    for ch in text:
        if ch == "'":
            in_str = not in_str
        elif not in_str:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth < 0:
                    return False
    return depth == 0 and not in_str


def split_and(expression: str) -> list[str]:
    """Split ``expression`` at its top-level ``AND``s (parentheses and strings respected)."""
    text = _strip_parens(expression)
    parts: list[str] = []
    depth = 0
    in_str = False
    start = 0
    i = 0
    upper = text.upper()
    while i < len(text):
        ch = text[i]
        if ch == "'":
            in_str = not in_str
        elif not in_str:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            elif depth == 0 and upper.startswith(" AND ", i):
                parts.append(text[start:i])
                i += 5
                start = i
                continue
        i += 1
    parts.append(text[start:])
    return [_strip_parens(p) for p in parts]


def _unquote(ident: str) -> str:
    return ident[1:-1].replace('""', '"') if ident.startswith('"') else ident


def _literal_items(items: str) -> tuple[Any, ...] | None:
    values: list[Any] = []
    for raw in re.split(r",\s*(?=(?:[^']*'[^']*')*[^']*$)", items):
        raw = raw.strip()
        m = _STR_ITEM.match(raw)
        if m:
            values.append(m.group(1).replace("''", "'"))
            continue
        m = re.match(rf"^\(?({_NUM})\)?{_CAST}$", raw)
        if m:
            values.append(Decimal(m.group(1)))
            continue
        return None
    return tuple(values)


def _python_regex(pattern: str) -> str:
    # POSIX '$' matches only at the very end; Python's also before a final newline: use \Z
    return re.sub(r"(?<!\\)\$(?=\)*$)", r"\\Z", pattern)


_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "<>": "<>", "!=": "!="}


def _split_top(text: str, word: str) -> list[str]:
    """``text`` split at its top-level ``word`` (`` OR ``), parentheses and strings respected."""
    parts: list[str] = []
    depth = 0
    in_str = False
    start = 0
    i = 0
    upper = text.upper()
    while i < len(text):
        ch = text[i]
        if ch == "'":
            in_str = not in_str
        elif not in_str:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            elif depth == 0 and upper.startswith(word, i):
                parts.append(text[start:i])
                i += len(word)
                start = i
                continue
        i += 1
    parts.append(text[start:])
    return [_strip_parens(p) for p in parts]


_IS_NULL = re.compile(r'^(?P<col>"(?:[^"]|"")+"|[a-z_][a-z0-9_$]*) IS NULL$', re.IGNORECASE)


def _or_null(part: str, rules: TableRules) -> bool:
    """``(col IS NULL) OR (condition)``: generated values meet the condition (NULL also would)."""
    pieces = _split_top(part, " OR ")
    if len(pieces) != 2:
        return False
    for nullable, other in (pieces, pieces[::-1]):
        m = _IS_NULL.match(nullable)
        if m is None:
            continue
        trial = TableRules()
        if all(understand_part(p, trial) for p in split_and(other)):
            for col, r in trial.columns.items():
                _merge(rules.for_column(col), r)
            rules.relations.extend(trial.relations)
            return True
    return False


def understand_part(part: str, rules: TableRules) -> bool:
    """Record what the single condition ``part`` demands in ``rules``; False if not understood."""
    if part.lower() in _BOOL:
        return True
    if " OR " in part.upper() and _or_null(part, rules):
        return True
    m = _LEN_OP_NUM.match(part)
    if m:
        rules.for_column(_unquote(m["col"])).length(m["op"], int(Decimal(m["num"])))
        return True
    m = _COL_OP_NUM.match(part)
    if m:
        rules.for_column(_unquote(m["col"])).bound(m["op"], Decimal(m["num"]))
        return True
    m = _NUM_OP_COL.match(part)
    if m:
        rules.for_column(_unquote(m["col"])).bound(_FLIP[m["op"]], Decimal(m["num"]))
        return True
    m = _COL_ANY.match(part)
    if m:
        items = _literal_items(m["items"])
        if items is None:
            return False
        rules.for_column(_unquote(m["col"])).allowed = items
        return True
    m = _COL_BEFORE_NOW.match(part) or _NOW_AFTER_COL.match(part)
    if m:
        rules.for_column(_unquote(m["col"])).not_after_now = True
        return True
    m = _COL_OP_DATE.match(part)
    if m and m["op"] in ("<", "<=", ">", ">="):
        day = dt.date.fromisoformat(m["date"][:10])
        col_rules = rules.for_column(_unquote(m["col"]))
        if m["op"] in (">", ">="):
            day += dt.timedelta(days=1 if m["op"] == ">" else 0)
            col_rules.earliest = max(col_rules.earliest or day, day)
        else:
            day -= dt.timedelta(days=1 if m["op"] == "<" else 0)
            col_rules.latest = min(col_rules.latest or day, day)
        return True
    m = _COL_BOOL.match(part)
    if m:
        rules.for_column(_unquote(m["col"])).allowed = (m["value"].lower() == "true",)
        return True
    m = _NOT_COL.match(part)
    if m:
        rules.for_column(_unquote(m["col"])).allowed = (False,)
        return True
    m = _COL_REGEX.match(part)
    if m:
        pattern = _python_regex(m["pattern"].replace("''", "'"))
        try:
            re.compile(pattern)
        except re.error:
            return False
        rules.for_column(_unquote(m["col"])).patterns.append((pattern, m["op"] == "~*"))
        return True
    m = _COL_NOT_NULL.match(part)
    if m:
        rules.for_column(_unquote(m["col"])).not_null = True
        return True
    m = _COL_NE_EMPTY.match(part)
    if m:
        rules.for_column(_unquote(m["col"])).non_empty = True
        return True
    m = _COL_OP_COL.match(part)
    if m:
        rules.relations.append(Relation(_unquote(m["a"]), m["op"], _unquote(m["b"])))
        return True
    return False


def understand_checks(checks: list[tuple[str, str]]) -> TableRules:
    """Turn ``(name, expression)`` checks into :class:`TableRules`.

    A check counts as understood only when every one of its ``AND``-ed parts is; otherwise it goes
    to :attr:`TableRules.not_understood` whole, and none of its parts are applied.
    """
    rules = TableRules()
    for name, expression in checks:
        trial = TableRules()
        if all(understand_part(p, trial) for p in split_and(expression)):
            for col, r in trial.columns.items():
                _merge(rules.for_column(col), r)
            rules.relations.extend(trial.relations)
        else:
            rules.not_understood.append((name, expression))
    return rules


def table_and_domain_checks(
    table: Table, domain_checks: Mapping[str, Sequence[str]] | None = None
) -> tuple[TableRules, dict[str, tuple[str, ...]]]:
    """The rules of ``table``'s CHECK constraints and of its columns' domain checks together.

    ``domain_checks`` maps a column name to CHECK expressions written with ``VALUE`` for the value
    (``VALUE > 0``); they constrain the column like table checks. Default: each column's
    :attr:`~pytest_supaseed.schema.model.Column.domain_checks`. Returns the understood rules and,
    per check name, the columns it reads (a domain check is named ``domain check N of DOMAIN
    (column)``), so a caller can say which column a not-understood check needs an override for.
    """
    checks = [(c.name, c.expression) for c in table.checks]
    columns_of = {c.name: c.columns for c in table.checks}
    if domain_checks is None:
        domain_checks = {c.name: c.domain_checks for c in table.columns if c.domain_checks}
    for col, exprs in domain_checks.items():
        domain = table.column(col).domain if table.has_column(col) else None
        of = f"{domain} ({col})" if domain else col
        for i, expr in enumerate(exprs):
            name = f"domain check {i + 1} of {of}"
            checks.append((name, re.sub(r"\bVALUE\b", f'"{col}"', expr)))
            columns_of[name] = (col,)
    return understand_checks(checks), columns_of


def _merge(into: ColumnRules, new: ColumnRules) -> None:
    if new.lower is not None:
        into.bound(">=" if new.lower_inclusive else ">", new.lower)
    if new.upper is not None:
        into.bound("<=" if new.upper_inclusive else "<", new.upper)
    if new.allowed is not None:
        into.allowed = (
            new.allowed
            if into.allowed is None
            else tuple(v for v in into.allowed if v in new.allowed)
        )
    into.excluded |= new.excluded
    if new.min_length is not None:
        into.min_length = max(into.min_length or 0, new.min_length)
    if new.max_length is not None:
        into.max_length = min(into.max_length or new.max_length, new.max_length)
    into.not_null |= new.not_null
    into.non_empty |= new.non_empty
    into.patterns.extend(new.patterns)
    into.not_after_now |= new.not_after_now
    if new.earliest is not None:
        into.earliest = max(into.earliest or new.earliest, new.earliest)
    if new.latest is not None:
        into.latest = min(into.latest or new.latest, new.latest)
