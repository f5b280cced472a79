"""The ``supaseed`` command.

Each module of this package registers its subcommands with ``register(subparsers)`` (``schema``:
detect, snapshot, diff; ``config``: templates, plan, schema; ``seed``: seed; ``init``: init;
``ai``: ai status, test, cache; ``cache``: cache export, import); this file only
dispatches. The commands do their work through the library (``lifecycle/`` for databases), as the
pytest plugin does.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from collections.abc import Sequence
from typing import TextIO

import psycopg

from .. import __version__
from ..errors import SupaseedError, SupaseedWarning
from ..logs import enable_json, event, json_requested

# The module of this package that registers each subcommand. Each subparser sets ``func`` to a
# callable taking the parsed args and returning an exit code.
_COMMANDS = {
    "detect": "schema",
    "snapshot": "schema",
    "diff": "schema",
    "templates": "config",
    "plan": "config",
    "schema": "config",
    "update": "config",
    "seed": "seed",
    "init": "init",
    "ai": "ai",
    "cache": "cache",
}
_COMMAND_MODULES = ("schema", "config", "seed", "init", "ai", "cache")


def _plain(text: str | None) -> str | None:
    # Help comes from docstrings written for Sphinx/markdown: no raw backticks on a terminal.
    return text.replace("``", "").replace("`", "") if text else text


def _plain_help(parser: argparse.ArgumentParser) -> None:
    parser.description = _plain(parser.description)
    parser.epilog = _plain(parser.epilog)
    for action in parser._actions:
        action.help = _plain(action.help)
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                choice.help = _plain(choice.help)
            for child in action.choices.values():
                _plain_help(child)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``supaseed`` argument parser with every subcommand, or with ``command``'s only.

    The command line's entry point, like the pytest layer, is where imports are deferred: a
    command imports the module that registers it, not the other commands' (``supaseed seed``
    does not load the report, schema-diff or AI code of the other commands)."""
    parser = argparse.ArgumentParser(
        prog="supaseed", description="Seeded Supabase/Postgres databases for tests and development."
    )
    parser.add_argument(
        "--version", action="version", version=f"supaseed (pytest-supaseed) {__version__}"
    )
    parser.add_argument(
        "--log-json",
        action="store_true",
        help="print the run's events (phases, tables, retries, cache hits) as one JSON object per "
        "line on stderr (also: env SUPASEED_LOG=json)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    names = (_COMMANDS[command],) if command in _COMMANDS else _COMMAND_MODULES
    for name in names:
        _register(name, sub)
    _plain_help(parser)
    return parser


def _register(module: str, sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Import the command module ``module`` (one of :data:`_COMMAND_MODULES`) and let it register
    its subcommands: imports written out, so that the module graph (import-linter, the cycle
    test) sees every edge."""
    if module == "schema":
        from . import schema

        schema.register(sub)
    elif module == "config":
        from . import config

        config.register(sub)
    elif module == "seed":
        from . import seed

        seed.register(sub)
    elif module == "init":
        from . import init

        init.register(sub)
    elif module == "ai":
        from . import ai

        ai.register(sub)
    else:
        from . import cache

        cache.register(sub)


def _command_of(arguments: Sequence[str]) -> str | None:
    """The subcommand ``arguments`` name: the first that is not an option (the top-level
    options take no value); None for none or an unknown one (the full parser then explains)."""
    for token in arguments:
        if not token.startswith("-"):
            return token if token in _COMMANDS else None
    return None


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    # One line, no source excerpt: "supaseed: warning: Skipping ... ".
    print(f"supaseed: warning: {' '.join(str(message).split())}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``supaseed`` console script."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_command_of(arguments))
    args = parser.parse_args(arguments)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()  # `supaseed` alone: what it can do, and success
        return 0
    as_json = args.log_json or json_requested()
    if as_json:
        enable_json()
        if getattr(args, "progress", None) is None:
            args.progress = False  # bars on stderr would break the one-object-per-line stream
    try:
        with warnings.catch_warnings(record=True) as caught:
            # Each distinct warning once, however many places raise it, printed as one line.
            warnings.simplefilter("always")
            if getattr(args, "strict", False):
                warnings.simplefilter("error", SupaseedWarning)
            try:
                return int(func(args))
            finally:
                seen: set[tuple[type[Warning], str]] = set()
                for warning in caught:
                    key = (warning.category, str(warning.message))
                    if key not in seen:
                        seen.add(key)
                        _show_warning(
                            warning.message, warning.category, warning.filename, warning.lineno
                        )
    except SupaseedWarning as exc:  # --strict
        print(f"supaseed: error: strict: {exc}", file=sys.stderr)
        return 1
    except SupaseedError as exc:
        if as_json:
            event("error", f"supaseed: error: {exc}", level=logging.ERROR, error=type(exc).__name__)
        else:
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
