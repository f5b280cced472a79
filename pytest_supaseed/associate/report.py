"""Compact text for a distribution: a histogram of items per target, and the relaxations made.

The histogram has one row per count value ("how many targets got k items"), so it stays a few
lines long whether there are 5 targets or 5,000. It is shared by the seed summary in pytest's
report and by the failure messages of :mod:`pytest_supaseed.testing.distribution`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping

from .solver import Distribution

_EIGHTHS = " ▏▎▍▌▋▊▉"


def _bar(value: int, largest: int, width: int) -> str:
    if largest <= 0:
        return " " * width
    eighths = round(value * width * 8 / largest)
    if value and not eighths:
        eighths = 1  # a non-empty row never looks empty
    full, part = divmod(eighths, 8)
    text = "█" * full + (_EIGHTHS[part] if part else "")
    return text.ljust(width)


def render_histogram(counts: Iterable[int], *, width: int = 8, max_rows: int = 12) -> str:
    """Rows ``"  3 items │███▌    │ 12 targets"``: how many targets got each number of items.

    When there are more distinct counts than ``max_rows``, neighbouring counts share a row.
    """
    values = list(counts)
    if not values:
        return "  (no targets)"
    lo, hi = min(values), max(values)
    step = max(1, -(-(hi - lo + 1) // max_rows))
    buckets: Counter[int] = Counter((v - lo) // step for v in values)
    largest = max(buckets.values())
    label_width = len(str(hi)) * (2 if step > 1 else 1) + (1 if step > 1 else 0)
    rows = []
    for b in range((hi - lo) // step + 1):
        start = lo + b * step
        end = min(hi, start + step - 1)
        label = str(start) if start == end else f"{start}-{end}"
        n = buckets.get(b, 0)
        noun = "target" if n == 1 else "targets"
        rows.append(f"  {label.rjust(label_width)} items │{_bar(n, largest, width)}│ {n} {noun}")
    return "\n".join(rows)


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
