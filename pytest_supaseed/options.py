"""The plugin's options: one table, one help string per option for both the CLI flag and the ini key,
and :class:`Settings`, the resolved values (``pytest_supaseed.run_state`` reads them from pytest).

Precedence, highest first: command line, environment variable (where one exists), ini file, default.
This module imports nothing heavy and nothing of pytest: it is loaded at pytest start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

BackendName = Literal["embedded", "external", "docker"]
BACKENDS: tuple[BackendName, ...] = ("embedded", "external", "docker")


@dataclass(frozen=True)
class Option:
    """One plugin option: ``--supaseed-<name>`` on the command line, ``supaseed_<name>`` in ini."""

    name: str
    help: str
    kind: Literal["string", "bool", "int", "choice"] = "string"
    choices: tuple[str, ...] = ()
    env: str | None = None
    default: str | bool | int | None = None

    @property
    def flag(self) -> str:
        return "--supaseed-" + self.name

    @property
    def ini(self) -> str:
        return "supaseed_" + self.name.replace("-", "_")

    @property
    def dest(self) -> str:
        return "supaseed_" + self.name.replace("-", "_")


OPTIONS: tuple[Option, ...] = (
    Option(
        "backend",
        "Where the test PostgreSQL comes from: 'embedded' (default: start a private server from "
        "local binaries), 'external' (use --supaseed-dsn) or 'docker' (testcontainers).",
        kind="choice",
        choices=BACKENDS,
        env="SUPASEED_BACKEND",
        default="embedded",
    ),
    Option(
        "dsn",
        "Superuser DSN of an existing server for the 'external' backend "
        "(env SUPASEED_DATABASE_URL). Only databases named supaseed_* are ever created or dropped.",
        env="SUPASEED_DATABASE_URL",
    ),
    Option(
        "allow-remote",
        "Allow the external backend to use a server that is not on this machine.",
        kind="bool",
        env="SUPASEED_ALLOW_REMOTE",
        default=False,
    ),
    Option(
        "pg-bin",
        "Directory holding initdb and postgres for the embedded backend (env SUPASEED_PG_BIN); "
        "tried before the bundled wheel, pg_config, PATH and /usr/lib/postgresql/*/bin.",
        env="SUPASEED_PG_BIN",
    ),
    Option(
        "image",
        "Docker image for the 'docker' backend (default supabase/postgres).",
        env="SUPASEED_IMAGE",
        default="supabase/postgres:17.6.1.011",
    ),
    Option(
        "migrations",
        "Folder of migration .sql files to apply (default: supabase/migrations under the rootdir).",
        env="SUPASEED_MIGRATIONS",
    ),
    Option(
        "template",
        "Seed plan template for tests whose supaseed marker names none, and for the 'supaseed' "
        "fixture without a marker.",
        env="SUPASEED_TEMPLATE",
    ),
    Option(
        "seed",
        "Random seed for every plan (overrides the plan's own 'seed').",
        kind="int",
        env="SUPASEED_SEED",
    ),
    Option(
        "rebuild",
        "Ignore cached template databases and build them again.",
        kind="bool",
        default=False,
    ),
    Option(
        "keep",
        "Leave the seeded databases (and the embedded server's data) for inspection and print how "
        "to connect.",
        kind="bool",
        default=False,
    ),
)


@dataclass(frozen=True)
class Settings:
    """The resolved options of one pytest run (see :data:`OPTIONS` for what each means)."""

    backend: BackendName = "embedded"
    dsn: str | None = None
    allow_remote: bool = False
    pg_bin: str | None = None
    image: str = "supabase/postgres:17.6.1.011"
    migrations: str | None = None
    template: str | None = None
    seed: int | None = None
    rebuild: bool = False
    keep: bool = False
    rootdir: Path = field(default_factory=Path.cwd)


def parse_bool(text: str) -> bool:
    """``1``/``true``/``yes``/``on`` (any case) are true; anything else is false."""
    return text.strip().lower() in {"1", "true", "yes", "on"}
