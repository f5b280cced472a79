"""insert_order() orders real schemas so that rows go in without foreign-key errors."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest
from psycopg import sql

from pytest_supaseed.errors import SchemaError
from pytest_supaseed.schema import Schema, introspect
from pytest_supaseed.schema.graph import InsertPlan, insert_order

CYCLIC = """
create table public.orgs (
  id int primary key,
  name text not null,
  owner_id int  -- nullable: breaks the orgs <-> people cycle
);
create table public.people (
  id int primary key,
  org_id int not null references public.orgs (id)
);
alter table public.orgs add constraint orgs_owner_fk foreign key (owner_id) references public.people (id);
create table public.categories (
  id int primary key,
  parent_id int references public.categories (id)
);
create table public.posts (
  id int primary key,
  author_id int not null references public.people (id),
  category_id int not null references public.categories (id)
);
create table public.a (id int primary key, b_id int not null);
create table public.b (
  id int primary key,
  a_id int not null references public.a (id) deferrable initially immediate
);
alter table public.a add constraint a_b_fk foreign key (b_id) references public.b (id);
"""


def _insert_by_plan(conn: psycopg.Connection, schema: Schema, plan: InsertPlan) -> None:
    """A minimal seeder: rows 1..3 per table, every key pointing at row 1 (roots) or the previous
    row, deferred keys handled the way the plan says."""
    with conn.transaction():
        for d in plan.deferred:
            if d.strategy == "defer_constraint":
                conn.execute(
                    sql.SQL("set constraints {} deferred").format(
                        sql.Identifier(d.foreign_key.name)
                    )
                )
        for name in plan.tables:
            table = schema.tables[name]
            nulled = {
                c
                for d in plan.deferred_for(name)
                if d.strategy == "null_then_update"
                for c in d.columns
            }
            cols = table.column_names
            for i in (1, 2, 3):
                values = [None if c in nulled else (i if c == "id" else 1) for c in cols]
                conn.execute(
                    sql.SQL("insert into {} ({}) values ({})").format(
                        sql.Identifier(table.schema, table.name),
                        sql.SQL(", ").join(map(sql.Identifier, cols)),
                        sql.SQL(", ").join(sql.Placeholder() * len(cols)),
                    ),
                    values,
                )
        for d in plan.deferred:
            if d.strategy == "null_then_update":
                fk = d.foreign_key
                schema_name, table_name = fk.table.split(".")
                conn.execute(
                    sql.SQL("update {} set {} = 1").format(
                        sql.Identifier(schema_name, table_name), sql.Identifier(fk.columns[0])
                    )
                )


def test_cycle_and_self_reference_are_inserted_without_constraint_errors(
    fresh_conn: psycopg.Connection,
) -> None:
    fresh_conn.execute(CYCLIC)
    schema = introspect(fresh_conn)
    plan = insert_order(schema)

    order = plan.tables
    assert order.index("public.orgs") < order.index("public.people") < order.index("public.posts")
    assert order.index("public.categories") < order.index("public.posts")
    # b.a_id is the deferred key, so a.b_id (kept) puts b first
    assert order.index("public.b") < order.index("public.a")
    assert plan.cycles == (("public.a", "public.b"), ("public.orgs", "public.people"))
    strategies = {d.foreign_key.name: (d.strategy, d.reason) for d in plan.deferred}
    assert strategies == {
        "orgs_owner_fk": ("null_then_update", "cycle public.orgs -> public.people -> public.orgs"),
        "categories_parent_id_fkey": ("null_then_update", "self-reference"),
        "b_a_id_fkey": ("defer_constraint", "cycle public.b -> public.a -> public.b"),
    }

    _insert_by_plan(fresh_conn, schema, plan)

    counts = fresh_conn.execute(
        "select (select count(*) from orgs where owner_id = 1), "
        "(select count(*) from categories where parent_id = 1), (select count(*) from posts), "
        "(select count(*) from b)"
    ).fetchone()
    assert counts == (3, 3, 3, 3)


def test_naive_alphabetical_order_fails_on_the_same_schema(fresh_conn: psycopg.Connection) -> None:
    # the control: without the plan the same inserts hit a foreign-key error
    fresh_conn.execute(CYCLIC)
    schema = introspect(fresh_conn)
    naive = InsertPlan(tables=tuple(sorted(schema.tables)))
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        _insert_by_plan(fresh_conn, schema, naive)


def test_subset_lists_external_references_and_is_stable(fresh_conn: psycopg.Connection) -> None:
    fresh_conn.execute(CYCLIC)
    schema = introspect(fresh_conn)
    plan = insert_order(schema, ["posts", "public.categories"])
    assert plan.tables == ("public.categories", "public.posts")
    assert plan.external == ("public.people",)
    assert insert_order(schema, ["categories", "posts"]) == plan
    assert "categories_parent_id_fkey" in plan.describe()


def test_unbreakable_cycle_names_the_keys_and_the_fix(fresh_conn: psycopg.Connection) -> None:
    fresh_conn.execute(
        """
        create table public.x (id int primary key, y_id int not null);
        create table public.y (id int primary key, x_id int not null references public.x (id));
        alter table public.x add constraint x_y_fk foreign key (y_id) references public.y (id);
        """
    )
    with pytest.raises(
        SchemaError, match=r"(?s)public.x, public.y.*x_y_fk.*y_x_id_fkey.*DEFERRABLE"
    ):
        insert_order(introspect(fresh_conn))


def test_not_null_self_reference_goes_in_one_statement(fresh_conn: psycopg.Connection) -> None:
    fresh_conn.execute(
        "create table public.node (id int primary key, parent_id int not null references public.node (id))"
    )
    plan = insert_order(introspect(fresh_conn))
    (edge,) = plan.deferred
    assert edge.strategy == "same_statement"
    # one statement, child before its parent, root referencing itself: accepted by PostgreSQL
    fresh_conn.execute("insert into public.node values (2, 1), (1, 1)")
    assert fresh_conn.execute("select count(*) from public.node").fetchone() == (2,)


def test_makerkit_v3_order_puts_auth_users_and_roles_before_memberships(
    load_demo: Callable[[str], psycopg.Connection],
) -> None:
    plan = insert_order(introspect(load_demo("v3")))
    order = plan.tables
    assert plan.cycles == ()
    for parent, child in (
        ("auth.users", "public.accounts"),
        ("public.accounts", "public.accounts_memberships"),
        ("public.roles", "public.accounts_memberships"),
        ("public.roles", "public.role_permissions"),
        ("public.billing_customers", "public.subscriptions"),
        ("public.subscriptions", "public.subscription_items"),
        ("public.orders", "public.order_items"),
    ):
        assert order.index(parent) < order.index(child), (parent, child)
