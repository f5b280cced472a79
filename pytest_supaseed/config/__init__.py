"""Seed plans: typed models, plan files, templates and ``extends`` resolution.

The public API::

    plan = load_plan(rootdir=root)                        # the plan file, validated
    resolved = resolve_plan(rootdir=root)                 # templates merged, with provenance
    resolved = resolve_plan("outdoor-platform", rootdir=root, customizations={"users": {"count": 3}})
    plan_hash(resolved)                                   # names the template database
    list_templates(root)                                  # built-in + project templates

Everything here is the plan as data: models, files, templates, resolution, in-place edits, and
the starter plan and suggestions read from a :class:`~pytest_supaseed.schema.model.Schema`. The
plan against a live database (check, impact of a schema change) is :mod:`pytest_supaseed.plancheck`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_exports import lazy_package

if TYPE_CHECKING:
    from .catalog import Template, find_template, list_templates
    from .loader import find_plan_file, load_plan, plan_json_schema
    from .models import (
        AccountsConfig,
        AIConfig,
        AIField,
        ColumnValue,
        Constant,
        Expression,
        IntRange,
        MigrationsConfig,
        SeedPlan,
        TableConfig,
        UsersConfig,
    )
    from .resolve import MigrationChoice, ResolvedPlan, plan_hash, resolve_plan


__all__ = [
    "AIConfig",
    "AIField",
    "AccountsConfig",
    "ColumnValue",
    "Constant",
    "Expression",
    "IntRange",
    "MigrationChoice",
    "MigrationsConfig",
    "ResolvedPlan",
    "SeedPlan",
    "TableConfig",
    "Template",
    "UsersConfig",
    "find_plan_file",
    "find_template",
    "list_templates",
    "load_plan",
    "plan_hash",
    "plan_json_schema",
    "resolve_plan",
]

lazy_package(
    __name__,
    {
        ".catalog": ("Template", "find_template", "list_templates"),
        ".loader": ("find_plan_file", "load_plan", "plan_json_schema"),
        ".models": (
            "AccountsConfig",
            "AIConfig",
            "AIField",
            "ColumnValue",
            "Constant",
            "Expression",
            "IntRange",
            "MigrationsConfig",
            "SeedPlan",
            "TableConfig",
            "UsersConfig",
        ),
        ".resolve": ("MigrationChoice", "ResolvedPlan", "plan_hash", "resolve_plan"),
    },
)
