"""The ``supaseed`` command.

Each module of this package registers its subcommands with ``register(subparsers)`` (``schema``:
detect, snapshot, diff; ``config``: templates, plan, schema; ``seed``: seed; ``ai``: ai status,
test, cache); this file only
dispatches. The commands do their work through the library (``lifecycle/`` for databases), as the
pytest plugin does.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence

import psycopg

from ..errors import SupaseedError, SupaseedWarning
from . import ai, config, schema, seed

# Each subparser sets ``func`` to a callable taking the parsed args and returning an exit code.
_COMMAND_MODULES = (schema, config, seed, ai)


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
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SupaseedWarning)
            if getattr(args, "strict", False):
                warnings.simplefilter("error", SupaseedWarning)
            try:
                return int(func(args))
            finally:
                for warning in caught:
                    if issubclass(warning.category, SupaseedWarning):
                        print(f"supaseed: warning: {warning.message}", file=sys.stderr)
                    else:
                        warnings.showwarning(
                            warning.message,
                            warning.category,
                            warning.filename,
                            warning.lineno,
                        )
    except SupaseedWarning as exc:  # --strict
        print(f"supaseed: error: strict: {exc}", file=sys.stderr)
        return 1
    except SupaseedError as exc:
        print(f"supaseed: error: {exc}", file=sys.stderr)
        return 1
    except psycopg.Error as exc:
        # a database error no step translated: still one line, never a traceback
        text = " ".join(str(exc).split()) or type(exc).__name__
        print(f"supaseed: error: the database refused: {text}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("supaseed: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
