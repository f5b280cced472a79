"""Asset pools: real content (markdown, JSON, CSV, images) loaded, selected and mapped to rows.

``load_pool`` finds and parses a pool's files (cached by size and mtime), ``select`` chooses the
assets a seed uses, ``map_rows`` turns them into rows checked against the target columns, and
``write_storage`` puts image pools into Supabase Storage. See docs/guides/assets.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_exports import lazy_package

if TYPE_CHECKING:
    from ..config.asset_sections import (
        AssetPoolConfig,
        FilterConfig,
        MappingConfig,
        RangeFilter,
        SelectionConfig,
        StorageTarget,
        TagFilter,
    )
    from .convert import ColumnLike, to_column
    from .mapping import (
        CompiledMapping,
        compile_expression,
        compile_mapping,
        map_rows,
        storage_path,
    )
    from .model import MISSING, Asset, AssetProblem, resolve
    from .pool import AssetPool, load_pool, load_pools
    from .select import Selection, pool_rng, select


__all__ = [
    "MISSING",
    "Asset",
    "AssetPool",
    "AssetPoolConfig",
    "AssetProblem",
    "ColumnLike",
    "CompiledMapping",
    "FilterConfig",
    "MappingConfig",
    "RangeFilter",
    "Selection",
    "SelectionConfig",
    "StorageTarget",
    "TagFilter",
    "compile_expression",
    "compile_mapping",
    "load_pool",
    "load_pools",
    "map_rows",
    "pool_rng",
    "resolve",
    "select",
    "storage_path",
    "to_column",
]

lazy_package(
    __name__,
    {
        "..config.asset_sections": (
            "AssetPoolConfig",
            "FilterConfig",
            "MappingConfig",
            "RangeFilter",
            "SelectionConfig",
            "StorageTarget",
            "TagFilter",
        ),
        ".convert": ("ColumnLike", "to_column"),
        ".mapping": (
            "CompiledMapping",
            "compile_expression",
            "compile_mapping",
            "map_rows",
            "storage_path",
        ),
        ".model": ("MISSING", "Asset", "AssetProblem", "resolve"),
        ".pool": ("AssetPool", "load_pool", "load_pools"),
        ".select": ("Selection", "pool_rng", "select"),
    },
)
