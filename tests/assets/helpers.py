"""Helpers shared by the asset tests."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Col:
    """A minimal column description (what ``map_rows`` needs), for tests without a database."""

    name: str
    type: str
    max_length: int | None = None
    nullable: bool = True
    has_default: bool = False
