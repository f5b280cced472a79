"""``supaseed seed``: seed a database from the command line.

    supaseed seed                                  # the project's plan, on a new embedded server
    supaseed seed --template outdoor-platform      # a template instead of the plan file
    supaseed seed --plan other.toml --seed 42      # another plan, another seed
    supaseed seed --dsn postgresql://postgres:postgres@127.0.0.1:54322/postgres   # seed that database
    supaseed seed --keep                           # keep the server and print a DSN to connect to

With ``--dsn`` the named database is seeded as it is (its schema must already be there: a local
``supabase start`` database, for instance). Without it, an embedded server starts, the project's
base database (Supabase layer + migrations, or the templates' demo schema when the project has no
migrations) is cloned into ``supaseed_cli_<seed>`` and seeded there.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

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
        help="treat warnings (skipped files, globs matching nothing ...) as errors",
    )
    parser.add_argument("--seed", type=int, metavar="N", help="override the plan's seed")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the embedded server running afterwards and print a DSN to connect to",
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
    from ..config import resolve_plan
    from .engine import seed

    root = Path(args.rootdir).resolve()
    if args.dsn:
        from .atomic import check_target

        check_target(args.dsn, allow_remote=args.allow_remote)  # before any connection
    source: Any = args.template if args.template else (Path(args.plan) if args.plan else None)
    resolved = resolve_plan(source, rootdir=root)
    run_seed = resolved.plan.seed if args.seed is None else args.seed
    if args.dsn:
        result = seed(
            resolved.plan,
            args.dsn,
            seed=run_seed,
            progress=args.progress,
            rootdir=root,
            strict=args.strict,
        )
        print(result.summary())
        return 0
    from ..backends import project_database

    choice = resolved.migrations(root)
    with project_database(root, keep=args.keep) as base_dsn:
        dsn = _clone_for_cli(base_dsn, run_seed)
        if choice.kind in ("demo", "explicit"):  # the plan's own schema, as template builds do
            import psycopg

            from ..migrations import apply_sql_paths

            with psycopg.connect(dsn, autocommit=True) as conn:
                apply_sql_paths(conn, choice.paths, root)
        result = seed(
            resolved.plan,
            dsn,
            seed=run_seed,
            progress=args.progress,
            rootdir=root,
            strict=args.strict,
        )
        print(result.summary())
        if args.keep:
            print(
                f"kept: psql '{dsn}'  (the server runs until the next supaseed or pytest run of "
                "this project stops it)"
            )
        else:
            print("server stopped (use --keep to keep it and connect)", file=sys.stderr)
    return 0


def _clone_for_cli(base_dsn: str, run_seed: int) -> str:
    """A fresh copy of the base database to seed, so the cached base stays clean."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    from ..databases import clone_database

    base_name = str(conninfo_to_dict(base_dsn)["dbname"])
    name = f"supaseed_cli_{run_seed}".replace("-", "m")
    return clone_database(make_conninfo(base_dsn, dbname="postgres"), base_name, name)
