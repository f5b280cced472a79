"""What ``supaseed seed`` prints once it has its template database, shared by its two stages
(:mod:`.seed`, which reuses one by its recorded resolution, and :mod:`.seed_build`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from ..backends.base import ServerHandle
from ..errors import ConfigError
from ..lifecycle.databases import clone_database
from ..lifecycle.resolution_cache import request_key
from ..lifecycle.template_db import TemplateDatabase
from ..logs import event, json_enabled
from ..seed_result import SeedResult

__all__ = ["announce", "print_rate", "seed_request_key"]


def seed_request_key(args: argparse.Namespace, root: Path, migrations: Path | None) -> str:
    """The resolution cache's key of ``supaseed seed [--template T] [--seed N]`` (``--seed``
    overrides the plan's seed, as ``--supaseed-seed`` does in a test session)."""
    return request_key(
        template=args.template,
        customizations=None,
        seed=None,
        settings_seed=args.seed,
        rootdir=root,
        migrations=migrations,
    )


def announce(
    args: argparse.Namespace,
    server: ServerHandle,
    template_db: TemplateDatabase,
    run_seed: int,
    *,
    report: Callable[[], None] | None = None,
) -> None:
    """The summary, ``--strict``'s verdict, the rate of a build, the report (``report()``), the
    template database's line, then the kept copy's DSN (``--keep``) or the server's stop."""
    print(template_db.result.summary())
    problems = template_db.result.strict_problems
    if args.strict and problems:
        # the template database is the plugin's own; the command still fails, as --dsn does
        # (its error the first line on stderr)
        raise ConfigError(
            f"strict: {problems[0]}. Fix: remove the cause (for a relaxation: loosen the "
            "constraint or seed more targets), or seed without --strict to accept it as a "
            "warning"
        )
    if not template_db.cache_hit:
        print_rate(template_db.result, template_db.build_seconds)
    if report is not None:
        report()
    status = (
        "reused (cache hit, nothing seeded)"
        if template_db.cache_hit
        else f"built in {template_db.build_seconds:.2f} s"
    )
    print(f"template database {template_db.name}: {status}")
    if args.keep:
        # A copy to work in: the template database itself stays as seeded, for the next run.
        name = f"supaseed_cli_{run_seed}".replace("-", "m")
        dsn = clone_database(server, template_db.name, name)
        print(
            f"kept: psql '{dsn}'  (the server runs until the next supaseed or pytest run of "
            "this project stops it)"
        )
    elif json_enabled():
        event("server", "server stopped (use --keep to keep it and connect)")
    else:
        print("server stopped (use --keep to keep it and connect)", file=sys.stderr)


def print_rate(result: SeedResult, seconds: float) -> None:
    """One line: rows, seconds, rows/s (on stderr: stdout keeps the summary)."""
    if seconds <= 0 or json_enabled():
        return  # the JSON log has the same numbers in its "seed" and "progress" events
    print(
        f"{result.total_rows:,} rows in {seconds:.2f} s: {result.total_rows / seconds:,.0f} rows/s",
        file=sys.stderr,
    )
