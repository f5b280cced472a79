"""Compact text for a distribution: a histogram of items per target, and the relaxations made.

The histogram has one row per count value ("how many targets got k items"), so it stays a few
lines long whether there are 5 targets or 5,000. It is shared by the seed summary in pytest's
report and by the failure messages of :mod:`pytest_supaseed.testing.distribution`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

from ..histogram import render_histogram
from .solver import Distribution

__all__ = ["render_counts", "render_distribution", "render_histogram"]


def render_counts(counts: Mapping[Hashable, int], *, width: int = 8) -> str:
    """The histogram of a ``{target: items}`` mapping (see :func:`render_histogram`)."""
    return render_histogram(counts.values(), width=width)


def render_distribution(
    distribution: Distribution, *, width: int = 8, relaxations: bool = True
) -> str:
    """A summary line, the histogram of items per target, and (unless ``relaxations=False``, for
    reports that list relaxations on their own) one line per relaxation."""
    d = distribution
    n_targets = len(d.counts)
    values = list(d.counts.values())
    span = f"{min(values)}..{max(values)} each" if values else "no targets"
    head = f"{d.name or 'association'} ({d.strategy}): {d.total} items"
    if d.synthetic_total:
        head += f" ({d.real_total} real + {d.synthetic_total} synthetic)"
    head += f" over {n_targets} targets, {span}"
    if d.unused:
        head += f"; {len(d.unused)} items unused"
    lines = [head, render_histogram(values, width=width)]
    if relaxations:
        lines += [f"  relaxed {r}" for r in d.relaxations]
    return "\n".join(lines)
