"""Plans seed tables in any schema the migrations create (issue 20, point 4).

The ``outside_public`` app keeps every table in schema ``app``. Every schema the migrations create
is read by default (no key has to name ``app``; the platform's own schemas stay out unless a key
names them); ``schemas`` narrows or widens it explicitly; a schema that does not exist is one
clear error.
"""

from __future__ import annotations

import psycopg
import pytest
from ext_apps import AppDatabases

from pytest_supaseed.config.models import SeedPlan
from pytest_supaseed.errors import SchemaError
from pytest_supaseed.schema import introspect
from pytest_supaseed.schema.introspect import PLATFORM_SCHEMAS
from pytest_supaseed.seed import seed
from pytest_supaseed.seed.engine import plan_schemas


def test_a_plan_naming_a_table_outside_public_seeds_it(apps: AppDatabases) -> None:
    db = apps.fresh("outside_public")
    result = seed(
        {"seed": 3, "tables": {"app.projects": {"count": 6}, "app.tasks": {"count": 15}}},
        db.dsn,
        progress=False,
    )
    assert result.rows["app.projects"] == 6
    assert result.rows["app.tasks"] == 15
    with psycopg.connect(db.dsn) as conn:
        owners = {r[0] for r in conn.execute("select owner_id from app.projects")}
        profiles = {r[0] for r in conn.execute("select user_id from app.profiles")}
        assert owners <= profiles
        assert conn.execute(
            "select count(*) from app.tasks t join app.projects p on p.id = t.project_id"
        ).fetchone() == (15,)


def test_schemas_key_and_its_errors(apps: AppDatabases) -> None:
    db = apps.fresh("outside_public")
    assert plan_schemas(SeedPlan.model_validate({"tables": {"app.tasks": {"count": 1}}})) == [
        "app",
        "public",
    ]
    result = seed(
        {
            "seed": 4,
            "schemas": ["app"],
            "tables": {"app.projects": {"count": 2}, "app.tasks": {"count": 2}},
        },
        db.dsn,
        progress=False,
    )
    assert result.rows["app.tasks"] == 2
    with pytest.raises(
        SchemaError, match=r"Schema 'ap' does not exist in the database \(did you mean 'app'"
    ):
        seed({"schemas": ["ap"], "tables": {"app.tasks": {"count": 1}}}, db.dsn, progress=False)
    with pytest.raises(
        SchemaError, match=r"No table 'public.tasks'.*Schemas introspected: app, auth"
    ):
        seed({"schemas": ["app"], "tables": {"tasks": {"count": 1}}}, db.dsn, progress=False)


def test_every_app_schema_is_read_without_a_key_naming_it(apps: AppDatabases) -> None:
    db = apps.fresh("outside_public")
    # no key names schema app: the default scope is every schema the migrations created
    result = seed({"seed": 8, "users": {"count": 2}}, db.dsn, progress=False)
    assert result.by_triggers.get("app.profiles") == 2  # the signup trigger's rows, counted
    schema = introspect(db.dsn, include=plan_schemas(SeedPlan()), app_schemas=True)
    assert {"app", "public", "auth"} <= set(schema.schemas)
    assert schema.has_table("app.tasks")
    # the layer's and the extension pack's own schemas stay out unless a key names them
    assert not set(schema.schemas) & (PLATFORM_SCHEMAS - {"auth"})
    # an unqualified key still means public; the error names the schemas read and the fix
    with pytest.raises(
        SchemaError, match=r"No table 'public.tasks' in the database \(did you mean"
    ):
        seed({"tables": {"tasks": {"count": 1}}}, db.dsn, progress=False)


def test_schemas_public_narrows_the_default(apps: AppDatabases) -> None:
    db = apps.fresh("outside_public")
    result = seed(
        {"seed": 9, "schemas": ["public", "auth"], "users": {"count": 1}}, db.dsn, progress=False
    )
    assert len(result.users) == 1
    assert "app.profiles" not in result.by_triggers
    with pytest.raises(
        SchemaError, match=r"No table 'app.tasks'.*Schemas introspected: auth, public;"
    ):
        seed({"schemas": ["public"], "tables": {"app.tasks": {"count": 1}}}, db.dsn, progress=False)
