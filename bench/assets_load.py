"""Asset loading speed: load_pool (cold parse, cache hit) beside a plain frontmatter / json loop.

Run: ``.venv/bin/python bench/assets_load.py [--md 1000] [--json 10000] [--repeat 5]``

Generates the corpora of research/perf-baselines.md §4 (1,000 markdown files of ~2.3 KB with a
quoted title, date, tags, difficulty, distance_km and draft; 10,000 JSON files of ~165 B) in a
temporary directory, then times, in this one process and with a warm OS cache:

- ``plain``: ``frontmatter.load(p)`` / ``json.load(f)`` over ``sorted(glob)``, keeping the results;
- ``cold parse``: ``load_pool`` with its parse cache off (discovery, parse, field checks);
- ``cache hit``: ``load_pool`` when an earlier run left the parse cache (nothing re-parsed).

Best and median of ``--repeat`` runs are printed, with ratios to the plain loop, and the peak of
Python allocations (tracemalloc, measured in a separate, untimed run). Targets: 1,000 md < 40 ms,
10,000 JSON < 100 ms, peak < 50 MB.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import frontmatter

from pytest_supaseed.assets import AssetPoolConfig, load_pool

WORDS = [
    "trail",
    "ridge",
    "summit",
    "camp",
    "water",
    "map",
    "boots",
    "tent",
    "stove",
    "river",
    "crossing",
    "pack",
    "light",
    "weight",
    "weather",
    "wind",
    "snow",
    "rain",
    "forest",
    "meadow",
    "valley",
    "lake",
    "stream",
    "bridge",
    "pass",
    "climb",
    "descent",
]


def make_markdown(root: Path, count: int) -> None:
    rng = random.Random("bench:md")
    folder = root / "posts"
    for i in range(count):
        sub = folder / f"{2015 + i % 10}"
        sub.mkdir(parents=True, exist_ok=True)
        day = date(2024, 1, 1) - timedelta(days=i)
        tags = rng.sample(WORDS, 3)
        body = "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(60)) + "." for _ in range(6))
        (sub / f"post-{i:05d}.md").write_text(
            f'---\ntitle: "Post {i}: {rng.choice(WORDS).title()} {rng.choice(WORDS)}"\n'
            f"date: {day.isoformat()}\ntags: [{', '.join(tags)}]\n"
            f"difficulty: {rng.choice(['easy', 'medium', 'hard'])}\n"
            f"distance_km: {rng.uniform(1, 40):.1f}\ndraft: {str(i % 7 == 0).lower()}\n---\n"
            f"{body}\n"
        )


def make_json(root: Path, count: int) -> None:
    rng = random.Random("bench:json")
    folder = root / "gear"
    for i in range(count):
        sub = folder / f"{i % 100:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        item = {
            "name": f"Item {i} {rng.choice(WORDS)}",
            "brand": rng.choice(WORDS).title(),
            "price": round(rng.uniform(5, 500), 2),
            "specs": {"weight": round(rng.uniform(0.05, 4), 3), "color": rng.choice(WORDS)},
            "tags": rng.sample(WORDS, 2),
        }
        (sub / f"item-{i:05d}.json").write_text(json.dumps(item))


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    runs: list[float] = []
    result: Any = None
    for _ in range(repeat):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = fn()
        runs.append((time.perf_counter() - start) * 1000)
    return min(runs), statistics.median(runs), result


def peak_mb(fn: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    kept = fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kept
    return peak / 1e6


def report(
    title: str, target_ms: float, rows: list[tuple[str, float, float, float | None]]
) -> None:
    plain_best = rows[0][1]
    print(f"\n{title}  (target < {target_ms:.0f} ms)")
    print(f"  {'loader':<34}{'best ms':>9}{'median':>9}{'vs plain':>10}{'peak MB':>9}")
    for name, best, median, peak in rows:
        ratio = plain_best / best if best else float("inf")
        peak_text = f"{peak:.1f}" if peak is not None else "-"
        print(f"  {name:<34}{best:>9.1f}{median:>9.1f}{ratio:>9.2f}x{peak_text:>9}")
    for label, best in (("cold parse", rows[1][1]), ("cache hit", rows[-1][1])):
        verdict = "meets" if best < target_ms else f"misses by {best - target_ms:.1f} ms"
        print(f"  {label} {verdict} the target")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--md", type=int, default=1000)
    parser.add_argument("--json", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="supaseed-bench-") as tmp:
        root = Path(tmp)
        make_markdown(root, args.md)
        make_json(root, args.json)
        cache_dir = root / "cache"

        md_files = sorted(root.glob("posts/**/*.md"))
        json_files = sorted(root.glob("gear/**/*.json"))

        def plain_md() -> list[Any]:
            return [frontmatter.load(p) for p in sorted(root.glob("posts/**/*.md"))]

        def plain_json() -> list[Any]:
            out = []
            for p in sorted(root.glob("gear/**/*.json")):
                with open(p, "rb") as f:
                    out.append(json.load(f))
            return out

        md_cfg = AssetPoolConfig.model_validate(
            {
                "type": "markdown",
                "path": "posts/**/*.md",
                "required": {"title": "str", "date": "date"},
                "optional": {"tags": "list[str]", "distance_km": "float", "draft": "bool"},
            }
        )
        json_cfg = AssetPoolConfig.model_validate(
            {"type": "json", "path": "gear/**/*.json", "required": {"name": "str"}}
        )
        md_cold = md_cfg.model_copy(update={"cache": False})
        json_cold = json_cfg.model_copy(update={"cache": False})

        def pool(cfg: AssetPoolConfig) -> Callable[[], Any]:
            return lambda: load_pool("bench", cfg, root, cache_dir=cache_dir)

        # Warm the OS cache and the imports before anything is timed.
        plain_md()
        plain_json()
        assert len(pool(md_cold)()) == len(md_files)
        assert len(pool(json_cold)()) == len(json_files)

        for title, target, plain, cold, warm in (
            (f"{len(md_files)} markdown files", 40.0, plain_md, md_cold, md_cfg),
            (f"{len(json_files)} JSON files", 100.0, plain_json, json_cold, json_cfg),
        ):
            rows: list[tuple[str, float, float, float | None]] = []
            best, median, _ = timed(plain, args.repeat)
            rows.append(("plain loop (frontmatter / json)", best, median, peak_mb(plain)))
            best, median, _ = timed(pool(cold), args.repeat)
            rows.append(("load_pool, cold parse (no cache)", best, median, peak_mb(pool(cold))))
            pool(warm)()  # the run that writes the cache
            best, median, result = timed(pool(warm), args.repeat)
            assert result.parsed == 0, "expected a pure cache hit"
            rows.append(("load_pool, cache hit", best, median, peak_mb(pool(warm))))
            report(title, target, rows)


if __name__ == "__main__":
    main()
