"""Check and coerce asset fields against the simple type names a pool declares (``date``, ...)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

__all__ = ["check_fields", "coerce", "parse_text"]

_TRUE = {"true", "t", "yes", "y", "1", "on"}
_FALSE = {"false", "f", "no", "n", "0", "off"}


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{type(value).__name__} {text}"


def coerce(value: Any, type_name: str) -> Any:
    """Return ``value`` as ``type_name``, converting the lossless cases; raise ``ValueError``.

    Lossless means: an ISO string to a date (JSON has no date type), an integral float to int, an
    int to float, a datetime to a date. Anything else of the wrong type is an error rather than a
    guess, so ``title: 1984`` is reported instead of silently becoming ``"1984"``.
    """
    if type_name == "any":
        return value
    if type_name == "str":
        if isinstance(value, str):
            return value
    elif type_name == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
    elif type_name == "float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    elif type_name == "bool":
        if isinstance(value, bool):
            return value
    elif type_name == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip()[:10])
            except ValueError:
                pass
    elif type_name == "datetime":
        if isinstance(value, datetime):
            return value
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day)
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                pass
    elif type_name == "dict":
        if isinstance(value, Mapping):
            return value
    elif type_name.startswith("list") and isinstance(value, list | tuple):
        item_type = type_name[5:-1] if type_name != "list" else "any"
        return [coerce(item, item_type) for item in value]
    raise ValueError(f"expected {type_name}, got {_describe(value)}")


def parse_text(text: str, type_name: str) -> Any:
    """Convert CSV cell ``text`` to ``type_name``; raise ``ValueError`` naming what was expected."""
    stripped = text.strip()
    if type_name in ("str", "any"):
        return text
    if type_name == "int":
        try:
            return int(stripped)
        except ValueError:
            raise ValueError(f"expected int, got {text!r}") from None
    if type_name == "float":
        try:
            return float(stripped)
        except ValueError:
            raise ValueError(f"expected float, got {text!r}") from None
    if type_name == "bool":
        lowered = stripped.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(f"expected bool (true/false), got {text!r}")
    if type_name.startswith("list"):
        # A cell holds a list as "a;b;c": commas already separate the cells.
        item_type = type_name[5:-1] if type_name != "list" else "str"
        items = [part.strip() for part in stripped.split(";")] if stripped else []
        return [parse_text(item, item_type) for item in items]
    if type_name == "dict":
        raise ValueError("a CSV cell cannot hold a dict; use a json pool")
    return coerce(stripped, type_name)


def check_fields(
    fields: dict[str, Any], required: Mapping[str, str], optional: Mapping[str, str]
) -> list[tuple[str, str]]:
    """Check (and coerce in place) declared fields; return ``(field, reason)`` for each problem."""
    problems: list[tuple[str, str]] = []
    for name, type_name in required.items():
        if name not in fields or fields[name] is None:
            problems.append((name, f"is required ({type_name}) but missing"))
            continue
        try:
            fields[name] = coerce(fields[name], type_name)
        except ValueError as exc:
            problems.append((name, str(exc)))
    for name, type_name in optional.items():
        if fields.get(name) is None:
            continue
        try:
            fields[name] = coerce(fields[name], type_name)
        except ValueError as exc:
            problems.append((name, str(exc)))
    return problems
