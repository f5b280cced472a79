"""Shared fixtures of the asset tests: the sample folders and a folder of generated images."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

DATA = Path(__file__).parent / "data"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A private copy of tests/assets/data (tests touch files and write caches)."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def _jpeg(path: Path, size: tuple[int, int], color: str, *, exif: bool = False) -> None:
    image = Image.new("RGB", size, color)
    if exif:
        meta = Image.Exif()
        meta[271] = "Canon"
        meta[272] = "EOS R5"
        meta[306] = "2024:05:01 09:00:00"
        meta.get_ifd(0x8769)[36867] = "2024:04:30 18:45:10"
        image.save(path, "JPEG", exif=meta)
    else:
        image.save(path, "JPEG")


@pytest.fixture
def image_dir(tmp_path: Path) -> Path:
    """Images: two good JPEGs (one with EXIF), a PNG, two truncated JPEGs, a text file named .jpg."""
    root = tmp_path / "images"
    (root / "setups" / "alpine").mkdir(parents=True)
    _jpeg(root / "setups" / "alpine" / "camp.jpg", (64, 48), "green", exif=True)
    _jpeg(root / "setups" / "forest.jpg", (32, 32), "brown")
    Image.new("RGBA", (20, 10), "blue").save(root / "setups" / "logo.png")
    whole = root / "setups" / "whole.jpg"
    _jpeg(whole, (80, 60), "red")
    data = whole.read_bytes()
    (root / "setups" / "truncated.jpg").write_bytes(data[: len(data) // 2])
    whole.unlink()
    # Header intact, end missing: Image.open succeeds, only the trailer check can tell.
    noisy = Image.effect_noise((256, 256), 60).convert("RGB")
    noisy.save(root / "setups" / "cut.jpg", "JPEG", quality=95)
    cut = (root / "setups" / "cut.jpg").read_bytes()
    (root / "setups" / "cut.jpg").write_bytes(cut[:-200])
    (root / "setups" / "notes.jpg").write_text("this is not an image\n")
    return root
