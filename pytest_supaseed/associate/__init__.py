"""Distribute items over targets under constraints, with a report of every relaxation.

``distribute(items, targets, strategy=..., constraints=..., seed=...) -> Distribution`` is the
entry point; ``distribute_from_config`` takes a plan's :class:`AssociationConfig`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_exports import lazy_package

if TYPE_CHECKING:
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

lazy_package(
    __name__,
    {
        "..config.association_sections": (
            "STRATEGIES",
            "AssociationConfig",
            "CategoryBalance",
            "CategoryBound",
            "ConstraintsConfig",
            "DateDistribution",
        ),
        ".constraints": ("Relaxation",),
        ".solver": ("Distribution", "distribute", "distribute_from_config"),
    },
)
