"""Mapping assets to rows: expressions, fallbacks, functions, conversion and clear errors."""

from __future__ import annotations

import random
import sys
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pytest_supaseed.assets import (
    AssetPool,
    AssetPoolConfig,
    MappingConfig,
    compile_expression,
    load_pool,
    map_rows,
)
from pytest_supaseed.errors import AssetError

from .helpers import Col

TODAY = date(2025, 8, 1)


@pytest.fixture
def blog(data_dir: Path) -> AssetPool:
    config = AssetPoolConfig.model_validate(
        {
            "type": "markdown",
            "path": "blog/**/*.md",
            "exclude": "**/_*.md",
            "required": {"title": "str"},
            "optional": {"date": "date", "tags": "list[str]"},
        }
    )
    return load_pool("posts", config, data_dir)


@pytest.fixture
def gear(data_dir: Path) -> AssetPool:
    config = AssetPoolConfig(type="json", path=["gear/*.json"], exclude=["**/schema.json"])
    return load_pool("gear", config, data_dir)


def rows(
    pool: AssetPool, fields: dict[str, str], columns: list[Col], **extra: Any
) -> list[dict[str, Any]]:
    seed = extra.pop("seed", 1)
    mapping = MappingConfig(pool=pool.name, table="t", fields=fields, **extra)
    return map_rows(pool, mapping, columns, random.Random(seed), today=TODAY)


def test_paths_functions_and_fallbacks(blog: AssetPool) -> None:
    columns = [
        Col("title", "text"),
        Col("slug", "text"),
        Col("minutes", "integer"),
        Col("day", "date"),
        Col("tags", "text[]"),
        Col("file", "text"),
        Col("shout", "text"),
        Col("short", "text"),
    ]
    fields = {
        "title": "frontmatter.title",
        "slug": "slugify(frontmatter.title)",
        "minutes": "read_time(body)",
        "day": "frontmatter.date | '2000-01-01'",
        "tags": "frontmatter.tags | []",
        "file": "file.stem",
        "shout": "upper(lower(frontmatter.difficulty))",
        "short": "truncate(frontmatter.title, 12)",
    }
    result = rows(blog, fields, columns)

    first = result[0]
    assert first["title"] == "First Steps on the Ridge Trail"
    assert first["slug"] == "first-steps-on-the-ridge-trail"
    assert first["minutes"] == 1
    assert first["day"] == date(2024, 3, 10)
    assert first["file"] == "first-steps"
    assert first["shout"] == "EASY"
    assert first["short"] == "First Steps…"
    no_date = next(r for r in result if r["file"] == "no-date")
    assert no_date["day"] == date(2000, 1, 1)  # the fallback
    assert [r["slug"] for r in result][2:] == [
        "notes-without-a-date",
        "packing-light-a-checklist",
        "river-crossings",
    ]


def test_read_time_counts_words_and_rounds_up(tmp_path: Path) -> None:
    (tmp_path / "long.md").write_text("---\ntitle: t\n---\n" + "word " * 450)
    pool = load_pool("p", AssetPoolConfig(type="markdown", path="*.md", cache=False), tmp_path)
    (row,) = rows(
        pool,
        {"a": "read_time(body)", "b": "read_time(body, 100)", "c": "word_count"},
        [Col("a", "integer"), Col("b", "integer"), Col("c", "integer")],
    )
    assert row == {"a": 3, "b": 5, "c": 450}


def test_random_recent_fallback_is_seeded_and_recent(blog: AssetPool) -> None:
    columns = [Col("at", "timestamp with time zone"), Col("file", "text")]
    fields = {"at": "frontmatter.date | random_recent(30 days)", "file": "file.name"}

    def undated(seed: int) -> datetime:
        result = rows(blog, fields, columns, seed=seed)
        return next(r["at"] for r in result if r["file"] == "no-date.md")

    midnight = datetime(2025, 8, 1, tzinfo=UTC)
    assert midnight - timedelta(days=30) <= undated(1) <= midnight
    assert undated(1) == undated(1)
    assert len({undated(seed) for seed in range(1, 6)}) > 1
    dated = rows(blog, fields, columns)[0]["at"]
    assert dated == datetime(2024, 3, 10, tzinfo=UTC)  # a real date wins over the fallback


