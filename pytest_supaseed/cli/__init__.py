"""The ``supaseed`` command.

Each module of this package registers its subcommands with ``register(subparsers)`` (``schema``:
detect, snapshot, diff; ``config``: templates, plan, schema; ``seed``: seed); this file only
dispatches. The commands do their work through the library (``lifecycle/`` for databases), as the
pytest plugin does.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from ..errors import SupaseedError
from ..logs import enable_json, event, json_requested
from . import config, schema, seed

# Each subparser sets ``func`` to a callable taking the parsed args and returning an exit code.
_COMMAND_MODULES = (schema, config, seed)


def build_parser() -> argparse.ArgumentParser:
    """The ``supaseed`` argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="supaseed", description="Seeded Supabase/Postgres databases for tests and development."
    )
    parser.add_argument(
        "--log-json",
        action="store_true",
        help="print the run's events (phases, tables, retries, cache hits) as one JSON object per "
        "line on stderr (also: env SUPASEED_LOG=json)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``supaseed`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    as_json = args.log_json or json_requested()
    if as_json:
        enable_json()
        if getattr(args, "progress", None) is None:
            args.progress = False  # bars on stderr would break the one-object-per-line stream
    try:
        return int(func(args))
    except SupaseedError as exc:
        if as_json:
            event("error", f"supaseed: error: {exc}", level=logging.ERROR, error=type(exc).__name__)
        else:
            print(f"supaseed: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
