"""Text histograms: how many targets got each number of items, a few lines long for 5 targets or
5,000. Shared by the association report (:mod:`pytest_supaseed.associate.report`, the seed summary)
and the failure messages of :mod:`pytest_supaseed.testing.distribution`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

__all__ = ["render_histogram"]

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
