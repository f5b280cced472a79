"""Choosing a value generator for a column from its type, its name and its checks.

The type decides what is valid (``varchar(40)``, ``numeric(6,2)``, an enum's labels); the name
decides what looks real (``email``, ``city``, ``price``, ``created_at``); the table's CHECK
constraints narrow both (ranges, ``IN`` lists, length bounds). A column whose type is not understood
gets a :class:`GenerationError` naming ``table.column`` and the plan key that fixes it.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from ..errors import GenerationError
from ..schema.model import Column, Table
from . import values as v
from .checks import ColumnRules
from .vocab import Vocabulary

#: Integer types: (low, high) of the type itself.
INT_RANGES: dict[str, tuple[int, int]] = {
    "smallint": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "bigint": (-(2**63), 2**63 - 1),
}
TEXT_TYPES = ("text", "character varying", "character", "citext", "name", "bpchar", "varchar")
_MOD = re.compile(r"\(.*\)")


def scalar_type(type_name: str) -> str:
    """``type_name`` without modifiers, array brackets or a ``pg_catalog``/``extensions`` prefix."""
    base = _MOD.sub("", type_name.removesuffix("[]")).strip()
    if base.endswith(".citext"):  # lives in whichever schema the extension was created in
        return "citext"
    return base.removeprefix("pg_catalog.")


def _words(name: str) -> set[str]:
    return set(name.lower().split("_"))


def _has(name: str, *needles: str) -> bool:
    words = _words(name)
    return any(n in words or name.lower() == n for n in needles)


def _column_ref(table: Table, column: Column) -> str:
    return f"{table.qualified_name}.{column.name}"


def _fix(table: Table, column: Column) -> str:
    return (
        f"configure a generator for {_column_ref(table, column)}: in the plan set "
        f'[tables."{table.qualified_name}".columns] {column.name} = <constant> or '
        f'"{{{{ faker.<method>() }}}}"'
    )


_PEOPLE = (
    "users",
    "user",
    "profiles",
    "profile",
    "people",
    "persons",
    "person",
    "members",
    "member",
    "authors",
    "author",
    "customers",
    "customer",
    "contacts",
    "contact",
    "employees",
    "employee",
    "students",
    "student",
    "patients",
    "patient",
    "players",
    "player",
    "staff",
    "accounts",
)
_ORGANISATIONS = (
    "organizations",
    "organization",
    "organisations",
    "organisation",
    "orgs",
    "org",
    "companies",
    "company",
    "teams",
    "team",
    "brands",
    "brand",
    "vendors",
    "vendor",
    "suppliers",
    "supplier",
    "tenants",
    "tenant",
    "workspaces",
    "workspace",
    "clubs",
    "club",
)


def text_generator(
    column: Column,
    rules: ColumnRules,
    vocab: Vocabulary,
    *,
    unique: bool,
    table_name: str = "",
) -> v.ValueGenerator:
    """A realistic text generator chosen by the column's name, fitted to its length limits."""
    name = column.name.lower()
    max_len = column.max_length
    if rules.max_length is not None:
        max_len = rules.max_length if max_len is None else min(max_len, rules.max_length)
    min_len = rules.min_length
    if rules.non_empty:
        min_len = max(min_len or 0, 1)
    fixed_char = scalar_type(column.base_type) in ("character", "bpchar")
    if fixed_char and max_len:
        # char(n) pads with spaces anyway; fill it so that values look deliberate.
        min_len = max(min_len or 0, max_len)

    def texts(pool: tuple[str, ...], sep: str = "-", filler: tuple[str, ...] = ()) -> v.Texts:
        return v.Texts(
            pool,
            max_length=max_len,
            min_length=min_len,
            unique=unique,
            sep=sep,
            filler=filler or vocab.words,
        )

    if _has(name, "email", "mail") and (max_len is None or max_len >= 12):
        return v.Emails(vocab.first_names, vocab.last_names, vocab.domains, max_len)
    if _has(name, "first", "firstname", "given"):
        return texts(vocab.first_names)
    if _has(name, "last", "lastname", "surname", "family"):
        return texts(vocab.last_names)
    if _has(name, "username", "handle", "login", "nickname"):
        pool = tuple(
            f"{f.lower()}{s.lower()[:3]}"
            for f in vocab.first_names[:200]
            for s in vocab.last_names[:5]
        )
        return texts(pool, sep="_")
    if _has(name, "slug"):
        return texts(tuple(t.lower().replace(" ", "-") for t in vocab.titles))
    if _has(name, "avatar", "picture", "photo", "image", "logo", "thumbnail", "img", "cover"):
        pool = tuple(f"https://picsum.photos/seed/{w}/400/400" for w in vocab.words)
        return texts(pool, sep="")
    if _has(name, "url", "website", "homepage", "link", "href", "site"):
        pool = tuple(f"https://{d}/{w}" for d in vocab.domains for w in vocab.words[:10])
        return texts(pool, sep="-")
    if _has(name, "phone", "mobile", "tel", "telephone", "fax"):
        return v.Texts(
            tuple(f"+1-555-{i:03d}-{j:04d}" for i in range(100, 120) for j in range(0, 10000, 97)),
            max_length=max_len,
            unique=unique,
            sep="",
        )
    if _has(name, "country") and max_len is not None and max_len <= 3:
        return texts(vocab.country_codes)
    if _has(name, "country", "nation"):
        return texts(vocab.countries)
    if _has(name, "city", "town"):
        return texts(vocab.cities)
    if _has(name, "address", "street", "line1", "address1"):
        return texts(vocab.streets)
    if _has(name, "zip", "postcode", "postal", "zipcode"):
        return texts(vocab.postcodes)
    if _has(name, "company", "organization", "organisation", "org", "employer", "brand"):
        return texts(vocab.companies)
    if _has(name, "job", "occupation", "profession", "position"):
        return texts(vocab.jobs)
    if _has(name, "color", "colour"):
        return texts(vocab.colors)
    if _has(name, "currency") and (max_len is None or max_len >= 3):
        return texts(vocab.currencies)
    if _has(name, "language", "lang", "locale"):
        return texts(vocab.languages)
    if _has(name, "timezone", "tz"):
        return texts(vocab.timezones)
    if name == "name" and table_name and not _has(table_name, *_PEOPLE):
        # "name" of a non-person: a company for organisations, a short title for things
        if _has(table_name, *_ORGANISATIONS):
            return texts(vocab.companies, sep=" ")
        return texts(tuple(t for t in vocab.titles if len(t) <= 30) or vocab.titles, sep=" ")
    if _has(name, "name", "fullname", "displayname", "author", "owner", "customer", "contact"):
        pool = tuple(f"{f} {s}" for f in vocab.first_names[:300] for s in vocab.last_names[:20])
        return texts(pool, sep=" ")
    if _has(name, "title", "subject", "headline", "heading", "label", "caption"):
        return texts(vocab.titles, sep=" ")
    if _has(
        name,
        "description",
        "bio",
        "summary",
        "about",
        "content",
        "body",
        "notes",
        "note",
        "comment",
        "message",
        "text",
        "details",
        "excerpt",
        "review",
        "abstract",
    ):
        pool = vocab.paragraphs if _has(name, "content", "body", "text") else vocab.sentences
        return texts(pool, sep=" ")
    if _has(name, "password", "hash", "token", "secret", "key", "digest", "signature"):
        return texts(tuple(f"{i:032x}" for i in range(1000, 1000 + 4 * len(vocab.words), 4)))
    if _has(name, "code", "sku", "ref", "reference", "number", "serial"):
        return texts(tuple(w.upper()[:4] + str(i) for i, w in enumerate(vocab.words)))
    if _has(name, "status", "state", "type", "kind", "category", "tag", "tags", "role", "level"):
        return texts(vocab.words[:12])
    return texts(vocab.words if (max_len is not None and max_len < 20) else vocab.titles)


