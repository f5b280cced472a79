"""What a test (or any caller) asks a :class:`~pytest_supaseed.lifecycle.session.SeedSession`
for. Imports nothing heavy: the marker validation at pytest start-up uses it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["ISOLATIONS", "Isolation", "SupaseedRequest", "describe_customizations"]

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


def _flatten(value: Any, prefix: str) -> list[str]:
    if isinstance(value, Mapping) and value:
        parts: list[str] = []
        for key in sorted(value):
            name = str(key)
            step = f'"{name}"' if "." in name else name
            parts += _flatten(value[key], f"{prefix}.{step}" if prefix else step)
        return parts
    return [f"{prefix}={json.dumps(value, sort_keys=True, default=str)}"]


def describe_customizations(customizations: Mapping[str, Any] | None) -> str:
    """``users.count=9, tables."public.notes".count_per_parent.owner_id=3``: every leaf value."""
    if not customizations:
        return ""
    return ", ".join(_flatten(customizations, ""))
