"""Supabase auth users as GoTrue writes them, against the real server with the Supabase layer."""

from __future__ import annotations

import random
import uuid

import psycopg
import pytest

from pytest_supaseed.errors import SchemaError, SupaseedError
from pytest_supaseed.seed import auth_users
from pytest_supaseed.seed.accounts import synthetic_user_specs
from pytest_supaseed.seed.auth_users import (
    NIL_INSTANCE_ID,
    UserSpec,
    bcrypt_salt,
    create_auth_users,
    hash_passwords,
    insert_auth_users,
    user_id_for_email,
)


def test_bcrypt_salt_is_a_canonical_2a_salt_and_seeded() -> None:
    a = bcrypt_salt(random.Random("x"), 10)
    assert a == bcrypt_salt(random.Random("x"), 10)
    assert a != bcrypt_salt(random.Random("y"), 10)
    assert a.startswith("$2a$10$")
    assert len(a) == 29
    # the 22nd character carries 2 bits only: a canonical salt ends in one of these
    assert a[-1] in ".Oeu"
    with pytest.raises(SupaseedError, match="between 4 and 31"):
        bcrypt_salt(random.Random(1), 3)


def test_users_have_every_column_gotrue_reads_at_login(supabase_conn: psycopg.Connection) -> None:
    specs = [
        UserSpec(
            "Ann@Example.com",
            "s3cret",
            app_metadata={"role": "admin"},
            user_metadata={"name": "Ann", "avatar_url": "https://x/a.png"},
        ),
        UserSpec("bob@example.com", "s3cret", phone="+15550100"),
        UserSpec("carl@example.com", "other", id=uuid.UUID(int=7)),
    ]
    ids = create_auth_users(supabase_conn, specs, seed=3)
    assert ids == {
        "ann@example.com": user_id_for_email("ann@example.com"),
        "bob@example.com": user_id_for_email("bob@example.com"),
        "carl@example.com": uuid.UUID(int=7),
    }
    rows = supabase_conn.execute(
        """
        select email, instance_id, aud, role, email_confirmed_at is not null,
               confirmation_token, recovery_token, email_change_token_new, email_change,
               email_change_token_current, phone_change, reauthentication_token,
               raw_app_meta_data, raw_user_meta_data, confirmed_at is not null,
               created_at is not null, updated_at is not null, is_sso_user, phone
        from auth.users order by email
        """
    ).fetchall()
    assert [r[0] for r in rows] == ["ann@example.com", "bob@example.com", "carl@example.com"]
    for r in rows:
        assert r[1] == NIL_INSTANCE_ID
        assert r[2:4] == ("authenticated", "authenticated")
        assert r[4] is True
        assert r[5:12] == ("",) * 7  # NULL in any of these is a 500 at login
        assert r[14] is True  # the generated confirmed_at follows email_confirmed_at
        assert r[15]
        assert r[16]
        assert r[17] is False
    assert rows[0][12] == {"provider": "email", "providers": ["email"], "role": "admin"}
    assert rows[0][13] == {"name": "Ann", "avatar_url": "https://x/a.png"}
    assert rows[1][12] == {"provider": "email", "providers": ["email"]}
    assert rows[1][18] == "+15550100"


def test_passwords_verify_with_pgcrypto_and_are_hashed_once_each(
    supabase_conn: psycopg.Connection,
) -> None:
    specs = [UserSpec(f"u{i}@example.com", "alpha" if i % 2 else "beta") for i in range(20)]
    create_auth_users(supabase_conn, specs, seed=1, cost=4)
    row = supabase_conn.execute(
        """
        select count(distinct encrypted_password),
               bool_and(encrypted_password like '$2a$04$%%'),
               count(*) filter (where extensions.crypt('alpha', encrypted_password)
                                      = encrypted_password),
               count(*) filter (where extensions.crypt('beta', encrypted_password)
                                      = encrypted_password),
               count(*) filter (where extensions.crypt('wrong', encrypted_password)
                                      = encrypted_password)
        from auth.users
        """
    ).fetchone()
    assert row == (2, True, 10, 10, 0)


def test_hashes_depend_only_on_seed_password_and_cost(supabase_conn: psycopg.Connection) -> None:
    first = hash_passwords(supabase_conn, ["pw", "pw", "x"], seed=5, cost=4)
    again = hash_passwords(supabase_conn, ["x", "pw"], seed=5, cost=4)
    other_seed = hash_passwords(supabase_conn, ["pw"], seed=6, cost=4)
    assert first == again
    assert len(first) == 2
    assert other_seed["pw"] != first["pw"]
    # computed by the server, not just cached: the server verifies each hash
    for pw, hashed in first.items():
        ok = supabase_conn.execute(
            "select extensions.crypt(%s, %s) = %s", [pw, hashed, hashed]
        ).fetchone()
        assert ok == (True,)


