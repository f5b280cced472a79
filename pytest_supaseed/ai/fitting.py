"""An answer made into a value of its column, or rejected with the reason.

Text columns: whitespace and one pair of surrounding quotes are stripped; a short column
(``varchar(n)``/``char(n)`` up to :data:`SHORT`, or a CHECK length bound that small) keeps the first
line only; an answer longer than the column is cut at a word boundary when it is at most twice the
limit, else rejected ("too long"). An enum column takes one of its labels (case-insensitive).
Numbers: the answer must hold exactly one number, in range of the type. Booleans: yes/no,
true/false, 1/0. JSON: the answer (without a Markdown code fence) must parse.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from ..generate.checks import ColumnRules
from ..generate.columns import INT_RANGES, TEXT_TYPES, scalar_type
from ..schema.model import Column

__all__ = ["SHORT", "NotFitting", "fit", "fittable"]

#: Columns this short (characters) keep one line of an answer.
SHORT = 200
_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?|-?\.\d+")
_FENCE = re.compile(r"^```[a-zA-Z]*\s*\n?(.*?)\n?```$", re.DOTALL)
_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}
_FLOATS = ("real", "double precision")


class NotFitting(ValueError):
    """The answer cannot be a value of the column; ``str()`` says why (the fallback reason)."""


def fittable(column: Column) -> str | None:
    """Why the model cannot write ``column`` (its type), or None when it can."""
    base = scalar_type(column.base_type)
    if column.is_array:
        return f"array column ({column.type})"
    if column.generated:
        return "generated column"
    if (
        column.enum_labels is not None
        or base in TEXT_TYPES
        or base.endswith("citext")
        or base in INT_RANGES
        or base in ("numeric", "decimal", *_FLOATS, "boolean", "json", "jsonb")
    ):
        return None
    return f"type {column.type}"


def fit(text: str, column: Column, rules: ColumnRules | None = None) -> Any:
    """``text`` as a value for ``column``; :class:`NotFitting` when it does not fit."""
    base = scalar_type(column.base_type)
    answer = text.strip()
    if column.enum_labels is not None:
        return _enum(answer, column.enum_labels)
    if base in INT_RANGES or base in ("numeric", "decimal", *_FLOATS):
        return _number(answer, column, base, rules)
    if base == "boolean":
        word = _unquote(answer).split()[0].strip(".!").lower() if answer.split() else ""
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise NotFitting(f"not a boolean: {_show(answer)}")
    if base in ("json", "jsonb"):
        match = _FENCE.match(answer)
        try:
            return json.loads(match[1] if match else answer)
        except ValueError:
            raise NotFitting(f"not JSON: {_show(answer)}") from None
    return _text(answer, column, rules)


def _text(answer: str, column: Column, rules: ColumnRules | None) -> str:
    limit = column.max_length
    if rules is not None and rules.max_length is not None:
        limit = rules.max_length if limit is None else min(limit, rules.max_length)
    answer = _unquote(answer)
    if limit is not None and limit <= SHORT:
        lines = [line.strip() for line in answer.splitlines() if line.strip()]
        answer = _unquote(lines[0]) if lines else ""
    if "\x00" in answer:
        raise NotFitting("contains a NUL character")
    if limit is not None and len(answer) > limit:
        if len(answer) > 2 * limit:
            raise NotFitting(f"too long: {len(answer)} characters for a limit of {limit}")
        space = answer[: limit + 1].rfind(" ")
        answer = (answer[:space] if space > 0 else answer[:limit]).rstrip(" ,;:-")
    low = rules.min_length if rules is not None else None
    if not answer and ((rules is not None and rules.non_empty) or (low or 0) > 0):
        raise NotFitting("empty answer")
    if low is not None and len(answer) < low:
        raise NotFitting(f"too short: {len(answer)} characters, at least {low} needed")
    if rules is not None and rules.allowed is not None and answer not in rules.allowed:
        raise NotFitting(f"not one of the allowed values: {_show(answer)}")
    return answer


def _enum(answer: str, labels: tuple[str, ...]) -> str:
    word = _unquote(answer).strip().rstrip(".")
    for label in labels:
        if word.lower() == label.lower():
            return label
    raise NotFitting(f"not one of {', '.join(labels)}: {_show(answer)}")


def _number(answer: str, column: Column, base: str, rules: ColumnRules | None) -> Any:
    found = _NUMBER.findall(answer)
    if len(found) != 1:
        raise NotFitting(f"not a number: {_show(answer)}")
    try:
        number = Decimal(found[0].replace(",", ""))
    except InvalidOperation:
        raise NotFitting(f"not a number: {_show(answer)}") from None
    value: Any
    if base in INT_RANGES:
        if number != number.to_integral_value():
            raise NotFitting(f"not an integer: {_show(answer)}")
        low, high = INT_RANGES[base]
        if not low <= number <= high:
            raise NotFitting(f"out of range for {base}: {number}")
        value = int(number)
    elif base in _FLOATS:
        value = float(number)
    else:
        if column.numeric_scale is not None:
            number = number.quantize(Decimal(1).scaleb(-column.numeric_scale))
        if column.numeric_precision is not None:
            digits = len(number.as_tuple().digits)
            if digits > column.numeric_precision:
                raise NotFitting(f"too many digits for {column.type}: {number}")
        value = number
    if rules is not None:
        if rules.lower is not None and (
            number < rules.lower or (number == rules.lower and not rules.lower_inclusive)
        ):
            raise NotFitting(f"below the check's bound {rules.lower}: {number}")
        if rules.upper is not None and (
            number > rules.upper or (number == rules.upper and not rules.upper_inclusive)
        ):
            raise NotFitting(f"above the check's bound {rules.upper}: {number}")
    return value


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'`":
        return text[1:-1].strip()
    return text


def _show(answer: str) -> str:
    return repr(answer if len(answer) <= 40 else answer[:37] + "...")
