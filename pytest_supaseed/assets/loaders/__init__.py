"""One parser per asset type: bytes of a file in, records and problems out.

Parsers are pure functions of the file's bytes and the pool's settings, which is what makes their
results safe to cache by (path, size, mtime).
"""

from __future__ import annotations

from collections.abc import Callable

from ...config.asset_sections import AssetType
from .base import LoadContext, Parsed, Record
from .csvfile import parse_csv
from .image import parse_image
from .jsonfile import parse_json
from .markdown import parse_markdown

__all__ = ["PARSERS", "LoadContext", "Parsed", "Record"]

#: The parser of each pool type.
PARSERS: dict[AssetType, Callable[[bytes, str, LoadContext], Parsed]] = {
    "markdown": parse_markdown,
    "json": parse_json,
    "csv": parse_csv,
    "image": parse_image,
}
