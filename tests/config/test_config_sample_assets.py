"""The sample assets shipped with the built-in templates load cleanly through the asset loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_supaseed.assets.pool import load_pool
from pytest_supaseed.config import resolve_plan

EXPECTED = {
    ("outdoor-platform", "gear_catalog"): 20,
    ("outdoor-platform", "setup_images"): 6,
    ("blog-platform", "posts"): 8,
}


@pytest.mark.parametrize(("template", "pool"), sorted(EXPECTED))
def test_sample_pool_loads_without_problems(template: str, pool: str, tmp_path: Path) -> None:
    resolved = resolve_plan(template, rootdir=tmp_path)
    config = resolved.plan.asset_pools[pool].model_copy(update={"strict": True})
    loaded = load_pool(pool, config, tmp_path, cache_dir=tmp_path / "cache")
    assert len(loaded) == EXPECTED[(template, pool)]
    assert not loaded.errors
    assert not loaded.warnings


def test_sample_images_are_small_real_jpegs(tmp_path: Path) -> None:
    resolved = resolve_plan("outdoor-platform", rootdir=tmp_path)
    images = [p for p in resolved.asset_files() if p.suffix == ".jpg"]
    assert len(images) == 6
    for image in images:
        data = image.read_bytes()
        assert data[:3] == b"\xff\xd8\xff"  # JPEG start-of-image marker
        assert len(data) < 8_000
