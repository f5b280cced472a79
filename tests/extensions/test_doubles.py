"""Each recording double of the extension pack, driven the way an app's own SQL drives it.

The databases are corpus apps (``apps/``): a webhook from MakerKit-style seed.sql, a cron job
scheduled by a migration whose command posts through pg_net with a key read from Vault, Vault
tokens behind security definer functions, a pgmq queue fed by a trigger, pgjwt invites, an http
call answered from a registered response, a realtime broadcast on a private channel.
"""

from __future__ import annotations

import json

import psycopg
import pytest
from ext_apps import AppDatabases, TxFactory

from pytest_supaseed.errors import SupaseedError
from pytest_supaseed.testing import (
    as_anon,
    as_service_role,
    as_user,
    http_calls,
    http_requests,
    register_http_response,
    run_cron_job,
)
from pytest_supaseed.testing.doubles import HttpResponse, HttpResponses

WEBHOOK = "http://host.docker.internal:3000/api/db/webhook"


def test_a_seed_sql_webhook_queues_the_row_change_through_pg_net(
    apps: AppDatabases, tx: TxFactory
) -> None:
    db = apps.get("makerkit_accounts")
    conn = tx(db)
    owner = sorted(db.users)[0]
    account_id = db.users[owner]
    assert http_requests(conn) == []
    conn.execute("delete from public.accounts where id = %s", [account_id])
    (request,) = http_requests(conn)
    assert request.method == "POST"
    assert request.url == WEBHOOK
    assert request.headers["X-Supabase-Event-Signature"] == "WEBHOOKSECRET"
    assert request.body["type"] == "DELETE"
    assert request.body["table"] == "accounts"
    assert request.body["schema"] == "public"
    assert request.body["record"] is None
    assert request.body["old_record"]["id"] == str(account_id)
    # the hook records the id pg_net gave the request (a sequence: rolled-back tests of this
    # module advance it too, so compare with the queue rather than a fixed number)
    (queued,) = conn.execute("select id from net.http_request_queue").fetchall()
    hooks = conn.execute("select hook_name, request_id from supabase_functions.hooks").fetchall()
    assert hooks == [("accounts_teardown", queued[0])]


def test_an_insert_webhook_carries_the_new_row(apps: AppDatabases, tx: TxFactory) -> None:
    db = apps.get("makerkit_accounts")
    conn = tx(db)
    owner = sorted(db.users)[0]
    conn.execute(
        "insert into public.invitations (email, account_id, invited_by, role, invite_token)"
        " values ('guest@example.test', %(id)s, %(id)s, 'member', 'tok-1')",
        {"id": db.users[owner]},
    )
    (request,) = http_requests(conn)
    assert request.body["type"] == "INSERT"
    assert request.body["record"]["email"] == "guest@example.test"
    assert request.body["old_record"] is None


def test_a_cron_job_scheduled_by_a_migration_runs_when_the_test_says(
    apps: AppDatabases, tx: TxFactory
) -> None:
    db = apps.get("cron_digest")
    conn = tx(db)
    jobs = conn.execute("select jobname, schedule, active from cron.job order by jobid").fetchall()
    assert jobs == [
        ("reminder-digest", "*/15 * * * *", True),
        ("purge-sent-reminders", "0 3 * * *", True),
    ]
    owner = sorted(db.users)[0]
    conn.execute(
        "insert into public.reminders (user_id, title, due_at) values (%s, 'Call mum', now())",
        [db.users[owner]],
    )
    # Nothing ran on its own: no run recorded, no request queued.
    assert conn.execute("select count(*) from cron.job_run_details").fetchone() == (0,)
    assert http_requests(conn) == []

    run = run_cron_job(conn, "reminder-digest")

    assert run.status == "succeeded"
    details = conn.execute(
        "select j.jobname, d.status, d.command, d.start_time <= d.end_time"
        " from cron.job_run_details d join cron.job j using (jobid)"
    ).fetchall()
    assert details == [
        ("reminder-digest", "succeeded", " select public.send_reminder_digest() ", True)
    ]
    (request,) = http_requests(conn)
    assert request.url == "https://project-ref.supabase.co/functions/v1/send-digest"
    # The key came out of Vault, where seed.sql stored it.
    assert request.headers["Authorization"] == "Bearer test-service-role-key"
    assert request.body == {"user_id": str(db.users[owner]), "email": owner, "due": 1}
    assert conn.execute(
        "select count(*) from public.reminders where sent_at is null"
    ).fetchone() == (0,)


