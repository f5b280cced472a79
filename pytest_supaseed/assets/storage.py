"""Put an image pool into Supabase Storage: bucket and object rows, and the files on disk.

Rows in ``storage.objects`` alone make the API list files it cannot serve, so the files are also
copied into a local folder laid out as ``<root>/<bucket>/<object name>``, the layout the Supabase
CLI seeds buckets from. The object name (``<folder>/<key>``) is what a mapping writes into a column
with ``storage.path`` (``setups.featured_image = "storage.path"``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import AssetError
from .mapping import storage_path
from .model import Asset
from .pool import AssetPool

if TYPE_CHECKING:
    import psycopg

__all__ = ["StoredObject", "plan_objects", "write_storage"]


@dataclass(frozen=True)
class StoredObject:
    """One asset as a Storage object: where it goes and the metadata Supabase keeps for it."""

    bucket: str
    name: str
    source: Path
    metadata: dict[str, Any]


def plan_objects(pool: AssetPool, assets: Sequence[Asset] | None = None) -> list[StoredObject]:
    """The objects ``pool`` (its selected ``assets``, all by default) becomes; reads each file once."""
    target = pool.config.storage
    if target is None:
        raise AssetError(
            f"pool '{pool.name}' has no storage target; add storage = {{ bucket = \"...\" }}"
        )
    objects: list[StoredObject] = []
    seen: set[str] = set()
    for asset in pool.loaded if assets is None else assets:
        name = storage_path(pool, asset)
        if name in seen:
            continue
        seen.add(name)
        source = Path(asset.path)
        data = source.read_bytes()
        modified = datetime.fromtimestamp(source.stat().st_mtime, UTC)
        # The keys and spelling of the metadata Supabase Storage writes on upload.
        metadata = {
            "eTag": f'"{hashlib.md5(data, usedforsecurity=False).hexdigest()}"',
            "size": len(data),
            "mimetype": asset.fields.get("mimetype", "application/octet-stream"),
            "cacheControl": "max-age=3600",
            "lastModified": modified.isoformat().replace("+00:00", "Z"),
            "contentLength": len(data),
            "httpStatusCode": 200,
        }
        objects.append(StoredObject(target.bucket, name, source, metadata))
    return objects


def _copy(source: Path, dest: Path) -> None:
    try:
        src_stat, dest_stat = source.stat(), dest.stat()
        if dest_stat.st_size == src_stat.st_size and dest_stat.st_mtime_ns >= src_stat.st_mtime_ns:
            return  # already there from an earlier run
    except FileNotFoundError:
        pass
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp")
    shutil.copy2(source, tmp)
    os.replace(tmp, dest)


def write_storage(
    conn: psycopg.Connection[Any],
    pool: AssetPool,
    assets: Sequence[Asset] | None = None,
    *,
    local_root: str | Path | None = None,
) -> list[StoredObject]:
    """Create the pool's bucket and one ``storage.objects`` row per asset; copy the files.

    Idempotent: the bucket is created when missing and an object that exists is updated. Files go
    to ``<local_root>/<bucket>/<object name>`` when ``local_root`` is given.
    """
    from psycopg.types.json import Jsonb

    target = pool.config.storage
    objects = plan_objects(pool, assets)
    assert target is not None  # plan_objects raised otherwise
    with conn.cursor() as cur:
        cur.execute(
            "insert into storage.buckets (id, name, public) values (%s, %s, %s) "
            "on conflict (id) do nothing",
            (target.bucket, target.bucket, target.public),
        )
        cur.executemany(
            "insert into storage.objects (bucket_id, name, metadata) values (%s, %s, %s) "
            "on conflict (bucket_id, name) do update set metadata = excluded.metadata",
            [(obj.bucket, obj.name, Jsonb(obj.metadata)) for obj in objects],
        )
    if local_root is not None:
        root = Path(local_root)
        for obj in objects:
            _copy(obj.source, root / obj.bucket / obj.name)
    return objects
