"""Bad plans against a user's database (``supaseed seed --dsn``): one line, exit 1, nothing written.

Every case runs ``supaseed``'s ``main(argv)`` in-process against one database of this module that
already holds rows (a user's database), then checks the first line of the error (the place and the
fix), the exit code, that no traceback is printed, and that ``pg_dump`` of the database (schema,
rows, sequences) is exactly as before.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from .corpus import Case, check_outcome, pg_dump, run_cli, seed_argv, write_files

SCHEMA = """
create table authors (
    id serial primary key,
    name text not null,
    email text unique,
    age int check (age >= 18 and age <= 120)
);
create table posts (
    id bigserial primary key,
    author_id int not null references authors(id),
    title varchar(20) not null check (length(title) > 3),
    status text not null default 'draft' check (status in ('draft', 'published')),
    score int not null default 0,
    title_length int generated always as (length(title)) stored
);
create table impossible (id int primary key, n int not null check (n > 100 and n < 50));
create table guarded (id serial primary key, v int);
create function refuse() returns trigger language plpgsql as
  $$ begin raise exception 'guarded rows are written by the app only'; end $$;
create trigger guarded_refuse before insert on guarded for each row execute function refuse();
create table places (id int primary key, spot point not null);
create table tagged (id int primary key, tags text[] not null);
insert into authors (name, email, age) values ('Ann', 'ann@example.com', 30),
    ('Bob', 'bob@example.com', 40), ('Cy', null, 50);
insert into posts (author_id, title) values (1, 'Hello world'), (2, 'Second post');
"""


# one pair per process: xdist workers each run their share of the cases on their own copy
_SUFFIX = uuid.uuid4().hex[:8]
TEMPLATE = f"supaseed_safety_tmpl_{_SUFFIX}"
TARGET = f"supaseed_safety_db_{_SUFFIX}"


def _recreate(admin: str) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{TARGET}" with (force)')
        conn.execute(f'create database "{TARGET}" template "{TEMPLATE}"')


@pytest.fixture(scope="module")
def admin(pg_superuser_dsn: str) -> Iterator[str]:
    """The server's maintenance DSN, with a template of the user's database on it."""
    with psycopg.connect(pg_superuser_dsn, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{TEMPLATE}" with (force)')
        conn.execute(f'create database "{TEMPLATE}"')
    with psycopg.connect(make_conninfo(pg_superuser_dsn, dbname=TEMPLATE), autocommit=True) as c:
        c.execute(SCHEMA)
    _recreate(pg_superuser_dsn)
    yield pg_superuser_dsn
    with psycopg.connect(pg_superuser_dsn, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{TARGET}" with (force)')
        conn.execute(f'drop database if exists "{TEMPLATE}" with (force)')


@pytest.fixture(scope="module")
def target(admin: str) -> str:
    """A user's database: a schema and a few rows the plugin did not write (one per module)."""
    return make_conninfo(admin, dbname=TARGET)


@pytest.fixture(scope="module")
def baseline(target: str) -> str:
    """pg_dump of the user's database before any case ran (schema, rows, sequences)."""
    return pg_dump(target)


def _t(name: str, body: str) -> str:
    return f"[tables.{name}]\n{body}\n"


