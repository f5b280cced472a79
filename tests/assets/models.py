"""Pydantic models the asset tests name as ``model = "tests.assets.models:..."``."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator


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


class Touchy(BaseModel):
    """Raises TypeError (not converted by pydantic) on a name of 'boom'."""

    name: str

    @field_validator("name")
    @classmethod
    def _no_boom(cls, value: str) -> str:
        if value == "boom":
            raise TypeError("boom is not a name")
        return value
