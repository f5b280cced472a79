"""The seeding run: insert order, Supabase auth users, accounts and MakerKit rows, the bulk writer.

Modules, lowest first: :mod:`.auth_users` (auth users as GoTrue writes them), :mod:`.makerkit`
(the kit's account rows), :mod:`.accounts` (the users-and-accounts phase), :mod:`.engine` (the run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_exports import lazy_package

if TYPE_CHECKING:
    from ..seed_result import SeedResult
    from .engine import seed, seed_connection


__all__ = ["SeedResult", "seed", "seed_connection"]

lazy_package(
    __name__,
    {
        "..seed_result": ("SeedResult",),
        ".engine": ("seed", "seed_connection"),
    },
)
