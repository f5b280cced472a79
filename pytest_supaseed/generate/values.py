"""Value generators: each makes ``n`` values of one column in one call, from a ``random.Random``.

Column-wise generation is what makes seeding fast: one ``rng.choices(pool, k=n)`` replaces ``n``
calls into a data library. A generator is a small object with ``__call__(n, rng) -> list`` and a
``unique`` flag that says its values never repeat within one run (by construction, not by luck), so
the engine can skip duplicate checks for it.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import sys
from array import array
from collections.abc import Callable, Sequence
from decimal import Decimal
from itertools import accumulate
from random import Random
from typing import Any

from . import packed

#: Fixed reference instant for generated dates and times. Never ``now()``: seeding must give the
#: same rows tomorrow.
REFERENCE = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
_UTC = dt.UTC


_BIG_ENDIAN = sys.byteorder == "big"


def random_words(rng: Random, n: int, typecode: str) -> array[int]:
    """``n`` random unsigned integers of ``typecode`` (``B``, ``H`` or ``I``) from one call.

    One ``randbytes`` call per batch instead of one ``random()`` per value; byte order is fixed
    (little-endian) so the same seed gives the same values on every machine.
    """
    words = array(typecode)
    words.frombytes(rng.randbytes(n * words.itemsize))
    if _BIG_ENDIAN:
        words.byteswap()
    return words


def random_indices(rng: Random, n: int, size: int) -> list[int]:
    """``n`` indices in ``range(size)``, uniform (bias below 2**-16 for pools up to 65,536)."""
    if size <= 1 << 16:
        return [(w * size) >> 32 for w in random_words(rng, n, "I")]
    r = rng.random
    return [int(r() * size) for _ in range(n)]


class ValueGenerator:
    """Base of every generator. ``unique``: values never repeat within one generator's life."""

    unique: bool = False

    def __call__(self, n: int, rng: Random) -> list[Any]:
        raise NotImplementedError


