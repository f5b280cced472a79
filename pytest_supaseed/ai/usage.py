"""The usage report of one seeding run: requests, cache hits, cost, fallbacks per field and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["AIUsage", "FieldUsage"]


@dataclass
class FieldUsage:
    """One AI field's share: answers from the model and the cache, and fallbacks by reason."""

    priority: str
    fallback: str
    requests: int = 0
    cache_hits: int = 0
    written: int = 0
    fallbacks: dict[str, int] = field(default_factory=dict)

    @property
    def fallback_count(self) -> int:
        """Rows that got the fallback value."""
        return sum(self.fallbacks.values())

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return dict(self.__dict__)


@dataclass
class AIUsage:
    """What the AI part of a run did (``SeedResult.ai``).

    Attributes:
        provider, model, base_url: who was asked.
        requests: model calls made (each counts against ``max_requests``).
        cache_hits: answers taken from the cache (free).
        cost: estimated cost (USD) of the calls, from ``cost_per_request`` and token prices.
        prompt_tokens, completion_tokens: as the provider reported them.
        fields: per ``table.column``.
        notices: one line per event that switched fields to their fallbacks (unreachable, slow).
    """

    provider: str
    model: str
    base_url: str
    requests: int = 0
    cache_hits: int = 0
    cost: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    fields: dict[str, FieldUsage] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)

    @property
    def fallbacks(self) -> int:
        """Rows of every field that got the fallback value."""
        return sum(f.fallback_count for f in self.fields.values())

    def summary_lines(self) -> list[str]:
        """The report as text lines (the seed summary's ``ai`` block)."""
        lines = [
            f"ai {self.provider}/{self.model}: {self.requests} requests, {self.cache_hits} cache "
            f"hits, {self.fallbacks} fallbacks, cost ${self.cost:.4f}"
        ]
        for name, f in self.fields.items():
            why = ", ".join(f"{n} {reason}" for reason, n in sorted(f.fallbacks.items()))
            lines.append(
                f"  {name} [{f.priority}]: {f.written} written ({f.requests} requests, "
                f"{f.cache_hits} cached), {f.fallback_count} fallback {f.fallback}"
                + (f" ({why})" if why else "")
            )
        lines += [f"  notice: {n}" for n in self.notices]
        return lines

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict (stored with a template's report)."""
        data = dict(self.__dict__)
        data["fields"] = {k: f.to_json() for k, f in self.fields.items()}
        data["notices"] = list(self.notices)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AIUsage:
        """The inverse of :meth:`to_json`."""
        values = dict(data)
        fields = {k: FieldUsage(**v) for k, v in dict(values.pop("fields", {})).items()}
        return cls(**values, fields=fields)
