"""The ``supaseed`` command.

Each module of this package registers its subcommands with ``register(subparsers)`` (``schema``:
detect, snapshot, diff; ``config``: templates, plan, schema; ``seed``: seed; ``ai``: ai status,
test, cache; ``cache``: cache export, import); this file only
dispatches. The commands do their work through the library (``lifecycle/`` for databases), as the
pytest plugin does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..errors import SupaseedError
from . import ai, cache, config, schema, seed

# Each subparser sets ``func`` to a callable taking the parsed args and returning an exit code.
_COMMAND_MODULES = (schema, config, seed, ai, cache)


def build_parser() -> argparse.ArgumentParser:
    """The ``supaseed`` argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="supaseed", description="Seeded Supabase/Postgres databases for tests and development."
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
    try:
        return int(func(args))
    except SupaseedError as exc:
        print(f"supaseed: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
