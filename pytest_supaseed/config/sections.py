"""Plan sections defined by other areas, gathered in one place for :mod:`.models`.

Asset pools and mappings belong to :mod:`pytest_supaseed.assets.config`, associations to
:mod:`pytest_supaseed.associate.config`. Until the association module lands, a permissive stand-in
keeps the plan loadable (it accepts any keys, so nothing the finished section accepts is rejected).
"""

from __future__ import annotations

from pydantic import ConfigDict

from pytest_supaseed.assets.config import AssetPoolConfig, MappingConfig

from .base import PlanModel

try:  # TRANSITIONAL: removed once pytest_supaseed.associate.config lands
    from pytest_supaseed.associate.config import (  # type: ignore[import-not-found]
        AssociationConfig,
    )
except ModuleNotFoundError:

    class AssociationConfig(PlanModel):  # type: ignore[no-redef]
        """Stand-in for the association section."""

        model_config = ConfigDict(extra="allow")


__all__ = ["AssetPoolConfig", "AssociationConfig", "MappingConfig"]