def test_a_failing_cron_job_is_recorded_as_failed_and_leaves_nothing_behind(
    apps: AppDatabases, tx: TxFactory
) -> None:
    conn = tx(apps.get("cron_digest"))
    conn.execute(
        "select cron.alter_job(jobid, command := 'delete from public.reminders; select 1/0')"
        " from cron.job where jobname = 'purge-sent-reminders'"
    )
    conn.execute("select cron.schedule('noop', '@hourly', 'select 1')")
    run = run_cron_job(conn, "purge-sent-reminders")
    assert run.status == "failed"
    assert run.return_message == "division by zero"
    assert run_cron_job(conn, "noop").status == "succeeded"
    assert conn.execute("select cron.unschedule('noop')").fetchone() == (True,)
    with pytest.raises(SupaseedError, match=r"No cron job 'reminder-digets' \(did you mean"):
        run_cron_job(conn, "reminder-digets")


def test_cron_schedule_checks_the_schedule_as_pg_cron_does(
    apps: AppDatabases, tx: TxFactory
) -> None:
    conn = tx(apps.get("cron_digest"))
    with pytest.raises(psycopg.errors.RaiseException, match="invalid schedule: every day"):
        conn.execute("select cron.schedule('x', 'every day', 'select 1')")


def test_a_vault_secret_round_trip_with_the_right_roles(apps: AppDatabases, tx: TxFactory) -> None:
    db = apps.get("vault_integrations")
    conn = tx(db)
    owner, stranger = sorted(db.users)[:2]
    with as_user(conn, owner):
        conn.execute("select public.save_integration_token('slack', 'xoxb-owner-secret')")
        assert conn.execute("select public.integration_token('slack')").fetchone() == (
            "xoxb-owner-secret",
        )
    with as_user(conn, stranger):
        assert conn.execute("select public.integration_token('slack')").fetchone() == (None,)
    # Stored encrypted; decrypted only through vault.decrypted_secrets.
    stored, decrypted = conn.execute(
        "select secret, decrypted_secret from vault.decrypted_secrets where description = 'slack token'"
    ).fetchone() or (None, None)
    assert decrypted == "xoxb-owner-secret"
    assert stored is not None
    assert "xoxb" not in stored
    # As on Supabase, the API roles cannot read the vault.
    for act in (lambda: as_user(conn, owner), lambda: as_anon(conn), lambda: as_service_role(conn)):
        with pytest.raises(psycopg.errors.InsufficientPrivilege), act():
            conn.execute("select decrypted_secret from vault.decrypted_secrets")
    # postgres (the role migrations run as) can.
    conn.execute("set local role postgres")
    assert conn.execute(
        "select count(*) from vault.decrypted_secrets where decrypted_secret = 'xoxb-owner-secret'"
    ).fetchone() == (1,)


def test_pgmq_send_read_archive_through_a_trigger(apps: AppDatabases, tx: TxFactory) -> None:
    db = apps.get("queue_uploads")
    conn = tx(db)
    owner = sorted(db.users)[0]
    with as_user(conn, owner):
        row = conn.execute(
            "insert into public.uploads (path) values ('photos/cat.png') returning id"
        ).fetchone()
    assert row is not None
    upload_id = row[0]
    messages = conn.execute(
        "select msg_id, read_ct, message from pgmq.read('thumbnails', 30, 10)"
    ).fetchall()
    assert len(messages) == 1
    msg_id, read_ct, message = messages[0]
    assert read_ct == 1
    assert message == {"upload_id": str(upload_id), "path": "photos/cat.png"}
    # Invisible for 30 s after a read.
    assert conn.execute("select * from pgmq.read('thumbnails', 30, 10)").fetchall() == []
    assert conn.execute("select pgmq.archive('thumbnails', %s::bigint)", [msg_id]).fetchone() == (
        True,
    )
    assert conn.execute("select msg_id, message from pgmq.a_thumbnails").fetchall() == [
        (msg_id, message)
    ]
    queue_length, total = conn.execute(
        "select queue_length, total_messages from pgmq.metrics('thumbnails')"
    ).fetchone() or (None, None)
    assert (queue_length, total) == (0, 1)
    ids = [r[0] for r in conn.execute("select * from pgmq.send('thumbnails', '{\"n\": 2}')")]
    assert conn.execute("select msg_id from pgmq.pop('thumbnails')").fetchall() == [(ids[0],)]
    conn.execute("select pgmq.send('thumbnails', '{\"n\": 3}')")
    (last,) = conn.execute("select msg_id from pgmq.q_thumbnails").fetchone() or (None,)
    assert conn.execute("select pgmq.delete('thumbnails', %s::bigint)", [last]).fetchone() == (
        True,
    )
    assert conn.execute("select pgmq.delete('thumbnails', %s::bigint)", [last]).fetchone() == (
        False,
    )


