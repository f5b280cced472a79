"""Time distribute() on the issue's sizes; prints times and the ratio to the original tool's targets.

    .venv/bin/python bench/associate.py

Goals: 10,000 items over 100 targets < 20 ms, 50,000 items over 1,000 targets < 50 ms (the
original supa-seed plan aimed at 1 s and 2 s). Each case runs a few times; the best and median
are printed, never asserted.
"""

from __future__ import annotations

import statistics
import time

from pytest_supaseed.associate import ConstraintsConfig, distribute

CASES = [
    # (label, items, targets, min, max, goal ms, original target ms)
    ("10,000 items / 100 targets, min 50 max 150", 10_000, 100, 50, 150, 20.0, 1000.0),
    ("50,000 items / 1,000 targets, min 10 max 100", 50_000, 1_000, 10, 100, 50.0, 2000.0),
]
STRATEGIES = ["weighted_random", "even_spread", "round_robin"]


def _time(fn: object, repeat: int = 15) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    """Run every case with every strategy, plus the category-balanced variant."""
    for label, n, t, lo, hi, goal, original in CASES:
        items = list(range(n))
        targets = list(range(t))
        constraints = ConstraintsConfig(min_per_target=lo, max_per_target=hi)
        print(label)
        for strategy in STRATEGIES:
            times = _time(
                lambda s=strategy, i=items, t=targets, c=constraints: distribute(
                    i, t, strategy=s, constraints=c
                )
            )
            best, median = min(times), statistics.median(times)
            print(
                f"  {strategy:16} best {best:6.1f} ms  median {median:6.1f} ms  "
                f"goal {goal:.0f} ms ({median / goal:.2f}x)  original {original:.0f} ms "
                f"({original / median:.0f}x faster)"
            )
        records = [{"id": i, "cat": ("technical", "tutorial", "news")[i % 3]} for i in items]
        balanced = ConstraintsConfig(
            min_per_target=lo,
            max_per_target=hi,
            category_balance={
                "field": "cat",
                "scope": "per_target",
                "bounds": {"technical": {"min": 0.2, "max": 0.5}},
            },
        )
        times = _time(
            lambda r=records, t=targets, c=balanced: distribute(r, t, constraints=c), repeat=3
        )
        print(
            f"  {'+ per-target category balance':31} median {statistics.median(times):7.1f} ms "
            f"(flow over {t} targets x 2 categories)"
        )


if __name__ == "__main__":
    main()