def test_one_email_identity_per_user(supabase_conn: psycopg.Connection) -> None:
    ids = create_auth_users(
        supabase_conn, [UserSpec(f"i{i}@example.com", "pw") for i in range(3)], cost=4
    )
    rows = supabase_conn.execute(
        "select user_id, provider_id, provider, identity_data, email, id "
        "from auth.identities order by provider_id"
    ).fetchall()
    assert len(rows) == 3
    assert {r[0] for r in rows} == set(ids.values())
    for user_id, provider_id, provider, data, email, _ in rows:
        assert provider == "email"
        assert provider_id == str(user_id)
        assert data == {
            "sub": str(user_id),
            "email": email,
            "email_verified": True,
            "phone_verified": False,
        }
    # info.dsn leaves the password out; the embedded server asks for it
    again = psycopg.connect(
        supabase_conn.info.dsn, password=supabase_conn.info.password, autocommit=True
    )
    with again:
        again.execute("delete from auth.users")
        create_auth_users(again, [UserSpec(f"i{i}@example.com", "pw") for i in range(3)], cost=4)
        ids_again = [r[0] for r in again.execute("select id from auth.identities order by id")]
    assert ids_again == sorted(r[5] for r in rows)  # identity ids are deterministic too


def test_existing_users_are_reused_not_duplicated(supabase_conn: psycopg.Connection) -> None:
    first = insert_auth_users(supabase_conn, [UserSpec("a@example.com", "pw")], cost=4)
    assert first.created == ("a@example.com",)
    second = insert_auth_users(
        supabase_conn,
        [UserSpec("A@example.com", "pw", id=uuid.UUID(int=1)), UserSpec("b@example.com", "pw")],
        cost=4,
    )
    assert second.reused == ("a@example.com",)
    assert second.created == ("b@example.com",)
    assert second.ids["a@example.com"] == first.ids["a@example.com"]
    assert "already exists with id" in second.warnings[0]
    counts = supabase_conn.execute(
        "select (select count(*) from auth.users), (select count(*) from auth.identities)"
    ).fetchone()
    assert counts == (2, 2)


@pytest.mark.parametrize("read_all_below", [1_000, 1], ids=["reads-all", "sends-lists"])
def test_reuse_and_id_conflicts_are_found_whatever_the_table_size(
    supabase_conn: psycopg.Connection, monkeypatch: pytest.MonkeyPatch, read_all_below: int
) -> None:
    """Up to ``_READ_ALL_BELOW`` rows the existing users are read whole; above, the specs' emails
    and ids are sent: both find the same reused users and id conflicts."""
    monkeypatch.setattr(auth_users, "_READ_ALL_BELOW", read_all_below)
    create_auth_users(
        supabase_conn,
        [UserSpec(f"u{i}@example.com", "pw", id=uuid.UUID(int=100 + i)) for i in range(3)],
        cost=4,
    )
    again = insert_auth_users(
        supabase_conn,
        [UserSpec("U1@example.com", "pw"), UserSpec("new@example.com", "pw")],
        cost=4,
    )
    assert again.reused == ("u1@example.com",)
    assert again.created == ("new@example.com",)
    assert again.ids["u1@example.com"] == uuid.UUID(int=101)
    with pytest.raises(SupaseedError, match=r"already has that id for 'u2@example.com'"):
        create_auth_users(
            supabase_conn, [UserSpec("z@example.com", "pw", id=uuid.UUID(int=102))], cost=4
        )


def test_an_id_held_by_another_email_is_an_error(supabase_conn: psycopg.Connection) -> None:
    create_auth_users(supabase_conn, [UserSpec("a@example.com", "pw", id=uuid.UUID(int=9))], cost=4)
    with pytest.raises(SupaseedError, match=r"already has that id for 'a@example.com'"):
        create_auth_users(
            supabase_conn, [UserSpec("z@example.com", "pw", id=uuid.UUID(int=9))], cost=4
        )


def test_duplicate_specs_are_rejected_before_any_insert(supabase_conn: psycopg.Connection) -> None:
    with pytest.raises(SupaseedError, match=r"user #1: email 'a@x.io' is already used by user #0"):
        create_auth_users(supabase_conn, [UserSpec("a@x.io", "p"), UserSpec("A@x.io", "p")])
    with pytest.raises(SupaseedError, match="not an email address"):
        create_auth_users(supabase_conn, [UserSpec("nobody", "p")])
    assert supabase_conn.execute("select count(*) from auth.users").fetchone() == (0,)


def test_a_database_without_auth_says_how_to_fix_it(fresh_conn: psycopg.Connection) -> None:
    with pytest.raises(SchemaError, match="install_supabase_layer"):
        create_auth_users(fresh_conn, [UserSpec("a@x.io", "p")])


def test_synthetic_users_are_realistic_unique_and_seeded() -> None:
    a = synthetic_user_specs(300, seed=4, password="pw", domain="acme.test", metadata={"k": 1})
    assert a == synthetic_user_specs(
        300, seed=4, password="pw", domain="acme.test", metadata={"k": 1}
    )
    assert a != synthetic_user_specs(
        300, seed=5, password="pw", domain="acme.test", metadata={"k": 1}
    )
    assert len({s.email for s in a}) == 300
    assert len({s.id for s in a}) == 300
    for spec in a:
        assert spec.email.endswith("@acme.test")
        local = spec.email.split("@")[0]
        assert local.replace(".", "").isalnum()
        assert local.isascii()
        assert spec.user_metadata["k"] == 1
        first = spec.user_metadata["name"].split()[0].lower()
        assert local.startswith("".join(c for c in first if c.isalnum()))
