"""The plugin's options: one table, one help string per option for both the CLI flag and the ini key.

Precedence, highest first: command line, environment variable (where one exists), ini file, default.
This module imports nothing heavy: it is loaded by the ``pytest11`` entry point.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pytest

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


def add_options(parser: pytest.Parser) -> None:
    """Register every option as a CLI flag and an ini key with the same help text."""
    group = parser.getgroup("supaseed", "seeded Supabase/Postgres databases (pytest-supaseed)")
    for opt in OPTIONS:
        if opt.kind == "bool":
            group.addoption(
                opt.flag, action="store_true", default=None, dest=opt.dest, help=opt.help
            )
            parser.addini(opt.ini, opt.help, type="bool", default=bool(opt.default))
        else:
            kwargs: dict[str, object] = {"dest": opt.dest, "default": None, "help": opt.help}
            if opt.kind == "choice":
                kwargs["choices"] = opt.choices
            if opt.kind == "int":
                kwargs["type"] = int
            group.addoption(opt.flag, **kwargs)
            parser.addini(opt.ini, opt.help, type="string", default=None)


def _parse_bool(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


def resolve(config: pytest.Config) -> Settings:
    """Build :class:`Settings` from a pytest config: CLI, then env, then ini, then default."""
    from .errors import ConfigError

    values: dict[str, object] = {}
    for opt in OPTIONS:
        value: object = config.getoption(opt.dest, default=None)
        if value is None and opt.env and os.environ.get(opt.env):
            raw = os.environ[opt.env]
            value = _parse_bool(raw) if opt.kind == "bool" else raw
        if value is None:
            ini_value = config.getini(opt.ini)
            if opt.kind == "bool":
                value = bool(ini_value)
            elif ini_value not in (None, "", []):
                value = ini_value
        if value is None:
            value = opt.default
        if value is not None and opt.kind == "int" and not isinstance(value, int):
            try:
                value = int(str(value))
            except ValueError:
                raise ConfigError(
                    f"{opt.flag} / {opt.ini} must be an integer, got {value!r}"
                ) from None
        if opt.kind == "choice" and value not in opt.choices:
            raise ConfigError(
                f"{opt.flag} / {opt.ini} must be one of {', '.join(opt.choices)}, got {value!r}"
            )
        if value is not None:
            values[opt.dest.removeprefix("supaseed_")] = value
    return Settings(rootdir=Path(str(config.rootpath)), **values)  # type: ignore[arg-type]
