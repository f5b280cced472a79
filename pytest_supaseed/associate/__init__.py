"""Distribute items over targets under constraints, with a report of every relaxation.

``distribute(items, targets, strategy=..., constraints=..., seed=...) -> Distribution`` is the
entry point; ``distribute_from_config`` takes a plan's :class:`AssociationConfig`.
"""

from __future__ import annotations

from ..config.association_sections import (
    STRATEGIES,
    AssociationConfig,
    CategoryBalance,
    CategoryBound,
    ConstraintsConfig,
    DateDistribution,
)
from .constraints import Relaxation
from .solver import Distribution, distribute, distribute_from_config

__all__ = [
    "STRATEGIES",
    "AssociationConfig",
    "CategoryBalance",
    "CategoryBound",
    "ConstraintsConfig",
    "DateDistribution",
    "Distribution",
    "Relaxation",
    "distribute",
    "distribute_from_config",
]
