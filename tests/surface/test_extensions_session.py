"""The extension pack through pytest, end to end (pytester runs).

A small project whose migration makes a webhook trigger, schedules a cron job and calls the http
extension; its test asserts through ``supaseed.http_requests()``, ``supaseed.run_cron_job()``,
``supaseed.http_responses[url]`` and ``supaseed.as_user(email, headers=...)``. A project that
creates an extension nobody bundles fails its run once, naming it (tests/extensions/
test_preflight.py checks the same refusal without pytest).
"""

from __future__ import annotations

MIGRATION = """\
create extension if not exists pg_cron with schema pg_catalog;
create extension if not exists http with schema extensions;

create table public.orders (
  id bigint generated always as identity primary key,
  user_id uuid not null default auth.uid() references auth.users on delete cascade,
  total integer not null,
  ip text default current_setting('request.headers', true)::json ->> 'x-forwarded-for'
);
alter table public.orders enable row level security;
create policy "own orders" on public.orders for all to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));

create trigger orders_webhook after insert on public.orders for each row
execute function supabase_functions.http_request(
  'https://hooks.example.test/orders', 'POST', '{"Content-Type":"application/json"}', '{}', '1000');

create table public.rates (currency text primary key, rate numeric);
create function public.refresh_rates() returns void language sql as $$
  insert into public.rates
  select 'EUR', ((extensions.http_get('https://rates.example.test/eur')).content::json ->> 'rate')::numeric
$$;
select cron.schedule('refresh-rates', '0 * * * *', 'select public.refresh_rates()');
"""

TESTS = """\
import pytest

pytestmark = pytest.mark.supaseed(users={"count": 2})


def test_webhook_cron_http_and_headers(supaseed):
    email = sorted(supaseed.users)[0]
    with supaseed.as_user(email, headers={"X-Forwarded-For": "192.0.2.9"}):
        supaseed.conn.execute("insert into public.orders (total) values (42)")
    (request,) = supaseed.http_requests()
    assert request.url == "https://hooks.example.test/orders"
    assert request.body["record"]["total"] == 42
    assert request.body["record"]["ip"] == "192.0.2.9"

    supaseed.http_responses["https://rates.example.test/eur"] = {"rate": 1.08}
    run = supaseed.run_cron_job("refresh-rates")
    assert run.status == "succeeded", run.return_message
    assert supaseed.conn.execute("select rate::text from public.rates").fetchone() == ("1.08",)
    assert [c.url for c in supaseed.http_calls()] == ["https://rates.example.test/eur"]


def test_nothing_leaks_between_tests(supaseed):
    assert supaseed.http_requests() == []
    assert supaseed.conn.execute("select count(*) from cron.job_run_details").fetchone() == (0,)
"""


def test_the_supaseed_fixture_exposes_the_doubles(app) -> None:
    app.make(TESTS, {"20240101000000_orders.sql": MIGRATION})
    result = app.run()
    result.assert_outcomes(passed=2)


def test_a_plugin_run_fails_once_with_the_missing_extensions(app) -> None:
    app.make(
        "def test_needs_db(supaseed_db):\n    pass\n",
        {
            "20240101000000_ai.sql": (
                "create table notes (id int);\ncreate extension if not exists vector;\n"
            )
        },
    )
    result = app.run(f"--basetemp={app.root / 'tmp'}")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*MissingExtensionsError*",
            "*- vector (created at supabase/migrations/20240101000000_ai.sql:2)*",
        ]
    )
