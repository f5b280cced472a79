"""CHECK constraints as Postgres prints them, understood (or honestly not)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pytest_supaseed.generate.checks import Relation, split_and, understand_checks


def test_ranges_in_both_spellings_and_with_casts() -> None:
    rules = understand_checks(
        [
            ("r", "((rating >= 1) AND (rating <= 5))"),
            ("p", "(price > (0)::numeric)"),
            ("q", "((0)::numeric < quantity)"),
        ]
    )
    rating, price, qty = rules.columns["rating"], rules.columns["price"], rules.columns["quantity"]
    assert (rating.lower, rating.lower_inclusive, rating.upper, rating.upper_inclusive) == (
        1,
        True,
        5,
        True,
    )
    assert (price.lower, price.lower_inclusive) == (Decimal(0), False)
    assert (qty.lower, qty.lower_inclusive) == (Decimal(0), False)
    assert rules.not_understood == []


def test_in_lists_lengths_relations_and_not_null() -> None:
    rules = understand_checks(
        [
            ("s", "(status = ANY (ARRAY['draft'::text, 'it''s live'::text]))"),
            ("n", "(char_length(name) <= 40)"),
            ("t", "((length(title) > 3) AND (length((title)::text) < 100))"),
            ("d", "(starts_at < ends_at)"),
            ("e", "(email IS NOT NULL)"),
            ("x", "(code <> ''::text)"),
        ]
    )
    assert rules.columns["status"].allowed == ("draft", "it's live")
    assert rules.columns["name"].max_length == 40
    assert (rules.columns["title"].min_length, rules.columns["title"].max_length) == (4, 99)
    assert rules.relations == [Relation("starts_at", "<", "ends_at")]
    assert rules.columns["email"].not_null
    assert rules.columns["code"].non_empty


@pytest.mark.parametrize(
    "expression",
    [
        "(POSITION(('@'::text) IN (email)) > 0)",
        "(((is_personal_account = true) AND (slug IS NULL)) OR ((is_personal_account = false) AND (slug IS NOT NULL)))",
        "(lower(name) = name)",
    ],
)
def test_anything_else_is_reported_whole(expression: str) -> None:
    rules = understand_checks([("c", expression)])
    assert rules.not_understood == [("c", expression)]
    assert rules.columns == {}  # no half-applied parts


def test_split_and_respects_parentheses_and_strings() -> None:
    assert split_and("((a > 1) AND ((b < 2) AND (c = 'x AND y')))") == [
        "a > 1",
        "(b < 2) AND (c = 'x AND y')",
    ]


def test_booleans_and_regular_expressions() -> None:
    rules = understand_checks(
        [
            ("b", "(is_active = true)"),
            ("n", "(NOT archived)"),
            ("e", "(email ~* '^[^@]+@[^@]+\\.[a-z]+$'::text)"),
        ]
    )
    assert rules.columns["is_active"].allowed == (True,)
    assert rules.columns["archived"].allowed == (False,)
    assert rules.columns["email"].patterns == [("^[^@]+@[^@]+\\.[a-z]+\\Z", True)]


def test_now_and_date_literal_bounds() -> None:
    rules = understand_checks(
        [
            ("p", "(created_at <= now())"),
            ("d", "((born >= '1990-01-01'::date) AND (born < '2000-01-01'::date))"),
        ]
    )
    assert rules.columns["created_at"].not_after_now
    born = rules.columns["born"]
    assert (str(born.earliest), str(born.latest)) == ("1990-01-01", "1999-12-31")
    assert understand_checks([("f", "(expires_at > now())")]).not_understood  # not reproducible