def test_pgjwt_sign_verify_pair(apps: AppDatabases, tx: TxFactory) -> None:
    db = apps.get("jwt_invites")
    conn = tx(db)
    owner, stranger = sorted(db.users)[:2]
    with as_user(conn, owner):
        (workspace,) = conn.execute(
            "insert into public.workspaces (name) values ('Acme') returning id"
        ).fetchone() or (None,)
        (token,) = conn.execute(
            "select public.create_invite(%s, 'guest@example.test')", [workspace]
        ).fetchone() or (None,)
    assert isinstance(token, str)
    assert token.count(".") == 2
    (payload,) = conn.execute("select public.read_invite(%s)", [token]).fetchone() or (None,)
    assert payload["workspace"] == str(workspace)
    assert payload["email"] == "guest@example.test"
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert conn.execute("select public.read_invite(%s)", [tampered]).fetchone() == (None,)
    with pytest.raises(psycopg.errors.RaiseException, match="owner"), as_user(conn, stranger):
        conn.execute("select public.create_invite(%s, 'x@example.test')", [workspace])
    # Same token as pgjwt makes: header and signature computed independently here.
    import base64
    import hashlib
    import hmac

    header, body, signature = token.split(".")
    assert json.loads(base64.urlsafe_b64decode(header + "==")) == {"alg": "HS256", "typ": "JWT"}
    expected = hmac.new(
        b"invite-signing-secret-for-tests", f"{header}.{body}".encode(), hashlib.sha256
    ).digest()
    assert base64.urlsafe_b64encode(expected).rstrip(b"=").decode() == signature


def test_http_answers_from_registered_responses_and_never_calls_out(
    apps: AppDatabases, tx: TxFactory
) -> None:
    db = apps.get("http_enrichment")
    conn = tx(db)
    owner = sorted(db.users)[0]
    url = "https://api.enrich.example/v1/companies?domain=acme.test"
    with (
        pytest.raises(psycopg.errors.FeatureNotSupported, match=r"no response registered for GET"),
        as_user(conn, owner),
    ):
        conn.execute("select public.enrich_company('acme.test')")
    responses = HttpResponses(conn)
    responses[url] = {"name": "Acme Inc.", "employees": 42}
    assert responses[url].status == 200
    assert list(responses) == [url]
    with as_user(conn, owner):
        name, employees = conn.execute(
            "select name, employees from public.enrich_company('acme.test')"
        ).fetchone() or (None, None)
    assert (name, employees) == ("Acme Inc.", 42)
    calls = http_calls(conn)
    assert [(c.method, c.url) for c in calls] == [("GET", url)]
    register_http_response(conn, url, HttpResponse(content="down", status=503))
    with pytest.raises(psycopg.errors.RaiseException, match="status 503"), as_user(conn, owner):
        conn.execute("select public.enrich_company('acme.test')")


def test_realtime_broadcast_reaches_members_of_the_private_channel_only(
    apps: AppDatabases, tx: TxFactory
) -> None:
    db = apps.get("realtime_chat")
    conn = tx(db)
    owner, stranger = sorted(db.users)[:2]
    with as_user(conn, owner):
        (room,) = conn.execute(
            "insert into public.rooms (name) values ('general') returning id"
        ).fetchone() or (None,)
        conn.execute(
            "insert into public.room_members (room_id, user_id) values (%s, %s)",
            [room, db.users[owner]],
        )
        conn.execute("insert into public.messages (room_id, content) values (%s, 'hello')", [room])
    topic = f"room:{room}"
    rows = conn.execute("select topic, event, private, payload from realtime.messages").fetchall()
    assert len(rows) == 1
    assert rows[0][:3] == (topic, "INSERT", True)
    assert rows[0][3]["record"]["content"] == "hello"
    query = "select count(*) from realtime.messages where topic = %s"
    with as_user(conn, owner):
        conn.execute("select set_config('realtime.topic', %s, true)", [topic])
        assert conn.execute(query, [topic]).fetchone() == (1,)
    with as_user(conn, stranger):
        conn.execute("select set_config('realtime.topic', %s, true)", [topic])
        assert conn.execute(query, [topic]).fetchone() == (0,)


def test_pg_graphql_says_it_is_not_available(apps: AppDatabases, tx: TxFactory) -> None:
    conn = tx(apps.get("user_management_starter"))
    with pytest.raises(psycopg.errors.FeatureNotSupported, match="not available in tests"):
        conn.execute("select graphql.resolve('{ profilesCollection { edges { node { id } } } }')")


def test_the_doubles_say_when_their_extension_is_missing(apps: AppDatabases, tx: TxFactory) -> None:
    conn = tx(apps.get("subscription_payments"))
    with pytest.raises(SupaseedError, match="needs the pg_cron extension"):
        run_cron_job(conn, "anything")
    with pytest.raises(SupaseedError, match="needs the http extension"):
        register_http_response(conn, "https://x.example", "ok")


