"""The seeding run: insert order, Supabase users and MakerKit rows, the bulk writer, progress."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import seed, seed_connection
    from .result import SeedResult

__all__ = ["SeedResult", "seed", "seed_connection"]


def __getattr__(name: str) -> Any:
    # Lazy: importing pytest_supaseed.seed.users must not pull in Faker and the generators.
    if name in ("seed", "seed_connection"):
        from . import engine

        return getattr(engine, name)
    if name == "SeedResult":
        from .result import SeedResult

        return SeedResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
