"""Options several ``supaseed`` commands share."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import ConfigError

__all__ = ["add_migrations_option", "migrations_option"]


def add_migrations_option(parser: argparse.ArgumentParser) -> None:
    """``--migrations PATH``: the migrations directory, with the meaning ``supaseed seed`` gives it."""
    parser.add_argument(
        "--migrations",
        metavar="PATH",
        help="migrations directory (default: supabase/migrations under ROOTDIR); not with --dsn",
    )


def migrations_option(args: argparse.Namespace) -> Path | None:
    """The ``--migrations`` directory (relative to ROOTDIR, or absolute), checked: it exists, and
    no --dsn (a database read as it is, its migrations already applied) is given with it."""
    value = getattr(args, "migrations", None)
    if value is None:
        return None
    if getattr(args, "dsn", None):
        raise ConfigError(
            f"--migrations {value} with --dsn: --dsn names a database used as it is (its "
            "migrations already applied); drop one of the two"
        )
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = Path(getattr(args, "rootdir", ".")).resolve() / path
    if not path.is_dir():
        raise ConfigError(
            f"--migrations {value}: no such directory ({path}); give the folder holding the "
            "migration .sql files, relative to ROOTDIR or absolute"
        )
    return path
