"""Pydantic models the asset tests name as ``model = "tests.assets.models:..."``."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Specs(BaseModel):
    weight: float


class GearItem(BaseModel):
    name: str
    price: float = Field(ge=0)
    specs: Specs


class TentSpecs(Specs):
    capacity: int


class Tent(GearItem):
    specs: TentSpecs
