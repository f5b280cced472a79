"""Synthetic values by column type and name, generated column-wise in bulk. See docs/guides/seeding.md."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_exports import lazy_package

if TYPE_CHECKING:
    from .checks import ColumnRules, Relation, TableRules, understand_checks
    from .columns import generator_for
    from .table import ParentKeys, PerParent, TableRows, derive_rng, leave_to_database
    from .values import ValueGenerator
    from .vocab import Vocabulary, vocabulary


__all__ = [
    "ColumnRules",
    "ParentKeys",
    "PerParent",
    "Relation",
    "TableRows",
    "TableRules",
    "ValueGenerator",
    "Vocabulary",
    "derive_rng",
    "generator_for",
    "leave_to_database",
    "understand_checks",
    "vocabulary",
]

lazy_package(
    __name__,
    {
        ".checks": ("ColumnRules", "Relation", "TableRules", "understand_checks"),
        ".columns": ("generator_for",),
        ".table": ("ParentKeys", "PerParent", "TableRows", "derive_rng", "leave_to_database"),
        ".values": ("ValueGenerator",),
        ".vocab": ("Vocabulary", "vocabulary"),
    },
)
