"""The Supabase compatibility layer against a real server: roles, auth, RLS, storage, uuid, detection."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import errors
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from pytest_supaseed.backends.supabase import (
    SEARCH_PATH,
    install_supabase_layer,
    layer_fingerprint,
    layer_marker,
    layer_state,
)
from pytest_supaseed.errors import BackendError

Conn = psycopg.Connection[Any]

# The columns of auth.users in the order pg_dump prints them for a current Supabase project.
SUPABASE_USERS_COLUMNS = [
    "instance_id", "id", "aud", "role", "email", "encrypted_password", "email_confirmed_at",
    "invited_at", "confirmation_token", "confirmation_sent_at", "recovery_token",
    "recovery_sent_at", "email_change_token_new", "email_change", "email_change_sent_at",
    "last_sign_in_at", "raw_app_meta_data", "raw_user_meta_data", "is_super_admin", "created_at",
    "updated_at", "phone", "phone_confirmed_at", "phone_change", "phone_change_token",
    "phone_change_sent_at", "confirmed_at", "email_change_token_current",
    "email_change_confirm_status", "banned_until", "reauthentication_token",
    "reauthentication_sent_at", "is_sso_user", "deleted_at", "is_anonymous",
]  # fmt: skip


@pytest.fixture
def layer_conn(fresh_conn: Conn) -> Conn:
    """``fresh_conn`` with the layer installed by this test module (not by the shared fixture)."""
    assert install_supabase_layer(fresh_conn) == "installed"
    return fresh_conn


def add_user(conn: Conn, email: str, password: str = "pw", **columns: Any) -> uuid.UUID:
    """Insert an auth.users row the way a seeder does (bcrypt password, '' tokens)."""
    user_id = uuid.uuid4()
    values: dict[str, Any] = {
        "instance_id": uuid.UUID(int=0),
        "id": user_id,
        "aud": "authenticated",
        "role": "authenticated",
        "email": email,
        "confirmation_token": "",
        "recovery_token": "",
        "email_change_token_new": "",
        "email_change": "",
        "raw_app_meta_data": json.dumps({"provider": "email", "providers": ["email"]}),
        "raw_user_meta_data": "{}",
        "created_at": "now",
        "updated_at": "now",
        **columns,
    }
    names = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    conn.execute(
        f"insert into auth.users ({names}, encrypted_password) "
        f"values ({marks}, extensions.crypt(%s, extensions.gen_salt('bf')))",
        [*values.values(), password],
    )
    return user_id


def claims(user_id: uuid.UUID, email: str = "") -> str:
    return json.dumps({"sub": str(user_id), "role": "authenticated", "email": email})


def visible_notes(conn: Conn, role: str, jwt_claims: str | None = None) -> list[str]:
    """Bodies of public.notes that ``role`` (with ``jwt_claims``) sees, inside a rolled-back tx."""
    with conn.transaction(force_rollback=True):
        conn.execute(f"set local role {role}")
        if jwt_claims is not None:
            conn.execute("select set_config('request.jwt.claims', %s, true)", [jwt_claims])
        return [r[0] for r in conn.execute("select body from public.notes order by body")]


def test_auth_uid_and_rls_policy_act_as_the_user(layer_conn: Conn) -> None:
    check_rls_as_users(layer_conn)


SYSTEM_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def test_layer_on_the_system_postgres_as_well() -> None:
    """The default server is the bundled PostgreSQL 17; this covers a distribution's server too."""
    try:
        admin = psycopg.connect(SYSTEM_POSTGRES, autocommit=True, connect_timeout=2)
    except psycopg.OperationalError:
        pytest.skip(f"no PostgreSQL answers at {SYSTEM_POSTGRES}")
    name = f"supaseed_t_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'create database "{name}"')
        try:
            with psycopg.connect(make_conninfo(SYSTEM_POSTGRES, dbname=name), autocommit=True) as c:
                assert install_supabase_layer(c) == "installed"
                assert install_supabase_layer(c) == "present"
                check_rls_as_users(c)
                row = c.execute(
                    "select extensions.uuid_generate_v3(extensions.uuid_ns_dns(), 'a.example')"
                ).fetchone()
                assert row == (uuid.uuid3(uuid.NAMESPACE_DNS, "a.example"),)
        finally:
            admin.execute(f'drop database if exists "{name}" with (force)')


