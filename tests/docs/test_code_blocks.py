"""Every code block of README.md and docs/ is executed or checked.

A TOML, Python or SQL block says what the suite does with it in an HTML comment on the line
before it (``<!-- docs-test: MODE ARGS -->``):

- ``seed ROOT``: the TOML plan is resolved with ROOT as its project (``example_project``,
  ``examples/notes``, or ``empty``: a folder with nothing in it, so a template's demo schema
  applies) and seeded into a real Postgres: a clone of a database with the Supabase layer and
  ROOT's migrations;
- ``seed-sql``: the same on a database where the page's ``sql`` block above it ran first;
- ``run``: the Python block runs as it is (it is complete);
- ``run-test PLAN``: the block's ``test_*`` functions are called with ``conn``, a connection (in a
  transaction rolled back afterwards) to a database seeded from PLAN: a folder of the repository
  (its plan, on its migrations) or a built-in template (on its demo schema);
- ``seeded-by PATH`` / ``run-by PATH``: a test of the suite reads the block from this page and
  runs it (PATH must exist and name the page);
- ``same-as PATH``: the block is, word for word, part of PATH (a test file that runs: the
  README's test is ``example_project/tests/test_readme.py``);
- ``checked REASON``: it is only checked, and REASON says why (TOML parses and, when it is a
  whole plan, validates; Python and SQL are parsed by Python / taken as they are).

Pages other helpers write may instead be listed in :data:`MARKS` (by their page and the block's
first line). A block without either fails the test, naming the file and line. Console and shell blocks
are checked without one: every ``supaseed`` command line parses with the CLI's own parser, every
``--supaseed-*`` option of a ``pytest`` line exists, and every other command is a known tool.
YAML, JSON and ini blocks must parse.
"""

from __future__ import annotations

import ast
import configparser
import json
import re
import shlex
import textwrap
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml
from psycopg import sql
from psycopg.conninfo import make_conninfo

from pytest_supaseed.config.models import SeedPlan

ROOT = Path(__file__).resolve().parents[2]
FILES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^( *)```(\w+)\n(.*?)^\1```", re.S | re.M)
MARK = re.compile(r"<!-- docs-test: ([\w-]+)(?: (.*?))? -->\s*\Z")
MODES = {"seed", "seed-sql", "run", "run-test", "seeded-by", "run-by", "same-as", "checked"}
MARKED_LANGUAGES = {"toml", "python", "sql"}
#: Commands a console block may use besides supaseed and pytest.
KNOWN_COMMANDS = {
    "pip", "python", "python3", ".venv/bin/python", "cd", ".", "echo", "apt-get", "psql",
    "export", "^C",
}  # fmt: skip


#: Blocks of pages whose content other work owns, by (page, first line of the block).
MARKS: dict[tuple[str, str], tuple[str, str]] = {
    ("docs/guides/seeding.md", "from pytest_supaseed.seed import seed"): (
        "checked",
        "seeds an application database of its own (the DSN of an app with these tables)",
    ),
    ("docs/guides/seeding.md", "[tables.posts.columns]"): (
        "checked",
        "a fragment of a plan for a posts table that is not in the repository",
    ),
    ("docs/guides/seeding.md", "[associations.posts_to_authors]"): (
        "checked",
        "a fragment of a plan for a blog schema that is not in the repository",
    ),
    ("docs/production/ci.md", "  matrix:"): (
        "checked",
        "a fragment of the workflow above, in its indentation",
    ),
    ("docs/guides/seeding.md", "from hypothesis import given"): (
        "checked",
        "a Hypothesis test: its fixtures come from a project's pytest run",
    ),
}


#: "checked" reasons of TOML blocks that are not a plan on their own (so they only parse).
FRAGMENTS = ("a fragment", "a project template", "extends the project template", "supabase/")


class Block:
    """One fenced block: where it is, its language, body, and its docs-test comment."""

    def __init__(self, page: Path, line: int, lang: str, body: str, before: str) -> None:
        self.page = page.relative_to(ROOT).as_posix()
        self.path = page
        self.line = line
        self.lang = lang
        self.body = body
        mark = MARK.search(before[-300:])
        self.mode = mark[1] if mark else None
        self.args = (mark[2] or "").strip() if mark else ""
        first = body.splitlines()[0] if body else ""
        if self.mode is None and (self.page, first) in MARKS:
            self.mode, self.args = MARKS[(self.page, first)]

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"

    def __repr__(self) -> str:
        return self.id


def _blocks() -> list[Block]:
    found = []
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            line = text[: match.start()].count("\n") + 1
            body = textwrap.dedent(match[3])  # a block inside a list item is indented
            found.append(Block(path, line, match[2], body, text[: match.start()]))
    return found


BLOCKS = _blocks()


def _of(*langs: str, modes: set[str] | None = None) -> list[Block]:
    return [b for b in BLOCKS if b.lang in langs and (modes is None or b.mode in modes)]


