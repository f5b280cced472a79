"""Seed plans: typed models, plan files, templates and ``extends`` resolution."""

from __future__ import annotations

from .models import (
    AccountsConfig,
    AIConfig,
    IntRange,
    MigrationsConfig,
    SeedPlan,
    TableConfig,
    UsersConfig,
)

__all__ = [
    "AIConfig",
    "AccountsConfig",
    "IntRange",
    "MigrationsConfig",
    "SeedPlan",
    "TableConfig",
    "UsersConfig",
]
