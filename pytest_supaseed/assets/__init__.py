"""Asset pools: real content (markdown, JSON, CSV, images) loaded, selected and mapped to rows."""

from __future__ import annotations

# The plan package imports this package's config module while it initialises (SeedPlan embeds
# AssetPoolConfig). Initialising the plan package first keeps that cycle in one direction whichever
# of the two a caller imports first.
import pytest_supaseed.config  # noqa: F401  (import order, see above)
