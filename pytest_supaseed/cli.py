"""The ``supaseed`` command.

Each area registers its own subcommands from a module with ``register(subparsers)``; this file only
dispatches, so the command stays in step with the library.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from collections.abc import Sequence

# Modules that define ``register(subparsers: argparse._SubParsersAction) -> None``; each subparser
# sets ``func`` to a callable taking the parsed args and returning an exit code.
_COMMAND_MODULES = (
    "pytest_supaseed.schema.cli",
    "pytest_supaseed.config.cli",
    "pytest_supaseed.seed.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="supaseed", description="Seeded Supabase/Postgres databases for tests and development."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``supaseed`` console script."""
    from .errors import SupaseedError, SupaseedWarning

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
    except _database_errors() as exc:
        # a database error no step translated: still one line, never a traceback
        text = " ".join(str(exc).split()) or type(exc).__name__
        print(f"supaseed: error: the database refused: {text}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("supaseed: interrupted", file=sys.stderr)
        return 130


def _database_errors() -> tuple[type[BaseException], ...]:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return ()
    return (psycopg.Error,)


if __name__ == "__main__":
    raise SystemExit(main())