class Constant(ValueGenerator):
    """The same value for every row (a plan override, or ``None`` for NULL)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __call__(self, n: int, rng: Random) -> list[Any]:
        return [self.value] * n


class Choice(ValueGenerator):
    """Values drawn uniformly from a fixed pool, one ``rng.choices`` call per batch."""

    def __init__(self, pool: Sequence[Any]) -> None:
        if not pool:
            raise ValueError("empty pool")
        self.pool = list(pool)

    def __call__(self, n: int, rng: Random) -> list[Any]:
        pool = self.pool
        return list(map(pool.__getitem__, random_indices(rng, n, len(pool))))


class Counter(ValueGenerator):
    """Unique values ``fmt(i)`` for i = start, start + 1, ... (ids, codes with a sequence)."""

    unique = True

    def __init__(self, start: int = 1, fmt: Callable[[int], Any] | None = None) -> None:
        self.next = start
        self.fmt = fmt

    def __call__(self, n: int, rng: Random) -> list[Any]:
        start = self.next
        self.next += n
        values = range(start, start + n)
        return list(values) if self.fmt is None else [self.fmt(i) for i in values]


class Integers(ValueGenerator):
    """Integers in ``[low, high]`` (inclusive), uniform."""

    def __init__(self, low: int, high: int) -> None:
        if low > high:
            raise ValueError(f"empty range [{low}, {high}]")
        self.low, self.span = low, high - low + 1

    def __call__(self, n: int, rng: Random) -> list[Any]:
        low, span = self.low, self.span
        if span <= 1 << 16:
            return [low + ((w * span) >> 32) for w in random_words(rng, n, "I")]
        if span > 1 << 52:  # floats lose precision beyond 2**53; slower exact path
            return [low + rng.randrange(span) for _ in range(n)]
        r = rng.random
        return [low + int(r() * span) for _ in range(n)]


class Floats(ValueGenerator):
    """Floats in ``[low, high)``, rounded to ``digits`` decimals."""

    def __init__(self, low: float, high: float, digits: int = 4) -> None:
        self.low, self.span, self.digits = low, high - low, digits

    def __call__(self, n: int, rng: Random) -> list[Any]:
        r, low, span, d = rng.random, self.low, self.span, self.digits
        return [round(low + r() * span, d) for _ in range(n)]


class Decimals(ValueGenerator):
    """``Decimal`` values in ``[low, high]`` with ``scale`` digits after the point."""

    def __init__(self, low: Decimal, high: Decimal, scale: int) -> None:
        self.scale = scale
        unit = Decimal(1).scaleb(-scale)
        self.ints = Integers(int(low / unit), int(high / unit))

    def __call__(self, n: int, rng: Random) -> list[Any]:
        s = -self.scale
        return [Decimal(i).scaleb(s) for i in self.ints(n, rng)]


class Booleans(ValueGenerator):
    """``True`` with probability ``p_true``."""

    def __init__(self, p_true: float = 0.5) -> None:
        self.p = p_true

    def __call__(self, n: int, rng: Random) -> list[Any]:
        cut = int(self.p * 65536)
        return [w < cut for w in random_words(rng, n, "H")]


#: Byte 6 of a version-4 UUID (big-endian): version 4 in the high nibble.
_VERSION_4 = bytes((b & 0x0F) | 0x40 for b in range(256))
#: Byte 8: the RFC 4122 variant in the two high bits.
_VARIANT = bytes((b & 0x3F) | 0x80 for b in range(256))


class Uuids(ValueGenerator):
    """Random version-4 UUIDs from the stream (never ``gen_random_uuid()``: not reproducible).

    Value ``i`` is ``getrandbits(128)`` of the stream with the version and variant bits set, made
    from one ``randbytes`` call per batch (the same bits: ``randbytes`` is ``getrandbits``
    little-endian) as :class:`~pytest_supaseed.generate.packed.PackedUUID` objects on their 16
    bytes, which the COPY writer sends as they are.

    Marked unique: 122 random bits make a collision in any realistic seed astronomically unlikely,
    and the database's own key check would report one.
    """

    unique = True

    def __call__(self, n: int, rng: Random) -> list[Any]:
        data = bytearray(rng.randbytes(16 * n))
        data.reverse()  # each value big-endian, the last value first
        data[6::16] = data[6::16].translate(_VERSION_4)
        data[8::16] = data[8::16].translate(_VARIANT)
        raw = bytes(data)
        new, set_raw, cls = object.__new__, packed.set_raw, packed.PackedUUID
        out: list[Any] = []
        append = out.append
        for start in range(16 * (n - 1), -1, -16):
            value = new(cls)
            set_raw(value, raw[start : start + 16])
            append(value)
        return out


class Timestamps(ValueGenerator):
    """Instants between ``start`` and ``end``, to the second; naive when ``tz`` is False."""

    def __init__(self, start: dt.datetime, end: dt.datetime, tz: bool = True) -> None:
        self.start = start if tz else start.replace(tzinfo=None)
        self.seconds = Integers(0, int((end - start).total_seconds()))
        days = (end - start).days + 1
        self.days = [self.start + dt.timedelta(days=d) for d in range(days)]

    def __call__(self, n: int, rng: Random) -> list[Any]:
        # day + time of day from two tables: one addition per value instead of building a
        # timedelta each time (3x faster; the same instants as start + seconds)
        days, tods = self.days, _times_of_day()
        return [days[s // 86400] + tods[s % 86400] for s in self.seconds(n, rng)]


@functools.lru_cache(maxsize=1)
def _times_of_day() -> tuple[dt.timedelta, ...]:
    """The 86,400 seconds of a day as timedeltas, built once per process (~10 ms, ~4 MB)."""
    return tuple(dt.timedelta(seconds=s) for s in range(86400))


class Dates(ValueGenerator):
    """Dates between ``start`` and ``end`` inclusive."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        days = (end - start).days
        self.pool = Choice([start + dt.timedelta(days=d) for d in range(days + 1)])

    def __call__(self, n: int, rng: Random) -> list[Any]:
        return self.pool(n, rng)


