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
from pathlib import Path

from ..backends import connect_server
from ..lifecycle.base import ensure_base_database
from ..lifecycle.resolution_cache import default_resolution_cache
from ..lifecycle.template_db import provide_template_db, template_db_name
from ..seed_result import SeedResult
from .common import add_migrations_option, migrations_option
from .seed_output import announce, seed_request_key

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
    reused = _reuse(args)
    if reused is not None:
        return reused
    # The command line defers what only a full run needs (the plan models, the seeding engine):
    # no template database was found by a recorded resolution.
    from . import seed_build

    return seed_build.run(args)


class _Missing(Exception):
    """The recorded template database is gone (pruned, dropped): the full run builds it."""


def _reuse(args: argparse.Namespace) -> int | None:
    """A run that reuses the template database of a recorded resolution of the same request
    (every file, folder listing and asset glob it read unchanged: :mod:`pytest_supaseed.lifecycle.
    resolution_cache`), without resolving the plan; None when there is none to reuse."""
    if args.dsn or args.plan or args.report or args.resumable or args.resume or args.rollback:
        return None
    root = Path(args.rootdir).resolve()
    migrations = migrations_option(args)
    cache = default_resolution_cache()
    recorded = cache.lookup(seed_request_key(args, root, migrations)) if cache else None
    if recorded is None:
        return None
    server = connect_server(root)
    keep = False
    try:
        base = ensure_base_database(server, root, migrations)

        def missing(dsn: str) -> tuple[SeedResult, float]:
            raise _Missing  # its temporary database is dropped: nothing is left behind

        try:
            template_db = provide_template_db(
                server,
                base,
                template_db_name(base, recorded.plan_hash, recorded.seed, recorded.own_sql),
                recorded.plan_hash,
                missing,
                seed=recorded.seed,
                label=recorded.label,
            )
        except _Missing:
            return None
        announce(args, server, template_db, recorded.seed)
        keep = args.keep
        return 0
    finally:
        server.stop(keep=keep)


def _jobs(text: str) -> int:
    """``--jobs N``: a whole number of connections, at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of connections (1 or more)")
    return value
