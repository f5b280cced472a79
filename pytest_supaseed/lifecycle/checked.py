"""Whether a test session may skip the plan check: the run's plan was already checked against
this base database.

The check (:func:`.schema_check.check_base_schema`: resolve the plan, introspect the base
database, compile the plan against it) costs a run's controller most of its start when nothing
changed. It is skipped only when all of this holds: the base database's schema was remembered
(:data:`~pytest_supaseed.project_dirs.REMEMBERED_SCHEMA_DIR`), the run's request has a valid recorded
resolution (:mod:`.resolution_cache`: every file it read unchanged) and the template database that
resolution names exists; or there is no plan to check (no ``--supaseed-template`` and no plan
file: markers name their own templates, checked when their template databases are built). A
template database is only ever built after its plan passed the check
against its base database (a test session checks before its workers build; ``supaseed seed``
checks before it builds), and its name covers the base database, the plan and the seed: so the
plan passed against this very schema. Needs no plan models.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError
from ..plan_files import find_plan_file
from ..project_dirs import REMEMBERED_SCHEMA_DIR
from .databases import Server, database_exists
from .resolution_cache import default_resolution_cache, request_key
from .template_db import template_db_name

__all__ = ["plan_checked_before"]


def plan_checked_before(
    server: Server,
    base_database: str,
    rootdir: Path,
    template: str | None,
    settings_seed: int | None,
    migrations_dir: str | Path | None,
) -> bool:
    """True when the run's plan (``template``, else the project's plan file) passed the check
    against ``base_database`` before and nothing it read changed since (see the module docstring)."""
    if not (Path(rootdir) / REMEMBERED_SCHEMA_DIR / f"{base_database}.json").is_file():
        return False
    if template is None and not _has_plan_file(Path(rootdir)):
        return True  # nothing to check against the base database
    cache = default_resolution_cache()
    if cache is None:
        return False
    record = cache.lookup(
        request_key(
            template=template,
            customizations=None,
            seed=None,
            settings_seed=settings_seed,
            rootdir=Path(rootdir),
            migrations=migrations_dir,
        )
    )
    if record is None:
        return False
    name = template_db_name(base_database, record.plan_hash, record.seed, record.own_sql)
    return database_exists(server, name)


def _has_plan_file(rootdir: Path) -> bool:
    """Whether plan discovery finds a plan file; several count as one (the check then says so)."""
    try:
        return find_plan_file(rootdir) is not None
    except ConfigError:
        return True
