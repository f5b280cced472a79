"""An image pool placed into Supabase Storage: bucket, object rows, files, and mapped paths."""

from __future__ import annotations

import random
from pathlib import Path

import psycopg
import pytest

from pytest_supaseed.assets import AssetPool, AssetPoolConfig, MappingConfig, load_pool, map_rows
from pytest_supaseed.assets.storage import plan_objects, write_storage
from pytest_supaseed.errors import AssetError

from .helpers import Col


def image_pool(image_dir: Path) -> AssetPool:
    config = AssetPoolConfig.model_validate(
        {
            "type": "image",
            "path": "setups/**/*.jpg",
            "storage": {"bucket": "setup-images", "folder": "/featured/"},
        }
    )
    return load_pool("setup_images", config, image_dir)


def test_objects_rows_and_local_files(
    supabase_conn: psycopg.Connection, image_dir: Path, tmp_path: Path
) -> None:
    pool = image_pool(image_dir)
    root = tmp_path / "storage"

    objects = write_storage(supabase_conn, pool, local_root=root)

    assert [o.name for o in objects] == ["featured/alpine/camp.jpg", "featured/forest.jpg"]
    bucket = supabase_conn.execute("select id, name, public from storage.buckets").fetchall()
    assert bucket == [("setup-images", "setup-images", False)]
    rows = supabase_conn.execute(
        "select name, metadata->>'mimetype', (metadata->>'size')::int, path_tokens "
        "from storage.objects where bucket_id = 'setup-images' order by name"
    ).fetchall()
    camp = image_dir / "setups/alpine/camp.jpg"
    assert rows[0] == (
        "featured/alpine/camp.jpg",
        "image/jpeg",
        camp.stat().st_size,
        ["featured", "alpine", "camp.jpg"],
    )
    copied = root / "setup-images" / "featured" / "alpine" / "camp.jpg"
    assert copied.read_bytes() == camp.read_bytes()

    again = write_storage(supabase_conn, pool, local_root=root)  # idempotent
    assert len(again) == 2
    count = supabase_conn.execute("select count(*) from storage.objects").fetchone()
    assert count == (2,)


def test_object_path_maps_into_a_column(supabase_conn: psycopg.Connection, image_dir: Path) -> None:
    pool = image_pool(image_dir)
    write_storage(supabase_conn, pool)
    supabase_conn.execute(
        "create table public.setups (id serial primary key, title text, featured_image text)"
    )
    mapping = MappingConfig(
        pool="setup_images",
        table="public.setups",
        fields={"title": "file.stem", "featured_image": "storage.path"},
    )
    rows = map_rows(
        pool, mapping, [Col("title", "text"), Col("featured_image", "text")], random.Random(1)
    )
    with supabase_conn.cursor() as cur:
        cur.executemany(
            "insert into public.setups (title, featured_image) values (%(title)s, %(featured_image)s)",
            rows,
        )
    joined = supabase_conn.execute(
        "select s.title, o.metadata->>'mimetype' from public.setups s "
        "join storage.objects o on o.bucket_id = 'setup-images' and o.name = s.featured_image "
        "order by s.title"
    ).fetchall()
    assert joined == [("camp", "image/jpeg"), ("forest", "image/jpeg")]


def test_pool_without_storage_target_is_an_error(image_dir: Path) -> None:
    pool = load_pool("plain", AssetPoolConfig(type="image", path=["setups/*.jpg"]), image_dir)
    with pytest.raises(AssetError, match=r"pool 'plain' has no storage target"):
        plan_objects(pool)


def test_storage_only_for_image_pools() -> None:
    with pytest.raises(ValueError, match="storage applies to image pools only"):
        AssetPoolConfig.model_validate(
            {"type": "markdown", "path": "*.md", "storage": {"bucket": "b"}}
        )
