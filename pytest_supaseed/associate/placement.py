"""How many items each target gets: one allocation function per strategy.

Every function returns counts ``k`` with ``low <= k[i] <= high`` and ``sum(k) == total``; the
caller has already checked that ``len(k) * low <= total <= len(k) * high``. The strategy only
shapes the allocation inside those bounds, so constraints hold by construction.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence


def even_spread(n_targets: int, total: int, rng: random.Random) -> list[int]:
    """Counts differ by at most one; the targets that get one more are chosen at random."""
    base, extra = divmod(total, n_targets)
    counts = [base] * n_targets
    for i in rng.sample(range(n_targets), extra):
        counts[i] += 1
    return counts


def round_robin(n_targets: int, total: int) -> list[int]:
    """Counts differ by at most one; the first targets in order get one more (item i -> target i mod n)."""
    base, extra = divmod(total, n_targets)
    return [base + (1 if i < extra else 0) for i in range(n_targets)]


def weighted_random(
    weights: Sequence[float], total: int, low: int, high: int, rng: random.Random
) -> list[int]:
    """Everyone gets ``low``; the rest is drawn target by target with probability ~ weight.

    A target that reaches ``high`` leaves the draw and its overflow is drawn again among the others,
    so the result follows the weights as far as the bounds allow. When only zero-weight targets have
    room left, they share the rest equally: the bounds win over the weights.
    """
    n = len(weights)
    counts = [low] * n
    remaining = total - low * n
    active = [i for i in range(n) if high > low]
    while remaining > 0 and active:
        w = [weights[i] for i in active]
        if sum(w) <= 0 or min(w) == max(w):
            # Equal weights: the unweighted draw is the same distribution and twice as fast.
            drawn = Counter(rng.choices(active, k=remaining))
        else:
            drawn = Counter(rng.choices(active, weights=w, k=remaining))
        remaining = 0
        still: list[int] = []
        for i in active:
            counts[i] += drawn.get(i, 0)
            if counts[i] > high:
                remaining += counts[i] - high
                counts[i] = high
            elif counts[i] < high:
                still.append(i)
        active = still
    return counts


def fit_counts(desired: Sequence[int], total: int, low: int, high: int) -> list[int]:
    """The counts closest to ``desired`` (e.g. a custom strategy's proposal) within the bounds."""
    counts = [min(max(d, low), high) for d in desired]
    diff = total - sum(counts)
    # Add to the targets that wanted the most, take from those that have the most above ``low``.
    order = sorted(range(len(counts)), key=lambda i: (-desired[i], i))
    while diff > 0:
        for i in order:
            if diff and counts[i] < high:
                counts[i] += 1
                diff -= 1
    while diff < 0:
        for i in sorted(range(len(counts)), key=lambda i: (-counts[i], i)):
            if diff and counts[i] > low:
                counts[i] -= 1
                diff += 1
    return counts


def repair_counts(
    counts: list[int], low: int, high: int, good: Callable[[int], bool], span: int = 3
) -> list[int]:
    """Move a few items between targets so fewer targets have a count ``good`` rejects.

    Per-target shares need whole items (30%-50% of 1 item is none of 0 or 1), so a target that
    a strategy gave 1 item trades with a neighbour: one gives, one takes, the total and the
    ``[low, high]`` bounds stay, and both counts end up good. Targets no trade can fix are left
    for the solver's relaxation.
    """
    counts = list(counts)
    for t in range(len(counts)):
        if good(counts[t]):
            continue
        for step in (d for m in range(1, span + 1) for d in (m, -m)):
            new = counts[t] + step
            if not (low <= new <= high and good(new)):
                continue
            partner = next(
                (
                    u
                    for u in range(len(counts))
                    if u != t
                    and good(counts[u])
                    and low <= counts[u] - step <= high
                    and good(counts[u] - step)
                ),
                None,
            )
            if partner is not None:
                counts[t], counts[partner] = new, counts[partner] - step
                break
    return counts
