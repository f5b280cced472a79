"""One line for the pytest session header when the live schema is no longer the snapshot's.

A project that commits ``supaseed.schema.json`` learns at the top of every test run that a
migration changed the schema since, with the command that says what it means for the plan.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..errors import SchemaError
from .diff import diff
from .model import Schema
from .snapshot import DEFAULT_SNAPSHOT_FILE, load_snapshot

__all__ = ["drift_note"]


def drift_note(
    schema: Schema, rootdir: Path, snapshot_file: str = DEFAULT_SNAPSHOT_FILE
) -> str | None:
    """``"supaseed: the schema changed since supaseed.schema.json (...); run ..."`` or None when
    the project has no snapshot or the live ``schema`` matches it. A snapshot that does not load
    is said too (it is the file to regenerate)."""
    path = Path(rootdir) / snapshot_file
    if not path.is_file():
        return None
    try:
        changes = diff(load_snapshot(path), schema)
    except SchemaError as exc:
        return f"supaseed: {exc}"
    if not changes:
        return None
    counts = Counter(c.kind.replace("_", " ") for c in changes.changes)
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    return (
        f"supaseed: the schema changed since {snapshot_file} ({summary}); "
        f"run `supaseed diff {snapshot_file} --impact`, then `supaseed update`"
    )
