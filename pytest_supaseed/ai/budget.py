"""The AI budget of one run: requests and estimated cost, warning thresholds, a hard stop.

Cache hits are free. Before a group of requests is sent, :meth:`Budget.admit` says how many of them
fit: ``max_requests`` and ``max_cost`` minus what is spent and minus what is *reserved* for fields
of a higher priority that still have rows to write (their planned row counts), so high fields get
the budget first, then medium, then low. The cost of a request is ``cost_per_request`` plus its
tokens at the per-million prices (estimated before: prompt characters / 4 and ``max_tokens``;
counted after: the tokens the provider reports).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..config.models import AIBudget

__all__ = ["PRIORITY_RANK", "Budget"]

#: Lower rank, served first.
PRIORITY_RANK = {"high": 0, "medium": 1, "low": 2}


class Budget:
    """Spending so far, and the thresholds already warned about."""

    def __init__(
        self, config: AIBudget, max_tokens: int | None, warn: Callable[[str], None]
    ) -> None:
        self.config = config
        self.max_tokens = max_tokens or 0
        self.warn = warn
        self.requests = 0
        self.cost = 0.0
        self._warned: set[float] = set()

    @property
    def limited(self) -> bool:
        """A limit is set."""
        return self.config.max_requests is not None or self.config.max_cost is not None

    def estimate(self, prompt: str) -> float:
        """Estimated cost of sending ``prompt``."""
        c = self.config
        return (
            c.cost_per_request
            + len(prompt) / 4 * c.cost_per_1m_input_tokens / 1e6
            + self.max_tokens * c.cost_per_1m_output_tokens / 1e6
        )

    def admit(self, prompts: Sequence[str], reserved: int) -> int:
        """How many of ``prompts`` (in order) may be sent, leaving room for ``reserved`` requests
        of higher-priority fields."""
        c = self.config
        admitted, cost = 0, self.cost + reserved * c.cost_per_request
        for prompt in prompts:
            if c.max_requests is not None and self.requests + admitted + reserved >= c.max_requests:
                break
            est = self.estimate(prompt)
            if c.max_cost is not None and cost + est > c.max_cost + 1e-12:
                break
            admitted += 1
            cost += est
        return admitted

    def spend(self, prompt_tokens: int, completion_tokens: int) -> float:
        """Count one request; return its cost."""
        c = self.config
        cost = (
            c.cost_per_request
            + prompt_tokens * c.cost_per_1m_input_tokens / 1e6
            + completion_tokens * c.cost_per_1m_output_tokens / 1e6
        )
        self.requests += 1
        self.cost += cost
        return cost

    def used(self) -> float:
        """The larger of the fractions of ``max_requests`` and ``max_cost`` spent (0 unlimited)."""
        c, fractions = self.config, [0.0]
        if c.max_requests is not None:
            fractions.append(self.requests / c.max_requests if c.max_requests else 1.0)
        if c.max_cost is not None:
            fractions.append(self.cost / c.max_cost if c.max_cost else 1.0)
        return max(fractions)

    def check_thresholds(self) -> None:
        """Warn once for each ``warn_at`` fraction reached."""
        if not self.limited or self.requests == 0:
            return
        used = self.used()
        for threshold in self.config.warn_at:
            if used + 1e-12 >= threshold and threshold not in self._warned:
                self._warned.add(threshold)
                self.warn(
                    f"AI budget {threshold:.0%} reached: {self.spent_text()}"
                    + ("; further requests fall back" if used >= 1 else "")
                )

    def spent_text(self) -> str:
        """``3 of 10 requests, $0.03 of $0.05``."""
        c, parts = self.config, []
        if c.max_requests is not None:
            parts.append(f"{self.requests} of {c.max_requests} requests")
        if c.max_cost is not None:
            parts.append(f"${self.cost:.4f} of ${c.max_cost:.4f}")
        return ", ".join(parts)
