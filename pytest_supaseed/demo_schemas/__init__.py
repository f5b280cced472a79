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


# v3 is v2 plus additions: kept as one file of additions so that the two cannot drift apart.
_FILES: dict[str, tuple[str, ...]] = {
    "makerkit_v1": ("makerkit_v1.sql",),
    "makerkit_lite": ("makerkit_lite.sql",),
    "makerkit_v2": ("makerkit_v2.sql",),
    "makerkit_v3": ("makerkit_v2.sql", "makerkit_v3_additions.sql"),
}


def _key(name: str) -> str:
    key = name.removesuffix(".sql")
    if not key.startswith("makerkit_"):
        key = f"makerkit_{key}"
    if key not in NAMES:
        raise SchemaError(
            f"No demo schema '{name}'{did_you_mean(key, NAMES)}. Available: {', '.join(NAMES)}."
        )
    return key


def paths(name: str) -> tuple[Path, ...]:
    """The SQL files of demo schema ``name``, in the order to apply them.

    ``name`` is ``"makerkit_v2"``, or the short ``"v2"`` / ``"lite"``, with or without ``.sql``.
    """
    return tuple(_DIR / file for file in _FILES[_key(name)])


def path(name: str) -> Path:
    """The SQL file of a demo schema that is one file (all but v3: use :func:`paths`)."""
    files = paths(name)
    if len(files) != 1:
        raise SchemaError(
            f"Demo schema '{name}' is {len(files)} files ({', '.join(f.name for f in files)}); "
            "use demo_schemas.paths() or demo_schemas.sql()."
        )
    return files[0]


def sql(name: str) -> str:
    """The SQL text of demo schema ``name`` (all its files, in order)."""
    return "\n".join(p.read_text(encoding="utf-8") for p in paths(name))


__all__ = ["NAMES", "path", "paths", "sql"]
