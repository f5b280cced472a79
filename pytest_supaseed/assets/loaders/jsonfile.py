"""JSON files holding one object or a list of objects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..fields import check_fields
from ..model import AssetProblem
from .base import LoadContext, Parsed, Record

__all__ = ["parse_json"]

_loads: Callable[[bytes], Any]
_DecodeError: type[Exception]
try:  # orjson parses ~25% faster (bench/assets_load.py); the stdlib is the fallback.
    import orjson

    _loads = orjson.loads
    _DecodeError = orjson.JSONDecodeError
except ImportError:  # pragma: no cover - depends on the environment
    import json

    _loads = json.loads
    _DecodeError = json.JSONDecodeError


def _line_of(data: bytes, exc: Exception) -> int | None:
    lineno = getattr(exc, "lineno", None)
    if isinstance(lineno, int):
        return lineno
    pos = getattr(exc, "pos", None)
    return data.count(b"\n", 0, pos) + 1 if isinstance(pos, int) else None


def parse_json(data: bytes, rel: str, ctx: LoadContext) -> Parsed:
    """Each object of one JSON file, checked against the pool's fields, schema and model."""
    try:
        doc = _loads(data)
    except _DecodeError as exc:
        reason = str(exc).split(": line")[0]
        return [], [AssetProblem(rel, f"invalid JSON: {reason}", _line_of(data, exc))]
    except UnicodeDecodeError as exc:
        return [], [AssetProblem(rel, f"invalid JSON: not UTF-8 ({exc.reason})")]
    many = isinstance(doc, list)
    items = doc if many else [doc]
    records: list[Record] = []
    problems: list[AssetProblem] = []
    for index, item in enumerate(items):
        label = f"{rel}[{index}]" if many else rel
        if not isinstance(item, dict):
            problems.append(
                AssetProblem(label, f"expected a JSON object, got {type(item).__name__}")
            )
            continue
        found = check_fields(item, ctx.required, ctx.optional)
        if ctx.validator is not None:
            found += [(name or "", reason) for name, reason in ctx.validator(item)]
        if found:
            problems += [AssetProblem(label, reason, field=name or None) for name, reason in found]
            continue
        records.append(Record(item, position=index))
    return records, problems
