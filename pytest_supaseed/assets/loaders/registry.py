"""The parser of each asset pool type."""

from __future__ import annotations

from collections.abc import Callable

from ...config.asset_sections import AssetType
from .base import LoadContext, Parsed
from .csvfile import parse_csv
from .image import parse_image
from .jsonfile import parse_json
from .markdown import parse_markdown

__all__ = ["PARSERS"]

#: The parser of each pool type.
PARSERS: dict[AssetType, Callable[[bytes, str, LoadContext], Parsed]] = {
    "markdown": parse_markdown,
    "json": parse_json,
    "csv": parse_csv,
    "image": parse_image,
}
