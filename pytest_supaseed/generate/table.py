"""Rows for one table, column-wise, in batches: the pure half of seeding (no database here).

A :class:`TableRows` is built from a :class:`~pytest_supaseed.schema.model.Table`, the keys of its
parent rows and the plan's overrides. It decides which columns to send (the database fills the rest),
picks a generator per column, draws foreign keys from the parents, keeps unique keys unique and
fixes ``a < b`` relations, then yields batches as ``{column: [values]}``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from random import Random
from typing import Any, Protocol, runtime_checkable

from ..errors import ConfigError, GenerationError
from ..schema.model import Column, ForeignKey, Table
from . import values as v
from .checks import Relation, table_and_domain_checks
from .columns import INT_RANGES, generator_for, scalar_type
from .packed import OwnKeys, shuffled_order
from .vocab import Vocabulary, vocabulary

#: Fraction of NULLs in nullable, non-key columns the plan does not mention.
NULL_RATE = 0.1
#: Tries to redraw a row whose unique key collides before the row is dropped (and reported).
UNIQUE_RETRIES = 25
#: Rows generated at once. Every random stream is read chunk by chunk (a generator draws all its
#: values of a chunk in one call, and a chunk's NULL mask, redraws and fixes follow them in its
#: stream), so the rows depend on where chunks start: always at a multiple of this, whatever batch
#: size the caller asks for. Changing it changes the rows of every table above this many rows.
CHUNK_ROWS = 10_000

_VOLATILE_DEFAULT = re.compile(
    r"now\(\)|current_timestamp|current_date|localtimestamp|clock_timestamp|statement_timestamp|"
    r"transaction_timestamp|gen_random_uuid|uuid_generate_v|random\(",
    re.IGNORECASE,
)
_LOWER_EXPR = re.compile(r'^(?:lower|upper)\(\(?("?[a-z_][a-z0-9_]*"?)\)?(?:::[a-z ]+)?\)$')


def derive_rng(seed: int, *names: str) -> Random:
    """A ``Random`` for ``names`` under ``seed``: stable across runs, processes and Python versions.

    Each table (and each column inside it) gets its own stream, so adding a table or a column
    leaves every other stream, and so every other value, unchanged.
    """
    digest = hashlib.sha256(":".join([str(seed), *names]).encode()).digest()
    return Random(int.from_bytes(digest[:8], "big"))


def has_volatile_default(column: Column) -> bool:
    """The default changes from run to run (``now()``, ``gen_random_uuid()``): generate instead."""
    return column.default is not None and bool(_VOLATILE_DEFAULT.search(column.default))


def uses_sequence(column: Column) -> bool:
    """The column is filled from a sequence (identity or ``serial``)."""
    return column.identity is not None or (
        column.default is not None and column.default.startswith("nextval(")
    )


@dataclass
class ParentKeys:
    """Existing rows of a parent table that a foreign key may reference: ``keys[i]`` is a tuple
    of the referenced columns' values, in a deterministic order (a list, or any sequence: many
    keys are held packed, see :mod:`pytest_supaseed.seed.keys`)."""

    columns: tuple[str, ...]
    keys: Sequence[tuple[Any, ...]]


@runtime_checkable
class ColumnKeys(Protocol):
    """Keys of one column that give many values at once (``seed.keys.PackedKeys``):
    ``column(indices)`` is ``[keys[i][0] for i in indices]``, built faster."""

    def __len__(self) -> int: ...

    def column(self, indices: Iterable[int]) -> list[Any]:
        """The key values at ``indices``."""
        ...


@dataclass
class RowsReport:
    """What happened while generating: rows dropped and why."""

    dropped: int = 0
    warnings: list[str] = field(default_factory=list)
    relaxations: list[str] = field(default_factory=list)


@dataclass
class PerParent:
    """``count_per_parent``: ``low..high`` rows for each key of foreign key ``fk``."""

    fk: ForeignKey
    low: int
    high: int


_LEAVE = object()
"""Override marker: leave the column to the database (its default)."""
_GIVEN = object()
"""Override marker: the column's values come from ``given_rows``."""


