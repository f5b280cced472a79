"""The plan sections: what a plan may say about pools and mappings, and how mistakes read."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from pytest_supaseed.assets import AssetPoolConfig, MappingConfig
from pytest_supaseed.config.models import SeedPlan


def test_seed_plan_embeds_the_asset_sections() -> None:
    plan = SeedPlan.model_validate(
        {
            "asset_pools": {
                "posts": {
                    "type": "markdown",
                    "path": "content/**/*.md",
                    "required": ["title", "date"],
                    "optional": {"tags": "list[ str ]"},
                    "selection": {
                        "strategy": "filtered",
                        "filters": {"since": "6 months", "until": "2025-01-31", "in": {"a": [1]}},
                    },
                }
            },
            "mappings": {
                "blog": {
                    "pool": "posts",
                    "table": "posts",
                    "fields": {"title": "frontmatter.title"},
                }
            },
        }
    )
    pool = plan.asset_pools["posts"]
    assert isinstance(pool, AssetPoolConfig)
    assert isinstance(plan.mappings["blog"], MappingConfig)
    assert pool.path == ["content/**/*.md"]  # a single pattern becomes a list
    assert pool.required == {"title": "any", "date": "any"}  # names only: presence check
    assert pool.optional == {"tags": "list[str]"}
    filters = pool.selection.filters
    assert filters is not None
    assert filters.since == "6 months"
    assert filters.until == date(2025, 1, 31)
    assert filters.in_ == {"a": [1]}
    assert plan.mappings["blog"].synthetic_fill is True


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"type": "markdown", "path": "*.md", "countt": 1}, "Extra inputs are not permitted"),
        ({"type": "yaml", "path": "*.md"}, "Input should be 'markdown', 'json', 'csv' or 'image'"),
        ({"type": "markdown", "path": []}, "at least 1 item"),
        ({"type": "markdown", "path": "*.md", "required": {"t": "strr"}}, "did you mean 'str'"),
        ({"type": "markdown", "path": "*.md", "json_schema": "s.json"}, "json and csv pools only"),
        ({"type": "json", "path": "*.json", "model": "no_colon"}, "written 'module:name'"),
        (
            {"type": "markdown", "path": "*.md", "required": ["a"], "optional": {"a": "str"}},
            "both required and optional: a",
        ),
        (
            {"type": "image", "path": "*.jpg", "storage": {"bucket": "b", "folder": "../x"}},
            "stay inside the bucket",
        ),
        (
            {
                "type": "markdown",
                "path": "*.md",
                "selection": {"strategy": "weighted", "count": 2, "weights": {"a.md": -1}},
            },
            "must not be negative",
        ),
        (
            {
                "type": "markdown",
                "path": "*.md",
                "selection": {"strategy": "filtered", "filters": {"regex": {"t": "("}}},
            },
            "regex for 't' does not compile",
        ),
    ],
)
def test_mistakes_are_named(section: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SeedPlan.model_validate({"asset_pools": {"p": section}})


def test_mapping_needs_fields() -> None:
    with pytest.raises(ValidationError, match="at least 1 item"):
        MappingConfig(pool="p", table="t", fields={})


def test_the_exported_schema_accepts_what_validation_accepts() -> None:
    # ``path``/``exclude`` as one string and ``required`` as a list of names are valid plans; the
    # JSON Schema that ``supaseed schema`` prints (editors, CI) must accept them too.
    import jsonschema

    from pytest_supaseed.config.loader import plan_json_schema

    validator = jsonschema.Draft202012Validator(plan_json_schema())
    section = {
        "type": "markdown",
        "path": "content/**/*.md",
        "exclude": "content/drafts/*.md",
        "required": ["title", "date"],
        "optional": {"tags": "list[str]"},
    }
    plan = {"asset_pools": {"posts": section}}
    SeedPlan.model_validate(plan)
    validator.validate(plan)
    listed = {**section, "path": ["a/*.md", "b/*.md"], "exclude": ["a/_*.md"]}
    validator.validate({"asset_pools": {"posts": listed}})
    assert not validator.is_valid({"asset_pools": {"posts": {**section, "path": []}}})
    assert not validator.is_valid({"asset_pools": {"posts": {**section, "path": 3}}})
