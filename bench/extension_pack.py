"""What the Supabase extension pack costs: installing the layer with and without the platform
extensions it pre-installs (pg_net, supabase_functions, pgsodium, supabase_vault, pg_graphql,
realtime), and cloning the result, side by side on one embedded server.

Run: ``.venv/bin/python bench/extension_pack.py [--repeat 7]``. Variants are interleaved in one
process so machine noise hits them alike; the table reports medians and the ratio to the layer
without the pack's extensions, with the machine's load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path

import psycopg

import pytest_supaseed.backends.supabase as layer
from pytest_supaseed.backends.binaries import find_binaries
from pytest_supaseed.backends.embedded import cache_root, start_embedded
from pytest_supaseed.backends.extensions import PRESENT_ON_SUPABASE, with_extension_pack


def _timed(fn: Callable[[], None]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    server = start_embedded(None, Path("/tmp/supaseed-bench-extension-pack"))
    results: dict[str, list[float]] = {
        "layer without pack extensions": [],
        "layer with pack extensions": [],
        "clone without": [],
        "clone with": [],
        "pack sync at start (warm)": [],
    }
    made: list[str] = []
    try:
        with psycopg.connect(server.dsn, autocommit=True) as admin:

            def build(with_pack: bool) -> str:
                name = f"bench_pack_{uuid.uuid4().hex[:8]}"
                admin.execute(f'create database "{name}"')
                made.append(name)
                saved = layer.PRESENT_ON_SUPABASE
                layer.PRESENT_ON_SUPABASE = PRESENT_ON_SUPABASE if with_pack else ()  # type: ignore[misc]
                try:
                    with psycopg.connect(server.dsn_for(name), autocommit=True) as conn:
                        layer.install_supabase_layer(conn)
                finally:
                    layer.PRESENT_ON_SUPABASE = saved  # type: ignore[misc]
                return name

            def clone(source: str) -> None:
                name = f"bench_clone_{uuid.uuid4().hex[:8]}"
                admin.execute(f'create database "{name}" template "{source}"')
                made.append(name)

            binaries = find_binaries()
            for _ in range(args.repeat):
                names: dict[bool, str] = {}
                for with_pack in (False, True):
                    label = "with" if with_pack else "without"
                    start = time.perf_counter()
                    names[with_pack] = build(with_pack)
                    results[f"layer {label} pack extensions"].append(time.perf_counter() - start)
                for with_pack in (False, True):
                    label = "with" if with_pack else "without"
                    results[f"clone {label}"].append(_timed(partial(clone, names[with_pack])))
                results["pack sync at start (warm)"].append(
                    _timed(partial(with_extension_pack, binaries, cache_root()))
                )
            for name in made:
                admin.execute(f'drop database if exists "{name}" with (force)')
    finally:
        server.stop()
    base = statistics.median(results["layer without pack extensions"])
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}, repeat {args.repeat}")
    print(f"{'variant':<34} {'median s':>9} {'ratio':>7}")
    for label, values in results.items():
        median = statistics.median(values)
        print(f"{label:<34} {median:>9.4f} {median / base:>7.2f}")


if __name__ == "__main__":
    main()