def leave_to_database() -> object:
    """The override value meaning "do not send this column; the database default applies"."""
    return _LEAVE


class TableRows:
    """Generates the rows of one table; see the module docstring.

    Args:
        table: the table.
        seed: the plan's seed; every stream derives from it and the table's name.
        count: total rows (ignored when ``per_parent`` is given).
        per_parent: rows per parent key of one foreign key.
        parents: keys of each foreign key's parent rows, by foreign-key name.
        overrides: column name -> a :class:`~pytest_supaseed.generate.values.ValueGenerator`, or
            :func:`leave_to_database` to omit the column.
        deferred: names of foreign keys left NULL now and set by a later UPDATE (cycles).
        sequence_starts: first value of single-column integer keys (after existing rows).
        existing_rows: rows the table already has; unique text and email counters start after
            them, so a second seeding of the same table does not collide with the first.
        vocab: vocabulary to draw from (``en_US`` by default).
        domain_checks: CHECK expressions of the columns' domains by column name, with ``VALUE``
            for the value (``VALUE > 0``); they constrain the column like table checks. Default:
            the schema model's :attr:`~pytest_supaseed.schema.model.Column.domain_checks`.
        given_rows: rows with values for some columns (asset rows from a mapping), one per row to
            generate: ``count`` becomes their number, their columns are always sent, and a row
            without a value for one of them gets a generated one.
        send: columns always sent even when the database has a default for them (AI-written
            columns: their generated values are the fallback).
    """

    def __init__(
        self,
        table: Table,
        *,
        seed: int,
        count: int = 0,
        per_parent: PerParent | None = None,
        parents: Mapping[str, ParentKeys] | None = None,
        overrides: Mapping[str, object] | None = None,
        deferred: Sequence[str] = (),
        sequence_starts: Mapping[str, int] | None = None,
        vocab: Vocabulary | None = None,
        domain_checks: Mapping[str, Sequence[str]] | None = None,
        given_rows: Sequence[Mapping[str, Any]] | None = None,
        existing_rows: int = 0,
        send: Sequence[str] = (),
    ) -> None:
        self.table = table
        self.send = set(send)
        self.seed = seed
        self.parents = dict(parents or {})
        self.overrides = dict(overrides or {})
        self.deferred = set(deferred)
        self.report = RowsReport()
        self.given = list(given_rows) if given_rows is not None else None
        if self.given is not None:
            count = len(self.given)
            given_columns = sorted({c for row in self.given for c in row}, key=self._position)
            for name in given_columns:
                self.overrides.setdefault(name, _GIVEN)
        self.vocab = vocab or vocabulary()
        self.rules, self._check_columns = table_and_domain_checks(table, domain_checks)
        self._check_overrides()
        self._unique_sets = self._uniques()
        self._fk_by_column: dict[str, ForeignKey] = {}
        self._active_fks = [fk for fk in table.foreign_keys if fk.name not in self.deferred]
        for fk in self._active_fks:
            for col in fk.columns:
                if col not in self.overrides:
                    self._fk_by_column[col] = fk
        self.columns = self._choose_columns()
        self._refuse_not_understood()
        starts = dict(sequence_starts or {})
        self.generators: dict[str, v.ValueGenerator] = {}
        for name in self.columns:
            if name in self._fk_by_column:
                continue
            self.generators[name] = self._generator(table.column(name), starts.get(name))
        for gen in self.generators.values():
            if isinstance(gen, v.Texts | v.Emails) and gen.unique:
                gen.next = existing_rows + 1
        self.per_parent = per_parent
        self._rng_fk = {
            fk.name: derive_rng(seed, table.qualified_name, "#fk", fk.name)
            for fk in self._active_fks
        }
        self._rng_col = {
            name: derive_rng(seed, table.qualified_name, name) for name in self.generators
        }
        self._rng_fix = derive_rng(seed, table.qualified_name, "#fix")
        # one-to-one foreign keys: the parents' indices in the (shuffled) order rows take them
        self._one_to_one: dict[str, Sequence[int]] = {}
        self._seen: list[set[tuple[Any, ...]]] = [set() for _ in self._checked_sets()]
        # self-references: the keys of the rows generated so far, which later rows point at
        self._self_keys: dict[str, OwnKeys] = {}
        # count_per_parent: the parent whose rows come next and how many of them are left
        self._per_parent_at: tuple[Iterator[int], int, int] | None = None
        self.total = self._plan_count(count)

    # -- setup -------------------------------------------------------------------------------

    def _position(self, name: str) -> int:
        return self.table.column(name).position  # SchemaError with did-you-mean for a typo

    def _check_overrides(self) -> None:
        for name in self.overrides:
            self.table.column(name)  # SchemaError with did-you-mean for a typo

    def _uniques(self) -> list[tuple[str, ...]]:
        sets = [tuple(s) for s in self.table.unique_column_sets()]
        for u in self.table.uniques:
            if u.predicate is not None and not u.expressions:
                sets.append(u.columns)  # stricter than needed: unique everywhere, not only where
            elif u.expressions:
                cols = list(u.columns)
                for expr in u.expressions:
                    m = _LOWER_EXPR.match(expr.strip())
                    if m:
                        cols.append(m.group(1).strip('"'))
                if cols:
                    sets.append(tuple(cols))
        return list(dict.fromkeys(s for s in sets if s))

    def _choose_columns(self) -> list[str]:
        chosen: list[str] = []
        for col in self.table.columns:
            override = self.overrides.get(col.name)
            if override is _LEAVE or col.generated:
                continue
            if override is not None or col.name in self._fk_by_column or col.name in self.send:
                chosen.append(col.name)
            elif any(col.name in fk.columns for fk in self.table.foreign_keys):
                # deferred cycle edge: NULL now (or, NOT NULL under a deferred constraint, a
                # placeholder of the column's type), the real parent set by an UPDATE later
                if not col.nullable:
                    chosen.append(col.name)
            elif uses_sequence(col):
                # Explicit ids when something may reference them; the sequence is advanced after.
                if col.name in self.table.primary_key or self._is_unique(col.name):
                    chosen.append(col.name)
            elif (
                col.default is None
                or has_volatile_default(col)
                or col.name in self.table.primary_key
                # one default value cannot fill a unique key twice
                or any(col.name in s for s in self._unique_sets)
            ):
                chosen.append(col.name)
        return chosen

    def _is_unique(self, name: str) -> bool:
        return (name,) in self._unique_sets

    def _refuse_not_understood(self) -> None:
        for check_name, expression in self.rules.not_understood:
            cols = [c for c in self._check_columns.get(check_name, ()) if c in self.columns]
            if not cols or any(c in self.overrides for c in cols):
                continue  # the database fills those columns, or the plan took charge
            raise GenerationError(
                f"{self.table.qualified_name}: check '{check_name}' ({expression}) is not "
                f"understood, so values of {', '.join(f'{self.table.qualified_name}.{c}' for c in cols)} "
                f"might break it; configure a generator for {self.table.qualified_name}.{cols[0]}: in "
                f'the plan set [tables."{self.table.qualified_name}".columns] {cols[0]} = ... '
                f'(a constant, or "{{{{ faker.<method>() }}}}")'
            )

    def _generator(self, column: Column, start: int | None) -> v.ValueGenerator:
        override = self.overrides.get(column.name)
        if isinstance(override, v.ValueGenerator):
            return override
        if override is _GIVEN:
            assert self.given is not None
            fallback = self._built_in(column, start)
            values = [row.get(column.name, v.MISSING_VALUE) for row in self.given]
            return v.Mapped(values, fallback)
        return self._built_in(column, start)

    def _built_in(self, column: Column, start: int | None) -> v.ValueGenerator:
        rules = self.rules.columns.get(column.name) or self.rules.for_column(column.name)
        unique = self._is_unique(column.name)
        if start is not None and scalar_type(column.base_type) in INT_RANGES:
            if rules.lower is not None:
                start = max(start, int(rules.lower) + (0 if rules.lower_inclusive else 1))
            return v.Counter(start)
        in_key = column.name in self.table.primary_key or any(
            column.name in s for s in self._unique_sets
        )
        null_rate = NULL_RATE if column.nullable and not in_key else 0.0
        try:
            return generator_for(
                self.table, column, rules, self.vocab, unique=unique, null_rate=null_rate
            )
        except ValueError as exc:
            # The checks leave no value at all (age >= 11 AND age <= 4): no row can ever be
            # inserted, whatever a generator does; the schema, not the generator, needs the fix.
            qualified = self.table.qualified_name
            checks = "; ".join(
                f"{name} ({expr})"
                for name, expr in [(c.name, c.expression) for c in self.table.checks]
                + [(f"domain {column.domain}", e) for e in column.domain_checks]
                if column.name in self._check_columns.get(name, (column.name,))
            )
            raise ConfigError(
                f"no value of {qualified}.{column.name} ({column.type}) can meet its CHECK "
                f"constraints ({exc}): {checks or 'see the table definition'}. Fix: correct the "
                f"constraint in a migration, or remove {qualified} from the plan",
                key_path=f'tables."{qualified}"',
            ) from None

    def _checked_sets(self) -> list[tuple[str, ...]]:
        """Unique sets whose values are not unique by construction: checked row by row."""
        out = []
        for cols in self._unique_sets:
            if any(c not in self.columns for c in cols):
                continue  # a database-filled column is part of it (e.g. an identity)
            if any(c in self.generators and self.generators[c].unique for c in cols):
                continue
            if self._fk_unique(cols) is not None:
                continue  # one-to-one foreign key: parents are drawn without replacement
            out.append(cols)
        return out

    def _fk_unique(self, cols: tuple[str, ...]) -> ForeignKey | None:
        for fk in self._active_fks:
            if set(fk.columns) == set(cols) and not fk.is_self_reference:
                return fk
        return None

    def _plan_count(self, count: int) -> int:
        total = count if self.per_parent is None else sum(self._per_parent_counts())
        for fk in self._active_fks:
            cols = tuple(fk.columns)
            if self._fk_unique(cols) is not None and any(
                set(s) == set(cols) for s in self._unique_sets
            ):
                keys = self._parent_keys(fk)
                if total > len(keys):
                    self.report.relaxations.append(
                        f"{self.table.qualified_name}: {total} rows asked, but {cols} is unique and "
                        f"references {fk.ref_table}, which has {len(keys)} rows; seeded {len(keys)}"
                    )
                    total = len(keys)
                self._one_to_one[fk.name] = shuffled_order(len(keys), self._rng_fk[fk.name])
        return total

    def _per_parent_counts(self) -> Iterator[int]:
        """Rows of each parent key under ``count_per_parent``, in key order, drawn from the
        table's ``#count`` stream: read once for the total, once again as rows are generated
        (never held: a table may have millions of parents)."""
        assert self.per_parent is not None
        lo, span = self.per_parent.low, self.per_parent.high - self.per_parent.low + 1
        r = derive_rng(self.seed, self.table.qualified_name, "#count").random
        for _ in range(len(self._parent_keys(self.per_parent.fk))):
            yield lo + int(r() * span)

    def _parent_keys(self, fk: ForeignKey) -> Sequence[tuple[Any, ...]]:
        found = self.parents.get(fk.name)
        if found is None:
            raise GenerationError(
                f"{self.table.qualified_name}.{', '.join(fk.columns)}: no parent keys were given "
                f"for foreign key {fk.name} -> {fk.ref_table}"
            )
        if not found.keys and not fk.is_self_reference:
            raise GenerationError(
                f"{self.table.qualified_name}.{fk.columns[0]} references {fk.ref_table}, which has "
                f"no rows; add {fk.ref_table} to the plan's [tables] (with a count) or seed it first"
            )
        return found.keys

    # -- generation --------------------------------------------------------------------------

    def batches(self, batch_size: int = 10_000) -> Iterator[dict[str, list[Any]] | int]:
        """Yield the rows as column-wise batches ``{column: [values]}`` of at most ``batch_size``
        rows (and at most :data:`CHUNK_ROWS`); when every column is left to the database, yield
        row counts instead.

        The rows are generated :data:`CHUNK_ROWS` at a time whatever ``batch_size`` is, and a
        batch is a slice of a chunk: the same table gives the same rows for any batch size.
        """
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        done = 0
        while done < self.total:
            if not self.columns:
                n = min(batch_size, self.total - done)
                yield n
                done += n
                continue
            n = min(CHUNK_ROWS, self.total - done)
            chunk = self._batch(done, n)
            size = len(chunk[self.columns[0]])  # fewer than n when unique keys dropped rows
            if size <= batch_size:
                yield chunk
            else:
                for start in range(0, size, batch_size):
                    yield {k: vals[start : start + batch_size] for k, vals in chunk.items()}
            done += n
        self.finish()

    def _batch(self, offset: int, n: int) -> dict[str, list[Any]]:
        cols: dict[str, list[Any]] = {}
        for name, gen in self.generators.items():
            try:
                cols[name] = gen(n, self._rng_col[name])
            except OverflowError as exc:
                raise GenerationError(
                    f"{self.table.qualified_name}.{name}: {exc}; widen the column or configure a "
                    f"generator for {self.table.qualified_name}.{name}"
                ) from exc
        for fk in self._active_fks:
            self._draw_fk(fk, offset, n, cols)
        self._apply_relations(cols, n)
        self._apply_patterns(cols)
        keep = self._enforce_unique(cols, n)
        if keep is not None:
            self._unlink_dropped(cols, n, keep)
            cols = {k: [vals[i] for i in keep] for k, vals in cols.items()}
        return {name: cols[name] for name in self.columns}

    def _unlink_dropped(self, cols: dict[str, list[Any]], n: int, keep: list[int]) -> None:
        """Rows dropped for a unique key must not stay referenced by self-references: a kept row
        that points at a dropped row points where that row pointed (up the tree until a kept
        row), or becomes a root; the dropped rows' keys leave the keys later rows draw from."""
        kept = set(keep)
        for fk in self._active_fks:
            earlier = self._self_keys.get(fk.name)
            if earlier is None or not all(self._fk_by_column.get(c) is fk for c in fk.columns):
                continue
            own = list(zip(*(cols[c] for c in fk.ref_columns)))
            refs = list(zip(*(cols[c] for c in fk.columns)))
            # where each dropped row pointed; None for a root (NULL, or the row itself)
            up = {
                own[i]: None if None in refs[i] or refs[i] == own[i] else refs[i]
                for i in range(n)
                if i not in kept
            }
            for i in keep:
                ref: tuple[Any, ...] | None = refs[i]
                if ref not in up:
                    continue
                while ref is not None and ref in up:
                    ref = up[ref]
                if ref is None:
                    ref = (None,) * len(fk.columns) if fk.nullable else own[i]
                for j, c in enumerate(fk.columns):
                    cols[c][i] = ref[j]
            earlier.truncate(len(earlier) - n)
            for i in keep:
                earlier.append(own[i])

    def _draw_fk(self, fk: ForeignKey, offset: int, n: int, cols: dict[str, list[Any]]) -> None:
        names = [c for c in fk.columns if self._fk_by_column.get(c) is fk]
        if not names:
            return
        rng = self._rng_fk[fk.name]
        keys: Sequence[tuple[Any, ...] | None]
        if fk.is_self_reference:
            keys = self._self_reference(fk, n, rng, cols)
        else:
            parents = self._parent_keys(fk)
            if self.per_parent is not None and fk is self.per_parent.fk:
                indices: Sequence[int] = self._per_parent_slice(n)
            elif fk.name in self._one_to_one:
                indices = self._one_to_one[fk.name][offset : offset + n]
            else:
                # the same draws as rng.choices(parents): choices reads a population only by
                # len and indexing, and range(len) hands out the index itself
                indices = rng.choices(range(len(parents)), k=n)
            if isinstance(parents, ColumnKeys) and len(fk.columns) == 1:
                cols[fk.columns[0]] = parents.column(indices)
                return
            keys = [parents[i] for i in indices]
        for i, col in enumerate(fk.columns):
            if col in names:
                cols[col] = [k[i] if k is not None else None for k in keys]

    def _per_parent_slice(self, n: int) -> list[int]:
        """Parent indices of the next ``n`` rows under ``count_per_parent`` (each parent's rows
        together, parents in key order)."""
        if self._per_parent_at is None:
            self._per_parent_at = (self._per_parent_counts(), -1, 0)
        counts, parent, left = self._per_parent_at
        out: list[int] = []
        while len(out) < n:
            if not left:
                parent, left = parent + 1, next(counts)
                continue
            take = min(left, n - len(out))
            out += [parent] * take
            left -= take
        self._per_parent_at = (counts, parent, left)
        return out

    def _self_reference(
        self, fk: ForeignKey, n: int, rng: Random, cols: dict[str, list[Any]]
    ) -> list[tuple[Any, ...] | None]:
        # A tree: each row points at an earlier row (or none), so the reference always exists.
        if not all(c in cols for c in fk.ref_columns):
            self.report.warnings.append(
                f"{self.table.qualified_name}.{fk.columns[0]}: left NULL (the referenced "
                f"{', '.join(fk.ref_columns)} is filled by the database)"
            )
            return [None] * n
        own = list(zip(*(cols[c] for c in fk.ref_columns)))
        earlier = self._self_keys.setdefault(fk.name, OwnKeys())
        out: list[tuple[Any, ...] | None] = []
        r = rng.random
        for key in own:
            if earlier and r() < 0.7:
                out.append(earlier[int(r() * len(earlier))])
            else:
                # a root: NULL, or itself when the key is NOT NULL (checked at statement end)
                out.append(None if fk.nullable else key)
            earlier.append(key)
        return out

    def _apply_relations(self, cols: dict[str, list[Any]], n: int) -> None:
        relations = list(self.rules.relations)
        names = set(self.generators)
        for a, b in (
            ("created_at", "updated_at"),
            ("starts_at", "ends_at"),
            ("start_date", "end_date"),
        ):
            if (
                a in names
                and b in names
                and not any({r.left, r.right} == {a, b} for r in relations)
                # by name only between columns of one type: a timestamptz and a timestamp (aware
                # and naive datetimes) do not compare
                and scalar_type(self.table.column(a).base_type)
                == scalar_type(self.table.column(b).base_type)
            ):
                relations.append(Relation(a, "<=", b))
        for rel in relations:
            left, op, right = rel.left, rel.op, rel.right
            if op in (">", ">="):
                left, right, op = right, left, "<" if op == ">" else "<="
            if op in ("<>", "!="):
                op = "<"
            if left not in cols or right not in cols:
                continue
            if right in self._fk_by_column or right not in self.generators:
                continue
            lv, rv = cols[left], cols[right]
            strict = op == "<"
            r = self._rng_fix.random
            for i in range(n):
                a, b = lv[i], rv[i]
                if a is None or b is None or (a < b if strict else a <= b):
                    continue
                rv[i] = a + _step(a, r())

    def _apply_patterns(self, cols: dict[str, list[Any]]) -> None:
        """Redraw values that do not match a ``col ~ 'regex'`` check; give up with a clear error."""
        for name, rules in self.rules.columns.items():
            if not rules.patterns or name not in self.generators or name not in cols:
                continue
            compiled = [re.compile(p, re.IGNORECASE if ci else 0) for p, ci in rules.patterns]
            values = cols[name]
            gen, rng = self.generators[name], self._rng_col[name]
            for i, value in enumerate(values):
                tries = 0
                while value is not None and not all(c.search(str(value)) for c in compiled):
                    if tries == UNIQUE_RETRIES:
                        raise GenerationError(
                            f"{self.table.qualified_name}.{name}: generated values do not match the "
                            f"check pattern(s) {', '.join(p for p, _ in rules.patterns)}; configure a "
                            f"generator for {self.table.qualified_name}.{name}: in the plan set "
                            f'[tables."{self.table.qualified_name}".columns] {name} = ...'
                        )
                    value = gen(1, rng)[0]
                    tries += 1
                values[i] = value

    def _enforce_unique(self, cols: dict[str, list[Any]], n: int) -> list[int] | None:
        sets = self._checked_sets()
        if not sets:
            return None
        dropped: list[int] = []
        for i in range(n):
            for seen, key_cols in zip(self._seen, sets):
                key = tuple(cols[c][i] for c in key_cols)
                tries = 0
                while key in seen and None not in key and tries < UNIQUE_RETRIES:
                    self._redraw(cols, i, key_cols)
                    key = tuple(cols[c][i] for c in key_cols)
                    tries += 1
                if key in seen and None not in key:
                    dropped.append(i)
                    break
                if None not in key:
                    seen.add(key)
        if not dropped:
            return None
        self.report.dropped += len(dropped)
        gone = set(dropped)
        return [i for i in range(n) if i not in gone]

    def _redraw(self, cols: dict[str, list[Any]], i: int, key_cols: tuple[str, ...]) -> None:
        redrawn: set[str] = set()
        for c in key_cols:
            fk = self._fk_by_column.get(c)
            if fk is not None and fk.name not in redrawn:
                redrawn.add(fk.name)
                if fk.is_self_reference or (self.per_parent and fk is self.per_parent.fk):
                    continue  # the row's parent is fixed by the plan; vary its other columns
                key = self._rng_fk[fk.name].choice(self._parent_keys(fk))
                for j, col in enumerate(fk.columns):
                    if col in cols:
                        cols[col][i] = key[j]
            elif any(c in f.columns for f in self.table.foreign_keys):
                continue  # a parent given by the plan (mapping, association): keep it
            elif c in self.generators:
                gen = self.generators[c]
                rng = self._rng_col[c]
                cols[c][i] = gen.one(rng) if isinstance(gen, v.Mapped) else gen(1, rng)[0]

    def finish(self) -> None:
        """Record the unique-key relaxations once every batch has been generated."""
        if self.report.dropped and not any("dropped" in r for r in self.report.relaxations):
            self.report.relaxations.append(
                f"{self.table.qualified_name}: {self.report.dropped} of {self.total} rows dropped: "
                f"no unused combination for a unique key was found in {UNIQUE_RETRIES} tries"
            )


