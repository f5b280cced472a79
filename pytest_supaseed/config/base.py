"""The base of every seed-plan model: unknown keys are errors, values are immutable."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class PlanModel(BaseModel):
    """Base class for every section of a seed plan.

    ``extra="forbid"`` makes a typo (``countt``) an error; the plan loader turns pydantic's
    ``extra_forbidden`` errors into messages with a did-you-mean suggestion and the file location.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
