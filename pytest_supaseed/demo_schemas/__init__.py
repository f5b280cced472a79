"""MakerKit-shaped demo schemas (v1, lite, v2, v3) shipped as SQL files.

Each file is a self-contained schema written for pytest-supaseed from the published facts of the
corresponding MakerKit kit, using MakerKit's own table, function, trigger and policy names. They need
the Supabase compatibility layer (``auth.users``, ``auth.uid()``, ``auth.jwt()``, roles ``anon`` /
``authenticated`` / ``service_role``) and are meant for tests, demos and benchmarks.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import SchemaError, did_you_mean

_DIR = Path(__file__).resolve().parent

NAMES: tuple[str, ...] = ("makerkit_v1", "makerkit_lite", "makerkit_v2", "makerkit_v3")
"""The demo schema names, oldest kit first."""


def path(name: str) -> Path:
    """Path of the SQL file of demo schema ``name``.

    ``name`` is ``"makerkit_v2"``, or the short ``"v2"`` / ``"lite"``, with or without ``.sql``.
    """
    key = name.removesuffix(".sql")
    if not key.startswith("makerkit_"):
        key = f"makerkit_{key}"
    if key not in NAMES:
        raise SchemaError(
            f"No demo schema '{name}'{did_you_mean(key, NAMES)}. Available: {', '.join(NAMES)}."
        )
    return _DIR / f"{key}.sql"


def sql(name: str) -> str:
    """The SQL text of demo schema ``name`` (see :func:`path`)."""
    return path(name).read_text(encoding="utf-8")


__all__ = ["NAMES", "path", "sql"]
