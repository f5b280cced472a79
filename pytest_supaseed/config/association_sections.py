"""Plan models of an association: which items go to which targets, how, and under which rules."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from .base import PlanModel

Strategy = Literal["weighted_random", "round_robin", "even_spread", "one_to_one", "custom"]
STRATEGIES: tuple[str, ...] = (
    "weighted_random",
    "round_robin",
    "even_spread",
    "one_to_one",
    "custom",
)

_CUTOFF = re.compile(r"^\s*(\d+)\s*(day|week|month|year)s?\s*$")


def parse_cutoff(text: str) -> tuple[int, str]:
    """Parse ``"6 months"`` into ``(6, "month")``; raise ValueError naming the accepted forms."""
    match = _CUTOFF.match(text.lower())
    if not match:
        raise ValueError(
            f"cutoff {text!r} is not '<n> days|weeks|months|years' (e.g. '6 months', '30 days')"
        )
    return int(match.group(1)), match.group(2)


def cutoff_date(reference: date, text: str) -> date:
    """The day ``text`` (e.g. ``"6 months"``) before ``reference``; months are calendar months."""
    amount, unit = parse_cutoff(text)
    if unit == "day":
        return reference - timedelta(days=amount)
    if unit == "week":
        return reference - timedelta(weeks=amount)
    months = amount * (12 if unit == "year" else 1)
    year, month = divmod(reference.year * 12 + reference.month - 1 - months, 12)
    month += 1
    # Clamp the day so 31 March minus one month is 28/29 February, not an error.
    for day in range(reference.day, 27, -1):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return date(year, month, min(reference.day, 28))


class CategoryBound(PlanModel):
    """Share of items of one category: ``min`` and ``max`` are fractions in [0, 1]."""

    min: float = Field(default=0.0, ge=0.0, le=1.0)
    max: float = Field(default=1.0, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _ordered(self) -> CategoryBound:
        if self.min > self.max:
            raise ValueError(f"min {self.min} > max {self.max}")
        return self


class CategoryBalance(PlanModel):
    """Per-category share bounds, of what each target gets (``per_target``) or of all (``overall``)."""

    field: str
    scope: Literal["per_target", "overall"] = "overall"
    bounds: dict[str, CategoryBound]

    @model_validator(mode="after")
    def _sum_of_minimums(self) -> CategoryBalance:
        total_min = sum(b.min for b in self.bounds.values())
        if total_min > 1.0 + 1e-9:
            raise ValueError(f"the category minimums add up to {total_min:.2f} > 1")
        return self


class DateDistribution(PlanModel):
    """Share of *recent* items: dated within ``cutoff`` of ``reference``.

    ``reference`` defaults to the newest item's date, so the result does not drift with the clock.
    """

    field: str
    cutoff: str = "6 months"
    recent: float = Field(ge=0.0, le=1.0)
    reference: date | None = None

    @field_validator("cutoff")
    @classmethod
    def _cutoff_parses(cls, value: str) -> str:
        parse_cutoff(value)
        return value


#: supa-seed's spellings of constraint keys, accepted as aliases.
CONSTRAINT_ALIASES: dict[str, str] = {
    "min": "min_per_target",
    "max": "max_per_target",
    "minPerTarget": "min_per_target",
    "maxPerTarget": "max_per_target",
    "totalItems": "total_items",
    "total": "total_items",
}
#: supa-seed's spellings of strategies, accepted as aliases.
STRATEGY_ALIASES: dict[str, str] = {
    "random": "weighted_random",
    "weightedRandom": "weighted_random",
    "roundRobin": "round_robin",
    "evenSpread": "even_spread",
}


def _rename(data: Any, aliases: dict[str, str]) -> Any:
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for alias, name in aliases.items():
        if alias in out:
            if name in out:
                raise ValueError(f"'{alias}' and '{name}' are the same setting; keep one")
            out[name] = out.pop(alias)
    return out


class ConstraintsConfig(PlanModel):
    """The rules an association must satisfy; every field is optional.

    ``min``/``max`` (and supa-seed's ``minPerTarget``/``maxPerTarget``/``totalItems``) are
    aliases of ``min_per_target``/``max_per_target``/``total_items``.
    """

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, data: Any) -> Any:
        return _rename(data, CONSTRAINT_ALIASES)

    min_per_target: int | None = Field(default=None, ge=0)
    max_per_target: int | None = Field(default=None, ge=0)
    total_items: int | None = Field(default=None, ge=0)
    uniqueness: Literal["strict", "allow_duplicates"] = "strict"
    category_balance: CategoryBalance | None = None
    date_distribution: DateDistribution | None = None

    @model_validator(mode="after")
    def _min_le_max(self) -> ConstraintsConfig:
        if (
            self.min_per_target is not None
            and self.max_per_target is not None
            and self.min_per_target > self.max_per_target
        ):
            raise ValueError(
                f"min_per_target {self.min_per_target} > max_per_target {self.max_per_target}"
            )
        return self


class AssociationConfig(PlanModel):
    """One association of a seed plan: put ``items`` rows under ``targets`` rows via ``fk_column``.

    ``weights`` is a target field name, a ``{target_id: weight}`` mapping, or ``"module:function"``
    (called with a target record, returns a float). ``custom`` is ``"module:function"`` called as
    ``fn(items, targets, rng)`` returning one proposed target id per item.
    """

    name: str | None = None
    items: str
    targets: str
    fk_column: str
    strategy: Strategy = "weighted_random"
    weights: str | dict[str, float] | None = None
    custom: str | None = None
    constraints: ConstraintsConfig = ConstraintsConfig()
    mode: Literal["relaxed", "strict"] = "relaxed"
    synthetic_fallback: bool = True

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, data: Any) -> Any:
        # strategy = "random" (supa-seed) is weighted_random with equal weights.
        if isinstance(data, dict) and isinstance(data.get("strategy"), str):
            data = {**data, "strategy": STRATEGY_ALIASES.get(data["strategy"], data["strategy"])}
        return data

    @model_validator(mode="after")
    def _strategy_options(self) -> AssociationConfig:
        if self.strategy == "custom" and not self.custom:
            raise ValueError("strategy 'custom' needs custom: 'module:function'")
        if self.custom and self.strategy != "custom":
            raise ValueError(f"custom is set but strategy is {self.strategy!r}; use 'custom'")
        if self.custom and ":" not in self.custom:
            raise ValueError(f"custom {self.custom!r} is not 'module:function'")
        if self.weights is not None and self.strategy != "weighted_random":
            raise ValueError(f"weights only apply to 'weighted_random', not {self.strategy!r}")
        if isinstance(self.weights, dict) and any(w < 0 for w in self.weights.values()):
            raise ValueError("weights must be >= 0")
        return self