def deferred_values(
    seed: int,
    table: Table,
    fk: ForeignKey,
    own_keys: list[tuple[Any, ...]],
    parents: ParentKeys,
) -> list[tuple[Any, ...]]:
    """Values for a cycle-breaking foreign key left NULL at insert: ``(*fk values, *own key)``
    for each row of ``table`` identified by ``own_keys``; parents drawn from the key's own stream
    (without replacement when the key's columns are unique)."""
    if not parents.keys:
        return []
    rng = derive_rng(seed, table.qualified_name, "#deferred", fk.name)
    if any(set(s) == set(fk.columns) for s in table.unique_column_sets()):
        pool = list(parents.keys)
        rng.shuffle(pool)
        chosen = pool[: len(own_keys)]
    else:
        chosen = rng.choices(parents.keys, k=len(own_keys))
    return [(*p, *k) for p, k in zip(chosen, own_keys)]


def _step(value: Any, r: float) -> Any:
    """A small positive increment of the same kind as ``value``."""
    if isinstance(value, dt.datetime):
        return dt.timedelta(seconds=60 + int(r * 30 * 86400))
    if isinstance(value, dt.date):
        return dt.timedelta(days=1 + int(r * 30))
    if isinstance(value, dt.timedelta):
        return dt.timedelta(minutes=1 + int(r * 600))
    if isinstance(value, Decimal):
        exp = value.as_tuple().exponent
        unit = Decimal(1).scaleb(exp if isinstance(exp, int) else 0)
        return unit * (1 + int(r * 100))
    if isinstance(value, bool):
        return 1
    if isinstance(value, int):
        return 1 + int(r * 100)
    if isinstance(value, float):
        return 0.5 + r * 100
    raise GenerationError(f"cannot order values of type {type(value).__name__}")
