"""docs/guides/associations.md: its plan example is a valid plan with the association it describes."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pytest_supaseed.config.models import SeedPlan

DOC = Path(__file__).parents[2] / "docs" / "guides" / "associations.md"


def test_the_plan_example_validates_as_one_association() -> None:
    block = re.search(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert block is not None
    plan = SeedPlan.model_validate(tomllib.loads(block.group(1)))
    assert list(plan.associations) == ["posts_to_authors"]
    c = plan.associations["posts_to_authors"].constraints
    assert (c.min_per_target, c.max_per_target, c.total_items) == (1, 4, 10)
    assert c.category_balance is not None
    assert set(c.category_balance.bounds) == {"technical", "tutorial"}
    assert c.date_distribution is not None
    assert c.date_distribution.recent == 0.7