class Times(ValueGenerator):
    """Times of day to the minute."""

    def __init__(self) -> None:
        self.pool = Choice([dt.time(h, m) for h in range(24) for m in range(60)])

    def __call__(self, n: int, rng: Random) -> list[Any]:
        return self.pool(n, rng)


class Intervals(ValueGenerator):
    """Durations between 1 minute and 30 days, to the minute."""

    def __init__(self) -> None:
        self.minutes = Integers(1, 30 * 24 * 60)

    def __call__(self, n: int, rng: Random) -> list[Any]:
        td = dt.timedelta
        return [td(minutes=m) for m in self.minutes(n, rng)]


class Bytes(ValueGenerator):
    """Random byte strings of ``size`` bytes."""

    def __init__(self, size: int = 16) -> None:
        self.size = size

    def __call__(self, n: int, rng: Random) -> list[Any]:
        size = self.size
        blob = rng.randbytes(size * n)
        return [blob[i : i + size] for i in range(0, size * n, size)]


class IPv4(ValueGenerator):
    """IPv4 addresses in private and documentation ranges, never a real host."""

    def __init__(self) -> None:
        self.ints = Integers(0, (1 << 24) - 1)

    def __call__(self, n: int, rng: Random) -> list[Any]:
        base = int(ipaddress.IPv4Address("10.0.0.0"))
        return [ipaddress.IPv4Address(base + i) for i in self.ints(n, rng)]


class Texts(ValueGenerator):
    """Strings from a pool, fitted into ``[min_length, max_length]``; unique with a suffix.

    ``unique`` appends ``sep + counter`` (``"Berlin-17"``) so values never repeat; when the limit
    is short the pool value is cut to make room, and when even the counter does not fit a compact
    base-36 code is used alone.
    """

    def __init__(
        self,
        pool: Sequence[str],
        *,
        max_length: int | None = None,
        min_length: int | None = None,
        unique: bool = False,
        sep: str = "-",
        filler: Sequence[str] = (),
    ) -> None:
        self.pool = Choice(pool)
        self.max_length = max_length
        self.min_length = min_length or 0
        self.unique = unique
        self.sep = sep
        self.filler = list(filler) or list(pool)
        self.next = 1

    def __call__(self, n: int, rng: Random) -> list[Any]:
        values: list[str] = self.pool(n, rng)
        if self.min_length:
            values = [self._pad(v, rng) for v in values]
        if self.unique:
            start = self.next
            self.next += n
            values = [self._with_suffix(v, i) for v, i in zip(values, range(start, start + n))]
        elif self.max_length is not None:
            m = self.max_length
            values = [v if len(v) <= m else v[:m].rstrip() or v[:m] for v in values]
        return values

    def _pad(self, value: str, rng: Random) -> str:
        while len(value) < self.min_length:
            value = f"{value} {rng.choice(self.filler)}"
        return value

    def _with_suffix(self, value: str, i: int) -> str:
        suffix = f"{self.sep}{i}"
        m = self.max_length
        if m is None or len(value) + len(suffix) <= m:
            return value + suffix
        if len(suffix) < m:
            return value[: m - len(suffix)] + suffix
        code = _base36(i)
        if len(code) > m:
            raise OverflowError(f"{i} unique values do not fit in {m} characters")
        return code.rjust(m, "0") if self.min_length >= m else code


