"""Creating Supabase auth users: pytest-supaseed's bulk path beside naive per-user bcrypt.

Run: ``.venv/bin/python bench/users.py [--dsn DSN] [--users 10000] [--naive 50] [--repeat 3]``

Without ``--dsn`` it starts the plugin's own embedded server (what tests use). In a fresh database with the Supabase layer (and a second one that also has MakerKit v2, whose
trigger makes a personal account per user), times in this one process:

- ``supaseed``: ``create_auth_users`` for ``--users`` users sharing one password, at GoTrue's cost 10,
  the hash cache emptied first (so the one bcrypt hash is included), commit included;
- ``supaseed + MakerKit v2 trigger``: the same into the MakerKit database (10,000 trigger calls);
- ``naive``: what hand-written seeds do, ``crypt(pw, gen_salt('bf', 10))`` per row, for
  ``--naive`` users only (it takes ~50 ms a user), **extrapolated** linearly to ``--users``.

Runs are interleaved (``--repeat`` rounds) so machine noise hits all alike; medians are printed with
the ratio. Target: 10,000 users with one password < 0.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from pytest_supaseed.backends.supabase import install_supabase_layer
from pytest_supaseed.seed import auth_users as users_module
from pytest_supaseed.seed.auth_users import UserSpec, create_auth_users

DEMO_V2 = Path(__file__).parents[1] / "pytest_supaseed" / "demo_schemas" / "makerkit_v2.sql"


def fresh_database(admin_dsn: str, name: str, makerkit: bool) -> str:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
        conn.execute(f'create database "{name}"')
    dsn = make_conninfo(admin_dsn, dbname=name)
    with psycopg.connect(dsn, autocommit=True) as conn:
        install_supabase_layer(conn)
        if makerkit:
            conn.execute(DEMO_V2.read_text())
    return dsn


def empty(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        # truncate fires no row triggers, so MakerKit's membership guards do not object
        conn.execute("truncate auth.users cascade")


def run_supaseed(dsn: str, specs: list[UserSpec]) -> float:
    users_module._HASH_CACHE.clear()  # include the one bcrypt hash, as in a cold build
    with psycopg.connect(dsn) as conn:
        start = time.perf_counter()
        create_auth_users(conn, specs, seed=1)
        conn.commit()
        return time.perf_counter() - start


def run_naive(dsn: str, count: int) -> float:
    with psycopg.connect(dsn) as conn:
        start = time.perf_counter()
        conn.execute(
            """
            insert into auth.users (instance_id, id, aud, role, email, encrypted_password,
              email_confirmed_at, confirmation_token, recovery_token, email_change_token_new,
              email_change, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
            select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated',
              'authenticated', 'naive' || i || '@example.com',
              extensions.crypt('password', extensions.gen_salt('bf', 10)), now(), '', '', '', '',
              '{"provider":"email","providers":["email"]}', '{}', now(), now()
            from generate_series(1, %s) as i
            """,
            [count],
        )
        conn.commit()
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default=None, help="superuser DSN (default: embedded server)")
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--naive", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.dsn is None:
        from pytest_supaseed.backends.embedded import start_embedded

        with tempfile.TemporaryDirectory() as project:
            handle = start_embedded(rootdir=Path(project))
            try:
                print(f"embedded server: {handle.dsn}")
                run(args, str(handle.dsn))
            finally:
                handle.stop()
    else:
        run(args, args.dsn)


def run(args: argparse.Namespace, admin_dsn: str) -> None:
    """Create the two databases, interleave the measures, print medians and the ratio."""
    args.dsn = admin_dsn
    plain = fresh_database(args.dsn, "supaseed_bench_users", makerkit=False)
    kit = fresh_database(args.dsn, "supaseed_bench_users_mk", makerkit=True)
    # ids given, as the seeding engine gives them (drawn from the seed's stream)
    specs = [
        UserSpec(f"user{i}@example.com", "password", id=users_module.user_id_for_email(str(i)))
        for i in range(args.users)
    ]
    times: dict[str, list[float]] = {"supaseed": [], "supaseed_mk": [], "naive": []}
    try:
        for _ in range(args.repeat):
            empty(plain)
            times["supaseed"].append(run_supaseed(plain, specs))
            empty(kit)
            times["supaseed_mk"].append(run_supaseed(kit, specs))
            empty(plain)
            times["naive"].append(run_naive(plain, args.naive))
    finally:
        with psycopg.connect(args.dsn, autocommit=True) as conn:
            for name in ("supaseed_bench_users", "supaseed_bench_users_mk"):
                conn.execute(f'drop database if exists "{name}" with (force)')

    fast = statistics.median(times["supaseed"])
    fast_mk = statistics.median(times["supaseed_mk"])
    naive = statistics.median(times["naive"])
    naive_full = naive / args.naive * args.users
    print(f"{args.users} users, one password, bcrypt cost 10, median of {args.repeat}:")
    print(f"  supaseed create_auth_users:          {fast:8.3f} s  (runs {_fmt(times['supaseed'])})")
    print(
        f"  supaseed + MakerKit v2 trigger:      {fast_mk:8.3f} s  "
        f"(runs {_fmt(times['supaseed_mk'])})"
    )
    print(
        f"  naive crypt() per user, {args.naive} users: {naive:8.3f} s  "
        f"= {naive / args.naive * 1000:.1f} ms/user"
    )
    print(
        f"  naive extrapolated to {args.users}:     {naive_full:8.1f} s  (estimate, not measured)"
    )
    print(
        f"  ratio naive/supaseed: {naive_full / fast:,.0f}x; target < 0.5 s: "
        f"{'met' if fast < 0.5 else 'NOT met'}"
    )


def _fmt(values: list[float]) -> str:
    return ", ".join(f"{v:.3f}" for v in values)


if __name__ == "__main__":
    main()
