"""Schema intelligence: catalog introspection, foreign-key order, MakerKit/Supabase detection,
snapshots and diffs. See docs/schema.md."""

from __future__ import annotations

from .detect import AuthUserTrigger, Detection, Evidence, detect
from .graph import DeferredEdge, InsertPlan, insert_order
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
    "AuthUserTrigger",
    "Check",
    "Column",
    "DeferredEdge",
    "Detection",
    "Enum",
    "Evidence",
    "ForeignKey",
    "Function",
    "InsertPlan",
    "Policy",
    "Schema",
    "Table",
    "Trigger",
    "Unique",
    "detect",
    "insert_order",
    "introspect",
    "qualify",
]
