"""Loading pools: discovery, every format, broken files reported one by one, strict mode, cache."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import pytest

from pytest_supaseed.assets import AssetPoolConfig, load_pool
from pytest_supaseed.errors import AssetError

MODELS = f"{__package__}.models"  # the package name depends on how pytest imports tests

BLOG = {
    "type": "markdown",
    "path": "blog/**/*.md",
    "exclude": "**/_*.md",
    "required": {"title": "str"},
    "optional": {"date": "date", "tags": "list[str]"},
}


def pool_config(**settings: object) -> AssetPoolConfig:
    return AssetPoolConfig.model_validate(settings)


def test_markdown_pool_loads_yaml_and_toml_frontmatter_sorted(data_dir: Path) -> None:
    pool = load_pool("posts", pool_config(**BLOG), data_dir)

    assert [a.rel for a in pool.loaded] == [
        "blog/2024/first-steps.md",
        "blog/2024/winter-camping.md",
        "blog/2025/no-date.md",
        "blog/2025/packing-light.md",
        "blog/2025/river-crossings.md",
    ]
    assert pool.errors == []
    first, _, _, toml_post, _ = pool.loaded
    assert first.fields["title"] == "First Steps on the Ridge Trail"
    assert first.fields["date"] == date(2024, 3, 10)
    assert first.fields["tags"] == ["hiking", "beginner"]
    assert first.body is not None
    assert first.body.startswith("The ridge trail")
    assert first.word_count == len(first.body.split())
    assert first.key == "2024/first-steps.md"  # relative to the pattern's fixed part
    assert toml_post.fields["title"] == "Packing Light: A Checklist"  # +++ TOML +++
    assert toml_post.fields["date"] == date(2025, 5, 20)


def test_several_patterns_excludes_and_depth(data_dir: Path) -> None:
    only_top = load_pool("a", pool_config(type="markdown", path="blog/*.md"), data_dir)
    assert [a.rel for a in only_top.loaded] == ["blog/_draft.md"]  # '*' does not descend

    both = load_pool(
        "b",
        pool_config(
            type="markdown",
            path=["blog/2025/*.md", "broken_md/good.md", "blog/2025/river-*.md"],
            exclude=["**/no-date.md"],
            cache=False,
        ),
        data_dir,
    )
    assert [a.rel for a in both.loaded] == [
        "blog/2025/packing-light.md",
        "blog/2025/river-crossings.md",  # matched twice, loaded once
        "broken_md/good.md",
    ]
    assert both.pattern_matches["blog/2025/river-*.md"] == 1


def test_pattern_matching_nothing_is_a_warning_not_an_error(data_dir: Path) -> None:
    pool = load_pool("x", pool_config(type="markdown", path="nowhere/**/*.md"), data_dir)

    assert pool.loaded == []
    assert pool.errors == []
    assert any("matched no file" in w for w in pool.warnings)
    assert any("is empty" in w for w in pool.warnings)


def test_broken_markdown_each_reported_with_reason(data_dir: Path) -> None:
    config = pool_config(
        type="markdown",
        path="broken_md/*.md",
        required={"title": "str", "date": "date"},
        optional={"tags": "list[str]"},
    )
    pool = load_pool("broken", config, data_dir)

    assert [a.name for a in pool.loaded] == ["good.md"]
    by_file = {p.file.rsplit("/", 1)[1]: p for p in pool.errors}
    assert set(by_file) == {"bad-date.md", "bad-yaml.md", "missing-title.md", "wrong-type.md"}
    assert "bad YAML" in by_file["bad-yaml.md"].reason
    assert by_file["bad-yaml.md"].line
    assert by_file["missing-title.md"].field == "title"
    assert "missing" in by_file["missing-title.md"].reason
    assert by_file["wrong-type.md"].field == "tags"
    assert "expected list[str]" in by_file["wrong-type.md"].reason
    assert by_file["bad-date.md"].field == "date"


def test_strict_raises_one_error_listing_every_bad_file(data_dir: Path) -> None:
    config = pool_config(
        type="markdown",
        path="broken_md/*.md",
        required={"title": "str", "date": "date"},
        optional={"tags": "list[str]"},
        strict=True,
    )
    with pytest.raises(AssetError) as info:
        load_pool("broken", config, data_dir)

    message = str(info.value)
    assert message.startswith("asset_pools.broken (strict): ")
    assert "(4 problem(s) in 4 file(s))" in message
    for name in ("bad-date.md", "bad-yaml.md", "missing-title.md", "wrong-type.md"):
        assert name in message
    assert "good.md" not in message


def test_json_one_object_or_list_with_schema(data_dir: Path) -> None:
    config = pool_config(
        type="json",
        path="broken_json/*.json",
        exclude="**/schema.json",
        json_schema="broken_json/schema.json",
    )
    pool = load_pool("gear", config, data_dir)

    assert [a.label for a in pool.loaded] == [
        "broken_json/good.json",
        "broken_json/mixed-list.json",
    ]
    reasons = {p.file: p for p in pool.errors}
    assert set(reasons) == {
        "broken_json/fails-schema.json",
        "broken_json/invalid.json",
        "broken_json/mixed-list.json[1]",
    }
    assert "invalid JSON" in reasons["broken_json/invalid.json"].reason
    assert reasons["broken_json/invalid.json"].line == 3
    assert reasons["broken_json/fails-schema.json"].field == "price"
    assert "minimum of 0" in reasons["broken_json/fails-schema.json"].reason
    assert "'specs' is a required property" in reasons["broken_json/mixed-list.json[1]"].reason


def test_json_validated_by_pydantic_model(data_dir: Path) -> None:
    config = pool_config(
        type="json",
        path="gear/*.json",
        exclude="**/schema.json",
        model=f"{MODELS}:GearItem",
    )
    pool = load_pool("gear", config, data_dir)
    assert [a.label for a in pool.loaded] == [
        "gear/stoves.json",
        "gear/stoves.json[1]",
        "gear/tent.json",
    ]
    assert pool.loaded[2].get("specs.weight") == 1.8

    strict_brand = pool_config(
        type="json", path="gear/*.json", exclude="**/schema.json", model=f"{MODELS}:Tent"
    )
    tents = load_pool("tents", strict_brand, data_dir)
    assert [a.label for a in tents.loaded] == ["gear/tent.json"]
    assert {p.field for p in tents.errors} == {"specs.capacity"}
    assert all("fails model Tent" in p.reason for p in tents.errors)


def test_unknown_model_is_a_clear_error(data_dir: Path) -> None:
    config = pool_config(type="json", path="gear/*.json", model=f"{MODELS}:Nope")
    with pytest.raises(AssetError, match=r"pool .g.: model .*models:Nope. cannot be imported"):
        load_pool("g", config, data_dir)


def test_csv_rows_typed_by_pool_fields(data_dir: Path) -> None:
    config = pool_config(
        type="csv",
        path="csv/*.csv",
        required={"sku": "str", "price": "float"},
        optional={"in_stock": "bool", "released": "date", "tags": "list[str]"},
    )
    pool = load_pool("products", config, data_dir)

    assert [a.get("sku") for a in pool.loaded] == ["A-1", "A-2", "A-4"]
    headlamp = pool.loaded[0]
    assert headlamp.fields == {
        "sku": "A-1",
        "name": "Headlamp",
        "price": 24.9,
        "in_stock": True,
        "released": date(2024, 2, 1),
        "tags": ["light", "night"],
    }
    assert headlamp.line == 2
    assert pool.loaded[2].get("in_stock") is True  # "yes"
    (problem,) = pool.errors
    assert (problem.line, problem.field) == (4, "price")
    assert "not-a-price" in problem.reason


def test_images_metadata_without_decoding_and_broken_ones(image_dir: Path) -> None:
    config = pool_config(type="image", path="setups/**/*.*")
    pool = load_pool("photos", config, image_dir)

    by_name = {a.name: a for a in pool.loaded}
    assert sorted(by_name) == ["camp.jpg", "forest.jpg", "logo.png"]
    camp = by_name["camp.jpg"].fields
    assert (camp["width"], camp["height"], camp["format"], camp["mode"]) == (64, 48, "JPEG", "RGB")
    assert camp["mimetype"] == "image/jpeg"
    assert camp["camera"] == "Canon EOS R5"
    assert camp["exif_date"] == datetime(2024, 4, 30, 18, 45, 10)  # DateTimeOriginal wins
    assert camp["size"] == (image_dir / "setups/alpine/camp.jpg").stat().st_size
    assert len(camp["sha256"]) == 64
    assert by_name["forest.jpg"].fields["camera"] is None
    assert by_name["logo.png"].fields["mode"] == "RGBA"

    reasons = {p.file.rsplit("/", 1)[1]: p.reason for p in pool.errors}
    assert set(reasons) == {"cut.jpg", "notes.jpg", "truncated.jpg"}
    assert "truncated JPEG image" in reasons["cut.jpg"]
    assert "not an image" in reasons["notes.jpg"]
    assert "truncated" in reasons["truncated.jpg"]


def test_cache_skips_unchanged_files_and_reparses_changed_ones(data_dir: Path) -> None:
    config = pool_config(**BLOG)
    first = load_pool("posts", config, data_dir)
    assert (first.parsed, first.cached) == (5, 0)
    assert list((data_dir / ".supaseed/cache/assets").glob("posts-*.pickle"))

    second = load_pool("posts", config, data_dir)
    assert (second.parsed, second.cached) == (0, 5)
    assert second.loaded == first.loaded

    changed = data_dir / "blog/2025/river-crossings.md"
    changed.write_text(changed.read_text().replace("River Crossings", "Fording Rivers"))
    stat = changed.stat()
    os.utime(changed, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    third = load_pool("posts", config, data_dir)
    assert third.parsed == 1
    assert third.loaded[-1].fields["title"] == "Fording Rivers"


def test_cache_keeps_errors_and_is_invalidated_by_a_config_change(data_dir: Path) -> None:
    loose = pool_config(type="markdown", path="broken_md/*.md", optional={"tags": "list[str]"})
    before = load_pool("b", loose, data_dir)
    again = load_pool("b", loose, data_dir)
    assert again.parsed == 0
    assert again.errors == before.errors

    tighter = pool_config(
        type="markdown", path="broken_md/*.md", required={"title": "str"}, optional={"tags": "list"}
    )
    changed = load_pool("b", tighter, data_dir)
    assert changed.parsed == 5  # a different fingerprint: nothing reused
    assert "missing-title.md" in {p.file.rsplit("/", 1)[1] for p in changed.errors}
    assert len(list((data_dir / ".supaseed/cache/assets").glob("b-*.pickle"))) == 1


def test_corrupt_cache_is_rebuilt(data_dir: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    config = pool_config(**BLOG)
    load_pool("posts", config, data_dir, cache_dir=cache_dir)
    for file in cache_dir.glob("*.pickle"):
        file.write_bytes(b"not a pickle")
    pool = load_pool("posts", config, data_dir, cache_dir=cache_dir)
    assert pool.parsed == 5
    assert len(pool) == 5


def test_missing_base_dir_and_schema_file(tmp_path: Path) -> None:
    with pytest.raises(AssetError, match="base directory"):
        load_pool("p", pool_config(**BLOG), tmp_path / "missing")
    config = pool_config(type="json", path="*.json", json_schema="nope.json")
    with pytest.raises(AssetError, match=r"pool 'p': json_schema file .*nope.json does not exist"):
        load_pool("p", config, tmp_path)


def test_digest_follows_content_not_mtime(data_dir: Path) -> None:
    config = pool_config(**BLOG)
    first = load_pool("posts", config, data_dir)
    cached = load_pool("posts", config, data_dir)
    assert cached.parsed == 0
    assert cached.digest == first.digest

    post = data_dir / "blog/2024/first-steps.md"
    stat = post.stat()
    os.utime(post, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000))  # a fresh checkout
    touched = load_pool("posts", config, data_dir)
    assert touched.parsed == 1
    assert touched.digest == first.digest

    post.write_text(post.read_text().replace("gentle", "steady"))
    assert load_pool("posts", config, data_dir).digest != first.digest
    other_selection = pool_config(**BLOG, selection={"strategy": "random", "count": 2})
    assert load_pool("posts", other_selection, data_dir).digest != first.digest


def test_read_takes_the_whole_file_even_if_it_grew_since_the_scan(tmp_path: Path) -> None:
    from pytest_supaseed.assets.pool import _read

    path = tmp_path / "grown.json"
    path.write_bytes(b"x" * 200_000)
    assert _read(str(path), 10) == b"x" * 200_000  # scandir saw 10 bytes; the file has more now
    assert _read(str(path), 200_000) == b"x" * 200_000
    assert _read(str(path), 500_000) == b"x" * 200_000  # shrank: what is there


def test_an_unexpected_parser_exception_is_that_file_s_problem(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"name": "fine"}')
    (tmp_path / "b.json").write_text('{"name": "boom"}')
    config = pool_config(type="json", path="*.json", model=f"{MODELS}:Touchy")
    pool = load_pool("p", config, tmp_path, cache_dir=tmp_path / "cache")
    assert [a.name for a in pool.loaded] == ["a.json"]
    assert [(p.file, p.reason) for p in pool.errors] == [
        ("b.json", "cannot parse: TypeError: boom is not a name")
    ]
