"""One self-contained HTML page for one or more :class:`SeedReport`: no scripts, no network.

Sections per seeded plan: tables with the rows the seeder inserted, the rows the database's
triggers made while it seeded, and the rows there before (migrations, seed files), association histograms as PNG pictures (Pillow, inlined as ``data:``
URIs), relaxations and warnings, asset pools and their problems, AI usage, timings, and the RLS
matrix with tables without row level security flagged.
"""

from __future__ import annotations

import base64
import html
import io
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..testing.matrix import CALLERS, OPERATIONS
from .collect import AssociationCounts, SeedReport

__all__ = ["histogram_png", "render_html", "write_html"]

_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #1d2330;
       padding: 0 1rem; background: #fafbfc; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid #2d6cdf; }
h3 { margin-top: 1.6rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; background: #fff; }
th, td { border: 1px solid #d5d9e0; padding: .25rem .6rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.allowed { background: #d9f2dd; } .rls { background: #fde2cf; } .grant { background: #f3d4d7; }
.untried { background: #eee; color: #777; }
.flag { color: #b3261e; font-weight: 600; }
.muted { color: #667; } figure { display: inline-block; margin: 0 1.5rem 1rem 0; }
ul.problems li { color: #8a4b00; }
"""

_CELL = {"allowed": "yes", "rls": "no (RLS)", "grant": "no (grant)", "untried": "-"}


def histogram_png(counts: Sequence[int], *, width: int = 360, height: int = 160) -> bytes:
    """A bar chart of how many targets got each number of items, as PNG bytes."""
    tally = Counter(counts)
    low, high = (min(tally), max(tally)) if tally else (0, 0)
    values = list(range(low, high + 1))
    tallest = max(tally.values(), default=1)
    # Pillow on first use: the terminal summary and the CLI import this package without drawing
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    left, bottom, top = 28, height - 18, 8
    draw.line((left, top, left, bottom), fill=(90, 90, 90))
    draw.line((left, bottom, width - 4, bottom), fill=(90, 90, 90))
    slot = (width - left - 8) / max(len(values), 1)
    for index, value in enumerate(values):
        n = tally.get(value, 0)
        x0 = left + 4 + index * slot
        bar_top = bottom - (bottom - top) * n / tallest
        if n:
            draw.rectangle((x0, bar_top, x0 + max(slot - 4, 1), bottom - 1), fill=(45, 108, 223))
        if len(values) <= 20 or index % max(len(values) // 10, 1) == 0:
            draw.text((x0, bottom + 3), str(value), fill=(40, 40, 40))
    draw.text((2, top), str(tallest), fill=(40, 40, 40))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _e(value: object) -> str:
    return html.escape(str(value))


def _list(items: Iterable[str], empty: str) -> str:
    shown = [f"<li>{_e(item)}</li>" for item in items]
    if not shown:
        return f'<p class="muted">{_e(empty)}</p>'
    return '<ul class="problems">' + "".join(shown) + "</ul>"


def _association(assoc: AssociationCounts) -> str:
    png = base64.b64encode(histogram_png(assoc.counts)).decode("ascii")
    low = min(assoc.counts, default=0)
    high = max(assoc.counts, default=0)
    bounds = ""
    if assoc.min_per_target is not None or assoc.max_per_target is not None:
        bounds = f", asked {assoc.min_per_target or 0}..{assoc.max_per_target or '∞'}"
    caption = (
        f"{assoc.name} ({assoc.strategy}): {sum(assoc.counts)} {assoc.items} over "
        f"{len(assoc.counts)} {assoc.targets}, {low}..{high} each{bounds}"
    )
    alt = f"histogram of {assoc.items} per {assoc.targets} row"
    return (
        f'<figure class="histogram" data-association="{_e(assoc.name)}">'
        f'<img src="data:image/png;base64,{png}" alt="{_e(alt)}" width="360" height="160">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _rls(report: SeedReport) -> str:
    if not report.rls:
        return '<p class="muted">No RLS matrix (no tables tried).</p>'
    head = "".join(f'<th colspan="4">{_e(c)}</th>' for c in CALLERS)
    ops = "".join(f"<th>{_e(o)}</th>" for _ in CALLERS for o in OPERATIONS)
    rows = []
    for table, access in report.rls.items():
        flag = "" if access["rls_enabled"] else ' <span class="flag">RLS disabled</span>'
        note = f' <span class="muted">{_e(access["note"])}</span>' if access.get("note") else ""
        cells = []
        for caller in CALLERS:
            for op in OPERATIONS:
                outcome = access.get("cells", {}).get(caller, {}).get(op, "untried")
                cells.append(
                    f'<td class="{outcome}" data-caller="{caller}" data-op="{op}">'
                    f"{_CELL[outcome]}</td>"
                )
        rows.append(
            f'<tr data-table="{_e(table)}" data-rls="{str(access["rls_enabled"]).lower()}">'
            f"<th>{_e(table)}{flag}{note}</th>{''.join(cells)}</tr>"
        )
    who = [
        f"{_e(t)}: owner {_e(a.get('owner') or '-')}, stranger {_e(a.get('stranger') or '-')}"
        for t, a in report.rls.items()
        if a.get("owner")
    ]
    legend = (
        '<p class="muted">Tried on one seeded row per table, in a transaction rolled back: '
        "<b>yes</b> the statement reached the row; <b>no (RLS)</b> row level security filtered "
        "or refused it; <b>no (grant)</b> the role lacks the privilege.</p>"
    )
    return (
        legend
        + f'<table class="rls"><tr><th rowspan="2">table</th>{head}</tr><tr>{ops}</tr>'
        + "".join(rows)
        + "</table><details><summary>owner and stranger per table</summary>"
        + _list(who, "")
        + "</details>"
    )


def _section(report: SeedReport, index: int) -> str:
    inserted = sum(t.inserted for t in report.tables)
    by_triggers = sum(t.by_triggers for t in report.tables)
    before = sum(t.before for t in report.tables)
    table_rows = "".join(
        f'<tr data-table="{_e(t.table)}"><td>{_e(t.table)}</td>'
        f'<td class="num inserted">{t.inserted}</td>'
        f'<td class="num triggers">{t.by_triggers}</td>'
        f'<td class="num migrations">{t.before}</td>'
        f'<td class="num total">{t.total}</td></tr>'
        for t in report.tables
    )
    pools = "".join(
        f'<tr data-pool="{_e(p.name)}"><td>{_e(p.name)}</td><td>{_e(p.type)}</td>'
        f'<td class="num">{p.loaded}</td><td class="num errors">{len(p.errors)}</td></tr>'
        for p in report.pools
    )
    pool_problems = [f"pool '{p.name}': {e}" for p in report.pools for e in p.errors]
    pool_problems += [f"pool '{p.name}': {w}" for p in report.pools for w in p.warnings]
    timings = "".join(
        f'<tr><td>{_e(phase)}</td><td class="num">{seconds * 1000:.1f} ms</td></tr>'
        for phase, seconds in report.phases.items()
    )
    ai = (
        "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in report.ai.items())
        if report.ai
        else ""
    )
    figures = "".join(_association(a) for a in report.associations)
    anchor = f"plan-{index}"
    return f"""
<section class="plan" id="{anchor}" data-label="{_e(report.label)}" data-seed="{report.seed}">
<h2>{_e(report.label)} <span class="muted">seed {report.seed}</span></h2>
<p>{_e(report.description)}</p>
<h3>Tables</h3>
<p>{inserted} rows inserted by the seeder, {by_triggers} made by triggers while it seeded,
{before} there before it (migrations and seed files).</p>
<table class="tables"><tr><th>table</th><th>inserted by the seeder</th><th>made by triggers</th>
<th>from migrations / seed files</th><th>total</th></tr>
{table_rows}</table>
<h3>Associations</h3>
{figures or '<p class="muted">No associations in this plan.</p>'}
<h3>Relaxations</h3>
{_list(report.relaxations, "None: every rule of the plan was met exactly.")}
<h3>Warnings</h3>
{_list(report.warnings, "None.")}
<h3>Asset pools</h3>
{
        '<table class="pools"><tr><th>pool</th><th>type</th><th>loaded</th><th>errors</th></tr>'
        + pools
        + "</table>"
        if pools
        else '<p class="muted">No asset pools.</p>'
    }
{_list(pool_problems, "No problems in any pool.")}
<h3>AI usage</h3>
{'<table class="ai">' + ai + "</table>" if ai else '<p class="muted">AI not used.</p>'}
<h3>Timings</h3>
<table class="timings"><tr><th>phase</th><th>time</th></tr>{timings}</table>
<h3>RLS matrix</h3>
{_rls(report)}
</section>"""


def render_html(
    reports: Sequence[SeedReport], *, title: str = "pytest-supaseed seed report"
) -> str:
    """The whole page for ``reports`` (one section each)."""
    toc = "".join(
        f'<li><a href="#plan-{i}">{_e(r.label)}</a> <span class="muted">seed {r.seed}, '
        f"{sum(t.inserted for t in r.tables)} rows inserted</span></li>"
        for i, r in enumerate(reports)
    )
    sections = "".join(_section(r, i) for i, r in enumerate(reports))
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f'<h1>{_e(title)}</h1><ul class="toc">{toc}</ul>{sections}</body></html>\n'
    )


def write_html(path: str | Path, reports: Sequence[SeedReport], **kwargs: str) -> Path:
    """Write the page atomically (a temporary file renamed over ``path``); returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = render_html(reports, **kwargs)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
