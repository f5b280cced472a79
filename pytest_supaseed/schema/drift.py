"""One line for the pytest session header when the live schema is no longer the snapshot's.

A project that commits ``supaseed.schema.json`` learns at the top of every test run that a
migration changed the schema since, with the command that says what it means for the plan.

The header is printed before any server starts, so it reads the schema the base database had when
it was last built: :func:`remember_schema` writes it next to the project's cache
(``.supaseed/schema/<base database name>.json``) when a session builds or reuses that base, and
:func:`header_note` compares it with the snapshot. The base database's name changes with its
migrations, so a schema remembered for other migrations is never used.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import SchemaError
from ..project_dirs import REMEMBERED_SCHEMA_DIR
from .diff import diff
from .model import Schema
from .snapshot import DEFAULT_SNAPSHOT_FILE, load_snapshot, write_snapshot

__all__ = ["drift_note", "header_note", "remember_schema"]


def drift_note(
    schema: Schema | Mapping[str, Any], rootdir: Path, snapshot_file: str = DEFAULT_SNAPSHOT_FILE
) -> str | None:
    """``"supaseed: the schema changed since supaseed.schema.json (...); run ..."``, or None when
    the project has no snapshot or ``schema`` (a :class:`Schema` or a snapshot) matches it. A
    snapshot that does not load is said too (it is the file to regenerate)."""
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


def remember_schema(schema: Schema, rootdir: Path, base_database: str) -> Path:
    """Keep the snapshot of base database ``base_database``'s ``schema`` for the next header."""
    folder = Path(rootdir) / REMEMBERED_SCHEMA_DIR
    folder.mkdir(parents=True, exist_ok=True)
    return write_snapshot(schema, folder / f"{base_database}.json")


def header_note(
    rootdir: Path, base_database: str, snapshot_file: str = DEFAULT_SNAPSHOT_FILE
) -> str | None:
    """:func:`drift_note` for the remembered schema of ``base_database``; None when the project
    has no snapshot. When that base has not been built yet (its migrations changed), the line says
    so and names the command that compares now."""
    if not (Path(rootdir) / snapshot_file).is_file():
        return None
    remembered = Path(rootdir) / REMEMBERED_SCHEMA_DIR / f"{base_database}.json"
    try:
        schema = load_snapshot(remembered)
    except SchemaError:  # not built yet (or a damaged cache entry, rebuilt by this session)
        return (
            f"supaseed: the migrations changed since the base database was last built; "
            f"`supaseed diff {snapshot_file} --impact` compares the schema with {snapshot_file}"
        )
    return drift_note(schema, rootdir, snapshot_file)
