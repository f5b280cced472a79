"""The seeding run: insert order, Supabase auth users, accounts and MakerKit rows, the bulk writer.

Modules, lowest first: :mod:`.auth_users` (auth users as GoTrue writes them), :mod:`.makerkit`
(the kit's account rows), :mod:`.accounts` (the users-and-accounts phase), :mod:`.engine` (the run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import seed, seed_connection
    from .result import SeedResult

__all__ = ["SeedResult", "seed", "seed_connection"]


def __getattr__(name: str) -> Any:
    # Lazy: importing pytest_supaseed.seed.auth_users (create_auth_users, a light public API) must
    # not pull in Faker, the generators, assets and associations through the engine.
    if name in ("seed", "seed_connection"):
        from . import engine

        return getattr(engine, name)
    if name == "SeedResult":
        from .result import SeedResult

        return SeedResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
