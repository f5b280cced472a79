"""The plan models on their own: defaults, shorthands, cross-field rules."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pytest_supaseed.config import Constant, Expression, IntRange, SeedPlan, TableConfig


def test_empty_plan_is_valid_with_documented_defaults() -> None:
    plan = SeedPlan()
    assert plan.seed == 0
    assert plan.users.count == 0
    assert plan.users.makerkit_test_users is False
    assert plan.users.password == "testingpassword"
    assert plan.accounts.personal is True
    assert plan.accounts.members_per_team == IntRange(min=3, max=3)
    assert plan.ai.provider == "disabled"
    assert plan.migrations.paths is None
    assert plan.extends_list == []


def test_integer_is_shorthand_for_a_fixed_range() -> None:
    table = TableConfig.model_validate(
        {"count_per_parent": {"accounts": 4, "posts": {"min": 1, "max": 3}}}
    )
    assert table.count_per_parent == {
        "accounts": IntRange(min=4, max=4),
        "posts": IntRange(min=1, max=3),
    }
    assert table.count_per_parent["accounts"].fixed


def test_range_must_be_ordered() -> None:
    with pytest.raises(ValidationError, match=r"min \(5\) is greater than max \(2\)"):
        IntRange(min=5, max=2)


def test_count_and_count_per_parent_are_exclusive() -> None:
    with pytest.raises(ValidationError, match="either 'count' or 'count_per_parent'"):
        TableConfig.model_validate({"count": 3, "count_per_parent": {"accounts": 1}})


def test_column_overrides_are_constants_unless_written_as_expressions() -> None:
    table = TableConfig.model_validate(
        {
            "columns": {
                "status": "draft",
                "views": 0,
                "title": "{{ faker.sentence() }}",
                "n": "{ x }",
            }
        }
    )
    assert table.column_values() == {
        "status": Constant(value="draft"),
        "views": Constant(value=0),
        "title": Expression(source="faker.sentence()"),
        "n": Constant(value="{ x }"),
    }


def test_extends_accepts_one_name_or_a_list() -> None:
    assert SeedPlan(extends="makerkit-saas").extends_list == ["makerkit-saas"]
    assert SeedPlan(extends=["a", "b"]).extends_list == ["a", "b"]


def test_customizations_cannot_nest_extends() -> None:
    with pytest.raises(ValidationError, match="customizations cannot contain extends"):
        SeedPlan.model_validate({"customizations": {"extends": "makerkit-saas"}})


def test_unknown_ai_provider_is_rejected() -> None:
    with pytest.raises(ValidationError, match="ollama"):
        SeedPlan.model_validate({"ai": {"provider": "chatgpt"}})
