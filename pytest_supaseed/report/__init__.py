"""The HTML seed report: what was seeded, how it is spread, and who may touch it (RLS matrix)."""

from __future__ import annotations

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
