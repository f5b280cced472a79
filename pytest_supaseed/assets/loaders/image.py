"""Images: metadata from the header (Pillow opens lazily), never the pixels unless asked."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime
from typing import Any

from ..model import AssetProblem
from .base import LoadContext, Parsed, Record

__all__ = ["parse_image"]

_EXIF_IFD = 0x8769
_DATETIME_ORIGINAL = 36867
_DATETIME = 306
_MAKE = 271
_MODEL = 272

# The last bytes a complete file of these formats ends with. Checking them finds a truncated
# download or copy without decoding any pixel (Image.open only reads the header).
_TRAILERS: dict[str, tuple[bytes, ...]] = {
    "JPEG": (b"\xff\xd9",),
    "PNG": (b"IEND\xaeB`\x82",),
    "GIF": (b";",),
}


# How files of common formats begin: a file that starts like one and does not open is damaged.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"RIFF", "WEBP"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)


def _exif_date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def parse_image(data: bytes, rel: str, ctx: LoadContext) -> Parsed:
    """Width, height, format, mode, mimetype, size, sha256, and EXIF date / camera if present."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format or "unknown"
            fields: dict[str, Any] = {
                "width": image.width,
                "height": image.height,
                "format": fmt,
                "mode": image.mode,
                "mimetype": Image.MIME.get(fmt, "application/octet-stream"),
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "exif_date": None,
                "camera": None,
            }
            exif = image.getexif()
            if exif:
                taken = exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
                fields["exif_date"] = _exif_date(taken)
                camera = " ".join(
                    str(exif[tag]).strip("\x00 ") for tag in (_MAKE, _MODEL) if exif.get(tag)
                )
                fields["camera"] = camera or None
            trailers = _TRAILERS.get(fmt)
            if trailers and not data.rstrip(b"\x00\r\n ").endswith(trailers):
                return [], [AssetProblem(rel, f"truncated {fmt} image (the file ends early)")]
            if ctx.config.verify_images:
                image.load()
    except UnidentifiedImageError:
        known = next((fmt for magic, fmt in _MAGIC if data.startswith(magic)), None)
        if known is not None:
            return [], [
                AssetProblem(
                    rel,
                    f"truncated or corrupt {known} image ({len(data)} bytes; it starts like a "
                    f"{known} but Pillow cannot read it): replace or exclude the file",
                )
            ]
        if not data:
            return [], [AssetProblem(rel, "empty file (0 bytes): replace or exclude it")]
        return [], [
            AssetProblem(
                rel, "not an image Pillow can read (its bytes match no known image format)"
            )
        ]
    except (OSError, SyntaxError, ValueError) as exc:
        if "truncat" in str(exc).lower():
            known = next((fmt for magic, fmt in _MAGIC if data.startswith(magic)), "")
            return [], [
                AssetProblem(
                    rel,
                    f"truncated or corrupt {known or 'image'} (the file ends early: {exc}): "
                    "replace or exclude the file",
                )
            ]
        return [], [AssetProblem(rel, f"broken image: {exc}")]
    return [Record(fields)], []
