"""docs/guides/assets.md: every TOML example is valid TOML and a valid plan section."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pytest_supaseed.config.models import SeedPlan

DOC = Path(__file__).parents[2] / "docs" / "guides" / "assets.md"


def test_every_toml_example_validates() -> None:
    blocks = [tomllib.loads(b) for b in re.findall(r"```toml\n(.*?)```", DOC.read_text(), re.S)]
    assert len(blocks) == 3
    first, filters, storage = blocks
    plan = SeedPlan.model_validate(first)
    assert plan.mappings["blog"].fields["read_minutes"] == "read_time(body)"
    # The filters example is a fragment of the first pool.
    pool = {**first["asset_pools"]["posts"], **filters["asset_pools"]["posts"]}
    selection = SeedPlan.model_validate({"asset_pools": {"posts": pool}}).asset_pools["posts"]
    assert selection.selection.filters is not None
    assert selection.selection.filters.since == "6 months"
    assert SeedPlan.model_validate(storage).asset_pools["setup_images"].storage is not None
