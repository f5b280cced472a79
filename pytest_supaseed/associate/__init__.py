"""Distribute items over targets under constraints, with a report of every relaxation."""

from __future__ import annotations

from pytest_supaseed.associate.config import (
    AssociationConfig,
    CategoryBalance,
    CategoryBound,
    ConstraintsConfig,
    DateDistribution,
)

__all__ = [
    "AssociationConfig",
    "CategoryBalance",
    "CategoryBound",
    "ConstraintsConfig",
    "DateDistribution",
]
