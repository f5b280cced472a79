"""Convert a mapped value to what a Postgres column accepts, or say why it cannot fit.

Columns are described by :class:`ColumnLike` (``pytest_supaseed.schema.model.Column`` is one): the
type as ``format_type()`` spells it (``character varying(50)``, ``timestamp with time zone``,
``text[]``), ``max_length``, ``nullable``, and, when present, ``base_type``, ``is_array``,
``element_type``, ``enum_labels``, ``numeric_precision`` / ``numeric_scale`` and ``has_default``.

json / jsonb columns get plain Python data (dict, list, str, numbers); the writer adapts it.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from ..errors import did_you_mean
from .fields import coerce

__all__ = ["OMIT", "ColumnLike", "to_column"]


class ColumnLike(Protocol):
    """The little a mapping needs to know about a target column."""

    @property
    def name(self) -> str: ...

    @property
    def type(self) -> str: ...

    @property
    def max_length(self) -> int | None: ...

    @property
    def nullable(self) -> bool: ...


class _Omit:
    def __repr__(self) -> str:
        return "OMIT"


#: Returned for a missing value of a column that has a default: leave the column out of the row.
OMIT: Any = _Omit()

_TEXT = {"text", "character varying", "varchar", "character", "char", "bpchar", "citext", "name"}
_INT_RANGE = {
    "smallint": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "bigint": (-(2**63), 2**63 - 1),
}
_LENGTH = re.compile(r"\((\d+)\)")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# Short spellings a hand-written column may use; format_type() always gives the long ones.
_ALIASES = {
    "int2": "smallint",
    "int4": "integer",
    "int": "integer",
    "int8": "bigint",
    "float4": "real",
    "float8": "double precision",
    "bool": "boolean",
    "timestamptz": "timestamp with time zone",
}


def _base(type_name: str) -> str:
    base = type_name.split("(", 1)[0].strip().lower()
    return _ALIASES.get(base, base)


def _convert(value: Any, type_name: str, column: ColumnLike, max_length: int | None) -> Any:
    base = _base(type_name)
    labels = getattr(column, "enum_labels", None)
    if labels:
        text = str(value)
        if text not in labels:
            raise ValueError(
                f"{_short(value)} is not a label of the enum ({', '.join(labels)})"
                f"{did_you_mean(text, labels)}"
            )
        return text
    if base in _TEXT:
        if isinstance(value, list | tuple | dict):
            raise ValueError(
                f"a {type(value).__name__} cannot go into a {type_name} column; map one element, "
                "or target a json/array column"
            )
        if isinstance(value, datetime | date):
            text = value.isoformat()
        elif isinstance(value, bool):
            text = "true" if value else "false"
        else:
            text = str(value)
        if max_length is not None and len(text) > max_length:
            raise ValueError(
                f"{_short(text)} is {len(text)} characters, the column allows {max_length}; "
                f"shorten it or map truncate(..., {max_length})"
            )
        return text
    if base in _INT_RANGE:
        if isinstance(value, bool):
            raise ValueError(f"a bool ({value}) cannot go into {type_name}")
        try:
            number = int(value) if isinstance(value, str) else coerce(value, "int")
        except (ValueError, TypeError):
            raise ValueError(f"{_short(value)} is not an integer") from None
        low, high = _INT_RANGE[base]
        if not low <= number <= high:
            raise ValueError(f"{number} is out of range for {type_name}")
        return number
    if base in ("numeric", "decimal"):
        if isinstance(value, bool):
            raise ValueError(f"a bool ({value}) cannot go into {type_name}")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(f"{_short(value)} is not a number") from None
        precision = getattr(column, "numeric_precision", None)
        scale = getattr(column, "numeric_scale", None) or 0
        if precision is not None and number.is_finite():
            digits = len(str(abs(int(number)))) if abs(number) >= 1 else 0
            if digits > precision - scale:
                raise ValueError(f"{number} does not fit {type_name}")
        return number
    if base in ("real", "double precision"):
        if isinstance(value, bool):
            raise ValueError(f"a bool ({value}) cannot go into {type_name}")
        try:
            return float(value)
        except (ValueError, TypeError):
            raise ValueError(f"{_short(value)} is not a number") from None
    if base == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise ValueError(f"{_short(value)} is not a boolean")
    if base == "date":
        try:
            return coerce(value, "date")
        except ValueError:
            raise ValueError(f"{_short(value)} is not a date") from None
    if base.startswith("timestamp"):
        try:
            moment: datetime = coerce(value, "datetime")
        except ValueError:
            raise ValueError(f"{_short(value)} is not a date or timestamp") from None
        if "with time zone" in type_name or "with time zone" in base:
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
    if base in ("json", "jsonb"):
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            raise ValueError(f"{_short(value)} is not JSON data") from None
        return value
    if base == "uuid":
        try:
            return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
        except ValueError:
            raise ValueError(f"{_short(value)} is not a UUID") from None
    if base == "bytea":
        if isinstance(value, bytes | bytearray | memoryview):
            return bytes(value)
        raise ValueError(f"{_short(value)} is not bytes")
    return value


def to_column(value: Any, column: ColumnLike) -> Any:
    """``value`` converted for ``column``; ``ValueError`` says why it cannot fit.

    A missing value (``None``) of a NOT NULL column is :data:`OMIT` when the column has a default
    (leave it out so the default applies) and an error otherwise.
    """
    if value is None:
        if column.nullable:
            return None
        if getattr(column, "has_default", False):
            return OMIT
        raise ValueError("no value, and the column is NOT NULL without a default")
    type_name = (getattr(column, "base_type", None) or column.type).lower()
    max_length = column.max_length
    if max_length is None:
        found = _LENGTH.search(type_name) if _base(type_name) in _TEXT else None
        max_length = int(found[1]) if found else None
    is_array = getattr(column, "is_array", None)
    if is_array or (is_array is None and type_name.endswith("[]")):
        element = (getattr(column, "element_type", None) or type_name.removesuffix("[]")).lower()
        if not isinstance(value, list | tuple):
            raise ValueError(f"{_short(value)} is not a list, the column is {type_name}")
        return [
            None if item is None else _convert(item, element, column, max_length) for item in value
        ]
    return _convert(value, type_name, column, max_length)
