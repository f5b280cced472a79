"""Keys held in compact form while a table is generated: a table's own keys for its
self-references, and a shuffled order of parent keys for one-to-one foreign keys.

As Python objects a key costs ~100-150 bytes (a tuple, a ``UUID`` and its ``int``); 10 million of
them would take well over a gigabyte. A one-column ``uuid`` key is kept here as its 16 bytes and an
integer key as 8; an order of keys as 4-byte indices. Anything else (several columns, text keys)
stays a list of tuples.
"""

from __future__ import annotations

import uuid
from array import array
from collections.abc import Callable
from random import Random
from typing import Any

__all__ = ["OwnKeys", "PackedUUID", "packed_uuid", "set_raw", "shuffled_order"]

_UUID, _from_bytes = uuid.UUID, int.from_bytes


class PackedUUID(uuid.UUID):
    """A ``UUID`` that keeps its 16 bytes and derives ``int`` from them when asked.

    Equal to, hashed and ordered as the ``UUID`` of the same value, and printed the same. Generated
    uuids (``values.Uuids``) and keys drawn from packed parent keys are these: building one costs
    one slot instead of an ``int`` and two slots, and the COPY writer sends its bytes as they are
    (``seed/writer.py``), so a uuid never becomes an ``int`` on its way to the server.
    """

    __slots__ = ("raw",)
    raw: bytes | bytearray

    is_safe = uuid.SafeUUID.unknown  # type: ignore[misc]  # typeshed: Final

    @property  # type: ignore[misc]  # typeshed: Final
    def int(self) -> int:
        """The 128-bit value (read from the bytes)."""
        return _from_bytes(self.raw, "big")

    def __repr__(self) -> str:
        return f"UUID('{self}')"

    def __reduce__(self) -> tuple[Any, ...]:
        return (uuid.UUID, (None, None, None, None, self.int))


_new_packed = object.__new__
#: ``set_raw(value, data)`` sets the bytes of a new :class:`PackedUUID` (its only slot).
set_raw: Callable[[PackedUUID, bytes | bytearray], None] = vars(PackedUUID)["raw"].__set__


def packed_uuid(data: bytes | bytearray) -> PackedUUID:
    """The :class:`PackedUUID` of 16 bytes (kept as they are: not copied, not checked)."""
    value = _new_packed(PackedUUID)
    set_raw(value, data)
    return value


class OwnKeys:
    """An append-only list of one table's keys (1-tuples or wider), packed when every key so far
    is one ``uuid.UUID`` (16 bytes each) or one 64-bit ``int`` (8 bytes each); ``self[i]`` gives
    back an equal tuple. A key that does not fit the packed form turns the store into a list."""

    def __init__(self) -> None:
        self._uuids: bytearray | None = None
        self._ints: array[int] | None = None
        self._list: list[tuple[Any, ...]] | None = None

    def __len__(self) -> int:
        if self._uuids is not None:
            return len(self._uuids) // 16
        if self._ints is not None:
            return len(self._ints)
        return len(self._list) if self._list is not None else 0

    def __getitem__(self, index: int) -> tuple[Any, ...]:
        if self._uuids is not None:
            start = index * 16
            return (packed_uuid(bytes(self._uuids[start : start + 16])),)
        if self._ints is not None:
            return (self._ints[index],)
        assert self._list is not None
        return self._list[index]

    def append(self, key: tuple[Any, ...]) -> None:
        """Add ``key`` at the end."""
        if self._list is None and self._uuids is None and self._ints is None:
            self._start(key)
        if self._uuids is not None:
            if len(key) == 1 and type(key[0]) is PackedUUID and len(key[0].raw) == 16:
                self._uuids += key[0].raw
                return
            if len(key) == 1 and type(key[0]) is _UUID:
                self._uuids += key[0].bytes
                return
            self._unpack()
        elif self._ints is not None:
            if len(key) == 1 and type(key[0]) is int and -(1 << 63) <= key[0] < 1 << 63:
                self._ints.append(key[0])
                return
            self._unpack()
        assert self._list is not None
        self._list.append(key)

    def truncate(self, length: int) -> None:
        """Keep the first ``length`` keys only."""
        if self._uuids is not None:
            del self._uuids[length * 16 :]
        elif self._ints is not None:
            del self._ints[length:]
        elif self._list is not None:
            del self._list[length:]

    @property
    def nbytes(self) -> int:
        """Bytes the packed keys take (0 for a list)."""
        if self._uuids is not None:
            return len(self._uuids)
        return len(self._ints) * self._ints.itemsize if self._ints is not None else 0

    def _start(self, key: tuple[Any, ...]) -> None:
        if len(key) == 1 and type(key[0]) in (_UUID, PackedUUID):
            self._uuids = bytearray()
        elif len(key) == 1 and type(key[0]) is int:
            self._ints = array("q")
        else:
            self._list = []

    def _unpack(self) -> None:
        self._list = [self[i] for i in range(len(self))]
        self._uuids = self._ints = None


def shuffled_order(size: int, rng: Random) -> array[int]:
    """``range(size)`` shuffled by ``rng`` as 4-byte indices (8 beyond 2**32 keys).

    ``Random.shuffle`` reads a sequence only through ``len`` and swaps, so ``keys[order[i]]`` is
    ``pool[i]`` of ``pool = list(keys); rng.shuffle(pool)``: the same draws, without a list of
    every key.
    """
    order = array("I" if size <= 0xFFFFFFFF else "Q", range(size))
    rng.shuffle(order)
    return order
