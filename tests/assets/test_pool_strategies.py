"""Hypothesis strategies over pools: from_pool shrinks to the first asset; mapped_rows are valid."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from pytest_supaseed.assets import AssetPool, AssetPoolConfig, MappingConfig, load_pool
from pytest_supaseed.assets.hypothesis_pools import from_pool, mapped_rows
from pytest_supaseed.errors import AssetError

from .helpers import Col

DATA = Path(__file__).parent / "data"


def blog_pool(tmp: Path) -> AssetPool:
    config = AssetPoolConfig.model_validate(
        {"type": "markdown", "path": "blog/**/*.md", "exclude": "**/_*.md", "cache": False}
    )
    return load_pool("posts", config, DATA, cache_dir=tmp)


BLOG = blog_pool(Path("/nonexistent"))  # cache off: nothing is written
COLUMNS = [Col("title", "character varying(50)", 50, nullable=False), Col("minutes", "integer")]
MAPPING = MappingConfig(
    pool="posts", table="posts", fields={"title": "frontmatter.title", "minutes": "read_time(body)"}
)


def test_from_pool_shrinks_to_the_first_asset() -> None:
    # Any asset "fails" this property: the minimal failing example is the pool's first asset.
    smallest = find(from_pool(BLOG), lambda asset: True)
    assert smallest == BLOG.loaded[0]
    long_body = find(from_pool(BLOG), lambda asset: asset.word_count > 30)
    assert long_body.name == "winter-camping.md"  # the first asset that satisfies it


def test_a_failing_given_test_reports_the_first_asset() -> None:
    # The public import path, used as a user would: a @given test that fails on every asset is
    # shrunk by Hypothesis and replayed last with its minimal example, the pool's first asset.
    from pytest_supaseed.testing.strategies import from_pool as public_from_pool

    seen: list[Any] = []

    @given(post=public_from_pool(BLOG))
    @settings(max_examples=25, database=None)
    def every_post_is_bad(post: object) -> None:
        seen.append(post)
        raise AssertionError("bad post")

    with pytest.raises(AssertionError, match="bad post"):
        every_post_is_bad()
    assert seen[-1] == BLOG.loaded[0]

    @given(post=public_from_pool(BLOG))
    @settings(max_examples=50, database=None)
    def short_posts_only(post: Any) -> None:
        seen.append(post)
        assert post.word_count <= 30, post.name

    with pytest.raises(AssertionError, match=r"winter-camping\.md"):
        short_posts_only()  # whichever long post fails first, the report is the first long one
    assert seen[-1].name == "winter-camping.md"


@given(post=from_pool(BLOG))
@settings(max_examples=25)
def test_given_over_from_pool_sees_only_loaded_assets(post: object) -> None:
    assert post in BLOG.loaded


@given(row=mapped_rows(BLOG, MAPPING, COLUMNS, today=date(2025, 8, 1)))
@settings(max_examples=25)
def test_mapped_rows_fit_their_columns(row: dict[str, object]) -> None:
    assert isinstance(row["title"], str)
    assert len(row["title"]) <= 50
    assert isinstance(row["minutes"], int)
    assert row["minutes"] >= 1


def test_mapped_rows_shrink_toward_the_first_asset() -> None:
    strategy = mapped_rows(BLOG, MAPPING, COLUMNS)
    assert find(strategy, lambda row: True)["title"] == BLOG.loaded[0].fields["title"]


def test_mapped_rows_draw_random_functions_from_hypothesis_seeds() -> None:
    mapping = MappingConfig(pool="posts", table="posts", fields={"n": "random(1, 1000)"})
    values = find(
        st.lists(mapped_rows(BLOG, mapping, [Col("n", "integer")]), min_size=5, max_size=5),
        lambda rows: len({r["n"] for r in rows}) > 1,
    )
    assert len(values) == 5


def test_from_pool_of_an_empty_pool_is_an_error(tmp_path: Path) -> None:
    empty = load_pool("none", AssetPoolConfig(type="json", path=["*.json"]), tmp_path)
    with pytest.raises(AssetError, match="pool 'none' has no loaded asset"):
        from_pool(empty)
