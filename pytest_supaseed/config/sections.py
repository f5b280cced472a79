"""Plan sections defined by other areas, gathered in one place for :mod:`.models`.

Asset pools and mappings belong to :mod:`pytest_supaseed.assets.config`, associations to
:mod:`pytest_supaseed.associate.config`: each lives next to the code that reads it.
"""

from __future__ import annotations

from pytest_supaseed.assets.config import AssetPoolConfig, MappingConfig
from pytest_supaseed.associate.config import AssociationConfig

__all__ = ["AssetPoolConfig", "AssociationConfig", "MappingConfig"]
