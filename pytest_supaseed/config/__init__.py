"""Seed plans: typed models, plan files, templates and ``extends`` resolution.

The public API::

    plan = load_plan(rootdir=root)                        # the plan file, validated
    resolved = resolve_plan(rootdir=root)                 # templates merged, with provenance
    resolved = resolve_plan("outdoor-platform", rootdir=root, customizations={"users": {"count": 3}})
    plan_hash(resolved)                                   # names the template database
    list_templates(root)                                  # built-in + project templates

The names are imported on first use (PEP 562). ``SeedPlan`` embeds the asset and association
sections, whose modules import :mod:`.base` from this package; importing this package eagerly would
send ``import pytest_supaseed.assets.config`` back into a half-initialised module. Loading lazily
keeps ``pytest_supaseed.config.base`` free of the rest, whichever module a caller imports first.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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

_HOMES = {
    "Template": "catalog",
    "find_template": "catalog",
    "list_templates": "catalog",
    "find_plan_file": "loader",
    "load_plan": "loader",
    "plan_json_schema": "loader",
    "AccountsConfig": "models",
    "AIConfig": "models",
    "AIField": "models",
    "ColumnValue": "models",
    "Constant": "models",
    "Expression": "models",
    "IntRange": "models",
    "MigrationsConfig": "models",
    "SeedPlan": "models",
    "TableConfig": "models",
    "UsersConfig": "models",
    "MigrationChoice": "resolve",
    "ResolvedPlan": "resolve",
    "plan_hash": "resolve",
    "resolve_plan": "resolve",
}

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


_SUBMODULES = frozenset(("base", "catalog", "loader", "locate", "models", "resolve", "sections"))


def __getattr__(name: str) -> Any:
    """Import the public name (or submodule) ``name`` on first access (PEP 562)."""
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's attributes plus the lazily imported public names."""
    return sorted(set(globals()) | set(__all__))
