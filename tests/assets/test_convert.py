"""Values converted to Postgres column types, and the reasons when they cannot fit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from pytest_supaseed.assets.convert import OMIT, to_column

from .helpers import Col


@dataclass(frozen=True)
class EnumCol:
    name: str
    type: str
    max_length: int | None = None
    nullable: bool = True
    enum_labels: tuple[str, ...] = ("owner", "member")


@dataclass(frozen=True)
class NumericCol:
    name: str
    type: str
    max_length: int | None = None
    nullable: bool = True
    numeric_precision: int = 5
    numeric_scale: int = 2


@pytest.mark.parametrize(
    ("value", "type_name", "expected"),
    [
        ("hello", "text", "hello"),
        (12, "text", "12"),
        (date(2024, 1, 2), "text", "2024-01-02"),
        (True, "text", "true"),
        ("abc", "character varying(3)", "abc"),
        ("7", "integer", 7),
        (7.0, "bigint", 7),
        ("2.50", "numeric", Decimal("2.50")),
        (3, "double precision", 3.0),
        ("TRUE", "boolean", True),
        ("2024-05-06", "date", date(2024, 5, 6)),
        (datetime(2024, 5, 6, 7, 8), "date", date(2024, 5, 6)),
        (
            "2024-05-06T07:08:09Z",
            "timestamp with time zone",
            datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
        ),
        (date(2024, 5, 6), "timestamp with time zone", datetime(2024, 5, 6, tzinfo=UTC)),
        (
            datetime(2024, 5, 6, 9, tzinfo=timezone(timedelta(hours=2))),
            "timestamp without time zone",
            datetime(2024, 5, 6, 7),
        ),
        ({"a": [1, 2]}, "jsonb", {"a": [1, 2]}),
        (
            "12345678-1234-5678-1234-567812345678",
            "uuid",
            uuid.UUID("12345678-1234-5678-1234-567812345678"),
        ),
        (["a", 1], "text[]", ["a", "1"]),
        (["1", "2"], "integer[]", [1, 2]),
        (b"\x00\x01", "bytea", b"\x00\x01"),
        ("5", "int4", 5),
        ("false", "bool", False),
        ("2024-05-06", "timestamptz", datetime(2024, 5, 6, tzinfo=UTC)),
    ],
)
def test_conversions(value: Any, type_name: str, expected: Any) -> None:
    assert to_column(value, Col("c", type_name)) == expected


@pytest.mark.parametrize(
    ("value", "column", "reason"),
    [
        ("abcd", Col("c", "character varying(3)"), "is 4 characters, the column allows 3"),
        ("abcd", Col("c", "character varying(10)", 2), "the column allows 2"),
        (["x"], Col("c", "text"), "a list cannot go into a text column"),
        ("seven", Col("c", "integer"), "'seven' is not an integer"),
        (True, Col("c", "integer"), "a bool (True) cannot go into integer"),
        (2**40, Col("c", "integer"), "out of range for integer"),
        (40000, Col("c", "smallint"), "out of range for smallint"),
        ("maybe", Col("c", "boolean"), "'maybe' is not a boolean"),
        ("soon", Col("c", "date"), "'soon' is not a date"),
        ({1, 2}, Col("c", "jsonb"), "is not JSON data"),
        ("nope", Col("c", "uuid"), "'nope' is not a UUID"),
        ("a", Col("c", "text[]"), "is not a list, the column is text[]"),
        (["abcd"], Col("c", "character varying(2)[]"), "is 4 characters"),
        (
            "admin",
            EnumCol("c", "public.role"),
            "'admin' is not a label of the enum (owner, member)",
        ),
        (Decimal("1234.5"), NumericCol("c", "numeric(5,2)"), "does not fit numeric(5,2)"),
        (None, Col("c", "text", nullable=False), "NOT NULL without a default"),
    ],
)
def test_values_that_cannot_fit(value: Any, column: Any, reason: str) -> None:
    with pytest.raises(ValueError) as info:
        to_column(value, column)
    assert reason in str(info.value)


def test_enum_suggests_a_label_and_numeric_fits() -> None:
    with pytest.raises(ValueError, match=r"did you mean 'member'"):
        to_column("membr", EnumCol("c", "public.role"))
    assert to_column("owner", EnumCol("c", "public.role")) == "owner"
    assert to_column(123.45, NumericCol("c", "numeric(5,2)")) == Decimal("123.45")


def test_null_leaves_out_a_not_null_column_with_a_default() -> None:
    assert to_column(None, Col("c", "text", nullable=False, has_default=True)) is OMIT
    assert to_column(None, Col("c", "text")) is None
