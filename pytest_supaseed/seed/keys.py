"""Keys of a parent table, read for its children's foreign keys, in bounded memory.

A child table draws each row's parent from the parent's keys, ordered by value
(:class:`~pytest_supaseed.generate.table.ParentKeys`). As Python objects a key costs ~150 bytes (a
tuple, a ``UUID``, its ``int``): 3 million task ids would take ~450 MB. A single ``uuid`` or integer
key is therefore read packed: the server sends each chunk of keys as one ``bytea`` of their binary
forms (``uuid_send``, ``int8send`` ...), and :class:`PackedKeys` keeps those bytes (16 bytes a uuid)
and builds the tuple of the one key a draw picks (a uuid as a
:class:`~pytest_supaseed.generate.packed.PackedUUID` on its 16 bytes, which the writer sends as
they are). ``random.choices`` and ``random.choice`` read a
population only through ``len`` and indexing, so the rows drawn are exactly those drawn from a list.
Other keys (several columns, text ...) and small tables are read as a list of tuples.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, overload

import psycopg
from psycopg import sql

from ..generate.packed import packed_uuid
from ..schema.model import ForeignKey

__all__ = ["PACKED_MIN_ROWS", "PackedKeys", "read_parent_keys"]

Conn = psycopg.Connection[Any]

#: Parents with fewer keys than this are read as a plain list (faster to draw from).
PACKED_MIN_ROWS = 100_000
#: Keys per query when reading packed keys (a chunk is at most 4 MB of uuids).
CHUNK_ROWS = 250_000


#: base type -> (send function, width in bytes, decoder from bytes)
_PACKABLE: dict[str, tuple[str, int, Callable[[bytes | bytearray], Any]]] = {
    "uuid": ("uuid_send", 16, packed_uuid),
    "bigint": ("int8send", 8, lambda b: int.from_bytes(b, "big", signed=True)),
    "integer": ("int4send", 4, lambda b: int.from_bytes(b, "big", signed=True)),
    "smallint": ("int2send", 2, lambda b: int.from_bytes(b, "big", signed=True)),
}


class PackedKeys(Sequence[tuple[Any, ...]]):
    """One-column keys stored as their fixed-width binary forms; item ``i`` is ``(key,)``."""

    def __init__(
        self, data: bytes | bytearray, width: int, decode: Callable[[bytes | bytearray], Any]
    ) -> None:
        self._data = data
        self._width = width
        self._decode = decode
        self._len = len(data) // width

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, index: int) -> tuple[Any, ...]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[Any, ...]]: ...

    def __getitem__(self, index: int | slice) -> tuple[Any, ...] | Sequence[tuple[Any, ...]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._len))]
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError("key index out of range")
        start = index * self._width
        return (self._decode(self._data[start : start + self._width]),)

    def column(self, indices: Iterable[int]) -> list[Any]:
        """The keys at ``indices`` as plain values (not 1-tuples): what ``[self[i][0] for i in
        indices]`` gives, without a method call and a tuple per key."""
        data, width, decode = self._data, self._width, self._decode
        return [decode(data[i * width : i * width + width]) for i in indices]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        for i in range(self._len):
            yield self[i]

    @property
    def nbytes(self) -> int:
        """Bytes the keys take."""
        return len(self._data)


def read_parent_keys(conn: Conn, fk: ForeignKey) -> Sequence[tuple[Any, ...]]:
    """The non-NULL keys ``fk`` references, ordered by value: packed when the key is one
    ``uuid``/integer column of a table with at least :data:`PACKED_MIN_ROWS` rows, else a list."""
    ref_schema, ref_name = fk.ref_table.split(".", 1)
    ident = sql.Identifier(ref_schema, ref_name)
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in fk.ref_columns)
    packable = None
    if len(fk.ref_columns) == 1:
        row = conn.execute(
            "select atttypid::regtype::text from pg_attribute where attrelid = %s::regclass "
            "and attname = %s and attndims = 0",
            [f'"{ref_schema}"."{ref_name}"', fk.ref_columns[0]],
        ).fetchone()
        packable = _PACKABLE.get(str(row[0])) if row is not None else None
    if packable is not None:
        (estimate,) = conn.execute(
            "select greatest(reltuples, 0)::bigint from pg_class where oid = %s::regclass",
            [f'"{ref_schema}"."{ref_name}"'],
        ).fetchone() or (0,)
        if int(estimate) < PACKED_MIN_ROWS:
            (exact,) = conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(ident)
            ).fetchone() or (0,)
            if int(exact) < PACKED_MIN_ROWS:
                packable = None
    if packable is None:
        not_null = sql.SQL(" AND ").join(
            sql.SQL("{} IS NOT NULL").format(sql.Identifier(c)) for c in fk.ref_columns
        )
        rows = conn.execute(
            sql.SQL("SELECT {} FROM {} WHERE {} ORDER BY {}").format(cols, ident, not_null, cols)
        ).fetchall()
        return [tuple(r) for r in rows]
    send, width, decode = packable
    column_id = sql.Identifier(fk.ref_columns[0])
    first = sql.SQL(
        "SELECT string_agg({send}(k), ''::bytea ORDER BY k) FROM (SELECT {c} AS k FROM {t} "
        "WHERE {c} IS NOT NULL ORDER BY {c} LIMIT {n}) s"
    ).format(send=sql.SQL(send), c=column_id, t=ident, n=sql.Literal(CHUNK_ROWS))
    after = sql.SQL(
        "SELECT string_agg({send}(k), ''::bytea ORDER BY k) FROM (SELECT {c} AS k FROM {t} "
        "WHERE {c} > %s ORDER BY {c} LIMIT {n}) s"
    ).format(send=sql.SQL(send), c=column_id, t=ident, n=sql.Literal(CHUNK_ROWS))
    data = bytearray()
    last: Any = None
    with conn.cursor(binary=True) as cur:
        while True:
            row = cur.execute(
                first if last is None else after, None if last is None else [last]
            ).fetchone()
            chunk = bytes(row[0]) if row is not None and row[0] is not None else b""
            data += chunk
            if len(chunk) < CHUNK_ROWS * width:
                break
            last = decode(chunk[-width:])
    return PackedKeys(data, width, decode)  # no copy: the bytearray is the store
