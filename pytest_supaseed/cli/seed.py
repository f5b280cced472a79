"""``supaseed seed``: seed a database from the command line.

    supaseed seed                                  # the project's plan, on a new embedded server
    supaseed seed --template outdoor-platform      # a template instead of the plan file
    supaseed seed --plan other.toml --seed 42      # another plan, another seed
    supaseed seed --dsn postgresql://postgres:postgres@127.0.0.1:54322/postgres   # seed that database
    supaseed seed --keep                           # keep the server and print a DSN to connect to
    supaseed seed --dsn DSN --resumable            # commit in batches, progress journaled in DSN
    supaseed seed --dsn DSN --resume               # continue it after a crash, Ctrl-C, restart
    supaseed seed --dsn DSN --rollback             # or remove what the half-finished run wrote
    supaseed seed --dsn DSN --jobs 3               # 3 connections for tables that do not depend on each other

With ``--dsn`` the named database is seeded as it is (its schema must already be there: a local
``supabase start`` database, for instance). Without it, the project's embedded server starts and
the plan is seeded into a *template database* exactly as the pytest plugin does it
(:func:`pytest_supaseed.lifecycle.template_build.ensure_template_db`: the project's base database
plus the plan, named by a hash of both): a second run on an unchanged plan reuses it and says so.
With ``--keep`` a copy ``supaseed_cli_<seed>`` is made to connect to.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

from .. import seed as seeding
from ..config.resolve import ResolvedPlan, resolve_plan
from ..errors import ConfigError
from ..lifecycle.base import ensure_base_database, project_server
from ..lifecycle.databases import clone_database
from ..lifecycle.schema_check import check_resolved_plan
from ..lifecycle.template_build import ensure_template_db
from ..logs import event, json_enabled
from ..report import collect_report, write_html
from ..seed.atomic import check_target
from ..seed.journal import rollback
from ..seed_result import SeedResult
from .common import add_migrations_option, migrations_option

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``supaseed seed`` to the ``supaseed`` command."""
    parser = subparsers.add_parser(
        "seed",
        help="seed a database from the project's plan (or a template)",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--template", metavar="T", help="seed from template T (supaseed templates)")
    source.add_argument("--plan", metavar="FILE", help="seed from this plan file")
    parser.add_argument(
        "--dsn",
        help="seed this database instead of starting an embedded server (its schema must exist)",
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow --dsn to name a host that is not this machine (refused by default)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="treat warnings (skipped files, globs matching nothing ...) and relaxations as errors",
    )
    parser.add_argument("--seed", type=int, metavar="N", help="override the plan's seed")
    resumable = parser.add_mutually_exclusive_group()
    resumable.add_argument(
        "--resumable",
        action="store_true",
        help="with --dsn: commit in batches and record the progress in a journal inside the "
        "database (schema supaseed_journal, dropped at the end), so that --resume can continue "
        "after a crash; default: all or nothing, in one transaction",
    )
    resumable.add_argument(
        "--resume",
        action="store_true",
        help="with --dsn: continue the resumable run recorded in the database (same plan and seed)",
    )
    resumable.add_argument(
        "--rollback",
        action="store_true",
        help="with --dsn: remove the rows a half-finished resumable run wrote, and its journal",
    )
    parser.add_argument(
        "--jobs",
        type=_jobs,
        metavar="N",
        help="connections to write tables that do not depend on each other at once (one wave of "
        "the foreign-key order each); the rows are the same for any N. Default: automatic "
        "(the cores, for plans of 100,000 rows or more) for the template database; 1 with --dsn "
        "(one transaction). With --dsn and N > 1 each table commits on its own and a failure "
        "deletes what the run wrote",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the embedded server running afterwards and print a DSN to connect to",
    )
    add_migrations_option(parser)
    parser.add_argument(
        "--report",
        metavar="PATH",
        help="also write an HTML seed report: rows, association histograms, relaxations, pool "
        "problems, timings, the RLS matrix",
    )
    parser.add_argument("--rootdir", default=".", help="project root (default: current directory)")
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bars (default: when stderr is a terminal)",
    )
    parser.set_defaults(func=_cmd_seed)