CASES = [
    # --- constants and overrides the database refuses, named by plan key ------------------------
    Case(
        "constant-breaks-check",
        (
            'tables."authors".columns.age',
            "public.authors.age",
            "CHECK authors_age_check",
            "the constant 5",
            "Fix: change",
        ),
        plan=_t("authors", "count = 3\ncolumns = { age = 5 }"),
    ),
    Case(
        "constant-too-long-for-varchar",
        ('tables."posts".columns.title', "public.posts.title", "too long", "Fix:"),
        plan=_t("posts", 'count = 2\ncolumns = { title = "' + "x" * 30 + '" }'),
    ),
    Case(
        "constant-fails-in-list-check",
        ('tables."posts".columns.status', "posts_status_check", "'archived'", "Fix: change"),
        plan=_t("posts", 'count = 2\ncolumns = { status = "archived" }'),
    ),
    Case(
        "constant-too-short-for-check",
        ('tables."posts".columns.title', "posts_title_check", "Fix: change"),
        plan=_t("posts", 'count = 1\ncolumns = { title = "ab" }'),
    ),
    Case(
        "constant-fk-to-missing-parent",
        (
            'tables."posts".columns.author_id',
            "public.posts.author_id",
            "posts_author_id_fkey",
            "Fix: change",
        ),
        plan=_t("posts", "count = 2\ncolumns = { author_id = 99999 }"),
    ),
    Case(
        "null-constant-on-not-null",
        ('tables."authors".columns.name', "public.authors.name", "NOT NULL", "non-NULL"),
        plan=_t("authors", 'count = 2\ncolumns = { name = "{{ null }}" }'),
    ),
    Case(
        "constant-not-a-number",
        ("tables.public.authors.columns.age", "not a valid integer", "abc", "Fix: write"),
        plan=_t("authors", 'count = 2\ncolumns = { age = "abc" }'),
    ),
    Case(
        "constant-out-of-int-range",
        ('tables."authors".columns.age', "public.authors.age", "Fix:"),
        plan=_t("authors", "count = 1\ncolumns = { age = 99999999999 }"),
    ),
    Case(
        "constant-wrong-shape-for-array",
        ('tables."tagged".columns', "public.tagged", "column types"),
        plan=_t("tagged", "count = 1\ncolumns = { tags = [1, 2] }"),
    ),
    Case(
        "constant-not-a-date",
        ("tables.public.authors.columns.id", "not a valid integer", "Fix: write"),
        plan=_t("authors", 'count = 1\ncolumns = { id = "2024-13-45" }'),
    ),
    Case(
        "trigger-refuses-rows",
        (
            "public.guarded",
            "refused by a trigger",
            "guarded rows are written by the app only",
            "disable_triggers = true",
        ),
        plan=_t("guarded", "count = 2"),
    ),
    Case(
        "check-no-value-can-meet",
        (
            'tables."public.impossible"',
            "public.impossible.n",
            "impossible_n_check",
            "Fix: correct the constraint",
        ),
        plan=_t("impossible", "count = 3"),
    ),
    Case(
        "type-without-generator",
        ("public.places.spot", "configure a generator"),
        plan=_t("places", "count = 2"),
    ),
    Case(
        "third-table-fails-after-two-succeed",
        ("public.guarded", "refused by a trigger"),
        plan=_t("authors", "count = 4") + _t("posts", "count = 6") + _t("guarded", "count = 1"),
    ),
    Case(
        "late-check-after-rows-written",
        ('tables."posts".columns.title', "posts_title_check"),
        plan=_t("authors", "count = 5") + _t("posts", 'count = 3\ncolumns = { title = "no" }'),
    ),
    # --- plan structure --------------------------------------------------------------------------
    Case(
        "unknown-table",
        ("tables.autors", "did you mean 'authors'", "Fix the table name"),
        plan=_t("autors", "count = 1"),
    ),
    Case(
        "unknown-column-override",
        ("tables.public.authors.columns.nmae", "did you mean 'name'"),
        plan=_t("authors", 'count = 1\ncolumns = { nmae = "x" }'),
    ),
    Case(
        "negative-count",
        ("supaseed.toml", "tables.authors.count", "greater than or equal to 0"),
        plan=_t("authors", "count = -1"),
    ),
    Case(
        "count-not-a-number",
        ("supaseed.toml", "tables.authors.count"),
        plan=_t("authors", 'count = "many"'),
    ),
    Case(
        "count-and-count-per-parent",
        ("supaseed.toml", "tables.posts", "either 'count' or 'count_per_parent'"),
        plan=_t("posts", "count = 3\ncount_per_parent = { authors = 2 }"),
    ),
    Case(
        "count-per-parent-unknown-parent",
        ("tables.public.posts.count_per_parent", "'writers'", "foreign keys: author_id"),
        plan=_t("posts", "count_per_parent = { writers = 2 }"),
    ),
    Case(
        "count-per-parent-two-parents",
        ("tables.public.posts.count_per_parent", "one parent per table"),
        plan=_t("posts", "count_per_parent = { authors = 2, author_id = 1 }"),
    ),
    Case(
        "count-per-parent-bad-range",
        ("supaseed.toml", "tables.posts.count_per_parent"),
        plan=_t("posts", "count_per_parent = { authors = { min = 5, max = 2 } }"),
    ),
    Case(
        "unknown-top-level-key",
        ("supaseed.toml", "'tabels'", "did you mean 'tables'"),
        plan="[tabels.authors]\ncount = 1\n",
    ),
    Case(
        "unknown-table-key",
        ("supaseed.toml", "tables.authors.cuont", "did you mean 'count'"),
        plan=_t("authors", "cuont = 1"),
    ),
    Case(
        "invalid-toml",
        ("supaseed.toml", "TOML"),
        plan="[tables.authors\ncount = 1\n",
    ),
    Case(
        "seed-not-an-integer",
        ("supaseed.toml", "seed"),
        plan='seed = "abc"\n' + _t("authors", "count = 1"),
    ),
    Case(
        "expression-syntax-error",
        ("tables.public.authors.columns.name", "expression"),
        plan=_t("authors", 'count = 1\ncolumns = { name = "{{ faker.name( }}" }'),
    ),
    Case(
        "expression-unknown-function",
        ("tables.public.authors.columns.name",),
        plan=_t("authors", 'count = 1\ncolumns = { name = "{{ fakerr.name() }}" }'),
    ),
    Case(
        "ai-unknown-provider",
        ("supaseed.toml", "ai.provider"),
        plan='[ai]\nprovider = "nonsense"\n' + _t("authors", "count = 1"),
    ),
    Case(
        "disable-triggers-not-boolean",
        ("supaseed.toml", "tables.guarded.disable_triggers"),
        plan=_t("guarded", 'count = 1\ndisable_triggers = "yes"'),
    ),
    # --- mappings and associations ---------------------------------------------------------------
    Case(
        "mapping-unknown-pool",
        ("mappings.blog.pool", "'psts'", "does not define"),
        plan='[mappings.blog]\npool = "psts"\ntable = "posts"\nfields = { title = "name" }\n',
    ),
    Case(
        "mapping-unknown-table",
        ("mappings.blog.table", "'public.postz'", "did you mean 'posts'", "Fix the table name"),
        plan=(
            '[asset_pools.p]\ntype = "json"\npath = "data/*.json"\n'
            '[mappings.blog]\npool = "p"\ntable = "postz"\nfields = { title = "title" }\n'
        ),
        files={"data/a.json": '{"title": "Hello there"}'},
    ),
    Case(
        "mapping-and-count-on-one-table",
        ("mappings.blog", "remove the count"),
        plan=(
            '[asset_pools.p]\ntype = "json"\npath = "data/*.json"\n'
            '[mappings.blog]\npool = "p"\ntable = "posts"\nfields = { title = "title" }\n'
            + _t("posts", "count = 3")
        ),
        files={"data/a.json": '{"title": "Hello there"}'},
    ),
    Case(
        "mapping-value-breaks-check",
        (
            "mappings.blog.fields.title",
            "public.posts.title",
            "posts_title_check",
            "the mapped value 'title'",
        ),
        plan=(
            '[asset_pools.p]\ntype = "json"\npath = "data/*.json"\n'
            '[mappings.blog]\npool = "p"\ntable = "posts"\nfields = { title = "title" }\n'
        ),
        files={"data/a.json": '[{"title": "Hello there"}, {"title": "no"}]'},
    ),
    Case(
        "mapping-empty-fields",
        ("supaseed.toml", "mappings.blog.fields"),
        plan='[mappings.blog]\npool = "p"\ntable = "posts"\nfields = {}\n',
    ),
    Case(
        "association-wrong-fk-column",
        ("associations.posts_to_authors.fk_column", "did you mean 'author_id'"),
        plan=(
            _t("posts", "count = 3")
            + '[associations.posts_to_authors]\nitems = "posts"\ntargets = "authors"\n'
            'fk_column = "autor_id"\n'
        ),
    ),
    Case(
        "association-items-not-planned",
        ("associations.posts_to_authors.items", "does not fill"),
        plan=(
            '[associations.posts_to_authors]\nitems = "posts"\ntargets = "authors"\n'
            'fk_column = "author_id"\n'
        ),
    ),
    Case(
        "association-with-count-per-parent",
        ("associations.posts_to_authors", "remove count_per_parent"),
        plan=(
            _t("posts", "count_per_parent = { authors = 1 }")
            + '[associations.posts_to_authors]\nitems = "posts"\ntargets = "authors"\n'
            'fk_column = "author_id"\n'
        ),
    ),
    # --- pools: strict problems are errors, others warnings (errors with --strict) ---------------
    Case(
        "strict-pool-glob-matches-nothing",
        ("asset_pools.p (strict)", "content/*.md", "matched no file"),
        plan='[asset_pools.p]\ntype = "markdown"\npath = "content/*.md"\nstrict = true\n',
    ),
    Case(
        "strict-pool-bad-yaml-unused",
        ("asset_pools.p (strict)", "a.md", "bad YAML frontmatter"),
        plan='[asset_pools.p]\ntype = "markdown"\npath = "md/*.md"\nstrict = true\n',
        files={"md/a.md": "---\ntitle: [unclosed\n---\nbody\n"},
    ),
    Case(
        "strict-pool-empty-file-list",
        ("asset_pools.p (strict)", "no asset loaded"),
        plan='[asset_pools.p]\ntype = "json"\npath = "d/*.json"\nstrict = true\n',
        files={"d/a.json": "[]"},
    ),
    Case(
        "strict-json-not-object",
        ("asset_pools.p (strict)", "a.json[0]", "expected a JSON object"),
        plan='[asset_pools.p]\ntype = "json"\npath = "d/*.json"\nstrict = true\n',
        files={"d/a.json": "[1, 2]"},
    ),
    Case(
        "strict-csv-latin1",
        ("asset_pools.p (strict)", "a.csv", "not utf-8 text", 'encoding = "latin-1"'),
        plan='[asset_pools.p]\ntype = "csv"\npath = "c/*.csv"\nstrict = true\n',
        files={"c/a.csv": "name\nCaf\xe9\n".encode("latin-1")},
    ),
    Case(
        "strict-png-truncated",
        ("asset_pools.p (strict)", "a.png", "truncated or corrupt PNG"),
        plan='[asset_pools.p]\ntype = "image"\npath = "i/*.png"\nstrict = true\n',
        files={"i/a.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"},
    ),
    Case(
        "strict-required-field-missing",
        ("asset_pools.p (strict)", "a.md", "title"),
        plan=(
            '[asset_pools.p]\ntype = "markdown"\npath = "md/*.md"\nstrict = true\n'
            'required = { title = "str" }\n'
        ),
        files={"md/a.md": "---\nauthor: x\n---\nbody\n"},
    ),
    Case(
        "pool-unknown-type",
        ("supaseed.toml", "asset_pools.p.type"),
        plan='[asset_pools.p]\ntype = "pdf"\npath = "x/*.pdf"\n',
    ),
    Case(
        "pool-dropped-file-with-strict-flag",
        ("strict:", "pool 'p'", "a.json", "invalid JSON", "without --strict"),
        plan=(
            '[asset_pools.p]\ntype = "json"\npath = ["d/*.json"]\n'
            '[mappings.m]\npool = "p"\ntable = "authors"\nfields = { name = "name" }\n'
        ),
        files={"d/a.json": "{bad", "d/b.json": '{"name": "Dee"}'},
        argv=("--strict",),
    ),
    Case(
        "pool-glob-nothing-with-strict-flag",
        ("strict:", "pool 'p'", "matched no file"),
        plan=(
            '[asset_pools.p]\ntype = "json"\npath = ["d/*.json", "nothing/*.json"]\n'
            '[mappings.m]\npool = "p"\ntable = "authors"\nfields = { name = "name" }\n'
        ),
        files={"d/b.json": '{"name": "Dee"}'},
        argv=("--strict",),
    ),
    # --- a non-strict pool drops a bad file with a warning; --strict makes it an error -----------
    *[
        Case(
            f"dropped-{kind}-{label}",
            ("strict:", "pool 'p'", rel, *words),
            plan=(
                f'[asset_pools.p]\ntype = "{kind}"\npath = "{rel.split("/")[0]}/*"\n'
                '[mappings.m]\npool = "p"\ntable = "authors"\n'
                'fields = { name = "file.name" }\n'
            ),
            files={rel: content, **good},
            argv=("--strict",),
        )
        for kind, label, rel, content, words, good in [
            (
                "markdown",
                "bad-yaml",
                "md/a.md",
                "---\ntitle: [x\n---\n",
                ("bad YAML",),
                {"md/b.md": "---\ntitle: ok\n---\nbody\n"},
            ),
            (
                "markdown",
                "unclosed",
                "md/a.md",
                "---\ntitle: x\nbody\n",
                ("never closed",),
                {"md/b.md": "hello\n"},
            ),
            (
                "markdown",
                "latin1",
                "md/a.md",
                "caf\xe9\n".encode("latin-1"),
                ("not utf-8 text", 'encoding = "latin-1"'),
                {"md/b.md": "hello\n"},
            ),
            (
                "markdown",
                "list-frontmatter",
                "md/a.md",
                "---\n- a\n- b\n---\n",
                ("frontmatter is a list",),
                {"md/b.md": "hello\n"},
            ),
            ("json", "invalid", "js/a.json", '{"name": ', ("invalid JSON",), {"js/b.json": "{}"}),
            (
                "json",
                "not-utf8",
                "js/a.json",
                b"\xff\xfe{}",
                ("invalid JSON",),
                {"js/b.json": "{}"},
            ),
            (
                "csv",
                "cells",
                "cs/a.csv",
                "name,age\nAnn\n",
                ("1 cells, the header has 2",),
                {"cs/b.csv": "name\nBo\n"},
            ),
            (
                "csv",
                "latin1",
                "cs/a.csv",
                "name\nJos\xe9\n".encode("latin-1"),
                ('encoding = "latin-1"',),
                {"cs/b.csv": "name\nBo\n"},
            ),
            ("csv", "empty", "cs/a.csv", "", ("empty file",), {"cs/b.csv": "name\nBo\n"}),
            ("image", "not-image", "im/a.png", b"hello", ("not an image",), {}),
            (
                "image",
                "truncated-png",
                "im/a.png",
                b"\x89PNG\r\n\x1a\n\x00\x00",
                ("truncated or corrupt PNG",),
                {},
            ),
            ("image", "empty", "im/a.jpg", b"", ("empty file",), {}),
        ]
    ],
    # --- plan keys with no effect: warnings, errors with --strict --------------------------------
    Case(
        "unused-pool",
        ("strict:", "asset_pools.spare has no effect", "no mapping reads it"),
        plan=_t("authors", "count = 1") + '[asset_pools.spare]\ntype = "json"\npath = "d/*.json"\n',
        files={"d/a.json": "{}"},
        argv=("--strict",),
    ),
    Case(
        "override-on-generated-column",
        ("strict:", "tables.public.posts.columns.title_length has no effect", "generated column"),
        plan=_t("posts", "count = 1\ncolumns = { title_length = 3 }"),
        argv=("--strict",),
    ),
    Case(
        "disable-triggers-without-triggers",
        ("strict:", "tables.public.authors.disable_triggers has no effect", "no user triggers"),
        plan=_t("authors", "count = 1\ndisable_triggers = true"),
        argv=("--strict",),
    ),
    Case(
        "plan-fills-nothing",
        ("strict:", "the plan fills no table"),
        plan="seed = 3\n",
        argv=("--strict",),
    ),
    # --- the command line and the DSN ------------------------------------------------------------
    Case("plan-file-missing", ("nope.toml",), argv=("--plan", "nope.toml")),
    Case("unknown-template", ("'no-such-template'",), argv=("--template", "no-such-template")),
    Case(
        "dsn-not-a-dsn",
        ("--dsn is not a valid DSN", "postgresql://user:password@host:port/dbname"),
        plan=_t("authors", "count = 1"),
        dsn="this is not = a dsn = at all",
    ),
    Case(
        "dsn-remote-host",
        ("refusing to seed", "203.0.113.9", "--allow-remote", "nothing was sent"),
        plan=_t("authors", "count = 1"),
        dsn="postgresql://postgres:secret@203.0.113.9:5432/app",
    ),
    Case(
        "dsn-remote-hostname",
        ("refusing to seed", "db.example.com", "--allow-remote"),
        plan=_t("authors", "count = 1"),
        dsn="postgresql://postgres@db.example.com/app",
    ),
    Case(
        "dsn-remote-password-hidden",
        ("***",),
        plan=_t("authors", "count = 1"),
        dsn="postgresql://postgres:hunter2@198.51.100.7/app",
    ),
    Case(
        "dsn-refused-port",
        ("cannot connect to", "Connection refused", "Fix: is the server running"),
        plan=_t("authors", "count = 1"),
        dsn="postgresql://postgres@127.0.0.1:1/postgres",
    ),
    Case(
        "dsn-missing-socket-dir",
        ("cannot connect to", "Fix:"),
        plan=_t("authors", "count = 1"),
        dsn="host=/nonexistent/socket/dir dbname=postgres user=postgres",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(
    case: Case,
    admin: str,
    target: str,
    baseline: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_files(tmp_path, case.files)
    outcome = run_cli(seed_argv(case, tmp_path, target), capsys)
    after = pg_dump(target)
    if after != baseline:
        _recreate(admin)  # so that one failure does not spill into the next case
    check_outcome(case, outcome)
    assert after == baseline, "the failing run left something in the database (pg_dump differs)"


def _dsn_with(target: str, **params: str) -> str:
    return make_conninfo(target, **params)


def test_wrong_password_and_missing_database_are_one_line(
    target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = _t("authors", "count = 1")
    for dsn, fragments in (
        (_dsn_with(target, password="wrong"), ("password authentication failed", "password")),
        (_dsn_with(target, dbname="no_such_db_here"), ("does not exist", "create the database")),
    ):
        case = Case("dsn", ("cannot connect to", *fragments), plan=plan, dsn=dsn)
        check_outcome(case, run_cli(seed_argv(case, tmp_path, target), capsys))
        assert "wrong" not in capsys.readouterr().err


def test_failing_seed_leaves_pg_dump_identical(
    target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's case: the third table fails after two were written; and a sequence-backed
    table whose ids came from nextval."""
    before = pg_dump(target)
    case = Case(
        "third-table",
        ("public.guarded", "refused by a trigger"),
        plan=_t("authors", "count = 4") + _t("posts", "count = 6") + _t("guarded", "count = 1"),
    )
    check_outcome(case, run_cli(seed_argv(case, tmp_path, target), capsys))
    assert pg_dump(target) == before


def test_a_good_plan_still_seeds_and_warnings_show(
    pg_superuser_dsn: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Control: the same command writes when nothing is wrong; a non-strict pool's dropped file
    and a glob matching nothing are printed as warnings (exit 0)."""
    name = f"supaseed_safety_ok_{_SUFFIX}"
    with psycopg.connect(pg_superuser_dsn, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
        conn.execute(f'create database "{name}"')
    dsn = make_conninfo(pg_superuser_dsn, dbname=name)
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(SCHEMA)
        write_files(tmp_path, {"d/a.json": "{bad", "d/b.json": '{"name": "Dee"}'})
        plan = (
            '[asset_pools.p]\ntype = "json"\npath = ["d/*.json", "nothing/*.json"]\n'
            '[mappings.m]\npool = "p"\ntable = "authors"\nfields = { name = "name" }\n'
            + _t("posts", "count = 4")
        )
        for expect in (
            ("pool 'p'", "a.json", "invalid JSON", "strict = true"),
            ("pool 'p'", "nothing/*.json", "matched no file"),
        ):
            case = Case("warn", expect, plan=plan, code=0)
            check_outcome(case, run_cli(seed_argv(case, tmp_path, dsn), capsys))
        with psycopg.connect(dsn) as conn:
            assert conn.execute("select count(*) from posts").fetchone()[0] > 2  # type: ignore[index]
    finally:
        with psycopg.connect(pg_superuser_dsn, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')


def test_users_phase_is_rolled_back_with_the_rest(
    supabase_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Auth users (and their identities) written by the users phase go when a later table
    fails: pg_dump of the Supabase database is identical."""
    with psycopg.connect(supabase_db, autocommit=True) as conn:
        conn.execute(
            "create table public.profiles (id uuid primary key references auth.users (id), "
            "bio text not null check (length(bio) > 5))"
        )
    before = pg_dump(supabase_db)
    case = Case(
        "users-then-failure",
        ('tables."public.profiles".columns.bio', "profiles_bio_check", "the constant 'hi'"),
        plan=(
            "[users]\ncount = 3\nmakerkit_test_users = false\n"
            '[tables."public.profiles"]\ncount = 3\ncolumns = { bio = "hi" }\n'
        ),
    )
    check_outcome(case, run_cli(seed_argv(case, tmp_path, supabase_db), capsys))
    assert pg_dump(supabase_db) == before
    with psycopg.connect(supabase_db) as conn:
        assert conn.execute("select count(*) from auth.users").fetchone() == (0,)