def test_request_headers_are_set_as_postgrest_sets_them(apps: AppDatabases, tx: TxFactory) -> None:
    db = apps.get("jwt_invites")
    conn = tx(db)
    owner = sorted(db.users)[0]
    query = "insert into public.workspaces (name) values ('W') returning created_from_ip"
    with as_user(conn, owner, headers={"X-Forwarded-For": "203.0.113.7", "User-Agent": "t"}):
        assert conn.execute(query).fetchone() == ("203.0.113.7",)
        headers = conn.execute("select current_setting('request.headers')::jsonb").fetchone()
        assert headers == ({"x-forwarded-for": "203.0.113.7", "user-agent": "t"},)
    with as_user(conn, owner):
        assert conn.execute(query).fetchone() == ("unknown",)
    with as_anon(conn, headers={"x-forwarded-for": "198.51.100.1"}):
        assert conn.execute("select public.client_ip()").fetchone() == ("198.51.100.1",)
    # Restored after the blocks (to empty, as a placeholder setting once set reads in Postgres).
    assert conn.execute("select current_setting('request.headers', true)").fetchone() in [
        ("",),
        (None,),
    ]


def test_a_block_acting_as_a_user_runs_as_the_authenticator_like_postgrest(
    apps: AppDatabases, tx: TxFactory
) -> None:
    db = apps.get("user_management_starter")
    conn = tx(db)
    owner = sorted(db.users)[0]
    with as_user(conn, owner):
        assert conn.execute("select session_user, current_user").fetchone() == (
            "authenticator",
            "authenticated",
        )
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege, match='set role "postgres"'),
        as_user(conn, owner),
    ):
        conn.execute("set role postgres")
    with as_anon(conn), as_user(conn, owner):  # nested blocks switch back and forth
        assert conn.execute("select current_user").fetchone() == ("authenticated",)
    with as_service_role(conn):
        assert conn.execute("select session_user, current_user").fetchone() == (
            "authenticator",
            "service_role",
        )
    # Back to the test's own session afterwards.
    assert conn.execute("select session_user, current_user").fetchone() == ("postgres", "postgres")


def test_the_doubles_as_methods_of_the_fixture_object(apps: AppDatabases, tx: TxFactory) -> None:
    from pytest_supaseed.testing.doubles import ExtensionDoubles

    class Handle(ExtensionDoubles):
        def __init__(self, conn: psycopg.Connection) -> None:
            self.conn = conn

    supaseed = Handle(tx(apps.get("cron_digest")))
    supaseed.conn.execute(
        "insert into public.reminders (user_id, title, due_at)"
        " select id, 'Water plants', now() from public.profiles order by email limit 1"
    )
    assert supaseed.run_cron_job("reminder-digest").status == "succeeded"
    assert [r.url for r in supaseed.http_requests()] == [
        "https://project-ref.supabase.co/functions/v1/send-digest"
    ]
    enrich_db = apps.get("http_enrichment")
    enrich = Handle(tx(enrich_db))
    enrich.http_responses["https://api.enrich.example/v1/companies?domain=x.test"] = {
        "name": "X",
        "employees": 1,
    }
    with as_user(enrich.conn, sorted(enrich_db.users)[0]):
        row = enrich.conn.execute("select name from public.enrich_company('x.test')").fetchone()
    assert row == ("X",)
    assert [c.url for c in enrich.http_calls()] == [
        "https://api.enrich.example/v1/companies?domain=x.test"
    ]


def test_as_user_cannot_become_postgres(apps: AppDatabases, tx: TxFactory) -> None:
    db = apps.get("user_management_starter")
    conn = tx(db)
    owner = sorted(db.users)[0]
    with as_user(conn, owner):
        # the API roles switch among themselves, as PostgREST's authenticator may
        for role in ("anon", "service_role", "authenticated"):
            conn.execute(f"set role {role}")
            assert conn.execute("select current_user").fetchone() == (role,)
    for first in ("", "set role service_role; "):
        with (
            pytest.raises(psycopg.errors.InsufficientPrivilege, match='set role "postgres"'),
            as_user(conn, owner),
        ):
            conn.execute(f"{first}set role postgres")
    # set session authorization works for a superuser login (PostgreSQL checks the login user):
    # the block fails when it ends and what it did as postgres is rolled back
    before = conn.execute("select count(*) from auth.users").fetchone()
    with (
        pytest.raises(SupaseedError, match="ended as session user 'postgres'"),
        as_user(conn, owner),
    ):
        conn.execute("set session authorization postgres; delete from auth.users")
    assert conn.execute("select count(*) from auth.users").fetchone() == before
    assert conn.execute("select session_user, current_user").fetchone() == ("postgres", "postgres")
    with as_anon(conn):  # the connection is usable as before
        assert conn.execute("select current_user").fetchone() == ("anon",)
