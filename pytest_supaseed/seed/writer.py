"""The bulk writer: psycopg 3 ``COPY ... FROM STDIN``, streaming column-wise batches.

Binary COPY is the fastest way into PostgreSQL from Python (research/perf-baselines.md §2: ~180k
rows/s against ~100k for text COPY and ~45k for ``executemany``). The binary format does not carry a
type per value, so an enum or ``citext`` value can travel as ``text``; but an *array* carries its
element type's oid and the server refuses a mismatch, so a table with an array of an enum, a domain
or an extension type is written in text format instead (same code, different ``FORMAT``).
"""

from __future__ import annotations

import contextlib
import json
import re
import struct
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import psycopg
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter
from psycopg.types.json import Json, Jsonb, set_json_dumps
from psycopg.types.string import BytesBinaryDumper

from ..generate.packed import PackedUUID
from ..schema.model import Column, Table

_MODIFIERS = re.compile(r"\([^)]*\)")

#: Scalar types psycopg dumps in binary by name (PostgreSQL's own spelling, as introspection gives).
_BINARY_SAFE = {
    "smallint",
    "integer",
    "bigint",
    "numeric",
    "real",
    "double precision",
    "boolean",
    "text",
    "character varying",
    "character",
    "uuid",
    "date",
    "timestamp with time zone",
    "timestamp without time zone",
    "time without time zone",
    "interval",
    "json",
    "jsonb",
    "bytea",
    "inet",
    "cidr",
}


def _plain(type_name: str) -> str:
    return _MODIFIERS.sub("", type_name).strip()


def _is_text_like(scalar: str) -> bool:
    # char(n): psycopg has no binary dumper for bpchar; its receive function reads plain text
    return scalar.endswith("citext") or scalar in ("name", "bpchar", "character")


def copy_type(column: Column) -> tuple[str, bool]:
    """The type name psycopg should dump ``column``'s values as, and whether binary works for it."""
    base = _plain(column.base_type)
    if column.is_array:
        element = _plain(column.element_type or base.removesuffix("[]"))
        if column.enum_labels is not None or element not in _BINARY_SAFE:
            # text format: the server parses '{a,b}' with the column's own element type
            return "text[]", False
        return f"{element}[]", True
    if column.enum_labels is not None or _is_text_like(base):
        return "text", True  # enum_recv / citext's receive read plain text
    if base in _BINARY_SAFE:
        return base, True
    if base == "money":
        return (
            "numeric",
            False,
        )  # money's binary form is an int8 of cents; its text input reads 12.34
    return "text", False


def copy_rows(
    conn: psycopg.Connection[Any],
    table: Table,
    columns: Sequence[str],
    batches: Iterable[dict[str, list[Any]] | int],
    *,
    on_batch: Callable[[int], None] | None = None,
    overlap: bool = False,
) -> int:
    """COPY ``batches`` into ``table`` and return the number of rows written.

    Each batch is ``{column: [values]}`` (all lists the same length) or, for a table whose columns
    are all left to the database, a plain row count. Runs in the caller's transaction. With
    ``overlap`` (several batches to come), a thread of psycopg's sends the rows while the next
    batch is generated, so the server keeps reading; one batch has nothing to overlap with.
    """
    if not columns:
        return _insert_defaults(conn, table, batches, on_batch)
    types, binary = [], True
    for name in columns:
        type_name, ok = copy_type(table.column(name))
        types.append(type_name)
        binary = binary and ok
    encoders: dict[str, Callable[[list[Any]], list[Any]]] = {}
    if binary:
        # Values whose binary form we build faster than psycopg's Python dumpers travel as
        # ready bytes ("bytea" to psycopg: passed through; the server reads them as the column)
        for i, name in enumerate(columns):
            encoder = binary_encoder(table.column(name), types[i])
            if encoder is not None:
                encoders[name] = encoder
                types[i] = "bytea"
    statement = sql.SQL("COPY {} ({}) FROM STDIN{}").format(
        sql.Identifier(table.schema, table.name),
        sql.SQL(", ").join(sql.Identifier(c) for c in columns),
        sql.SQL(" (FORMAT BINARY)" if binary else ""),
    )
    written = 0
    with conn.cursor() as cur:
        set_json_dumps(_PooledJsonDumps(), cur)
        if encoders:
            # by oid, psycopg dumps "bytea" with the dumper of its dbapi ``Binary`` wrapper (Python,
            # per value); its plain bytes dumper (C in psycopg-binary) passes the bytes through
            cur.adapters.register_dumper(None, BytesBinaryDumper)
        written = _copy(cur, statement, types, columns, batches, on_batch, encoders, overlap)
    return written