def test_random_faker_and_nested_json_paths(gear: AssetPool) -> None:
    columns = [
        Col("name", "character varying(40)", 40),
        Col("weight", "numeric(6,2)"),
        Col("stars", "smallint"),
        Col("ratio", "double precision"),
        Col("tag", "text"),
        Col("maker", "text"),
        Col("specs", "jsonb"),
    ]
    fields = {
        "name": "json.name",
        "weight": "json.specs.weight",
        "stars": "random(1, 5)",
        "ratio": "random(0.5, 1.5)",
        "tag": "random(json.tags)",
        "maker": "json.brand | faker.company()",
        "specs": "json.specs",
    }
    first = rows(gear, fields, columns, seed=3)
    assert first == rows(gear, fields, columns, seed=3)
    assert [r["name"] for r in first] == ["Pocket Stove", "Twin Burner", "Trail Tent 2"]
    assert first[2]["weight"] == Decimal("1.8")
    assert all(1 <= r["stars"] <= 5 for r in first)
    assert all(0.5 <= r["ratio"] <= 1.5 for r in first)
    assert first[1]["tag"] in ("kitchen", "car")
    assert first[0]["maker"] == "Flamma"
    assert first[2]["specs"] == {"weight": 1.8, "capacity": 2}
    later = [rows(gear, fields, columns, seed=s) for s in range(4, 9)]
    assert any([r["stars"] for r in other] != [r["stars"] for r in first] for other in later)


def test_faker_fallbacks_mapped_on_two_threads_at_once_are_those_mapped_alone(
    gear: AssetPool,
) -> None:
    # Two template databases may be built at once (the prebuild thread and a test's own build):
    # each mapping's faker.* draws must come from its own seeded Faker, never interleave.
    columns = [Col("name", "text"), Col("brand", "text")]
    fields = {"name": "json.name | faker.word()", "brand": "json.brand | faker.company()"}
    alone = {seed: rows(gear, fields, columns, count=1500, seed=seed) for seed in (5, 6)}
    together: dict[int, list[dict[str, Any]]] = {}
    start = threading.Barrier(2)

    def work(seed: int) -> None:
        start.wait()
        together[seed] = rows(gear, fields, columns, count=1500, seed=seed)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: any sharing shows
    try:
        threads = [threading.Thread(target=work, args=(seed,)) for seed in alone]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert together == alone


def test_count_beyond_the_pool_adds_synthetic_rows_from_fallbacks(gear: AssetPool) -> None:
    columns = [Col("name", "text"), Col("price", "numeric"), Col("brand", "text")]
    fields = {"name": "json.name | faker.word()", "price": "json.price", "brand": "json.brand"}
    result = rows(gear, fields, columns, count=5)
    assert len(result) == 5
    assert result[3].keys() == {"name"}  # only columns with a fallback; the engine fills the rest
    assert isinstance(result[3]["name"], str)
    assert result[3]["name"]
    assert len(rows(gear, fields, columns, count=2)) == 2
    with pytest.raises(AssetError, match=r"count = 5 but the pool gives 3 asset\(s\)"):
        rows(gear, fields, columns, count=5, synthetic_fill=False)


def test_a_value_that_cannot_fit_names_pool_file_field_and_column(blog: AssetPool) -> None:
    columns = [Col("title", "character varying(20)", 20), Col("n", "integer")]
    with pytest.raises(AssetError) as info:
        rows(blog, {"title": "frontmatter.title", "n": "frontmatter.difficulty"}, columns)
    message = str(info.value)
    assert "nothing was written" in message
    assert (
        "pool 'posts', file blog/2024/first-steps.md, field 'frontmatter.title' → column "
        "'t.title' (character varying(20)): 'First Steps on the Ridge Trail' is 30 characters, "
        "the column allows 20" in message
    )
    assert "winter-camping.md" in message
    assert "'river-crossings.md'" not in message  # "River Crossings" fits
    assert "'easy' is not an integer" in message


