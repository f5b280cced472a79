"""The plan's ``[storage.<bucket>]`` sections: buckets and objects owned by the seeded users.

Each seeded user (in email order) gets ``per_user`` files of the bucket's asset pool, chosen by the
run's seed, as ``storage.objects`` rows named ``<user id>/<asset key>`` with ``owner`` and
``owner_id`` set to the user and the metadata Supabase Storage writes on upload. A policy such as
``bucket_id = 'x' and owner = auth.uid()`` then shows each user exactly their own files.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from ..assets.model import Asset
from ..config.models import SeedPlan
from ..errors import ConfigError, did_you_mean
from ..generate.table import derive_rng

__all__ = ["seed_storage"]

#: ``lastModified`` of every seeded object: a fixed instant, so that runs are identical.
LAST_MODIFIED = "2024-01-01T00:00:00.000Z"


def object_metadata(asset: Asset, data: bytes) -> dict[str, Any]:
    """The metadata Supabase Storage writes for an uploaded file (its keys and spelling)."""
    mimetype = asset.fields.get("mimetype") or mimetypes.guess_type(asset.rel)[0]
    return {
        "eTag": f'"{hashlib.md5(data, usedforsecurity=False).hexdigest()}"',
        "size": len(data),
        "mimetype": mimetype or "application/octet-stream",
        "cacheControl": "max-age=3600",
        "lastModified": LAST_MODIFIED,
        "contentLength": len(data),
        "httpStatusCode": 200,
    }


def seed_storage(
    conn: psycopg.Connection[Any],
    plan: SeedPlan,
    users: Mapping[str, Any],
    load_pool: Callable[[str], Any],
    run_seed: int,
) -> int:
    """Create the plan's buckets and each user's objects; the number of objects written."""
    written = 0
    row = conn.execute("select to_regclass('storage.objects') is not null").fetchone()
    if plan.storage and not (row and row[0]):
        raise ConfigError(
            "storage: the database has no storage.objects table; [storage] sections need a "
            "Supabase database (the plugin's Supabase layer or a real project)."
        )
    for bucket, config in sorted(plan.storage.items()):
        if config.pool not in plan.asset_pools:
            raise ConfigError(
                f"storage.{bucket}.pool: no asset pool '{config.pool}'"
                f"{did_you_mean(config.pool, list(plan.asset_pools))}; define it under "
                f"[asset_pools.{config.pool}] or name an existing one."
            )
        assets = sorted(load_pool(config.pool).loaded, key=lambda a: a.key)
        if config.per_user and not assets:
            raise ConfigError(f"storage.{bucket}.pool: asset pool '{config.pool}' has no files.")
        conn.execute(
            "insert into storage.buckets (id, name, public) values (%s, %s, %s) "
            "on conflict (id) do nothing",
            (bucket, bucket, config.public),
        )
        rows: list[tuple[Any, ...]] = []
        for email in sorted(users):
            uid = str(users[email])
            rng = derive_rng(run_seed, "storage", bucket, email)
            if config.per_user <= len(assets):
                chosen = rng.sample(assets, config.per_user)
            else:
                chosen = [rng.choice(assets) for _ in range(config.per_user)]
            for n, asset in enumerate(chosen):
                data = Path(asset.path).read_bytes()
                name = f"{uid}/{asset.key}" if asset not in chosen[:n] else f"{uid}/{n}-{asset.key}"
                rows.append((bucket, name, uid, uid, Jsonb(object_metadata(asset, data))))
        with conn.cursor() as cur:
            cur.executemany(
                "insert into storage.objects (bucket_id, name, owner, owner_id, metadata) "
                "values (%s, %s, %s, %s, %s)",
                rows,
            )
        written += len(rows)
    return written
