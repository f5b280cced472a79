"""Generators chosen by column type and name: valid, realistic, unique when asked, reproducible."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal

import pytest

from pytest_supaseed.errors import GenerationError
from pytest_supaseed.generate import TableRows, derive_rng, generator_for, vocabulary
from pytest_supaseed.generate.checks import ColumnRules, understand_checks
from pytest_supaseed.generate.table import ParentKeys
from pytest_supaseed.schema.model import Check, Column, ForeignKey, Table, Unique


def col(name: str, type_: str, **kw: object) -> Column:
    return Column(name=name, position=1, type=type_, base_type=type_, **kw)  # type: ignore[arg-type]


TABLE = Table("public", "t")


def values(
    column: Column, n: int = 2000, *, unique: bool = False, rules: ColumnRules | None = None
) -> list[object]:
    gen = generator_for(TABLE, column, rules or ColumnRules(), vocabulary(), unique=unique)
    return gen(n, derive_rng(1, "t", column.name))


def test_names_guide_realistic_values() -> None:
    emails = values(col("email", "text"), unique=True)
    assert all(re.fullmatch(r"[a-z'\-]+\.[a-z'\-]+\d+@[\w.\-]+", str(e)) for e in emails)
    assert len(set(emails)) == len(emails)
    urls = values(col("avatar_url", "text"))
    assert all(str(u).startswith("https://") for u in urls)
    firsts = set(values(col("first_name", "text")))
    assert firsts <= set(vocabulary().first_names)
    prices = values(col("price", "numeric(8,2)", numeric_precision=8, numeric_scale=2))
    assert all(isinstance(p, Decimal) and Decimal(1) <= p <= Decimal(1000) for p in prices)
    assert all(p == p.quantize(Decimal("0.01")) for p in prices)  # type: ignore[union-attr]
    created = values(col("created_at", "timestamp with time zone"))
    assert all(isinstance(c, dt.datetime) and c.tzinfo is not None for c in created)


def test_varchar_limits_hold_even_for_unique_values() -> None:
    limited = values(col("title", "character varying(12)", max_length=12), unique=True)
    assert max(len(str(v)) for v in limited) <= 12
    assert len(set(limited)) == len(limited)
    tiny = values(col("code", "character varying(3)", max_length=3), n=5000, unique=True)
    assert max(len(str(v)) for v in tiny) <= 3
    assert len(set(tiny)) == 5000


def test_integer_kinds_stay_in_range_and_respect_checks() -> None:
    small = values(col("position", "smallint"))
    assert all(-(2**15) <= int(v) < 2**15 for v in small)  # type: ignore[call-overload]
    rules = understand_checks([("c", "((age > 20) AND (age < 30))")]).columns["age"]
    ages = values(col("age", "integer"), rules=rules)
    assert set(ages) == set(range(21, 30))
    ids = values(col("id", "bigint"), unique=True)
    assert len(set(ids)) == len(ids)


def test_enums_arrays_and_nulls() -> None:
    moods = values(col("mood", "public.mood", enum_labels=("sad", "ok")))
    assert set(moods) == {"sad", "ok"}
    arrays = values(col("tags", "text[]", is_array=True, element_type="text"))
    assert all(isinstance(a, list) and len(a) <= 3 for a in arrays)
    gen = generator_for(TABLE, col("bio", "text"), ColumnRules(), vocabulary(), null_rate=0.5)
    mixed = gen(2000, derive_rng(1, "bio"))
    assert 800 < sum(v is None for v in mixed) < 1200


def test_unknown_type_names_table_column_and_fix() -> None:
    with pytest.raises(
        GenerationError,
        match=r"public\.t\.spot has type 'point'.*configure a generator for public\.t\.spot",
    ):
        values(col("spot", "point"))


def test_streams_are_derived_from_seed_and_name_only() -> None:
    assert derive_rng(1, "a").random() == derive_rng(1, "a").random()
    assert derive_rng(1, "a").random() != derive_rng(2, "a").random()
    assert derive_rng(1, "a").random() != derive_rng(1, "b").random()


def people_table() -> Table:
    return Table(
        "public",
        "people",
        columns=(
            col("id", "uuid", nullable=False, default="gen_random_uuid()"),
            col("team_id", "uuid", nullable=False),
            col("nick", "text", nullable=False),
            col("starts_on", "date", nullable=False),
            col("ends_on", "date", nullable=False),
            col("kind", "text", nullable=False, default="'member'::text"),
        ),
        primary_key=("id",),
        uniques=(Unique("people_team_nick", ("team_id", "nick")),),
        checks=(Check("order", "(starts_on < ends_on)", ("starts_on", "ends_on")),),
        foreign_keys=(
            ForeignKey("people_team_fk", "public.people", ("team_id",), "public.teams", ("id",)),
        ),
    )


def test_table_rows_are_deterministic_valid_and_leave_defaults_to_the_database() -> None:
    teams = ParentKeys(("id",), [(uuid.UUID(int=i),) for i in range(5)])

    def generate(seed: int) -> list[dict[str, list[object]]]:
        rows = TableRows(people_table(), seed=seed, count=300, parents={"people_team_fk": teams})
        return [b for b in rows.batches(100) if not isinstance(b, int)]

    first = generate(1)
    assert first == generate(1)
    assert first != generate(2)
    assert list(first[0]) == ["id", "team_id", "nick", "starts_on", "ends_on"]  # kind: default
    pairs = [(t, n) for b in first for t, n in zip(b["team_id"], b["nick"])]
    assert len(pairs) == len(set(pairs)) == 300
    assert all(s < e for b in first for s, e in zip(b["starts_on"], b["ends_on"]))  # type: ignore[operator]
    assert {t for t, _ in pairs} == {k[0] for k in teams.keys}


def test_date_checks_narrow_the_window() -> None:
    rules = understand_checks(
        [("d", "((born >= '1990-01-01'::date) AND (born < '2000-01-01'::date))")]
    ).columns["born"]
    days = values(col("born", "date"), rules=rules)
    assert min(days) >= dt.date(1990, 1, 1)  # type: ignore[operator]
    assert max(days) <= dt.date(1999, 12, 31)  # type: ignore[operator]
    past = understand_checks([("p", "(seen_at <= now())")]).columns["seen_at"]
    instants = values(col("seen_at", "timestamp with time zone"), rules=past)
    assert max(instants) <= dt.datetime(2025, 1, 1, tzinfo=dt.UTC)  # type: ignore[operator]


def test_uuids_are_ordinary_version_4_uuids_fixed_by_the_seed() -> None:
    import pickle
    from random import Random

    from pytest_supaseed.generate.values import Uuids

    values = Uuids()(500, Random(5))
    assert values == Uuids()(500, Random(5))
    assert len(set(values)) == 500
    for value in values[:50]:
        rebuilt = uuid.UUID(str(value))
        assert value == rebuilt
        assert hash(value) == hash(rebuilt)
        assert (value.version, value.variant) == (4, uuid.RFC_4122)
        assert pickle.loads(pickle.dumps(value)) == value
        assert value.is_safe is uuid.SafeUUID.unknown
