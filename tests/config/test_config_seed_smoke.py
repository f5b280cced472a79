"""Each built-in template seeds its own demo schema end to end, with the counts it promises."""

from __future__ import annotations

from pathlib import Path

import psycopg

from pytest_supaseed.config import ResolvedPlan, resolve_plan
from pytest_supaseed.lifecycle.migrations import run_sql_file
from pytest_supaseed.seed import seed


def seeded(name: str, dsn: str, tmp_path: Path) -> tuple[ResolvedPlan, psycopg.Connection]:
    resolved = resolve_plan(name, rootdir=tmp_path)
    conn = psycopg.connect(dsn, autocommit=True)
    for path in resolved.migrations(tmp_path).paths:
        run_sql_file(conn, path, path.parent)
    seed(resolved.plan, dsn, progress=False, rootdir=tmp_path)
    return resolved, conn


def per_parent(conn: psycopg.Connection, sql: str) -> list[int]:
    return [int(row[0]) for row in conn.execute(sql).fetchall()]


def test_makerkit_saas_seeds_users_and_test_users(supabase_db: str, tmp_path: Path) -> None:
    _, conn = seeded("makerkit-saas", supabase_db, tmp_path)
    with conn:
        emails = {r[0] for r in conn.execute("select email from auth.users").fetchall()}
        assert len(emails) == 15  # 10 synthetic + MakerKit's 5 standard test users
        assert {"test@makerkit.dev", "owner@makerkit.dev", "member@makerkit.dev"} <= emails
        teams = conn.execute("select count(*) from public.accounts where not is_personal_account")
        row = teams.fetchone()
        # The plan's 3 teams, plus the team MakerKit's standard test users belong to.
        assert row is not None
        assert row[0] >= 3


def test_outdoor_platform_puts_3_to_15_gear_items_in_each_setup(
    supabase_db: str, tmp_path: Path
) -> None:
    _, conn = seeded("outdoor-platform", supabase_db, tmp_path)
    with conn:
        assert conn.execute("select count(*) from public.gear").fetchone() == (20,)
        names = {r[0] for r in conn.execute("select name from public.gear").fetchall()}
        assert "Canister Stove" in names  # real content from the catalog pool, not synthetic
        per_setup = per_parent(
            conn,
            "select count(g.gear_id) from public.setups s "
            "left join public.setup_gear g on g.setup_id = s.id group by s.id",
        )
        assert len(per_setup) == 12
        assert all(3 <= n <= 15 for n in per_setup), per_setup
        assert conn.execute("select count(*) from public.media").fetchone() == (6,)


def test_blog_platform_gives_every_author_1_to_10_posts(supabase_db: str, tmp_path: Path) -> None:
    _, conn = seeded("blog-platform", supabase_db, tmp_path)
    with conn:
        titles = {r[0] for r in conn.execute("select title from public.posts").fetchall()}
        assert "COPY is faster than INSERT" in titles
        assert len(titles) == 8
        per_author = per_parent(
            conn,
            "select count(p.id) from public.authors a "
            "left join public.posts p on p.author_id = a.id group by a.id",
        )
        assert len(per_author) == 5
        assert all(1 <= n <= 10 for n in per_author), per_author


def test_e_commerce_seeds_its_shop(supabase_db: str, tmp_path: Path) -> None:
    _, conn = seeded("e-commerce", supabase_db, tmp_path)
    with conn:
        assert conn.execute("select count(*) from public.products").fetchone() == (50,)
        assert conn.execute("select count(*) from auth.users").fetchone() == (20,)
        per_order = per_parent(
            conn,
            "select count(i.id) from public.orders o "
            "left join public.order_items i on i.order_id = o.id group by o.id",
        )
        assert all(1 <= n <= 5 for n in per_order), per_order