def check_rls_as_users(conn: Conn) -> None:
    """The issue's must-show: auth.uid() from JWT claims drives an RLS policy; passwords verify."""
    alice = add_user(conn, "alice@example.com", "alice-secret")
    bob = add_user(conn, "bob@example.com", "bob-secret")
    # Created by the installing role after the install: default privileges must reach the API roles.
    conn.execute(
        """
        create table public.notes (
            id bigint generated always as identity primary key,
            owner_id uuid not null references auth.users (id),
            body text not null
        );
        alter table public.notes enable row level security;
        create policy own_notes on public.notes for select using (auth.uid() = owner_id);
        """
    )
    conn.execute(
        "insert into public.notes (owner_id, body) values (%s, 'a1'), (%s, 'a2'), (%s, 'b1')",
        [alice, alice, bob],
    )

    with conn.transaction(force_rollback=True):
        conn.execute("set local role authenticated")
        conn.execute("select set_config('request.jwt.claims', %s, true)", [claims(alice)])
        row = conn.execute("select auth.uid(), auth.role(), current_user").fetchone()
        assert row == (alice, "authenticated", "authenticated")

    assert visible_notes(conn, "authenticated", claims(alice)) == ["a1", "a2"]
    assert visible_notes(conn, "authenticated", claims(bob)) == ["b1"]
    assert visible_notes(conn, "service_role") == ["a1", "a2", "b1"]
    assert visible_notes(conn, "anon") == []

    row = conn.execute(
        """
        select encrypted_password = extensions.crypt('alice-secret', encrypted_password),
               encrypted_password = extensions.crypt('bob-secret', encrypted_password),
               encrypted_password like '$2a$%%'
        from auth.users where id = %s
        """,
        [alice],
    ).fetchone()
    assert row == (True, False, True)


def test_auth_helpers_read_both_claim_styles(layer_conn: Conn) -> None:
    user_id = uuid.uuid4()
    with layer_conn.transaction(force_rollback=True):
        layer_conn.execute(
            "select set_config('request.jwt.claims', %s, true)",
            [
                json.dumps(
                    {"sub": str(user_id), "role": "authenticated", "email": "c@x.io", "aal": "aal2"}
                )
            ],
        )
        row = layer_conn.execute(
            "select auth.uid(), auth.role(), auth.email(), auth.jwt() ->> 'aal'"
        ).fetchone()
        assert row == (user_id, "authenticated", "c@x.io", "aal2")
        # The older per-claim settings win over the JSON document, as on Supabase.
        other = uuid.uuid4()
        layer_conn.execute("select set_config('request.jwt.claim.sub', %s, true)", [str(other)])
        assert layer_conn.execute("select auth.uid()").fetchone() == (other,)
    with layer_conn.transaction(force_rollback=True):
        row = layer_conn.execute("select auth.uid(), auth.role(), auth.jwt()").fetchone()
        assert row == (None, None, None)


def test_roles_have_supabase_attributes(layer_conn: Conn) -> None:
    rows = layer_conn.execute(
        """
        select rolname, rolcanlogin, rolinherit, rolbypassrls
        from pg_roles
        where rolname in ('anon', 'authenticated', 'service_role', 'authenticator')
        order by rolname
        """
    ).fetchall()
    assert rows == [
        ("anon", False, False, False),
        ("authenticated", False, False, False),
        ("authenticator", True, False, False),
        ("service_role", False, False, True),
    ]
    for api_role in ("anon", "authenticated", "service_role"):
        member = layer_conn.execute(
            "select pg_has_role('authenticator', %s, 'member')", [api_role]
        ).fetchone()
        assert member == (True,)
    present = layer_conn.execute(
        "select count(*) from pg_roles where rolname in "
        "('supabase_admin', 'supabase_auth_admin', 'supabase_storage_admin')"
    ).fetchone()
    assert present == (3,)