def _cmd_seed(args: argparse.Namespace) -> int:
    root = Path(args.rootdir).resolve()
    migrations = migrations_option(args)
    if args.dsn:
        check_target(args.dsn, allow_remote=args.allow_remote)  # before any connection
    source: Any = args.template if args.template else (Path(args.plan) if args.plan else None)
    resolved = resolve_plan(source, rootdir=root)
    run_seed = resolved.plan.seed if args.seed is None else args.seed
    label = args.template or resolved.source_label
    if (args.resumable or args.resume or args.rollback) and not args.dsn:
        flag = "--resumable" if args.resumable else "--resume" if args.resume else "--rollback"
        raise ConfigError(
            f"{flag} needs --dsn: resumable runs seed an existing database (without --dsn the "
            "template database is built all or nothing and reused)"
        )
    if args.jobs is not None and args.jobs > 1 and (args.resumable or args.resume):
        raise ConfigError(
            "--jobs needs a run in one go: a resumable run commits batch by batch on one "
            "connection; drop --jobs or --resumable/--resume"
        )
    if args.rollback:
        deleted = rollback(args.dsn)
        total = sum(deleted.values())
        print(
            f"rolled back: {total} rows removed"
            + "".join(f"\n  {t}  {n}" for t, n in deleted.items())
        )
        return 0
    if args.dsn:
        started = time.perf_counter()
        result = seeding.seed(
            resolved.plan,
            args.dsn,
            seed=run_seed,
            progress=args.progress,
            rootdir=root,
            strict=args.strict,
            resumable=args.resumable,
            resume=args.resume,
            jobs=1 if args.jobs is None else args.jobs,
        )
        print(result.summary())
        _print_rate(result, time.perf_counter() - started)
        if args.report:
            _write_report(args.report, args.dsn, result, resolved, root, label)
        return 0
    with project_server(root, keep=args.keep) as server:
        base = ensure_base_database(server, root, migrations)
        template_db = ensure_template_db(
            server,
            base,
            resolved,
            project_root=root,
            seed=run_seed,
            label=label,
            progress=args.progress,
            migrations_dir=migrations,
            jobs=args.jobs,
            # the plan against the project's schema, as a test session checks it: every mistake
            # named (file, line, key path, fix) before anything is seeded; a reused template
            # database passed it when it was built (same base, plan and asset files)
            check=lambda: check_resolved_plan(server, base, root, resolved, migrations),
        )
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
            _print_rate(template_db.result, template_db.build_seconds)
        if args.report:
            # The template database itself, read in a transaction rolled back: left as seeded.
            dsn = server.dsn_for(template_db.name)
            _write_report(args.report, dsn, template_db.result, resolved, root, label)
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
        else:
            if json_enabled():
                event("server", "server stopped (use --keep to keep it and connect)")
            else:
                print("server stopped (use --keep to keep it and connect)", file=sys.stderr)
    return 0


def _jobs(text: str) -> int:
    """``--jobs N``: a whole number of connections, at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of connections (1 or more)")
    return value


def _print_rate(result: SeedResult, seconds: float) -> None:
    """One line: rows, seconds, rows/s (on stderr: stdout keeps the summary)."""
    if seconds <= 0 or json_enabled():
        return  # the JSON log has the same numbers in its "seed" and "progress" events
    print(
        f"{result.total_rows:,} rows in {seconds:.2f} s: {result.total_rows / seconds:,.0f} rows/s",
        file=sys.stderr,
    )


def _write_report(
    path: str, dsn: str, result: SeedResult, resolved: ResolvedPlan, root: Path, label: str
) -> None:
    """--report PATH: the HTML seed report of the database just seeded."""
    with psycopg.connect(dsn) as conn:
        report = collect_report(conn, result, resolved.plan, root, label=label)
    written = write_html(Path(path).resolve(), [report])
    print(f"report: {written}")
