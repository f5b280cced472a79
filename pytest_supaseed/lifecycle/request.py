"""What a test (or any caller) asks a :class:`~pytest_supaseed.lifecycle.session.SeedSession`
for. Imports nothing heavy: the marker validation at pytest start-up uses it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["ISOLATIONS", "Isolation", "SupaseedRequest"]

Isolation = Literal["transaction", "database"]
ISOLATIONS: tuple[Isolation, ...] = ("transaction", "database")


@dataclass(frozen=True)
class SupaseedRequest:
    """A seeded database wanted: a plan template (None: the project's plan), a seed (None: the
    plan's own), an isolation (a rolled-back transaction, or a fresh database) and plan
    customizations (seed plan sections merged over the template)."""

    template: str | None = None
    seed: int | None = None
    isolation: Isolation = "transaction"
    customizations: dict[str, Any] = field(default_factory=dict)