def test_api_roles_get_supabase_grants(layer_conn: Conn) -> None:
    conn = layer_conn
    conn.execute("create table public.things (id serial primary key)")
    conn.execute("create function public.answer() returns int language sql as 'select 42'")
    for role in ("anon", "authenticated", "service_role"):
        row = conn.execute(
            """
            select has_schema_privilege(%(r)s, 'public', 'usage'),
                   has_schema_privilege(%(r)s, 'auth', 'usage'),
                   has_schema_privilege(%(r)s, 'extensions', 'usage'),
                   has_table_privilege(%(r)s, 'public.things', 'select, insert, update, delete'),
                   has_sequence_privilege(%(r)s, 'public.things_id_seq', 'usage'),
                   has_function_privilege(%(r)s, 'public.answer()', 'execute'),
                   has_function_privilege(%(r)s, 'auth.uid()', 'execute'),
                   has_table_privilege(%(r)s, 'auth.users', 'select')
            """,
            {"r": role},
        ).fetchone()
        # As on Supabase: everything in public, auth helpers callable, auth tables out of reach.
        assert row == (True, True, True, True, True, True, True, False), role
    with conn.transaction(force_rollback=True):
        conn.execute("set local role authenticated")
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("select * from auth.users")


def test_auth_and_storage_tables_have_rls_without_policies(layer_conn: Conn) -> None:
    rows = layer_conn.execute(
        """
        select c.oid::regclass::text from pg_class c
        where c.relnamespace in ('auth'::regnamespace, 'storage'::regnamespace)
          and c.relkind = 'r' and not c.relrowsecurity
        """
    ).fetchall()
    assert rows == []
    add_user(layer_conn, "lea@example.com")
    # An app granting an API role access to auth.users still sees no row without a policy.
    layer_conn.execute("grant select on auth.users to authenticated")
    with layer_conn.transaction(force_rollback=True):
        layer_conn.execute("set local role authenticated")
        assert layer_conn.execute("select count(*) from auth.users").fetchone() == (0,)


def test_install_is_idempotent(fresh_conn: Conn, fresh_db: str) -> None:
    assert install_supabase_layer(fresh_conn) == "installed"
    count_objects = (
        "select count(*) from pg_class where relnamespace in "
        "('auth'::regnamespace, 'storage'::regnamespace, 'extensions'::regnamespace)"
    )
    before = fresh_conn.execute(count_objects).fetchone()
    assert install_supabase_layer(fresh_conn) == "present"
    with psycopg.connect(fresh_db, autocommit=True) as other:
        assert install_supabase_layer(other) == "present"
        assert layer_state(other) == "present"
    assert fresh_conn.execute(count_objects).fetchone() == before
    comment = fresh_conn.execute("select obj_description('auth'::regnamespace)").fetchone()
    assert comment == (layer_marker(),)
    assert layer_fingerprint()[:16] in layer_marker()


def test_concurrent_installs_into_one_database(fresh_db: str) -> None:
    results: list[str] = []
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def install() -> None:
        try:
            with psycopg.connect(fresh_db, autocommit=True) as conn:
                start.wait()
                results.append(install_supabase_layer(conn))
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=install) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(results) == ["installed", "present"]