def test_null_for_not_null_columns(blog: AssetPool) -> None:
    with pytest.raises(AssetError, match=r"no-date.md, field 'frontmatter.date' .* NOT NULL"):
        rows(blog, {"d": "frontmatter.date"}, [Col("d", "date", nullable=False)])
    with_default = rows(
        blog, {"d": "frontmatter.date"}, [Col("d", "date", nullable=False, has_default=True)]
    )
    assert "d" not in with_default[2]  # left out: the column default applies
    assert with_default[0]["d"] == date(2024, 3, 10)


def test_unknown_columns_and_bad_expressions_fail_early(blog: AssetPool) -> None:
    with pytest.raises(AssetError, match=r"no column 'titel' \(did you mean 'title'\?\)"):
        rows(blog, {"titel": "frontmatter.title"}, [Col("title", "text")])
    with pytest.raises(AssetError) as info:
        rows(
            blog,
            {"a": "slugfy(frontmatter.title)", "b": "truncate(body)", "c": "faker.nmae()"},
            [Col("a", "text"), Col("b", "text"), Col("c", "text")],
        )
    message = str(info.value)
    assert "unknown function 'slugfy' (did you mean 'slugify'?)" in message
    assert "truncate() takes 2 argument(s), got 1" in message
    assert "faker has no provider 'nmae' (did you mean 'name'?)" in message


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("frontmatter.title |", "ended"),
        ("slugify(frontmatter.title", r"expected '\)'"),
        ("file.nme", "did you mean 'name'"),
        ("a $ b", "unexpected"),
    ],
)
def test_expression_syntax_errors(source: str, error: str) -> None:
    with pytest.raises(AssetError, match=error):
        compile_expression(source)


def test_random_from_another_pool_gives_its_path(blog: AssetPool, gear: AssetPool) -> None:
    mapping = MappingConfig(
        pool="posts", table="t", fields={"g": "random(gear)", "p": "random(pool)"}
    )
    result = map_rows(
        blog, mapping, [Col("g", "text"), Col("p", "text")], random.Random(1), pools={"gear": gear}
    )
    assert {r["g"] for r in result} <= {a.rel for a in gear.loaded}
    assert {r["p"] for r in result} <= {a.rel for a in blog.loaded}
    with pytest.raises(
        AssetError, match=r"no pool and no field named 'gaer' \(did you mean 'gear'"
    ):
        map_rows(
            blog,
            MappingConfig(pool="posts", table="t", fields={"g": "random(gaer)"}),
            [Col("g", "text")],
            random.Random(1),
            pools={"gear": gear},
        )


def test_a_selection_shortfall_becomes_synthetic_rows(gear: AssetPool) -> None:
    from pytest_supaseed.assets import SelectionConfig, select

    selection = select(gear, SelectionConfig(strategy="random", count=5), seed=1)
    assert selection.shortfall == 2
    mapping = MappingConfig(pool="gear", table="t", fields={"name": "json.name | 'spare'"})
    result = map_rows(gear, mapping, [Col("name", "text")], random.Random(1), assets=selection)
    assert [r["name"] for r in result][3:] == ["spare", "spare"]
    assert sorted(r["name"] for r in result[:3]) == ["Pocket Stove", "Trail Tent 2", "Twin Burner"]


def test_storage_path_needs_a_storage_target(blog: AssetPool) -> None:
    with pytest.raises(AssetError, match="pool 'posts' has no storage target"):
        rows(blog, {"img": "storage.path"}, [Col("img", "text")])


def test_as_of_pins_random_recent(gear: AssetPool) -> None:
    mapping = MappingConfig(
        pool="gear", table="t", fields={"at": "random_recent(1 days)"}, as_of=date(2020, 1, 2)
    )
    result = map_rows(gear, mapping, [Col("at", "timestamptz")], random.Random(1))
    for row in result:
        assert datetime(2020, 1, 1, tzinfo=UTC) <= row["at"] <= datetime(2020, 1, 2, tzinfo=UTC)
