"""The folders pytest-supaseed keeps inside a project, all under ``.supaseed/`` in the rootdir
(or a plan's directory): a leaf module, so that code which only asks whether one of them holds a
file (say, a run checking whether its base database's schema was remembered) loads nothing else.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "AI_CACHE_DIR",
    "ASSET_CACHE_DIR",
    "BACKUP_DIR",
    "PROJECT_DIR",
    "REMEMBERED_SCHEMA_DIR",
]

#: The plugin's folder in a project; file listings skip it.
PROJECT_DIR = Path(".supaseed")
#: The schema of each base database a test session or ``supaseed seed`` used, as last seen
#: (:mod:`pytest_supaseed.schema.drift`).
REMEMBERED_SCHEMA_DIR = PROJECT_DIR / "schema"
#: Answers of AI providers (:mod:`pytest_supaseed.ai.cache`), unless the plan says otherwise.
AI_CACHE_DIR = PROJECT_DIR / "ai-cache"
#: Parse caches of asset pools (:mod:`pytest_supaseed.assets.pool`), relative to their base
#: directory, unless the pool says otherwise.
ASSET_CACHE_DIR = PROJECT_DIR / "cache" / "assets"
#: Backups of plan files ``supaseed update`` edits, under the plan file's directory.
BACKUP_DIR = PROJECT_DIR / "backups"
