"""Setups (kits of gear) and their photos: the outdoor-platform template's association and pools."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image

from pytest_supaseed.testing import assert_distribution

PHOTOS = Path(__file__).parent.parent / "assets" / "setups"


def test_every_setup_holds_three_to_fifteen_gear_items(supaseed: Any) -> None:
    # From outdoor-platform: 96 setup_gear rows over 12 setups, 3..15 each (gear_to_setups).
    counts = assert_distribution(
        supaseed.conn, "setup_gear", "setup_id", min=3, max=15, total=96, targets="setups"
    )
    assert len(counts) == supaseed.count("setups") == 12


def test_no_setup_lists_the_same_gear_twice(supaseed: Any) -> None:
    rows = supaseed.table("setup_gear")
    assert len({(r["setup_id"], r["gear_id"]) for r in rows}) == len(rows)


def test_setup_photos_come_from_the_jpeg_and_png_pool(supaseed: Any) -> None:
    # asset_pools.setup_images.path = "assets/setups/*.{jpg,png}"
    files = sorted(p for p in PHOTOS.iterdir() if p.suffix in (".jpg", ".png"))
    media = {m["url"]: m for m in supaseed.table("media")}
    assert sorted(media) == [p.name for p in files]
    assert {Path(url).suffix for url in media} == {".jpg", ".png"}
    for path in files:
        with Image.open(path) as image:
            assert (media[path.name]["width"], media[path.name]["height"]) == image.size


def test_public_setups_are_listed_for_visitors(supaseed: Any) -> None:
    public = supaseed.table("setups", where="is_public")
    with supaseed.as_anon():
        listed = supaseed.table("setups")
    assert {s["id"] for s in listed} == {s["id"] for s in public}