def _int_bounds(name: str) -> tuple[int, int]:
    if _has(name, "age"):
        return 18, 90
    if _has(name, "year"):
        return 1990, 2025
    if _has(name, "month"):
        return 1, 12
    if _has(name, "day"):
        return 1, 28
    if _has(name, "hour"):
        return 0, 23
    if _has(name, "rating", "stars", "score"):
        return 1, 5 if _has(name, "rating", "stars") else 100
    if _has(name, "percent", "percentage", "pct"):
        return 0, 100
    if _has(name, "quantity", "qty", "count", "items", "seats"):
        return 1, 100
    if _has(name, "price", "amount", "cost", "total", "cents", "balance", "fee", "salary"):
        return 100, 100_000
    if _has(name, "position", "order", "rank", "index", "priority", "sort"):
        return 0, 1000
    if _has(name, "duration", "seconds", "minutes", "length", "size", "weight", "height"):
        return 1, 10_000
    return 0, 10_000


def _clamp_range(
    low: Decimal, high: Decimal, rules: ColumnRules, step: Decimal
) -> tuple[Decimal, Decimal]:
    """Narrow [low, high] to the checks' bounds (exclusive bounds move by one ``step``)."""
    if rules.lower is not None:
        lo = rules.lower if rules.lower_inclusive else rules.lower + step
        low = max(low, lo)
        if high < low:
            high = low + step * 1000
    if rules.upper is not None:
        hi = rules.upper if rules.upper_inclusive else rules.upper - step
        high = min(high, hi)
        if low > high:
            low = high - step * 1000
            if rules.lower is not None:
                low = max(low, rules.lower if rules.lower_inclusive else rules.lower + step)
    return low, high


