"""Distribute items over targets under constraints, with a report of every relaxation."""

from __future__ import annotations

# The plan package imports our config module into SeedPlan; load it first so that importing
# this package on its own does not enter that cycle half way.
import pytest_supaseed.config  # noqa: F401
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
