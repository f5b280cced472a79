"""What a seeding run did: rows per table, time per phase, warnings and relaxations."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from .ai.usage import AIUsage


@dataclass
class SeedResult:
    """The outcome of :func:`pytest_supaseed.seed.seed`.

    Attributes:
        seed: the seed every value was derived from.
        rows: rows written per qualified table name, in insert order (users phase first).
        phases: seconds spent per phase (``introspect``, ``users``, one per table, ``cycles``).
        warnings: things that worked but may surprise (a column left NULL, a table skipped).
        relaxations: where the plan could not be met exactly and what was done instead.
        histograms: per association, a summary line and a text histogram of items per target.
        users: email -> user id of the users the users phase created.
        totals: rows each table holds after seeding (seeded tables and every application
            table): ``totals[t] - rows.get(t, 0)`` were made by triggers, migrations or seed files.
        by_triggers: rows the database's own triggers added per table during the run (a signup
            trigger's profiles, MakerKit's personal accounts), not counted in ``rows``.
        ai: what the AI fields cost and did (requests, cache hits, fallbacks), when the plan
            turns AI on; else None.
    """

    seed: int
    rows: dict[str, int] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    relaxations: list[str] = field(default_factory=list)
    histograms: list[str] = field(default_factory=list)
    users: dict[str, uuid.UUID] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    by_triggers: dict[str, int] = field(default_factory=dict)
    ai: AIUsage | None = None

    @property
    def total_rows(self) -> int:
        """Rows written in all tables."""
        return sum(self.rows.values())

    @property
    def strict_problems(self) -> list[str]:
        """What ``strict`` refuses: the warnings, then each relaxation (a plan constraint that
        could not be met exactly), prefixed ``relaxed:``."""
        return [*self.warnings, *(f"relaxed: {r}" for r in self.relaxations)]

    @property
    def total_seconds(self) -> float:
        """Seconds spent in all phases."""
        return sum(self.phases.values())

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict (stored on the template database, sent by xdist workers);
        :meth:`from_json` turns it back into an equal :class:`SeedResult`."""
        return {
            "seed": self.seed,
            "rows": dict(self.rows),
            "phases": dict(self.phases),
            "warnings": list(self.warnings),
            "relaxations": list(self.relaxations),
            "histograms": list(self.histograms),
            "users": {email: str(uid) for email, uid in self.users.items()},
            "totals": dict(self.totals),
            "by_triggers": dict(self.by_triggers),
            "ai": self.ai.to_json() if self.ai is not None else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SeedResult:
        """The :class:`SeedResult` that :meth:`to_json` produced ``data`` from."""
        return cls(
            seed=int(data["seed"]),
            rows={str(k): int(v) for k, v in data.get("rows", {}).items()},
            phases={str(k): float(v) for k, v in data.get("phases", {}).items()},
            warnings=[str(w) for w in data.get("warnings", [])],
            relaxations=[str(r) for r in data.get("relaxations", [])],
            histograms=[str(h) for h in data.get("histograms", [])],
            users={str(k): uuid.UUID(str(v)) for k, v in data.get("users", {}).items()},
            totals={str(k): int(v) for k, v in data.get("totals", {}).items()},
            by_triggers={str(k): int(v) for k, v in data.get("by_triggers", {}).items()},
            ai=_ai_usage(data.get("ai")),
        )

    def summary(self) -> str:
        """A readable multi-line report: one line per table (and rows made by triggers), each
        association's histogram, the AI usage, then warnings and relaxations."""
        width = max((len(t) for t in (*self.rows, *self.by_triggers)), default=5)
        lines = [f"seed {self.seed}: {self.total_rows} rows in {self.total_seconds:.2f} s"]
        for table, count in self.rows.items():
            secs = self.phases.get(table)
            timing = f"  {secs:.2f} s" if secs is not None else ""
            lines.append(f"  {table:<{width}}  {count:>9}{timing}")
        for table, count in self.by_triggers.items():
            lines.append(f"  {table:<{width}}  {count:>9}  made by triggers")
        lines += self.histograms
        if self.ai is not None:
            lines += self.ai.summary_lines()
        lines += [f"warning: {w}" for w in self.warnings]
        lines += [f"relaxed: {r}" for r in self.relaxations]
        return "\n".join(lines)


def _ai_usage(data: Any) -> AIUsage | None:
    """The AI usage of a stored result, None when the run had no AI."""
    if not data:
        return None
    return AIUsage.from_json(dict(data))