def _allowed(rules: ColumnRules, kind: str) -> v.ValueGenerator | None:
    if rules.allowed is None:
        return None
    items: list[Any] = []
    for item in rules.allowed:
        if kind == "int":
            items.append(int(item))
        elif kind == "float":
            items.append(float(item))
        elif kind == "decimal":
            items.append(Decimal(item))
        else:
            items.append(str(item))
    items = [i for i in items if i not in rules.excluded]
    return v.Choice(items) if items else None


def scalar_generator(
    table: Table,
    column: Column,
    type_name: str,
    rules: ColumnRules,
    vocab: Vocabulary,
    *,
    unique: bool,
    enum_labels: tuple[str, ...] | None,
) -> v.ValueGenerator:
    """A generator of non-NULL values of ``type_name`` (a scalar type) for ``column``."""
    base = scalar_type(type_name)
    name = column.name.lower()
    if enum_labels is not None:
        allowed = [lbl for lbl in enum_labels if rules.allowed is None or lbl in rules.allowed]
        if not allowed:
            raise GenerationError(
                f"{_column_ref(table, column)}: no enum label passes its checks; {_fix(table, column)}"
            )
        return v.Choice(allowed)
    if base in INT_RANGES:
        chosen = _allowed(rules, "int")
        if chosen is not None:
            return chosen
        t_low, t_high = INT_RANGES[base]
        if unique:
            low = t_low
            if rules.lower is not None:
                low = int(rules.lower) + (0 if rules.lower_inclusive else 1)
            return v.Counter(max(low, 1) if rules.lower is None else low)
        lo, hi = _int_bounds(name)
        dlo, dhi = _clamp_range(Decimal(lo), Decimal(hi), rules, Decimal(1))
        return v.Integers(max(int(dlo), t_low), min(int(dhi), t_high))
    if base in ("numeric", "decimal", "money"):
        chosen = _allowed(rules, "decimal")
        if chosen is not None:
            return chosen
        scale = column.numeric_scale if column.numeric_scale is not None else 2
        precision = column.numeric_precision
        step = Decimal(1).scaleb(-scale)
        if _has(name, "lat", "latitude"):
            dec_lo, dec_hi = Decimal(-90), Decimal(90)
        elif _has(name, "lng", "lon", "long", "longitude"):
            dec_lo, dec_hi = Decimal(-180), Decimal(180)
        elif _has(name, "rate", "ratio", "percent", "discount"):
            dec_lo, dec_hi = Decimal(0), Decimal(1) if _has(name, "ratio") else Decimal(100)
        else:
            dec_lo, dec_hi = Decimal(1), Decimal(1000)
        if precision is not None:
            cap = Decimal(10) ** (precision - scale) - step
            dec_lo, dec_hi = max(dec_lo, -cap), min(dec_hi, cap)
        dec_lo, dec_hi = _clamp_range(dec_lo, dec_hi, rules, step)
        if unique:
            return v.Counter(int(dec_lo) if dec_lo > 0 else 1, fmt=Decimal)
        return v.Decimals(dec_lo, dec_hi, scale)
    if base in ("real", "double precision", "float4", "float8"):
        chosen = _allowed(rules, "float")
        if chosen is not None:
            return chosen
        lo_d, hi_d = _clamp_range(Decimal(0), Decimal(1000), rules, Decimal("0.001"))
        return v.Floats(float(lo_d), float(hi_d))
    if base in TEXT_TYPES:
        chosen = _allowed(rules, "text")
        if chosen is not None:
            return chosen
        return text_generator(column, rules, vocab, unique=unique, table_name=table.name)
    if base == "boolean":
        if rules.allowed is not None:
            return v.Constant(
                rules.allowed[0] is True or str(rules.allowed[0]).lower() in ("true", "t", "1")
            )
        p = 0.8 if _has(name, "active", "enabled", "visible", "published", "verified") else 0.5
        return v.Booleans(p)
    if base == "uuid":
        return v.Uuids()
    if base in (
        "timestamp with time zone",
        "timestamp without time zone",
        "timestamptz",
        "timestamp",
    ):
        tz = "with time zone" in base or base == "timestamptz"
        if _has(name, "created", "inserted", "joined", "registered", "signup"):
            start, end = v.REFERENCE - dt.timedelta(days=730), v.REFERENCE
        elif _has(name, "updated", "modified", "last", "seen"):
            start, end = v.REFERENCE - dt.timedelta(days=365), v.REFERENCE
        elif _has(name, "expires", "due", "until", "deadline", "ends", "end"):
            start, end = v.REFERENCE, v.REFERENCE + dt.timedelta(days=365)
        else:
            start, end = v.REFERENCE - dt.timedelta(days=365), v.REFERENCE + dt.timedelta(days=180)
        start, end = _date_window(start, end, rules)
        return v.Timestamps(start, end, tz)
    if base == "date":
        ref = v.REFERENCE.date()
        if _has(name, "birth", "birthday", "dob", "born"):
            first, last = dt.date(1950, 1, 1), dt.date(2005, 12, 31)
        else:
            first, last = ref - dt.timedelta(days=730), ref + dt.timedelta(days=180)
        window = _date_window(
            dt.datetime.combine(first, dt.time(), dt.UTC),
            dt.datetime.combine(last, dt.time(), dt.UTC),
            rules,
        )
        return v.Dates(window[0].date(), window[1].date())
    if base in ("time without time zone", "time"):
        return v.Times()
    if base == "interval":
        return v.Intervals()
    if base in ("json", "jsonb"):
        return _json_generator(vocab)
    if base == "bytea":
        return v.Bytes(16)
    if base in ("inet", "cidr"):
        return v.IPv4()
    raise GenerationError(
        f"{_column_ref(table, column)} has type '{column.type}', which supaseed cannot generate; "
        f"{_fix(table, column)}"
    )