def _copy(
    cur: psycopg.Cursor[Any],
    statement: sql.Composed,
    types: list[str],
    columns: Sequence[str],
    batches: Iterable[dict[str, list[Any]] | int],
    on_batch: Callable[[int], None] | None,
    encoders: Mapping[str, Callable[[list[Any]], list[Any]]],
    overlap: bool,
) -> int:
    written = 0
    # A queued writer sends the formatted rows from a thread of its own: the server keeps reading
    # while this thread generates the next batch (a plain writer leaves it idle meanwhile).
    with cur.copy(statement, writer=_OverlappingWriter(cur) if overlap else None) as copy:
        copy.set_types(types)
        write_row = copy.write_row
        for batch in batches:
            assert not isinstance(batch, int)
            lists = [encoders[c](batch[c]) if c in encoders else batch[c] for c in columns]
            n = len(lists[0])
            for row in zip(*lists):
                write_row(row)
            written += n
            if on_batch is not None:
                on_batch(n)
    return written


class _OverlappingWriter(QueuedLibpqWriter):
    """psycopg's queued writer, which cancels the COPY when the code feeding it fails (an error
    in generation, Ctrl-C): its thread may be waiting on a server that stopped reading (a lock
    wait on a key another transaction holds), and ``finish`` waits for that thread."""

    def finish(self, exc: BaseException | None = None) -> None:
        # `_worker` (psycopg 3.1+): the thread exists once a block was queued; absent, cancel anyway
        if exc is not None and getattr(self, "_worker", True) is not None:
            with contextlib.suppress(psycopg.Error):
                self.connection.cancel_safe(timeout=10.0)
        super().finish(exc)


# Element types of 1-D arrays encoded by :func:`binary_encoder`: oid and str -> bytes.
_TEXT_ELEMENT_OIDS = {"text": 25, "character varying": 1043, "character": 1042}
_ARRAY_HEAD = struct.Struct(">iiIii")  # ndim, has-null flag, element oid, length, lower bound
_LENGTH = struct.Struct(">i").pack
_NULL_ELEMENT = _LENGTH(-1)


def binary_encoder(column: Column, copy_type_name: str) -> Callable[[list[Any]], list[Any]] | None:
    """A batch encoder to the binary COPY form of ``column``'s values, or None (psycopg dumps).

    Covers the values psycopg dumps in Python, per value, on the hot path: ``uuid`` (its 16
    bytes), ``json``/``jsonb`` (each distinct object encoded once, as :class:`_PooledJsonDumps`
    does for psycopg) and one-dimensional text arrays (``text[]``, ``varchar[]``, ``char[]``).
    The bytes are what ``uuid_recv``/``jsonb_recv``/``array_recv`` read; anything unexpected in a value (a nested list, a
    non-string element) raises ``TypeError`` rather than writing a wrong value.
    """
    base = _plain(column.base_type)
    if copy_type_name == "uuid" and base == "uuid":
        return _uuid_encoder
    if copy_type_name in ("json", "jsonb") and base == copy_type_name:
        return _json_encoder(b"\x01" if base == "jsonb" else b"")
    if column.is_array and copy_type_name.endswith("[]"):
        oid = _TEXT_ELEMENT_OIDS.get(copy_type_name.removesuffix("[]"))
        if oid is not None and base.endswith("[]") and base.count("[]") == 1:
            return _text_array_encoder(oid)
    return None


def _uuid_encoder(values: list[Any]) -> list[Any]:
    # uuid_recv reads the 16 bytes of UUID.bytes; psycopg's uuid dumper is Python, per value
    out: list[Any] = []
    append = out.append
    cls = uuid.UUID
    for value in values:
        if value.__class__ is cls:
            append(value.int.to_bytes(16, "big"))
        elif value.__class__ is PackedUUID:
            append(value.raw)  # a key drawn from packed parent keys: its bytes as they came
        elif value is None:
            append(None)
        elif isinstance(value, cls):
            append(value.bytes)
        else:
            raise TypeError(f"uuid value {value!r} is not a UUID")
    return out