def _base36(i: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        i, r = divmod(i, 36)
        out = digits[r] + out
        if i == 0:
            return out


class Emails(ValueGenerator):
    """``first.last<i>@domain``: realistic and unique by construction (lower case)."""

    unique = True

    def __init__(
        self,
        first: Sequence[str],
        last: Sequence[str],
        domains: Sequence[str],
        max_length: int | None = None,
    ) -> None:
        self.first, self.last = (
            Choice([f.lower() for f in first]),
            Choice([s.lower() for s in last]),
        )
        self.domains = Choice(domains)
        self.max_length = max_length
        self.next = 1

    def __call__(self, n: int, rng: Random) -> list[Any]:
        start = self.next
        self.next += n
        values = [
            f"{f}.{s}{i}@{d}"
            for f, s, d, i in zip(
                self.first(n, rng), self.last(n, rng), self.domains(n, rng), range(start, start + n)
            )
        ]
        m = self.max_length
        if m is not None:
            values = [
                v if len(v) <= m else f"u{i}@ex.io"[:m]
                for v, i in zip(values, range(start, start + n))
            ]
        return values


class Joined(ValueGenerator):
    """Several generators' values joined per row: ``fmt(a, b, ...)``."""

    def __init__(
        self, parts: Sequence[ValueGenerator], fmt: Callable[..., str], unique: bool = False
    ) -> None:
        self.parts = list(parts)
        self.fmt = fmt
        self.unique = unique or any(p.unique for p in parts)

    def __call__(self, n: int, rng: Random) -> list[Any]:
        columns = [p(n, rng) for p in self.parts]
        fmt = self.fmt
        return [fmt(*row) for row in zip(*columns)]


class Arrays(ValueGenerator):
    """Lists of 0..``max_items`` elements from ``element``; one element call per batch."""

    def __init__(self, element: ValueGenerator, max_items: int = 3, min_items: int = 0) -> None:
        self.element = element
        self.sizes = Integers(min_items, max_items)

    def __call__(self, n: int, rng: Random) -> list[Any]:
        sizes = self.sizes(n, rng)
        flat = self.element(sum(sizes), rng)
        ends = list(accumulate(sizes))
        return [flat[end - size : end] for end, size in zip(ends, sizes)]


class WithNulls(ValueGenerator):
    """Another generator's values with a fraction ``rate`` replaced by NULL."""

    def __init__(self, inner: ValueGenerator, rate: float) -> None:
        self.inner = inner
        self.rate = rate
        self.unique = inner.unique

    def __call__(self, n: int, rng: Random) -> list[Any]:
        values = self.inner(n, rng)
        cut = int(self.rate * 65536)
        return [None if w < cut else v for v, w in zip(values, random_words(rng, n, "H"))]


class Mapped(ValueGenerator):
    """Values given row by row (asset rows), in order; ``fallback`` fills the rows that have none.

    ``values[i]`` is the value of row ``i`` or :data:`MISSING_VALUE`. A redraw of a single value
    (to resolve a unique-key collision) comes from ``fallback``, never from the given values.
    """

    def __init__(self, values: Sequence[Any], fallback: ValueGenerator) -> None:
        self.values = list(values)
        self.fallback = fallback
        self.pos = 0

    def __call__(self, n: int, rng: Random) -> list[Any]:
        chunk = self.values[self.pos : self.pos + n]
        self.pos += n
        chunk += [MISSING_VALUE] * (n - len(chunk))
        holes = [i for i, value in enumerate(chunk) if value is MISSING_VALUE]
        if holes:
            filled = self.fallback(len(holes), rng)
            for i, value in zip(holes, filled):
                chunk[i] = value
        return chunk

    def one(self, rng: Random) -> Any:
        """A single replacement value (from the fallback)."""
        return self.fallback(1, rng)[0]


MISSING_VALUE: Any = object()
"""Marks a row without a given value in :class:`Mapped`."""


class PerValue(ValueGenerator):
    """One call of ``make(rng)`` per value: for plan expressions (slow path, opt-in)."""

    def __init__(self, make: Callable[[Random], Any]) -> None:
        self.make = make

    def __call__(self, n: int, rng: Random) -> list[Any]:
        make = self.make
        return [make(rng) for _ in range(n)]
