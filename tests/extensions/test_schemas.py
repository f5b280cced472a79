"""Plans seed tables in any schema the migrations create (issue 20, point 4).

The ``outside_public`` app keeps every table in schema ``app``. A plan naming ``app.projects``
reads that schema (and ``auth``, which it references) without any other setting; ``schemas``
narrows or widens it explicitly; a schema that does not exist is one clear error.
"""

from __future__ import annotations

import psycopg
import pytest
from ext_apps import AppDatabases

from pytest_supaseed.config.models import SeedPlan
from pytest_supaseed.errors import SchemaError
from pytest_supaseed.seed import seed
from pytest_supaseed.seed.engine import plan_schemas


def test_a_plan_naming_a_table_outside_public_seeds_it(apps: AppDatabases) -> None:
    db = apps.get("outside_public")
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
    db = apps.get("outside_public")
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
