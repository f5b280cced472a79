"""Schema intelligence: catalog introspection, foreign-key order, MakerKit/Supabase detection,
snapshots and diffs. See docs/guides/schema.md."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_exports import lazy_package

if TYPE_CHECKING:
    from .detect import AuthUserTrigger, Detection, Evidence, detect
    from .diff import Change, SchemaDiff, diff
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
    from .snapshot import load_snapshot, snapshot, write_snapshot


__all__ = [
    "AuthUserTrigger",
    "Change",
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
    "SchemaDiff",
    "Table",
    "Trigger",
    "Unique",
    "detect",
    "diff",
    "insert_order",
    "introspect",
    "load_snapshot",
    "qualify",
    "snapshot",
    "write_snapshot",
]

lazy_package(
    __name__,
    {
        ".detect": ("AuthUserTrigger", "Detection", "Evidence", "detect"),
        ".diff": ("Change", "SchemaDiff", "diff"),
        ".graph": ("DeferredEdge", "InsertPlan", "insert_order"),
        ".introspect": ("introspect",),
        ".model": (
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
            "qualify",
        ),
        ".snapshot": ("load_snapshot", "snapshot", "write_snapshot"),
    },
)
