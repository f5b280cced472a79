"""assert_distribution / assert_category_balance against real tables, passing and failing."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.rows import dict_row

from pytest_supaseed.associate import ConstraintsConfig, distribute
from pytest_supaseed.testing import assert_category_balance, assert_distribution


def seed_posts(conn: psycopg.Connection, owners: list[int | None], cats: list[str]) -> None:
    conn.execute("CREATE TABLE users (id int PRIMARY KEY)")
    conn.execute("INSERT INTO users SELECT generate_series(1, 5)")
    conn.execute(
        "CREATE TABLE posts (id serial PRIMARY KEY, user_id int REFERENCES users, category text)"
    )
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO posts (user_id, category) VALUES (%s, %s)", list(zip(owners, cats))
        )


def test_a_seeded_distribution_passes(fresh_conn: psycopg.Connection) -> None:
    d = distribute(
        range(10),
        [1, 2, 3, 4, 5],
        constraints=ConstraintsConfig(min_per_target=1, max_per_target=4, total_items=10),
        seed=11,
    )
    owners = [t for _, t in d.assignments]
    seed_posts(fresh_conn, owners, ["technical"] * 10)  # type: ignore[arg-type]
    counts = assert_distribution(
        fresh_conn, "posts", "user_id", min=1, max=4, total=10, targets="users"
    )
    assert counts == dict(d.counts)


def test_targets_without_items_count_as_zero(fresh_conn: psycopg.Connection) -> None:
    seed_posts(fresh_conn, [1, 1, 2, 3, None], ["x"] * 5)
    assert_distribution(fresh_conn, "posts", "user_id", min=1)  # only users that have posts
    with pytest.raises(AssertionError) as info:
        assert_distribution(fresh_conn, "public.posts", "user_id", min=1, total=5, targets="users")
    message = str(info.value)
    assert "2 targets below min 1 (4: 0, 5: 0)" in message
    assert "total 4 != 5" in message
    assert "1 rows have no target" in message
    assert "0 items │████████│ 2 targets" in message  # the histogram


def test_max_violation_names_the_targets(fresh_conn: psycopg.Connection) -> None:
    seed_posts(fresh_conn, [1] * 6 + [2], ["x"] * 7)
    with pytest.raises(AssertionError, match=r"1 targets above max 4 \(1: 6\)"):
        assert_distribution(fresh_conn, "posts", "user_id", max=4)


def test_category_balance_per_target_and_overall(fresh_conn: psycopg.Connection) -> None:
    owners = [1, 1, 1, 1, 2, 2, 2, 2]
    cats = ["technical", "tutorial", "news", "news", "technical", "technical", "news", "news"]
    seed_posts(fresh_conn, owners, cats)  # type: ignore[arg-type]
    assert_category_balance(fresh_conn, "posts", "user_id", "category", {"technical": (0.25, 0.5)})
    assert_category_balance(
        fresh_conn, "posts", "user_id", "category", {"news": {"min": 0.5}}, scope="overall"
    )
    with pytest.raises(AssertionError) as info:
        assert_category_balance(
            fresh_conn, "posts", "user_id", "category", {"technical": (0.3, 0.4)}
        )
    assert "'technical' outside 30%-40% for 2 targets (1: 1/4, 2: 2/4)" in str(info.value)
    assert "items per target:" in str(info.value)
    with pytest.raises(AssertionError, match=r"'tutorial': 1/8 = 12%, asked 20%-100%"):
        assert_category_balance(
            fresh_conn, "posts", "user_id", "category", {"tutorial": {"min": 0.2}}, scope="overall"
        )


def test_helpers_read_their_rows_whatever_the_connections_row_factory(
    fresh_conn: psycopg.Connection,
) -> None:
    seed_posts(fresh_conn, [1, 1, 2, 3, None], ["a", "b", "a", "b", "a"])
    fresh_conn.row_factory = dict_row  # type: ignore[assignment]
    counts = assert_distribution(fresh_conn, "posts", "user_id", min=1, max=2)
    assert counts == {1: 2, 2: 1, 3: 1}
    with pytest.raises(AssertionError, match="1 rows have no target"):
        assert_distribution(fresh_conn, "posts", "user_id", total=5)
    # rows with a target: a, b, a, b
    bounds = {"a": (0.4, 0.6), "b": (0.4, 0.6)}
    assert_category_balance(fresh_conn, "posts", "user_id", "category", bounds, scope="overall")
