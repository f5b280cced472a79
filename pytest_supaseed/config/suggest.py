"""What to put in a plan for a column, from its name and type.

Every suggestion is plan syntax that seeds as it is: a ``"{{ faker.<method>(...) }}"`` column
override (the generator expressions :mod:`pytest_supaseed.generate.overrides` runs), or, for a
table filled by a mapping, a mapping field in the asset expression language
(:mod:`pytest_supaseed.assets.mapping`): ``frontmatter.<key>`` when the pool's assets carry a key
named like the column, ``random(<image pool>)`` for a picture, ``slugify(<title field>)`` for a
slug. A suggestion is a list of :class:`Edit` (set or delete a key path of the plan file), so the
same object is printed by ``supaseed diff --impact`` and applied by ``supaseed update``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..schema.model import Column, Table, qualify
from .loader import format_key_path

__all__ = [
    "Edit",
    "Suggestion",
    "column_suggestion",
    "mapping_of",
    "table_key",
]

KeyPath = tuple[str, ...]


@dataclass(frozen=True)
class Edit:
    """One change to a plan file: ``set`` key ``path`` to ``value``, or ``delete`` it."""

    op: Literal["set", "delete"]
    path: KeyPath
    value: Any = None

    def describe(self) -> str:
        """``tables.authors.columns.bio = "{{ faker.paragraph() }}"`` or ``remove ...``."""
        key = format_key_path(self.path)
        if self.op == "delete":
            return f"remove {key}"
        return f"{key} = {_toml_value(self.value)}"


@dataclass(frozen=True)
class Suggestion:
    """A ready-to-apply plan change with a short reason (``"a paragraph of text"``)."""

    reason: str
    edits: tuple[Edit, ...]

    def describe(self) -> str:
        """The edits, ``; ``-separated."""
        return "; ".join(e.describe() for e in self.edits)


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return str(value)


def table_key(tables: Mapping[str, Any], table: str) -> str:
    """The key the plan uses for ``table`` in ``[tables]`` (as written), else the table's own name
    (``posts`` for ``public.posts``, ``"crm.leads"`` elsewhere)."""
    qualified = qualify(table)
    for key in tables:
        if qualify(key) == qualified:
            return str(key)
    return qualified.removeprefix("public.")


def mapping_of(mappings: Mapping[str, Any], table: str) -> str | None:
    """The name of the mapping that fills ``table``, or None."""
    qualified = qualify(table)
    for name, mapping in sorted(mappings.items()):
        if qualify(mapping.table) == qualified:
            return str(name)
    return None


_WORD = re.compile(r"[a-z0-9]+")


def _words(name: str) -> list[str]:
    return _WORD.findall(name.lower())


def _has(name: str, *needles: str) -> bool:
    words = _words(name)
    return any(n in words for n in needles) or name.lower() in needles


def _base(column: Column) -> str:
    return re.sub(r"\(.*\)", "", column.base_type).strip().removeprefix("pg_catalog.")


_TEXT = ("text", "character varying", "character", "citext", "varchar")
_INTS = ("smallint", "integer", "bigint")


def _expr(source: str) -> str:
    return "{{ " + source + " }}"


def column_suggestion(
    plan: Any,
    table: Table,
    column: Column,
    *,
    pool_fields: Mapping[str, Sequence[str]] | None = None,
) -> Suggestion | None:
    """The suggested plan value for ``table.column`` (see the module docstring), or None when the
    name and type suggest nothing better than the generic generator.

    ``plan`` is the resolved :class:`~pytest_supaseed.config.SeedPlan`; ``pool_fields`` the field
    names each asset pool's assets carry (``{"posts": ["title", "date", "tags"]}``).
    """
    name = column.name
    base = _base(column)
    mapping = mapping_of(plan.mappings, table.qualified_name)
    fields = pool_fields or {}
    if mapping is not None:
        pool_name = plan.mappings[mapping].pool
        pool = plan.asset_pools.get(pool_name)
        if pool is not None and pool.type != "image" and name in fields.get(pool_name, ()):
            prefix = {"markdown": "frontmatter", "json": "json", "csv": "csv"}[pool.type]
            return _field(mapping, name, f"{prefix}.{name}", f"the pool's '{name}' field")
        if _has(name, "slug") and base in _TEXT:
            source = plan.mappings[mapping].fields
            for sibling in ("title", "name"):
                if sibling in source:
                    return _field(
                        mapping, name, f"slugify({source[sibling]})", f"slugify() of its {sibling}"
                    )
        if (
            _has(name, "avatar", "picture", "image", "photo", "cover", "thumbnail")
            and base in _TEXT
        ):
            images = sorted(n for n, p in plan.asset_pools.items() if p.type == "image")
            if images:
                return _field(
                    mapping, name, f"random({images[0]})", f"a picture of pool '{images[0]}'"
                )
    generated = _generator(table, column, name, base)
    if generated is None:
        return None
    source, reason = generated
    key = table_key(plan.tables, table.qualified_name)
    return Suggestion(reason, (Edit("set", ("tables", key, "columns", name), _expr(source)),))


def _field(mapping: str, column: str, source: str, reason: str) -> Suggestion:
    return Suggestion(reason, (Edit("set", ("mappings", mapping, "fields", column), source),))


def _generator(table: Table, column: Column, name: str, base: str) -> tuple[str, str] | None:
    """A ``faker`` expression (without braces) that fits the column, and why."""
    if column.is_array or column.enum_labels is not None:
        return None
    limit = column.max_length
    text = base in _TEXT
    if text and _has(name, "bio", "about", "description", "summary", "biography", "body"):
        if limit is not None and limit < 200:
            return f"faker.sentence(nb_words={max(3, limit // 12)})", "a sentence of text"
        return "faker.paragraph(nb_sentences=3)", "a paragraph of text"
    if text and _has(name, "avatar", "picture", "image", "photo", "cover", "thumbnail"):
        return "faker.image_url()", "a placeholder image URL"
    if text and _has(name, "email"):
        return "faker.email()", "an email address"
    if text and _has(name, "url", "website", "homepage", "link"):
        return "faker.url()", "a URL"
    if text and _has(name, "phone", "mobile"):
        return "faker.numerify(text='+1-###-###-####')", "a phone number"
    if text and _has(name, "country"):
        if limit is not None and limit <= 3:
            return "faker.country_code()", "a country code"
        return "faker.country()", "a country name"
    if text and _has(name, "currency"):
        return "faker.currency_code()", "a currency code"
    if text and _has(name, "slug"):
        return "faker.slug()", "a slug"
    if base in ("numeric", "decimal", "real", "double precision", "money") and _has(
        name, "price", "amount", "cost", "total", "fee", "balance"
    ):
        scale = column.numeric_scale if column.numeric_scale is not None else 2
        high = 500
        if column.numeric_precision is not None:
            high = min(high, 10 ** (column.numeric_precision - scale) - 1)
        return (
            f"faker.pydecimal(min_value=1, max_value={high}, right_digits={scale})",
            f"money between 1 and {high}",
        )
    if base in _INTS and _has(name, "price", "amount", "cost", "total", "fee", "cents"):
        return "faker.random_int(min=100, max=50000)", "money in cents (1.00 to 500.00)"
    if base in (*_INTS, "numeric") and _has(name, "rating", "stars", "score"):
        return "faker.random_int(min=1, max=5)", "a rating from 1 to 5"
    if base == "date" and (name.endswith("_on") or name.endswith("_at") or _has(name, "date")):
        return "faker.date_between(start_date='-30d', end_date='today')", "a recent date"
    if base.startswith("timestamp") and (name.endswith("_at") or _has(name, "date", "time")):
        return (
            "faker.date_time_between(start_date='-30d', end_date='now')",
            "a recent timestamp",
        )
    return None
