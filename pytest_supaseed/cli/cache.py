"""``supaseed cache export DIR`` / ``supaseed cache import DIR``: carry built databases between
machines (a CI cache step restores them, so a cold job starts warm).

    supaseed cache export .supaseed-cache        # the project's cluster (or --dsn) -> DIR
    supaseed cache import .supaseed-cache        # DIR -> the project's cluster (or --dsn)

See :mod:`pytest_supaseed.lifecycle.transfer` for what is written and verified.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..lifecycle.base import project_server
from ..lifecycle.transfer import export_cache, import_cache

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``supaseed cache export`` and ``supaseed cache import`` to the ``supaseed`` command."""
    parser = subparsers.add_parser(
        "cache",
        help="export / import the built base and template databases (pg_dump + manifest)",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    actions = parser.add_subparsers(dest="cache_command", metavar="ACTION", required=True)
    for action, helptext in (
        ("export", "dump every base and template database into DIR, with a manifest"),
        ("import", "verify DIR's manifest and dumps, then restore the databases not present"),
    ):
        sub = actions.add_parser(action, help=helptext, description=helptext)
        sub.add_argument("directory", metavar="DIR")
        sub.add_argument(
            "--dsn", help="superuser DSN of an external server instead of the project's cluster"
        )
        sub.add_argument(
            "--allow-remote", action="store_true", help="allow a --dsn host not on this machine"
        )
        sub.add_argument("--rootdir", default=".", help="project root (default: current directory)")
        sub.set_defaults(func=_cmd_export if action == "export" else _cmd_import)


def _cmd_export(args: argparse.Namespace) -> int:
    root = Path(args.rootdir).resolve()
    with project_server(root, args.dsn, allow_remote=args.allow_remote) as server:
        report = export_cache(server, args.directory)
    for name in report.done:
        print(f"exported {name}")
    print(f"{len(report.done)} database(s) exported to {report.directory}")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    root = Path(args.rootdir).resolve()
    with project_server(root, args.dsn, allow_remote=args.allow_remote) as server:
        report = import_cache(server, args.directory)
    for name in report.done:
        print(f"imported {name}")
    for name in report.present:
        print(f"already present {name}")
    print(f"{len(report.done)} imported, {len(report.present)} already present")
    return 0
