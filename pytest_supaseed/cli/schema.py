"""``supaseed detect``, ``supaseed snapshot`` and ``supaseed diff``.

With ``--dsn`` they read that database as it is. Without it they build the project's database the
way the plugin does (Supabase layer + ``supabase/migrations`` + seed files, on the embedded server)
and read that, so what they report is what the tests will see.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..config.resolve import resolve_plan
from ..errors import SchemaError
from ..lifecycle.base import project_database
from ..plancheck.check import check_plan
from ..plancheck.impact import analyze
from ..schema.detect import detect
from ..schema.diff import diff
from ..schema.introspect import introspect
from ..schema.model import Schema
from ..schema.snapshot import DEFAULT_SNAPSHOT_FILE, Snapshot, dumps, load_snapshot, snapshot
from .common import add_migrations_option, migrations_option
from .update import live_schema

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``detect``, ``snapshot`` and ``diff`` to the ``supaseed`` command."""
    det = subparsers.add_parser(
        "detect",
        help="recognise the MakerKit flavour (v1, lite, v2, v3, custom) and Supabase flavour",
        description="Read the database schema and say which MakerKit kit it is (with the objects "
        "that decided it), which tables are custom, which triggers on auth.users create rows, "
        "and whether it is real Supabase, the compatibility layer or plain Postgres.",
    )
    _source_options(det)
    _format_option(det)
    det.set_defaults(func=_cmd_detect)

    snap = subparsers.add_parser(
        "snapshot",
        help=f"write a stable JSON snapshot of the schema ({DEFAULT_SNAPSHOT_FILE})",
        description="Write the schema (tables, columns, keys, checks, enums, triggers, policies, "
        "function signatures) as sorted JSON, to commit and diff later.",
    )
    _source_options(snap)
    snap.add_argument(
        "-o",
        "--output",
        default=DEFAULT_SNAPSHOT_FILE,
        help=f"file to write, '-' for standard output (default: {DEFAULT_SNAPSHOT_FILE})",
    )
    snap.set_defaults(func=_cmd_snapshot)

    dif = subparsers.add_parser(
        "diff",
        help="show schema changes between a snapshot and another snapshot or the database",
        description="Compare OLD (a snapshot file) with NEW (another snapshot file) or, when NEW "
        "is omitted, with the live database: tables, columns, types, nullability, defaults, "
        "keys, uniques, checks, enum labels, triggers, policies, functions.",
    )
    dif.add_argument("old", metavar="OLD", help="snapshot file (e.g. supaseed.schema.json)")
    dif.add_argument(
        "new", metavar="NEW", nargs="?", help="snapshot file; omitted: the live database"
    )
    _source_options(dif)
    _format_option(dif)
    dif.add_argument(
        "--impact",
        action="store_true",
        help="say what each change does to the seed plan (error / warning / suggestion / info), "
        "with the plan key, its file and line, and a suggested plan change",
    )
    dif.add_argument(
        "--plan", metavar="FILE", help="with --impact: the plan file (default: the discovered one)"
    )
    dif.add_argument(
        "--exit-code",
        action="store_true",
        help="exit with status 1 when there are changes (for CI), 0 when there are none",
    )
    dif.set_defaults(func=_cmd_diff)


def _source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dsn",
        help="read this database as it is (e.g. postgresql://postgres@127.0.0.1:54322/postgres); "
        "default: build the project's database (Supabase layer + migrations) on the embedded server",
    )
    parser.add_argument(
        "--schemas",
        help="comma-separated schemas to read (default: public plus the schemas it references)",
    )
    parser.add_argument(
        "--rootdir", default=".", help="project root holding supabase/ (default: current directory)"
    )
    add_migrations_option(parser)


def _format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="output format (default: table)",
    )


@contextmanager
def _database(args: argparse.Namespace) -> Iterator[str]:
    migrations = migrations_option(args)
    if args.dsn:
        yield args.dsn
        return
    with project_database(Path(args.rootdir), None, migrations) as dsn:
        yield dsn


def _read(args: argparse.Namespace) -> Schema:
    schemas = [s.strip() for s in args.schemas.split(",") if s.strip()] if args.schemas else None
    with _database(args) as dsn:
        return introspect(dsn, schemas)


def _cmd_detect(args: argparse.Namespace) -> int:
    detection = detect(_read(args))
    if args.format == "json":
        print(json.dumps(detection.to_dict(), indent=2, sort_keys=True))
    else:
        print(detection.render())
    return 0


def _cmd_snapshot(args: argparse.Namespace) -> int:
    snap = snapshot(_read(args))
    text = dumps(snap)
    if args.output == "-":
        sys.stdout.write(text)
        return 0
    target = Path(args.output)
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target} ({len(snap['tables'])} tables)")
    return 0


def _cmd_diff(args: argparse.Namespace) -> int:
    old = load_snapshot(args.old)
    if args.impact:
        return _cmd_impact(args, old)
    new = load_snapshot(args.new) if args.new else snapshot(_read(args))
    changes = diff(old, new)
    if args.format == "json":
        print(json.dumps(changes.to_dict(), indent=2, sort_keys=True))
    else:
        print(changes.render())
    return 1 if args.exit_code and changes else 0


def _cmd_impact(args: argparse.Namespace, old: Snapshot) -> int:
    if args.new:
        raise SchemaError(
            "--impact compares the snapshot with the live database (the plan's constants are read "
            f"by it); drop {args.new} and give --dsn, or nothing for the project's database"
        )
    root = Path(args.rootdir).resolve()
    resolved = resolve_plan(Path(args.plan) if args.plan else None, rootdir=root)
    schemas = [s.strip() for s in args.schemas.split(",") if s.strip()] if args.schemas else None
    migrations = migrations_option(args)
    with live_schema(resolved, args.dsn, schemas=schemas, migrations=migrations) as (schema, conn):
        report = analyze(old, schema, resolved, check_plan(resolved, schema, conn))
    if args.format == "json":
        print(json.dumps(report.to_dict(), indent=2, sort_keys=True))
    else:
        print(report.render())
    if args.exit_code:
        return 1 if report.actionable else 0
    return 1 if report.of("error") else 0
