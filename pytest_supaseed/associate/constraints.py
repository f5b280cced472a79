"""Feasibility of the count constraints, relaxed in a fixed order with the arithmetic recorded.

Order of relaxation (each step sees the result of the previous ones):

1. ``total_items`` is lowered to the real items available (synthetic fallback off).
2. ``min_per_target`` is lowered to what the items allow (``total // targets``; for
   ``allow_duplicates`` without synthetic items, to the number of distinct items).
3. ``total_items`` is lowered to ``targets x max_per_target``.
4. ``category_balance`` bounds are widened, a unit at a time, to the nearest that fit.
5. ``date_distribution``'s recent share moves to the nearest that fits.

Steps 4 and 5 live in :mod:`.solver`; in strict mode, the first needed step raises
:class:`~pytest_supaseed.errors.ConstraintError` with the same arithmetic instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from pytest_supaseed.errors import ConstraintError

from ..config.association_sections import ConstraintsConfig


@dataclass(frozen=True)
class Relaxation:
    """One constraint that could not be met as asked: what was asked, what was done, and why."""

    constraint: str
    asked: object
    got: object
    why: str

    def __str__(self) -> str:
        return f"{self.constraint}: asked {self.asked}, got {self.got} ({self.why})"


@dataclass(frozen=True)
class CountPlan:
    """Resolved bounds for the allocation: every target gets ``low..high``, ``total`` in all."""

    low: int
    high: int
    total: int
    relaxations: tuple[Relaxation, ...]


def resolve_counts(
    n_items: int,
    n_targets: int,
    constraints: ConstraintsConfig,
    *,
    one_to_one: bool = False,
    synthetic_fallback: bool = True,
    strict: bool = False,
) -> CountPlan:
    """Check the count constraints against the items and targets; relax or raise."""
    c = constraints
    relaxations: list[Relaxation] = []
    dup = c.uniqueness == "allow_duplicates"

    def relax(constraint: str, asked: object, got: object, why: str) -> None:
        if strict:
            raise ConstraintError(f"{constraint} {asked} cannot be met: {why}")
        relaxations.append(Relaxation(constraint, asked, got, why))

    low = c.min_per_target or 0
    high = c.max_per_target
    if one_to_one:
        low, high = 1, 1
    if n_targets == 0:
        if c.total_items:
            relax("total_items", c.total_items, 0, "there are no targets")
        return CountPlan(0, 0, 0, tuple(relaxations))
    if dup and not synthetic_fallback:
        # Without synthetic items a target can hold each distinct item once at most.
        if low > n_items:
            relax(
                "min_per_target",
                low,
                n_items,
                f"min {low} per target > {n_items} distinct items "
                "(allow_duplicates never repeats an item within a target; synthetic fallback off)",
            )
            low = n_items
        high = n_items if high is None else min(high, n_items)
    asked_total = c.total_items if not one_to_one else (c.total_items or n_targets)
    if asked_total is not None:
        total = asked_total
    else:
        total = max(n_items, n_targets * low)
        if high is not None:
            total = min(total, n_targets * high)
    # 1. supply
    if not dup and not synthetic_fallback and total > n_items:
        if asked_total is not None:
            relax(
                "total_items",
                asked_total,
                n_items,
                f"total_items {asked_total} > {n_items} items available (synthetic fallback off)",
            )
        total = n_items
    # 2. minimum
    if n_targets * low > total:
        what = f"total_items {total}" if asked_total is not None else f"{total} items"
        relax(
            "min_per_target",
            low,
            total // n_targets,
            f"{n_targets} targets x min {low} = {n_targets * low} > {what}",
        )
        low = total // n_targets
    # 3. maximum
    if high is not None and n_targets * high < total:
        relax(
            "total_items",
            total,
            n_targets * high,
            f"{n_targets} targets x max {high} = {n_targets * high} < {total} items",
        )
        total = n_targets * high
    return CountPlan(low, total if high is None else high, total, tuple(relaxations))
