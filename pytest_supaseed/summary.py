"""The ``supaseed`` section of pytest's terminal summary: one line per seeded plan.

Each line says what distinguishes the plan (template, customizations with their values, seed),
the rows the seeder inserted and the rows made otherwise (triggers on ``auth.users``, migrations,
``seed.sql``), whether it was built or reused, and how many relaxations and warnings it had; the
relaxations and warnings follow, one line each. ``-v`` adds rows per table, the association
histograms and the phase timings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .lifecycle.request import describe_customizations
from .seed_result import SeedResult

__all__ = ["SummaryEntry", "describe_customizations", "plural", "summary_lines"]


def plural(n: int, noun: str) -> str:
    """``"1 item"``, ``"2 items"``, ``"1 relaxation"``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@dataclass
class SummaryEntry:
    """One seeded plan of the run, as the summary shows it."""

    label: str
    result: SeedResult
    cache_hit: bool
    build_seconds: float = 0.0
    workers: Sequence[str] = ()
    database: str = ""
    details: list[str] = field(default_factory=list)


def _other_rows(result: SeedResult) -> int:
    """Rows there before the run (migrations, seed files): not inserted, not made by triggers."""
    totals: Mapping[str, int] = result.totals
    made = result.by_triggers
    return sum(max(n - result.rows.get(t, 0) - made.get(t, 0), 0) for t, n in totals.items())


def summary_lines(entries: Sequence[SummaryEntry], *, verbose: bool = False) -> list[str]:
    """The lines of the section, for ``entries`` in the given order."""
    lines: list[str] = []
    for entry in entries:
        result = entry.result
        inserted = result.total_rows
        other = _other_rows(result)
        triggered = sum(result.by_triggers.values())
        made = f" + {triggered} made by triggers" if triggered else ""
        made += f" + {other} from migrations/seed files" if other else ""
        status = "reused" if entry.cache_hit else f"built in {entry.build_seconds:.2f}s"
        workers = [w for w in entry.workers if w != "main"]
        where = f" [{', '.join(workers)}]" if workers else ""
        notes = []
        if result.relaxations:
            notes.append(plural(len(result.relaxations), "relaxation"))
        if result.warnings:
            notes.append(plural(len(result.warnings), "warning"))
        tail = f"; {', '.join(notes)}" if notes else ""
        lines.append(
            f"{entry.label} seed={result.seed}: {plural(inserted, 'row')} inserted{made}, "
            f"{status}{where}{tail}"
        )
        lines += [f"  relaxed: {r}" for r in result.relaxations]
        lines += [f"  warning: {w}" for w in result.warnings]
        ai = getattr(result, "ai", None)
        if ai is not None:  # AI-written columns: requests, cache hits, fallbacks
            lines += [f"  {line}" for line in ai.summary_lines()]
        if verbose:
            totals: Mapping[str, int] = result.totals
            names = list(result.rows) + [t for t in totals if t not in result.rows]
            width = max((len(t) for t in names), default=0)
            for table in names:
                done = result.rows.get(table, 0)
                by_trigger = result.by_triggers.get(table, 0)
                extra = totals.get(table, done) - done - by_trigger
                suffix = f" (+{by_trigger} by triggers)" if by_trigger > 0 else ""
                suffix += f" (+{extra} already there)" if extra > 0 else ""
                lines.append(f"  {table:<{width}} {done:>7}{suffix}")
            for histogram in result.histograms:
                lines += [f"  {line}" for line in histogram.splitlines()]
            if result.phases:
                lines.append(
                    "  phases: " + ", ".join(f"{p} {t:.3f}s" for p, t in result.phases.items())
                )
            if entry.database:
                lines.append(f"  database: {entry.database}")
        lines += [f"  {d}" for d in entry.details]
    return lines
