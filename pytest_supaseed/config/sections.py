"""Plan sections defined by other areas, gathered in one place for :mod:`.models`.

Asset pools and mappings belong to :mod:`pytest_supaseed.assets.config`, associations to
:mod:`pytest_supaseed.associate.config`. Until those modules land, permissive stand-ins keep the
plan loadable (they accept any keys, so nothing a finished section would accept is rejected).
"""

from __future__ import annotations

from pydantic import ConfigDict

from .base import PlanModel

try:  # TRANSITIONAL: removed once pytest_supaseed.assets.config lands
    from pytest_supaseed.assets.config import (  # type: ignore[import-not-found]
        AssetPoolConfig,
        MappingConfig,
    )
except ModuleNotFoundError:

    class AssetPoolConfig(PlanModel):  # type: ignore[no-redef]
        """Stand-in for the asset-pool section."""

        model_config = ConfigDict(extra="allow")

    class MappingConfig(PlanModel):  # type: ignore[no-redef]
        """Stand-in for the mapping section."""

        model_config = ConfigDict(extra="allow")


try:  # TRANSITIONAL: removed once pytest_supaseed.associate.config lands
    from pytest_supaseed.associate.config import (  # type: ignore[import-not-found]
        AssociationConfig,
    )
except ModuleNotFoundError:

    class AssociationConfig(PlanModel):  # type: ignore[no-redef]
        """Stand-in for the association section."""

        model_config = ConfigDict(extra="allow")


__all__ = ["AssetPoolConfig", "AssociationConfig", "MappingConfig"]
