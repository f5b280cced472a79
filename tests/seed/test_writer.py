"""The writer's own binary encoders: what it sends is what psycopg would have sent."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from pytest_supaseed.schema import introspect
from pytest_supaseed.seed.writer import binary_encoder, copy_rows

ROWS: list[tuple[Any, ...]] = [
    (1, ["a", "bé", ""], ["x"], ["ab"], {"k": [1, "ü"]}, [1, {"a": None}]),
    (2, [], [], None, "plain string", None),
    (3, ["null", None, "with\ttab\nand\\"], ["v" * 12], ["c", None], None, {"n": 1.5}),
    (4, None, None, [], Jsonb({"wrapped": True}), "s"),
]


def test_pre_encoded_arrays_and_json_round_trip(fresh_conn: psycopg.Connection[Any]) -> None:
    fresh_conn.execute(
        "create table t (id int primary key, a text[], b varchar(12)[], c char(2)[], "
        "j jsonb, k json)"
    )
    table = introspect(fresh_conn).tables["public.t"]
    names = ["id", "a", "b", "c", "j", "k"]
    assert [binary_encoder(table.column(n), t) is not None for n, t in zip(names, _types())] == [
        False,
        True,
        True,
        True,
        True,
        True,
    ]
    batch = {n: [r[i] for r in ROWS] for i, n in enumerate(names)}
    with fresh_conn.transaction():
        assert copy_rows(fresh_conn, table, names, [batch]) == 4
    got = fresh_conn.execute("select * from t order by id").fetchall()
    expected = [
        (1, ["a", "bé", ""], ["x"], ["ab"], {"k": [1, "ü"]}, [1, {"a": None}]),
        (2, [], [], None, "plain string", None),
        (3, ["null", None, "with\ttab\nand\\"], ["v" * 12], ["c ", None], None, {"n": 1.5}),
        (4, None, None, [], {"wrapped": True}, "s"),
    ]
    assert got == expected


def _types() -> list[str]:
    return ["integer", "text[]", "character varying[]", "character[]", "jsonb", "json"]


def test_unexpected_array_elements_are_refused(fresh_conn: psycopg.Connection[Any]) -> None:
    fresh_conn.execute("create table t (id int primary key, a text[])")
    table = introspect(fresh_conn).tables["public.t"]
    with pytest.raises(TypeError, match="not a string"), fresh_conn.transaction():
        copy_rows(fresh_conn, table, ["id", "a"], [{"id": [1], "a": [[["nested"]]]}])