def test_there_are_blocks_to_check() -> None:
    assert len(_of("toml", "python")) >= 45
    assert len(_of("toml", modes={"seed", "seed-sql", "seeded-by"})) >= 8
    assert len(_of("python", modes={"run", "run-test", "same-as"})) >= 4


@pytest.mark.parametrize("block", _of(*MARKED_LANGUAGES), ids=str)
def test_every_block_says_how_it_is_checked(block: Block) -> None:
    assert block.mode in MODES, (
        f"{block.id}: put <!-- docs-test: MODE ARGS --> on the line before this {block.lang} "
        f"block; MODE is one of {sorted(MODES)} (see {Path(__file__).relative_to(ROOT)})"
    )
    if block.mode == "checked":
        assert len(block.args.split()) >= 3, f"{block.id}: say why it is only checked"


@pytest.mark.parametrize("block", _of("toml"), ids=str)
def test_toml_blocks_parse_and_whole_plans_validate(block: Block, tmp_path: Path) -> None:
    from pytest_supaseed.config import resolve_plan

    data = tomllib.loads(block.body)
    if block.mode == "checked" and block.args.startswith(FRAGMENTS):
        return  # parsed; a part of a plan, or a template only valid once merged
    if "extends" in data:
        resolve_plan(data, rootdir=tmp_path)  # merged with its templates, then validated
    else:
        SeedPlan.model_validate(data)


@pytest.mark.parametrize("block", _of("python"), ids=str)
def test_python_blocks_parse(block: Block) -> None:
    ast.parse(block.body, filename=block.id)


@pytest.mark.parametrize("block", _of("yaml", "json", "ini"), ids=str)
def test_config_blocks_parse(block: Block) -> None:
    if block.lang == "json":
        for line in block.body.splitlines():
            json.loads(line)  # one JSON object per line (the logs)
    elif block.lang == "ini":
        configparser.ConfigParser().read_string(block.body)
    elif block.mode == "checked":
        assert block.body.strip(), block.id  # a fragment: its reason says why
    else:
        assert yaml.safe_load(block.body) is not None


def _command_lines(block: Block) -> Iterator[str]:
    prompted = any(raw.startswith("$ ") for raw in block.body.splitlines())
    for raw in block.body.splitlines():
        line = raw.strip()
        if prompted and not line.startswith("$ "):
            continue  # output
        line = line.removeprefix("$ ")
        if not line or line.startswith("#"):
            continue
        line = line.split("  #", 1)[0].split(" # ", 1)[0]
        for part in re.split(r"&&|;|\|(?!\|)", line):
            part = part.split(">", 1)[0].strip()  # a redirection is not a command
            if part:
                yield part


@pytest.mark.parametrize("block", _of("console", "bash", "sh"), ids=str)
def test_console_commands_exist(block: Block) -> None:
    from pytest_supaseed.cli import build_parser
    from pytest_supaseed.options import OPTIONS

    flags = {opt.flag for opt in OPTIONS}
    commands = list(_command_lines(block))
    assert commands, block.id
    for command in commands:
        words = shlex.split(command)
        if words[0] == "supaseed":
            try:  # "..." stands for a value the page leaves out
                build_parser().parse_args(["VALUE" if w == "..." else w for w in words[1:]])
            except SystemExit as exc:
                if exc.code != 0:  # --help / --version exit 0
                    pytest.fail(f"{block.id}: `{command}` does not parse")
        elif words[0] == "pytest":
            for word in words[1:]:
                if word.startswith("--supaseed"):
                    assert word.split("=", 1)[0] in flags, f"{block.id}: {word}"
        else:
            assert words[0] in KNOWN_COMMANDS, f"{block.id}: unknown command {words[0]!r}"


@pytest.mark.parametrize("block", _of(*MARKED_LANGUAGES, modes={"seeded-by", "run-by"}), ids=str)
def test_blocks_run_elsewhere_are_read_from_the_page_there(block: Block) -> None:
    test_file = ROOT / block.args
    assert test_file.is_file(), f"{block.id}: {block.args} does not exist"
    assert block.path.name in test_file.read_text(encoding="utf-8"), (
        f"{block.id}: {block.args} does not read {block.path.name}"
    )


@pytest.mark.parametrize("block", _of(*MARKED_LANGUAGES, modes={"same-as"}), ids=str)
def test_blocks_that_are_part_of_a_test_file(block: Block) -> None:
    test_file = ROOT / block.args
    assert test_file.is_file(), f"{block.id}: {block.args} does not exist"
    assert block.body.strip() in test_file.read_text(encoding="utf-8"), (
        f"{block.id}: the block is no longer word for word in {block.args}"
    )


