"""``supaseed init``: write a starter supaseed.toml from the project's migrated schema.

    supaseed init                      # supaseed.toml next to supabase/, from its migrations
    supaseed init --stdout             # print it instead
    supaseed init --migrations db/mig  # another migrations folder
    supaseed init --dsn postgresql://...   # on an existing server instead of the embedded one

The plan seeds the schema as it is, without edits (see pytest_supaseed.config.starter): users,
rows per parent along the foreign keys, extends = "makerkit-saas" on a MakerKit schema.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from ..config.starter import starter_plan
from ..errors import ConfigError
from ..lifecycle.base import project_database
from ..schema import introspect
from .common import migrations_option

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``supaseed init`` to the ``supaseed`` command."""
    parser = subparsers.add_parser(
        "init",
        help="write a starter supaseed.toml from the project's migrated schema",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument("--rootdir", default=".", help="project root (default: current directory)")
    parser.add_argument(
        "--migrations",
        metavar="PATH",
        help="migrations directory (default: supabase/migrations under ROOTDIR)",
    )  # with --dsn too: init builds the project's database on that server
    parser.add_argument(
        "--dsn",
        help="build the project's database on this server (a superuser DSN) instead of the "
        "embedded one",
    )
    parser.add_argument("--seed", type=int, default=42, help="the plan's seed (default 42)")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--stdout", action="store_true", help="print the plan instead of writing it")
    out.add_argument("--force", action="store_true", help="overwrite an existing supaseed.toml")
    parser.set_defaults(func=_cmd_init)


def _row_counts(conn: psycopg.Connection[Any], tables: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in tables:
        schema, table = name.split(".", 1)
        query = sql.SQL("select count(*) from {}").format(sql.Identifier(schema, table))
        row = conn.execute(query).fetchone()
        counts[name] = int(row[0]) if row else 0
    return counts


def _migrations(args: argparse.Namespace) -> Path | None:
    # --dsn is a server here (the database is built on it), so --migrations goes with it.
    return migrations_option(argparse.Namespace(**{**vars(args), "dsn": None}))


def _cmd_init(args: argparse.Namespace) -> int:
    root = Path(args.rootdir).resolve()
    target = root / "supaseed.toml"
    if not args.stdout and target.exists() and not args.force:
        raise ConfigError(
            f"{target} exists; supaseed init does not overwrite a plan: pass --force to replace "
            "it, or --stdout to print the starter plan"
        )
    with (
        project_database(root, args.dsn, _migrations(args)) as dsn,
        psycopg.connect(dsn, autocommit=True) as conn,
    ):
        schema = introspect(conn)
        counts = _row_counts(conn, list(schema.tables))
    source = f"the migrations of {root.name}"
    text = starter_plan(schema, counts, source=source, seed=args.seed)
    if args.stdout:
        sys.stdout.write(text)
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}; check it with: supaseed plan (and seed it with: supaseed seed)")
    return 0
