"""Progress of a seeding run: a rich bar per table on a terminal, nothing elsewhere.

Under pytest, or when stderr is not a terminal (CI logs, pipes), progress is silent: a bar would
only garble captured output.
"""

from __future__ import annotations

import os
import sys
from types import TracebackType
from typing import Any, Protocol

#: Tables with fewer rows than this get no bar: they finish before one would be readable.
MIN_ROWS_FOR_BAR = 20_000


class Progress(Protocol):
    """Receives progress events from the seeding engine."""

    def start(self, table: str, total: int) -> None:
        """``table`` is about to receive ``total`` rows."""

    def advance(self, rows: int) -> None:
        """``rows`` more rows of the current table were written."""

    def finish(self) -> None:
        """The current table is done."""


class SilentProgress:
    """Progress that shows nothing."""

    def start(self, table: str, total: int) -> None:
        """Ignore."""

    def advance(self, rows: int) -> None:
        """Ignore."""

    def finish(self) -> None:
        """Ignore."""

    def view(self) -> SilentProgress:
        """Progress of one more table written at the same time (another connection)."""
        return SilentProgress()

    def __enter__(self) -> SilentProgress:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None


class RichProgress:
    """One rich progress bar per large table, on stderr."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            _rate_column(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._task: Any = None

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._progress.stop()

    def start(self, table: str, total: int) -> None:
        """Add a bar for ``table`` when it is large enough to be worth one."""
        self._task = (
            self._progress.add_task(table, total=total) if total >= MIN_ROWS_FOR_BAR else None
        )

    def advance(self, rows: int) -> None:
        """Move the current bar."""
        if self._task is not None:
            self._progress.advance(self._task, rows)

    def finish(self) -> None:
        """Leave the finished bar on screen."""
        self._task = None

    def view(self) -> RichProgress:
        """Progress of one more table written at the same time (another connection): its own
        bar on the same display (rich's display is thread-safe)."""
        other = RichProgress.__new__(RichProgress)
        other._progress = self._progress
        other._task = None
        return other


def _rate_column() -> Any:
    from rich.progress import ProgressColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """Rows per second of a bar."""

        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f} rows/s" if speed else "", style="progress.data.speed")

    return RateColumn()


def progress_for(enabled: bool | None = None) -> RichProgress | SilentProgress:
    """Rich bars when ``enabled`` (default: stderr is a terminal and pytest is not running)."""
    if enabled is None:
        enabled = sys.stderr.isatty() and "PYTEST_CURRENT_TEST" not in os.environ
    return RichProgress() if enabled else SilentProgress()
