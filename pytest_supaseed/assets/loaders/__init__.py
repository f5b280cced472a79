"""One parser per asset type: bytes of a file in, records and problems out.

Parsers are pure functions of the file's bytes and the pool's settings, which is what makes their
results safe to cache by (path, size, mtime). The names below load on first use
(:mod:`pytest_supaseed.lazy_exports`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...lazy_exports import lazy_package

if TYPE_CHECKING:
    from .base import LoadContext, Parsed, Record
    from .registry import PARSERS

__all__ = ["PARSERS", "LoadContext", "Parsed", "Record"]

lazy_package(
    __name__,
    {
        ".base": ("LoadContext", "Parsed", "Record"),
        ".registry": ("PARSERS",),
    },
)
