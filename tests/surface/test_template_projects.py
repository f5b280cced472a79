"""``extends = "makerkit-saas"`` end to end through pytest: a project's own MakerKit schema is seeded
as it is (the template's demo schema is not applied on top), and an empty project gets the demo
schema."""

from __future__ import annotations

from pytest_supaseed import demo_schemas

PLAN = """\
extends = "makerkit-saas"
seed = 3

[users]
count = 4
makerkit_test_users = false

[accounts]
teams = 0
"""

CUSTOM_TABLE = """\
create table public.projects (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references public.accounts (id) on delete cascade,
  name text not null
);
"""


def test_own_makerkit_migrations_are_seeded_without_the_demo_schema(app) -> None:
    migrations = app.root / "supabase" / "migrations"
    migrations.mkdir(parents=True)
    # the user's own MakerKit v2 schema, plus a table the kit does not have; the demo schema
    # applied on top would fail (its tables exist already) and would not know public.projects
    (migrations / "20240101000000_makerkit.sql").write_text(demo_schemas.sql("v2"))
    (migrations / "20240102000000_projects.sql").write_text(CUSTOM_TABLE)
    (app.root / "supaseed.toml").write_text(
        PLAN + '\n[tables."public.projects"]\ncount_per_parent = { account_id = 2 }\n'
    )
    app.tests(
        """
        def test_seeded(supaseed):
            assert supaseed.count("auth.users") == 4
            assert supaseed.count("public.accounts") == 4  # one personal account per user
            assert supaseed.count("public.projects") == 8  # the project's own table, 2 per account
            applied = supaseed.conn.execute(
                "select count(*) from pg_proc where proname = 'setup_new_user'"
            ).fetchone()
            assert applied == (1,)  # one kit.setup_new_user: the demo schema did not run again
        """,
    )
    result = app.run()
    result.assert_outcomes(passed=1)


def test_an_empty_project_gets_the_templates_demo_schema(app) -> None:
    (app.root / "supaseed.toml").write_text(PLAN)
    app.tests(
        """
        def test_seeded(supaseed):
            assert supaseed.count("auth.users") == 4
            assert supaseed.count("public.accounts") == 4
            is_v2 = supaseed.conn.execute(
                "select count(*) from information_schema.columns "
                "where table_name = 'accounts' and column_name = 'is_personal_account'"
            ).fetchone()
            assert is_v2 == (1,)
        """,
    )
    result = app.run()
    result.assert_outcomes(passed=1)
