"""A cached AI column's cost: seeding N rows with one AI-written column whose answers are all in the
cache, against the same plan without ``[ai]``, side by side in one run (goal: at most 1.5x).

A stdlib stand-in for Ollama (``/api/generate``) on 127.0.0.1 answers the first, unmeasured seed,
which fills the cache; every measured AI seed then makes zero requests. Each measure is the median
of ``--repeat`` runs, alternating the two plans, each on a truncated table.

    .venv/bin/python bench/ai_cache.py [--dsn DSN] [--rows 1000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import psycopg

from pytest_supaseed.seed import seed

TABLE = """
create table bench_posts (
    id bigint primary key,
    title varchar(80) not null,
    summary text,
    body text,
    created_at timestamptz not null default now(),
    rating integer not null
)
"""


class _Ollama(BaseHTTPRequestHandler):
    requests = 0

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        type(self).requests += 1
        answer = {"response": f"In short: {body['prompt'][-40:]}", "done": True}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def fresh_database(admin_dsn: str, name: str) -> str:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
        conn.execute(f'create database "{name}"')
    dsn = psycopg.conninfo.make_conninfo(admin_dsn, dbname=name)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(TABLE)
    return dsn


def timed(plan: dict[str, Any], dsn: str) -> tuple[float, Any]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("truncate bench_posts")
    start = time.perf_counter()
    result = seed(plan, dsn, progress=False)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ollama)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    dsn = fresh_database(args.dsn, "supaseed_bench_ai_cache")
    with tempfile.TemporaryDirectory() as cache:
        plain = {"seed": 1, "tables": {"bench_posts": {"count": args.rows}}}
        with_ai = {
            **plain,
            "ai": {
                "provider": "ollama",
                "base_url": f"http://{host}:{port}",
                "cache_dir": cache,
                "fields": {"bench_posts": {"summary": {"prompt": "Summarise: {title}"}}},
            },
        }
        _, warm = timed(with_ai, dsn)  # fills the cache (not measured)
        warm_requests = _Ollama.requests
        runs: dict[str, list[float]] = {"plain": [], "ai": []}
        last: Any = None
        for _ in range(args.repeat):
            runs["plain"].append(timed(plain, dsn)[0])
            seconds, last = timed(with_ai, dsn)
            runs["ai"].append(seconds)
    server.shutdown()
    with psycopg.connect(args.dsn, autocommit=True) as conn:
        conn.execute('drop database if exists "supaseed_bench_ai_cache" with (force)')

    plain_s, ai_s = statistics.median(runs["plain"]), statistics.median(runs["ai"])
    ratio = ai_s / plain_s
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{args.rows} rows, median of {args.repeat}, load average {load}")
    print(f"  warm-up: {warm_requests} requests ({warm.ai.requests} counted), cache filled")
    print(f"  without [ai]          {plain_s * 1000:8.1f} ms")
    print(
        f"  cached AI column      {ai_s * 1000:8.1f} ms   "
        f"({last.ai.requests} requests, {last.ai.cache_hits} cache hits)"
    )
    print(f"  ratio {ratio:.2f}x  (goal <= 1.5x: {'met' if ratio <= 1.5 else 'NOT met'})")


if __name__ == "__main__":
    main()