def _date_window(
    start: dt.datetime, end: dt.datetime, rules: ColumnRules
) -> tuple[dt.datetime, dt.datetime]:
    """Narrow ``[start, end]`` to the checks: ``<= now()`` (before the fixed reference, which is
    in the past) and date literals; a window the checks empty is moved inside them."""
    utc = dt.UTC
    if rules.not_after_now:
        end = min(end, v.REFERENCE)
        start = min(start, end - dt.timedelta(days=365))
    if rules.earliest is not None:
        earliest = dt.datetime.combine(rules.earliest, dt.time(), utc)
        start = max(start, earliest)
        end = max(end, start + dt.timedelta(days=365))
    if rules.latest is not None:
        latest = dt.datetime.combine(rules.latest, dt.time(), utc)
        end = min(end, latest)
        start = min(start, end - dt.timedelta(days=365))
        if rules.earliest is not None:
            start = max(start, dt.datetime.combine(rules.earliest, dt.time(), utc))
    return start, end


def _json_generator(vocab: Vocabulary) -> v.ValueGenerator:
    # Small, varied objects; the pool is built once and sampled (dicts are never mutated after).
    words = vocab.words
    pool: list[dict[str, Any]] = []
    for i in range(500):
        w = words[i % len(words)]
        pool.append(
            {
                "source": "supaseed",
                "label": w,
                "score": i % 97,
                "tags": [words[(i * 7) % len(words)], words[(i * 13) % len(words)]],
                "enabled": i % 3 != 0,
            }
        )
    return v.Choice(pool)


def generator_for(
    table: Table,
    column: Column,
    rules: ColumnRules,
    vocab: Vocabulary,
    *,
    unique: bool = False,
    null_rate: float = 0.0,
) -> v.ValueGenerator:
    """The generator of ``column`` of ``table``: arrays, enums, domains and scalars.

    ``unique``: the column alone must never repeat (the generator guarantees it or the caller
    checks). ``null_rate``: fraction of NULLs for a nullable column.
    """
    if column.is_array:
        element = column.element_type or column.base_type.removesuffix("[]")
        item = scalar_generator(
            table,
            column,
            element,
            ColumnRules(),
            vocab,
            unique=False,
            enum_labels=column.enum_labels,
        )
        gen: v.ValueGenerator = v.Arrays(item, max_items=3, min_items=1 if unique else 0)
        if unique:
            # Arrays are rarely unique; prepend a counter element only for text-like arrays.
            raise GenerationError(
                f"{_column_ref(table, column)} is a unique array column; {_fix(table, column)}"
            )
    else:
        gen = scalar_generator(
            table,
            column,
            column.base_type,
            rules,
            vocab,
            unique=unique,
            enum_labels=column.enum_labels,
        )
    if null_rate > 0 and not rules.not_null and not isinstance(gen, v.Constant):
        gen = v.WithNulls(gen, null_rate)
    return gen