@pytest.mark.parametrize("block", _of("python", modes={"run"}), ids=str)
def test_complete_python_blocks_run(
    block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    exec(compile(block.body, block.id, "exec"), {"__name__": "docs_block"})


# -- seeding the plans ------------------------------------------------------------------------


class Databases:
    """One database with the Supabase layer, one per project root on top of it, and a clone per
    plan (dropped after it is seeded): the server is the suite's."""

    def __init__(self, superuser: str) -> None:
        self.superuser = superuser
        self.made: list[str] = []
        self.roots: dict[str, str] = {}
        self.layer = self._create(None)
        from pytest_supaseed.backends.supabase import install_supabase_layer

        with psycopg.connect(self.dsn(self.layer), autocommit=True) as conn:
            install_supabase_layer(conn)

    def dsn(self, name: str) -> str:
        return make_conninfo(self.superuser, dbname=name)

    def _create(self, template: str | None) -> str:
        name = f"supaseed_docs_{uuid.uuid4().hex[:12]}"
        query = sql.SQL("create database {}").format(sql.Identifier(name))
        if template:
            query += sql.SQL(" template {}").format(sql.Identifier(template))
        with psycopg.connect(self.superuser, autocommit=True) as admin:
            admin.execute(query)
        self.made.append(name)
        return name

    def for_root(self, root: Path) -> str:
        """A clone of the layer database with ``root``'s migrations and seed files applied."""
        from pytest_supaseed.lifecycle.migrations import apply_migrations

        key = str(root)
        if key not in self.roots:
            name = self._create(self.layer)
            with psycopg.connect(self.dsn(name), autocommit=True) as conn:
                apply_migrations(conn, root)
            self.roots[key] = name
        return self._create(self.roots[key])

    def drop_all(self) -> None:
        with psycopg.connect(self.superuser, autocommit=True) as admin:
            for name in reversed(self.made):
                admin.execute(
                    sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
                )


@pytest.fixture(scope="module")
def databases(pg_superuser_dsn: str) -> Iterator[Databases]:
    made = Databases(pg_superuser_dsn)
    try:
        yield made
    finally:
        made.drop_all()


def _sql_above(block: Block) -> str:
    above = [b for b in BLOCKS if b.page == block.page and b.lang == "sql" and b.line < block.line]
    assert above, f"{block.id}: seed-sql needs a sql block above it on the page"
    return above[-1].body


@pytest.mark.parametrize("block", _of("toml", modes={"seed", "seed-sql"}), ids=str)
def test_plans_seed(block: Block, databases: Databases, tmp_path: Path) -> None:
    from pytest_supaseed.config import resolve_plan
    from pytest_supaseed.lifecycle.migrations import apply_sql_paths
    from pytest_supaseed.seed import seed

    if block.mode == "seed-sql" or block.args == "empty":
        root = tmp_path
    else:
        root = ROOT / block.args
        assert root.is_dir(), f"{block.id}: {block.args} is not a folder of the repository"
    data: dict[str, Any] = tomllib.loads(block.body)
    resolved = resolve_plan(data, rootdir=root)
    name = databases.for_root(root)
    dsn = databases.dsn(name)
    with psycopg.connect(dsn, autocommit=True) as conn:
        if block.mode == "seed-sql":
            conn.execute(_sql_above(block))  # type: ignore[arg-type]  # the page's own SQL
        choice = resolved.migrations(root)
        if choice.kind in ("demo", "explicit"):
            apply_sql_paths(conn, choice.paths, root)
    result = seed(resolved.plan, dsn, progress=False, rootdir=root)
    assert result.total_rows > 0
    for table, config in resolved.plan.tables.items():
        qualified = table if "." in table else f"public.{table}"
        if config.count:
            assert result.rows.get(qualified) == config.count, (block.id, table)


def _seeded(databases: Databases, plan: str, tmp_path: Path) -> str:
    """A database seeded from ``plan``: a folder of the repository (its own plan) or a template."""
    from pytest_supaseed.config import resolve_plan
    from pytest_supaseed.lifecycle.migrations import apply_sql_paths
    from pytest_supaseed.seed import seed

    folder = ROOT / plan
    root = folder if folder.is_dir() else tmp_path
    resolved = resolve_plan(None if folder.is_dir() else plan, rootdir=root)
    dsn = databases.dsn(databases.for_root(root))
    choice = resolved.migrations(root)
    if choice.kind in ("demo", "explicit"):
        with psycopg.connect(dsn, autocommit=True) as conn:
            apply_sql_paths(conn, choice.paths, root)
    seed(resolved.plan, dsn, progress=False, rootdir=root)
    return dsn


@pytest.mark.parametrize("block", _of("python", modes={"run-test"}), ids=str)
def test_python_tests_run_on_seeded_data(
    block: Block, databases: Databases, tmp_path: Path
) -> None:
    namespace: dict[str, Any] = {"__name__": "docs_block"}
    exec(compile(block.body, block.id, "exec"), namespace)
    tests = [f for name, f in namespace.items() if name.startswith("test_") and callable(f)]
    assert tests, f"{block.id}: no test_* function in the block"
    dsn = _seeded(databases, block.args, tmp_path)
    for test in tests:
        with psycopg.connect(dsn) as conn:
            conn.execute("select 1")  # in a transaction, as supaseed_db's connection is
            try:
                test(conn)
            finally:
                conn.rollback()
