"""detect() names each MakerKit flavour, built in a real database, with its evidence."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest

from pytest_supaseed import demo_schemas
from pytest_supaseed.errors import SchemaError
from pytest_supaseed.schema import detect, introspect

Loader = Callable[[str], psycopg.Connection]


def _found(detection, subject_part: str) -> bool:  # type: ignore[no-untyped-def]
    return any(subject_part in e.subject and e.found for e in detection.evidence)


@pytest.mark.parametrize(
    ("flavour", "decisive"),
    [
        ("v1", ["table public.organizations", "column public.memberships.role (integer)"]),
        ("lite", ["is_personal_account absent", "calling kit.new_user_created_setup()"]),
        ("v2", ["column public.accounts.is_personal_account", "function kit.setup_new_user()"]),
        ("v3", ["table public.nonces", "function public.is_super_admin()"]),
    ],
)
def test_each_flavour_is_detected_with_evidence(
    load_demo: Loader, flavour: str, decisive: list[str]
) -> None:
    detection = detect(introspect(load_demo(flavour)))
    assert detection.kit == flavour
    assert detection.custom_tables == ()
    assert all(_found(detection, part) for part in decisive), detection.render()
    assert detection.supabase == "layer"
    assert detection.label == f"MakerKit {flavour}"


def test_v2_is_not_v3_and_says_what_v3_would_need(load_demo: Loader) -> None:
    detection = detect(introspect(load_demo("v2")))
    missing = {e.subject for e in detection.evidence if not e.found}
    assert missing == {
        "table public.nonces",
        "function public.is_super_admin()",
        "function public.is_aal2()",
        "function public.is_mfa_compliant()",
    }
    assert "public.role_permissions" in detection.kit_tables


def test_v2_with_extra_tables_is_v2_plus_custom_tables(load_demo: Loader) -> None:
    conn = load_demo("v2")
    conn.execute(
        """
        create table public.projects (
          id uuid primary key default gen_random_uuid(),
          account_id uuid not null references public.accounts (id) on delete cascade,
          name text not null
        );
        create table public.tasks (
          id bigint generated always as identity primary key,
          project_id uuid not null references public.projects (id),
          title text not null
        );
        """
    )
    detection = detect(introspect(conn))
    assert detection.kit == "v2"
    assert detection.custom_tables == ("public.projects", "public.tasks")
    assert detection.label == "MakerKit v2 + 2 custom tables"
    assert "public.projects" not in detection.kit_tables


@pytest.mark.parametrize(
    ("flavour", "function"), [("v2", "kit.setup_new_user"), ("lite", "kit.new_user_created_setup")]
)
def test_triggers_on_auth_users_that_create_rows(
    load_demo: Loader, flavour: str, function: str
) -> None:
    conn = load_demo(flavour)
    (trigger,) = detect(introspect(conn)).auth_user_triggers
    assert (trigger.name, trigger.timing, trigger.function, trigger.creates) == (
        "on_auth_user_created",
        "AFTER",
        function,
        ("public.accounts",),
    )
    # and it really does: one auth user in, one account out with the same id
    user_id = conn.execute(
        "insert into auth.users (id, email) values (gen_random_uuid(), 'ada@example.com') returning id"
    ).fetchone()[0]
    assert conn.execute("select id, name from public.accounts").fetchall() == [(user_id, "ada")]


def test_v1_has_no_auth_user_trigger(load_demo: Loader) -> None:
    assert detect(introspect(load_demo("v1"))).auth_user_triggers == ()


def test_a_custom_schema_with_an_accounts_table_is_custom(
    supabase_conn: psycopg.Connection,
) -> None:
    supabase_conn.execute(
        """
        create table public.accounts (id uuid primary key, owner uuid references auth.users);
        create table public.invoices (id int primary key, account_id uuid references public.accounts);
        """
    )
    detection = detect(introspect(supabase_conn))
    assert detection.kit == "custom"
    assert detection.custom_tables == ("public.accounts", "public.invoices")
    assert detection.label == "custom (2 tables)"
    assert detection.evidence
    assert not any(e.found for e in detection.evidence)


def test_plain_postgres_is_plain(fresh_conn: psycopg.Connection) -> None:
    fresh_conn.execute("create table public.notes (id int primary key)")
    detection = detect(introspect(fresh_conn))
    assert (detection.kit, detection.supabase) == ("custom", "plain")


def test_layer_is_recognised_by_its_marker(supabase_conn: psycopg.Connection) -> None:
    detection = detect(introspect(supabase_conn))
    marker = next(e for e in detection.supabase_evidence if "comment on schema auth" in e.subject)
    assert detection.supabase == "layer"
    assert marker.found
    assert "pytest-supaseed" in marker.why


def test_real_supabase_is_recognised_by_its_platform_schemas(
    supabase_conn: psycopg.Connection,
) -> None:
    # A real Supabase database has no layer marker on auth; the layer's platform schemas
    # (supabase_functions, from the extension pack) then count as Supabase's own.
    supabase_conn.execute("comment on schema auth is null; create schema graphql_public")
    detection = detect(introspect(supabase_conn))
    assert detection.supabase == "real"
    assert {e.subject for e in detection.supabase_evidence if e.found} >= {
        "schema supabase_functions",
        "schema graphql_public",
    }


def test_demo_schema_path_helper() -> None:
    assert demo_schemas.path("v2").name == "makerkit_v2.sql"
    assert demo_schemas.path("makerkit_lite.sql").is_file()
    with pytest.raises(SchemaError, match=r"No demo schema 'v4'.*Available: makerkit_v1"):
        demo_schemas.path("v4")
