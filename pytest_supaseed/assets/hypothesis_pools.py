"""Hypothesis strategies over asset pools, for ``@given``.

Re-exported from :mod:`pytest_supaseed.testing.strategies`::

    @given(post=from_pool(pool))
    def test_renders(post): ...

    @given(row=mapped_rows(pool, mapping, columns))
    def test_insertable(row): ...
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from hypothesis import strategies as st

from ..config.asset_sections import MappingConfig
from ..errors import AssetError
from .convert import ColumnLike
from .mapping import CompiledMapping, compile_mapping, map_rows
from .model import Asset
from .pool import AssetPool

__all__ = ["from_pool", "mapped_rows"]


def from_pool(pool: AssetPool) -> st.SearchStrategy[Asset]:
    """Assets of ``pool``; a failing example shrinks toward the pool's first asset."""
    if not pool.loaded:
        raise AssetError(
            f"from_pool: pool '{pool.name}' has no loaded asset "
            f"({len(pool.errors)} problem(s)); fix its files or patterns"
        )
    # sampled_from shrinks toward the start of the sequence; pool.loaded is in path order.
    return st.sampled_from(pool.loaded)


def mapped_rows(
    pool: AssetPool,
    mapping: MappingConfig | CompiledMapping,
    columns: Mapping[str, ColumnLike] | Sequence[ColumnLike],
    *,
    pools: Mapping[str, AssetPool] | None = None,
    today: date | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """One row as ``mapping`` would insert it, for an asset drawn by :func:`from_pool`.

    Random functions in the expressions (``random``, ``faker.*``) draw from a seed Hypothesis
    chooses, so failures replay and shrink (toward the first asset and seed 0).
    """
    compiled = mapping if isinstance(mapping, CompiledMapping) else compile_mapping(mapping)
    single = CompiledMapping(
        compiled.name, compiled.config.model_copy(update={"count": None}), compiled.fields
    )
    fixed_day = today or date.today()

    def build(asset: Asset, seed: int) -> dict[str, Any]:
        rows = map_rows(
            pool, single, columns, random.Random(seed), assets=[asset], pools=pools, today=fixed_day
        )
        return rows[0]

    return st.builds(build, from_pool(pool), st.integers(min_value=0, max_value=2**32 - 1))
