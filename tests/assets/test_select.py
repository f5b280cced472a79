"""Selection strategies: deterministic per seed, different across seeds, every filter."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pytest_supaseed.assets import (
    Asset,
    AssetPool,
    AssetPoolConfig,
    SelectionConfig,
    load_pool,
    select,
)
from pytest_supaseed.assets.select import resolve_bound
from pytest_supaseed.errors import AssetError

TODAY = date(2025, 8, 1)


@pytest.fixture
def big_pool(tmp_path: Path) -> AssetPool:
    """40 posts, dated one week apart back from TODAY, tagged by position, weighted by index."""
    folder = tmp_path / "posts"
    folder.mkdir()
    for i in range(40):
        day = date.fromordinal(TODAY.toordinal() - 7 * i)
        tags = ["even" if i % 2 == 0 else "odd"] + (["fizz"] if i % 3 == 0 else [])
        (folder / f"post-{i:02d}.md").write_text(
            f"---\ntitle: Post {i}\ndate: {day.isoformat()}\ntags: {tags}\n"
            f"rank: {i}\nweight: {1000 if i == 7 else 0.001}\ncategory: {'gear' if i < 10 else 'trips'}\n"
            f"---\nBody of post {i}.\n"
        )
    config = AssetPoolConfig(type="markdown", path="posts/*.md", cache=False)
    return load_pool("posts", config, tmp_path)


def names(selection: Any) -> list[str]:
    return [a.name for a in selection.assets]


def choose(pool: AssetPool, seed: int, **settings: Any) -> list[str]:
    return names(select(pool, SelectionConfig.model_validate(settings), seed=seed, today=TODAY))


def test_all_is_every_asset_in_order_for_any_seed(big_pool: AssetPool) -> None:
    chosen = choose(big_pool, 1, strategy="all")
    assert chosen == [f"post-{i:02d}.md" for i in range(40)]
    assert chosen == choose(big_pool, 2, strategy="all")
    assert choose(big_pool, 1, strategy="all", count=3) == chosen[:3]


@pytest.mark.parametrize(
    "settings",
    [
        {"strategy": "random", "count": 10},
        {"strategy": "random", "count": 10, "replace": True},
        {"strategy": "weighted", "count": 10, "weight_field": "rank"},
        {"strategy": "filtered", "count": 5, "filters": {"tags": {"any": ["even"]}}},
    ],
    ids=["random", "random-replace", "weighted", "filtered-count"],
)
def test_chance_strategies_repeat_per_seed_and_differ_across_seeds(
    big_pool: AssetPool, settings: dict[str, Any]
) -> None:
    first = choose(big_pool, 1, **settings)
    assert first == choose(big_pool, 1, **settings)
    assert len(first) == settings["count"]
    others = {tuple(choose(big_pool, seed, **settings)) for seed in range(2, 7)}
    assert any(other != tuple(first) for other in others)


def test_random_without_replacement_has_no_duplicates(big_pool: AssetPool) -> None:
    chosen = choose(big_pool, 3, strategy="random", count=40)
    assert sorted(chosen) == [f"post-{i:02d}.md" for i in range(40)]


def test_too_small_pool_reports_a_shortfall(big_pool: AssetPool) -> None:
    selection = select(big_pool, SelectionConfig(strategy="random", count=50), seed=1)
    assert len(selection) == 40
    assert selection.shortfall == 10
    assert any("10 row(s) will be synthetic" in note for note in selection.notes)


def test_empty_pool_is_reported(tmp_path: Path) -> None:
    pool = load_pool("none", AssetPoolConfig(type="json", path="*.json"), tmp_path)
    selection = select(pool, SelectionConfig(strategy="random", count=3), seed=1)
    assert selection.assets == []
    assert selection.shortfall == 3
    assert "pool 'none' is empty" in selection.notes


def test_weighted_follows_weights(big_pool: AssetPool) -> None:
    # post-07 weighs 1000, the others 0.001: it is drawn first for every seed.
    for seed in range(5):
        assert choose(big_pool, seed, strategy="weighted", count=1, weight_field="weight") == [
            "post-07.md"
        ]
    explicit = {"post-03.md": 5.0}
    zeros = {f"post-{i:02d}.md": 0.0 for i in range(40) if i != 3} | explicit
    assert choose(big_pool, 9, strategy="weighted", count=3, weights=zeros) == ["post-03.md"]


def test_weighted_rejects_non_numeric_weights(big_pool: AssetPool) -> None:
    with pytest.raises(AssetError, match=r"post-00.md has weight 'gear' in field 'category'"):
        choose(big_pool, 1, strategy="weighted", count=2, weight_field="category")


def test_manual_keeps_the_listed_order_and_suggests_names(big_pool: AssetPool) -> None:
    assert choose(big_pool, 1, strategy="manual", files=["post-05.md", "post-01.md"]) == [
        "post-05.md",
        "post-01.md",
    ]
    with pytest.raises(AssetError) as info:
        choose(big_pool, 1, strategy="manual", files=["post_05.md"])
    assert "no asset named 'post_05.md' (did you mean 'post-05.md'?)" in str(info.value)


def test_manual_names_a_file_that_failed_to_load(tmp_path: Path) -> None:
    (tmp_path / "ok.md").write_text("---\ntitle: ok\n---\n")
    (tmp_path / "bad.md").write_text("---\n: [\n---\n")
    pool = load_pool("p", AssetPoolConfig(type="markdown", path="*.md", cache=False), tmp_path)
    with pytest.raises(AssetError, match=r"it failed to load: bad\.md"):
        select(pool, SelectionConfig(strategy="manual", files=["bad.md"]))


def filtered(pool: AssetPool, **filters: Any) -> list[int]:
    chosen = choose(pool, 1, strategy="filtered", filters=filters)
    return [int(name[5:7]) for name in chosen]


def test_filter_since_until_durations_and_dates(big_pool: AssetPool) -> None:
    # 6 months back from 2025-08-01 is 2025-02-01: posts 0..25 (7-day steps) are on or after it.
    assert filtered(big_pool, since="6 months", as_of="2025-08-01") == list(range(26))
    assert filtered(big_pool, since="3 weeks", as_of="2025-08-01") == [0, 1, 2, 3]
    assert filtered(big_pool, since="2025-07-01", until="2025-07-20") == [2, 3, 4]
    assert filtered(big_pool, until="1 year", as_of="2025-08-01") == [
        i for i in range(40) if 7 * i >= 365
    ]


def test_filter_tags_any_all_none(big_pool: AssetPool) -> None:
    assert filtered(big_pool, tags={"all": ["even", "fizz"]}) == [0, 6, 12, 18, 24, 30, 36]
    assert filtered(big_pool, tags={"any": ["fizz"], "none": ["even"]}) == [
        3,
        9,
        15,
        21,
        27,
        33,
        39,
    ]
    assert filtered(big_pool, tags={"any": ["nope"]}) == []


def test_filter_equals_in_regex_range(big_pool: AssetPool) -> None:
    assert filtered(big_pool, equals={"frontmatter.title": "Post 4"}) == [4]
    assert filtered(big_pool, **{"in": {"rank": [1, 2, 39, 99]}}) == [1, 2, 39]
    assert filtered(big_pool, regex={"title": r"^Post 1\d$"}) == list(range(10, 20))
    assert filtered(big_pool, range={"rank": {"min": 5, "max": 8}}) == [5, 6, 7, 8]
    assert filtered(big_pool, range={"date": {"min": "2025-07-20"}}) == [0, 1]
    assert filtered(big_pool, equals={"category": "gear"}, range={"rank": {"min": 8}}) == [8, 9]


def keep_multiples_of_five(asset: Asset) -> bool:
    """A filter callable, named in the plan as 'module:function'."""
    return int(asset.fields["rank"]) % 5 == 0


def test_filter_callable(big_pool: AssetPool) -> None:
    ref = f"{__name__}:keep_multiples_of_five"
    assert filtered(big_pool, callable=ref) == [0, 5, 10, 15, 20, 25, 30, 35]
    with pytest.raises(AssetError, match="cannot be imported"):
        filtered(big_pool, callable=f"{__name__}:missing_function")


def test_durations_count_back_calendar_months() -> None:
    assert resolve_bound("6 months", date(2025, 8, 31)) == date(2025, 2, 28)
    assert resolve_bound("1 year", date(2024, 2, 29)) == date(2023, 2, 28)
    assert resolve_bound("10 days", date(2025, 1, 5)) == date(2024, 12, 26)


def test_plan_rejects_incomplete_selections() -> None:
    with pytest.raises(ValueError, match="needs 'count'"):
        SelectionConfig(strategy="random")
    with pytest.raises(ValueError, match="needs a 'filters' table"):
        SelectionConfig(strategy="filtered")
    with pytest.raises(ValueError, match="needs 'files'"):
        SelectionConfig(strategy="manual")
    with pytest.raises(ValueError, match="neither a date"):
        SelectionConfig.model_validate(
            {"strategy": "filtered", "filters": {"since": "half a year"}}
        )
