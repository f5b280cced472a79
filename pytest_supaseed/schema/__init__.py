"""Schema intelligence: catalog introspection, foreign-key order, MakerKit/Supabase detection,
snapshots and diffs. See docs/schema.md."""

from __future__ import annotations

from .introspect import introspect
from .model import (
    Check,
    Column,
    Enum,
    ForeignKey,
    Function,
    Policy,
    Schema,
    Table,
    Trigger,
    Unique,
    qualify,
)

__all__ = [
    "Check",
    "Column",
    "Enum",
    "ForeignKey",
    "Function",
    "Policy",
    "Schema",
    "Table",
    "Trigger",
    "Unique",
    "introspect",
    "qualify",
]
