"""``--supaseed-migrations PATH`` in a pytest run: the plugin builds the base database from PATH
(relative to the rootdir) instead of ``supabase/migrations``, as ``supaseed seed --migrations``
does (tests/cli/test_migrations_option.py).

The project is the shop of that file: the e-commerce template's schema kept in ``db/migrations``
(so there is no ``supabase/migrations``), and a plan extending ``e-commerce``, whose demo schema
must not be applied on top.
"""

from __future__ import annotations

from pathlib import Path

SHOP = (
    Path(__file__).resolve().parents[2]
    / "pytest_supaseed"
    / "config"
    / "templates"
    / "e-commerce"
    / "migrations"
)


def test_the_plugin_option_uses_the_given_migrations_too(app) -> None:
    migrations = app.root / "db" / "migrations"
    migrations.mkdir(parents=True)
    sql_text = (SHOP / "0001_shop.sql").read_text(encoding="utf-8")
    (migrations / "20240101000000_shop.sql").write_text(sql_text)
    (app.root / "supaseed.toml").write_text(
        'extends = "e-commerce"\nseed = 2\n\n[users]\ncount = 3\n'
    )
    app.tests(
        """
        def test_the_shop(supaseed):
            assert supaseed.count("public.products") == 50
            assert supaseed.count("auth.users") == 3
        """
    )
    result = app.run("--supaseed-migrations", "db/migrations")
    result.assert_outcomes(passed=1)