def test_concurrent_installs_into_two_databases(pg_superuser_dsn: str) -> None:
    names = [f"supaseed_t_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    with psycopg.connect(pg_superuser_dsn, autocommit=True) as admin:
        for name in names:
            admin.execute(f'create database "{name}"')
    results: list[str] = []
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def install(name: str) -> None:
        try:
            with psycopg.connect(
                make_conninfo(pg_superuser_dsn, dbname=name), autocommit=True
            ) as c:
                start.wait()
                results.append(install_supabase_layer(c))
        except BaseException as exc:
            failures.append(exc)

    try:
        threads = [threading.Thread(target=install, args=(name,)) for name in names]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        with psycopg.connect(pg_superuser_dsn, autocommit=True) as admin:
            for name in names:
                admin.execute(f'drop database if exists "{name}" with (force)')
    assert failures == []
    assert results == ["installed", "installed"]


def test_real_supabase_database_is_left_alone(fresh_conn: Conn) -> None:
    # The shape GoTrue leaves: its own auth.users and auth.schema_migrations, no marker of ours.
    fresh_conn.execute(
        """
        create schema auth;
        create table auth.users (id uuid primary key, email varchar(255));
        create table auth.schema_migrations (version varchar(255) primary key);
        insert into auth.schema_migrations values ('20221208132122');
        """
    )
    assert layer_state(fresh_conn) == "supabase"
    assert install_supabase_layer(fresh_conn) == "supabase"
    row = fresh_conn.execute(
        """
        select to_regnamespace('storage'), to_regnamespace('extensions'),
               to_regprocedure('auth.uid()'), obj_description('auth'::regnamespace),
               (select count(*) from pg_extension where extname = 'pgcrypto')
        """
    ).fetchone()
    assert row == (None, None, None, None, 0)


def test_other_layer_version_is_an_error(fresh_conn: Conn) -> None:
    fresh_conn.execute(
        "create schema auth; create table auth.users (id uuid primary key);"
        "comment on schema auth is 'pytest-supaseed compatibility layer v0 (0123456789abcdef)'"
    )
    assert layer_state(fresh_conn) == "outdated"
    with pytest.raises(BackendError, match="another version of the pytest-supaseed Supabase layer"):
        install_supabase_layer(fresh_conn)


def test_users_table_matches_supabase(layer_conn: Conn) -> None:
    columns = [
        r[0]
        for r in layer_conn.execute(
            "select attname from pg_attribute where attrelid = 'auth.users'::regclass "
            "and attnum > 0 and not attisdropped order by attnum"
        )
    ]
    assert columns == SUPABASE_USERS_COLUMNS
    user_id = add_user(layer_conn, "dora@example.com", email_confirmed_at="2024-01-02T03:04:05Z")
    row = layer_conn.execute(
        """
        select confirmed_at = email_confirmed_at, email_change_token_current, phone_change,
               phone_change_token, reauthentication_token, email_change_confirm_status,
               is_sso_user, is_anonymous, phone
        from auth.users where id = %s
        """,
        [user_id],
    ).fetchone()
    assert row == (True, "", "", "", "", 0, False, False, None)
    # confirmed_at is least(email, phone) and cannot be written.
    layer_conn.execute(
        "update auth.users set phone_confirmed_at = '2023-01-01T00:00:00Z' where id = %s",
        [user_id],
    )
    row = layer_conn.execute(
        "select confirmed_at = phone_confirmed_at from auth.users where id = %s", [user_id]
    ).fetchone()
    assert row == (True,)
    with pytest.raises(errors.GeneratedAlways):
        layer_conn.execute("update auth.users set confirmed_at = now() where id = %s", [user_id])


def test_users_email_unique_only_for_non_sso_users(layer_conn: Conn) -> None:
    add_user(layer_conn, "eve@example.com")
    add_user(layer_conn, "eve@example.com", is_sso_user=True)
    with pytest.raises(errors.UniqueViolation, match="users_email_partial_key"):
        add_user(layer_conn, "eve@example.com")
    # '' tokens repeat across users without tripping the token unique indexes.
    add_user(layer_conn, "frank@example.com")
    # Numeric OTPs may repeat too; real tokens may not.
    add_user(layer_conn, "g1@example.com", confirmation_token="123456")
    add_user(layer_conn, "g2@example.com", confirmation_token="123456")
    add_user(layer_conn, "g3@example.com", confirmation_token="tok-abc")
    with pytest.raises(errors.UniqueViolation, match="confirmation_token_idx"):
        add_user(layer_conn, "g4@example.com", confirmation_token="tok-abc")


def test_identities_generated_email_unique_and_cascade(layer_conn: Conn) -> None:
    user_id = add_user(layer_conn, "Hana@Example.com")
    data = json.dumps({"sub": str(user_id), "email": "Hana@Example.com", "email_verified": True})
    insert = (
        "insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, "
        "updated_at) values (%s, %s, %s, 'email', now(), now()) returning id, email"
    )
    row = layer_conn.execute(insert, [str(user_id), user_id, data]).fetchone()
    assert row is not None
    assert isinstance(row[0], uuid.UUID)
    assert row[1] == "hana@example.com"
    with pytest.raises(errors.UniqueViolation, match="identities_provider_id_provider_unique"):
        layer_conn.execute(insert, [str(user_id), user_id, data])
    with pytest.raises(errors.GeneratedAlways):
        layer_conn.execute(
            "update auth.identities set email = 'x@y.z' where user_id = %s", [user_id]
        )
    layer_conn.execute("delete from auth.users where id = %s", [user_id])
    assert layer_conn.execute("select count(*) from auth.identities").fetchone() == (0,)


def test_mfa_and_session_tables_exist_for_aal_policies(layer_conn: Conn) -> None:
    user_id = add_user(layer_conn, "ivy@example.com")
    layer_conn.execute(
        "insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, "
        "created_at, updated_at, secret) values (gen_random_uuid(), %s, 'phone app', 'totp', "
        "'verified', now(), now(), 'NHOHJVGPO3R3LKVPRMNIYLCDMBHUM2SE')",
        [user_id],
    )
    layer_conn.execute(
        "insert into auth.sessions (id, user_id, aal) values (gen_random_uuid(), %s, 'aal2')",
        [user_id],
    )
    row = layer_conn.execute(
        "select (select count(*) from auth.mfa_factors where status = 'verified'), "
        "(select count(*) from auth.sessions where aal = 'aal2')"
    ).fetchone()
    assert row == (1, 1)


def test_storage_helpers_columns_and_rls(layer_conn: Conn) -> None:
    conn = layer_conn
    row = conn.execute(
        "select storage.foldername('avatars/u1/me.profile.png'), "
        "storage.filename('avatars/u1/me.profile.png'), "
        "storage.extension('avatars/u1/me.profile.png'), storage.foldername('top.txt')"
    ).fetchone()
    assert row == (["avatars", "u1"], "me.profile.png", "png", [])

    owner = add_user(conn, "jo@example.com")
    conn.execute(
        "insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types) "
        "values ('avatars', 'avatars', true, 1048576, array['image/png'])"
    )
    conn.execute(
        "insert into storage.objects (bucket_id, name, owner_id, metadata) values "
        "('avatars', %s, %s, '{\"size\": 3}'), ('avatars', 'someone-else/x.png', 'x', null)",
        [f"{owner}/face.png", str(owner)],
    )
    row = conn.execute(
        "select path_tokens, version, user_metadata, created_at is not null from storage.objects "
        "where owner_id = %s",
        [str(owner)],
    ).fetchone()
    assert row == ([str(owner), "face.png"], None, None, True)
    row = conn.execute("select type, avif_autodetection, owner from storage.buckets").fetchone()
    assert row == ("STANDARD", False, None)

    def names(role: str) -> list[str]:
        with conn.transaction(force_rollback=True):
            conn.execute(f"set local role {role}")
            conn.execute("select set_config('request.jwt.claims', %s, true)", [claims(owner)])
            return [r[0] for r in conn.execute("select name from storage.objects order by name")]

    # RLS on with no policy: the API roles see nothing, service_role everything.
    assert names("authenticated") == []
    assert names("anon") == []
    assert len(names("service_role")) == 2
    conn.execute(
        "create policy own_folder on storage.objects for select to authenticated "
        "using ((storage.foldername(name))[1] = auth.uid()::text)"
    )
    assert names("authenticated") == [f"{owner}/face.png"]
    # No delete-protection trigger: tests may clean up with plain SQL.
    conn.execute("delete from storage.objects")
    conn.execute("delete from storage.buckets")


def test_uuid_functions_from_extension_or_shim(layer_conn: Conn) -> None:
    row = layer_conn.execute(
        "select extensions.uuid_generate_v4(), uuid_generate_v4(), "
        "extensions.uuid_generate_v5(extensions.uuid_ns_url(), 'https://supabase.com')"
    ).fetchone()
    assert row is not None
    assert row[0].version == 4
    assert row[1].version == 4
    assert row[2] == uuid.uuid5(uuid.NAMESPACE_URL, "https://supabase.com")


def test_uuid_shim_matches_uuid_ossp_semantics(fresh_conn: Conn) -> None:
    assert install_supabase_layer(fresh_conn, use_uuid_ossp=False) == "installed"
    assert fresh_conn.execute(
        "select count(*) from pg_extension where extname = 'uuid-ossp'"
    ).fetchone() == (0,)
    row = fresh_conn.execute(
        """
        select extensions.uuid_generate_v3(extensions.uuid_ns_dns(), 'bücher.example'),
               extensions.uuid_generate_v5(extensions.uuid_ns_oid(), '1.3.6.1'),
               extensions.uuid_generate_v5(extensions.uuid_ns_x500(), 'cn=x'),
               extensions.uuid_generate_v4(), extensions.uuid_generate_v1(),
               extensions.uuid_generate_v1mc(), extensions.uuid_nil(), extensions.uuid_ns_url()
        """
    ).fetchone()
    assert row is not None
    assert row[0] == uuid.uuid3(uuid.NAMESPACE_DNS, "bücher.example")
    assert row[1] == uuid.uuid5(uuid.NAMESPACE_OID, "1.3.6.1")
    assert row[2] == uuid.uuid5(uuid.NAMESPACE_X500, "cn=x")
    assert row[3].version == 4
    server_now = fresh_conn.execute("select extract(epoch from clock_timestamp())").fetchone()
    assert server_now is not None
    for time_based in (row[4], row[5]):
        assert time_based.version == 1
        assert time_based.variant == uuid.RFC_4122
        assert time_based.node & (1 << 40)  # multicast bit: a random node, not a MAC address
        # 100 ns ticks since 1582-10-15 -> Unix seconds, within a minute of the server's clock.
        unix = (time_based.time - 0x01B21DD213814000) / 1e7
        assert abs(unix - float(server_now[0])) < 60
    assert row[6] == uuid.UUID(int=0)
    assert row[7] == uuid.NAMESPACE_URL


def test_pgcrypto_from_template_is_moved_to_extensions(fresh_conn: Conn) -> None:
    fresh_conn.execute("create extension pgcrypto")  # lands in public, as from a template db
    assert install_supabase_layer(fresh_conn) == "installed"
    row = fresh_conn.execute(
        "select extnamespace::regnamespace::text from pg_extension where extname = 'pgcrypto'"
    ).fetchone()
    assert row == ("extensions",)
    assert fresh_conn.execute(
        "select extensions.crypt('pw', '$2a$06$abcdefghijklmnopqrstuu') like '$2a$06$%'"
    ).fetchone() == (True,)


def test_search_path_is_supabase_s_for_new_sessions(layer_conn: Conn, fresh_db: str) -> None:
    assert layer_conn.execute("show search_path").fetchone() == (SEARCH_PATH,)
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        assert conn.execute("show search_path").fetchone() == (SEARCH_PATH,)
        # Migrations written for Supabase call extension functions unqualified.
        row = conn.execute("select crypt('pw', gen_salt('bf')) like '$2a$%'").fetchone()
        assert row == (True,)


@pytest.fixture
def plain_login(pg_superuser_dsn: str, fresh_db: str) -> Iterator[str]:
    """DSN of ``fresh_db`` for a throwaway login role without superuser rights."""
    role = f"supaseed_t_plain_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_superuser_dsn, autocommit=True) as admin:
        admin.execute(f"create role \"{role}\" login password 'plain-pw'")
    try:
        params = conninfo_to_dict(fresh_db)
        params["user"] = role
        params["password"] = "plain-pw"  # the embedded server asks every login for a password
        yield make_conninfo(**{k: str(v) for k, v in params.items() if v is not None})
    finally:
        with psycopg.connect(pg_superuser_dsn, autocommit=True) as admin:
            admin.execute(f'drop role if exists "{role}"')


def test_non_superuser_gets_a_clear_error(plain_login: str) -> None:
    with psycopg.connect(plain_login, autocommit=True) as conn:
        with pytest.raises(BackendError, match="needs a superuser") as info:
            install_supabase_layer(conn)
        assert "supaseed_t_plain_" in str(info.value)
        assert layer_state(conn) == "absent"


def test_supabase_conn_fixture_has_the_layer(supabase_conn: Conn) -> None:
    assert layer_state(supabase_conn) == "present"
    user_id = add_user(supabase_conn, "kim@example.com")
    with supabase_conn.transaction(force_rollback=True):
        supabase_conn.execute("set local role authenticated")
        supabase_conn.execute(
            "select set_config('request.jwt.claims', %s, true)", [claims(user_id)]
        )
        assert supabase_conn.execute("select auth.uid()").fetchone() == (user_id,)


def test_clone_is_present_and_gets_search_path_back(fresh_db: str, pg_superuser_dsn: str) -> None:
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        assert install_supabase_layer(conn) == "installed"
    template = conninfo_to_dict(fresh_db)["dbname"]
    clone = f"supaseed_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_superuser_dsn, autocommit=True) as admin:
        admin.execute(f'create database "{clone}" template "{template}"')
    try:
        clone_dsn = make_conninfo(pg_superuser_dsn, dbname=clone)
        with psycopg.connect(clone_dsn, autocommit=True) as conn:
            # Postgres copies the schema but not the database-level search_path.
            assert conn.execute("show search_path").fetchone() != (SEARCH_PATH,)
            assert install_supabase_layer(conn) == "present"
        with psycopg.connect(clone_dsn, autocommit=True) as conn:
            assert conn.execute("show search_path").fetchone() == (SEARCH_PATH,)
    finally:
        with psycopg.connect(pg_superuser_dsn, autocommit=True) as admin:
            admin.execute(f'drop database if exists "{clone}" with (force)')


def test_realtime_publication_accepts_app_tables(layer_conn: Conn) -> None:
    layer_conn.execute("create table public.messages (id bigint primary key, body text)")
    layer_conn.execute("alter publication supabase_realtime add table public.messages")
    rows = layer_conn.execute(
        "select schemaname, tablename from pg_publication_tables where pubname = 'supabase_realtime'"
    ).fetchall()
    assert rows == [("public", "messages")]


def test_roles_sql_tolerates_a_concurrent_creation(pg_superuser_dsn: str) -> None:
    # Roles are cluster-wide and already exist on a shared test server, so the race is replayed
    # with the layer's own roles.sql under fresh names: two sessions run it at the same moment.
    prefix = f"supaseed_t_{uuid.uuid4().hex[:6]}_"
    text, names = _roles_sql_with_prefix(prefix)
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def run() -> None:
        try:
            with psycopg.connect(pg_superuser_dsn) as conn:  # one transaction each, as the layer
                start.wait()
                conn.execute(text.encode())
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        with psycopg.connect(pg_superuser_dsn) as conn:
            rows = conn.execute(
                "select rolname, rolbypassrls from pg_roles where rolname like %s order by 1",
                [prefix + "%"],
            ).fetchall()
            members = conn.execute(
                "select count(*) from pg_auth_members m join pg_roles r on r.oid = m.member "
                "where r.rolname = %s",
                [prefix + "authenticator"],
            ).fetchone()
        assert [r[0] for r in rows] == sorted(prefix + n for n in names)
        assert [r[0] for r in rows if r[1]] == [prefix + "service_role"]
        assert members == (3,)
    finally:
        with psycopg.connect(pg_superuser_dsn, autocommit=True) as conn:
            for name in reversed(names):
                conn.execute(f'drop role if exists "{prefix}{name}"')


def test_conflicting_auth_schema_fails_cleanly_naming_the_file(fresh_conn: Conn) -> None:
    # An app's own auth schema without users: the layer installs into it, and a clash is reported.
    fresh_conn.execute("create schema auth; create type auth.aal_level as enum ('weak', 'strong')")
    with pytest.raises(BackendError, match=r"backends/supabase/auth\.sql:\d+: .*aal_level"):
        install_supabase_layer(fresh_conn)
    row = fresh_conn.execute(
        "select to_regclass('auth.users'), to_regnamespace('storage'), "
        "obj_description('auth'::regnamespace)"
    ).fetchone()
    assert row == (None, None, None)  # one transaction: nothing half-installed
    assert layer_state(fresh_conn) == "absent"


def _roles_sql_with_prefix(prefix: str) -> tuple[str, list[str]]:
    from importlib import resources

    text = (resources.files("pytest_supaseed.backends.supabase") / "roles.sql").read_text()
    names = ["anon", "authenticated", "service_role", "authenticator", "supabase_admin"]
    names += ["supabase_auth_admin", "supabase_storage_admin"]
    for name in names:
        assert f"'{name}'" in text
        text = text.replace(f"'{name}'", f"'{prefix}{name}'")
    return text, names


def test_existing_roles_are_not_altered(pg_superuser_dsn: str) -> None:
    prefix = f"supaseed_t_{uuid.uuid4().hex[:6]}_"
    text, names = _roles_sql_with_prefix(prefix)
    with psycopg.connect(pg_superuser_dsn, autocommit=True) as conn:
        # Someone else's roles of the same names, with other attributes.
        conn.execute(f'create role "{prefix}anon" login inherit')
        conn.execute(f'create role "{prefix}service_role" nologin noinherit')
        try:
            conn.execute(text.encode())
            rows = conn.execute(
                "select rolname, rolcanlogin, rolinherit, rolbypassrls from pg_roles "
                "where rolname in (%s, %s)",
                [prefix + "anon", prefix + "service_role"],
            ).fetchall()
            assert sorted(rows) == [
                (prefix + "anon", True, True, False),
                (prefix + "service_role", False, False, False),
            ]
        finally:
            for name in reversed(names):
                conn.execute(f'drop role if exists "{prefix}{name}"')


@pytest.fixture
def other_superuser(pg_superuser_dsn: str, fresh_db: str) -> Iterator[str]:
    """DSN of ``fresh_db`` for a throwaway superuser that is not ``postgres``."""
    role = f"supaseed_t_su_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_superuser_dsn, autocommit=True) as admin:
        admin.execute(f"create role \"{role}\" login superuser password 'su-pw'")
    try:
        params = {k: str(v) for k, v in conninfo_to_dict(fresh_db).items() if v is not None}
        params["user"] = role
        params["password"] = "su-pw"
        yield make_conninfo(**params)
    finally:
        # Its default privileges live in fresh_db: drop them there before the role.
        with psycopg.connect(fresh_db, autocommit=True) as conn:
            conn.execute(f'drop owned by "{role}"')
        with psycopg.connect(pg_superuser_dsn, autocommit=True) as admin:
            admin.execute(f'drop role if exists "{role}"')


def test_default_privileges_follow_the_installing_role(other_superuser: str) -> None:
    with psycopg.connect(other_superuser, autocommit=True) as conn:
        assert install_supabase_layer(conn) == "installed"
        conn.execute("create table public.posts (id serial primary key)")
        row = conn.execute(
            "select has_table_privilege('authenticated', 'public.posts', 'select, insert'), "
            "has_sequence_privilege('anon', 'public.posts_id_seq', 'usage')"
        ).fetchone()
        assert row == (True, True)