def _json_encoder(prefix: bytes) -> Callable[[list[Any]], list[Any]]:
    cache: dict[int, tuple[object, bytes]] = {}

    def encode(values: list[Any]) -> list[Any]:
        out: list[Any] = []
        append = out.append
        for value in values:
            if value is None:
                append(None)
                continue
            hit = cache.get(id(value))
            if hit is not None and hit[0] is value:
                append(hit[1])
                continue
            obj = value.obj if isinstance(value, Json | Jsonb) else value
            data = prefix + json.dumps(obj).encode()
            if len(cache) < _PooledJsonDumps.LIMIT:
                cache[id(value)] = (value, data)  # holds the object: its id is not reused
            append(data)
        return out

    return encode


def _text_array_encoder(oid: int) -> Callable[[list[Any]], list[Any]]:
    empty = struct.pack(">iiI", 0, 0, oid)
    head = _ARRAY_HEAD.pack
    length = _LENGTH
    elements: dict[str, bytes] = {}  # element -> its length-prefixed bytes (values repeat)

    def element(text: str) -> bytes:
        if text.__class__ is not str:
            raise TypeError(f"array element {text!r} is not a string")
        data = text.encode()
        encoded = length(len(data)) + data
        if len(elements) < 100_000:
            elements[text] = encoded
        return encoded

    def encode(values: list[Any]) -> list[Any]:
        out: list[Any] = []
        append = out.append
        get = elements.get
        for value in values:
            if value is None:
                append(None)
            elif not value:
                append(empty)
            else:
                parts = [
                    _NULL_ELEMENT
                    if e is None
                    else (get(e) if e.__class__ is str else None) or element(e)
                    for e in value
                ]
                has_null = 1 if None in value else 0
                append(head(1, has_null, oid, len(value), 1) + b"".join(parts))
        return out

    return encode


class _PooledJsonDumps:
    """``json.dumps`` that remembers the text of each object it has seen.

    Generated JSON values are drawn from a pool of a few hundred objects, so the same dict is sent
    thousands of times; encoding it once instead of per row makes JSON columns as cheap as text.
    The cache holds the object itself, so an ``id`` is never reused while it is in the cache.
    """

    LIMIT = 10_000

    def __init__(self) -> None:
        self.cache: dict[int, tuple[object, str]] = {}

    def __call__(self, obj: Any) -> str:
        hit = self.cache.get(id(obj))
        if hit is not None and hit[0] is obj:
            return hit[1]
        text = json.dumps(obj)
        if len(self.cache) < self.LIMIT:
            self.cache[id(obj)] = (obj, text)
        return text


def _insert_defaults(
    conn: psycopg.Connection[Any],
    table: Table,
    batches: Iterable[dict[str, list[Any]] | int],
    on_batch: Callable[[int], None] | None,
) -> int:
    # Every column is the database's: a zero-column SELECT inserts rows made of defaults only.
    statement = sql.SQL("INSERT INTO {} SELECT FROM generate_series(1, %s)").format(
        sql.Identifier(table.schema, table.name)
    )
    written = 0
    for batch in batches:
        n = batch if isinstance(batch, int) else 0
        conn.execute(statement, (n,))
        written += n
        if on_batch is not None:
            on_batch(n)
    return written


@contextlib.contextmanager
def user_triggers_disabled(conn: psycopg.Connection[Any], table: str) -> Iterator[list[str]]:
    """Disable ``table``'s enabled user triggers for the block; yield their names.

    Use inside ``conn.transaction()``: the ``ALTER TABLE`` statements are part of it, so other sessions
    never see the triggers off, and an error rolls them back with everything else. On exit each
    trigger gets its own mode back (``ENABLE`` or ``ENABLE ALWAYS``); triggers that were already
    disabled, and replica-only ones, are not touched. Raises ``InsufficientPrivilege`` when the
    role does not own the table.
    """
    triggers = conn.execute(
        "select tgname, tgenabled from pg_trigger where tgrelid = %s::regclass "
        "and not tgisinternal and tgenabled in ('O', 'A') order by tgname",
        [table],
    ).fetchall()
    schema, name = table.split(".", 1)
    ident = sql.Identifier(schema, name)
    for trigger, _ in triggers:
        conn.execute(
            sql.SQL("ALTER TABLE {} DISABLE TRIGGER {}").format(ident, sql.Identifier(trigger))
        )
    yield [t for t, _ in triggers]
    for trigger, mode in triggers:
        conn.execute(
            sql.SQL("ALTER TABLE {} ENABLE {}TRIGGER {}").format(
                ident, sql.SQL("ALWAYS " if mode == "A" else ""), sql.Identifier(trigger)
            )
        )
