"""The HTML seed report: what was seeded, how it is spread, and who may touch it (RLS matrix)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_exports import lazy_package

if TYPE_CHECKING:
    from .collect import AssociationCounts, PoolReport, SeedReport, TableCount, collect_report
    from .html import histogram_png, render_html, write_html


__all__ = [
    "AssociationCounts",
    "PoolReport",
    "SeedReport",
    "TableCount",
    "collect_report",
    "histogram_png",
    "render_html",
    "write_html",
]

lazy_package(
    __name__,
    {
        ".collect": (
            "AssociationCounts",
            "PoolReport",
            "SeedReport",
            "TableCount",
            "collect_report",
        ),
        ".html": ("histogram_png", "render_html", "write_html"),
    },
)
