"""SeedResult's report and the progress display choice."""

from __future__ import annotations

import pytest

from pytest_supaseed.seed.progress import (
    MIN_ROWS_FOR_BAR,
    RichProgress,
    SilentProgress,
    progress_for,
)
from pytest_supaseed.seed_result import SeedResult


def test_summary_lists_tables_times_warnings_and_relaxations() -> None:
    result = SeedResult(
        seed=3,
        rows={"auth.users": 4, "public.notes": 25},
        phases={"introspect": 0.01, "public.notes": 0.5},
        warnings=["public.notes.editor_id left NULL"],
        relaxations=["public.profiles: seeded 4"],
    )
    text = result.summary()
    assert text.splitlines()[0] == "seed 3: 29 rows in 0.51 s"
    assert "public.notes         25  0.50 s" in text
    assert "warning: public.notes.editor_id left NULL" in text
    assert "relaxed: public.profiles: seeded 4" in text
    assert result.total_rows == 29


def test_progress_is_silent_under_pytest_and_rich_when_asked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert isinstance(progress_for(), SilentProgress)  # PYTEST_CURRENT_TEST is set here
    with progress_for(True) as bars:
        assert isinstance(bars, RichProgress)
        bars.start("public.big", MIN_ROWS_FOR_BAR)
        bars.advance(MIN_ROWS_FOR_BAR)
        bars.finish()
        bars.start("public.small", 10)  # too small for a bar
        bars.finish()
    err = capsys.readouterr().err
    assert "public.big" in err
    assert "public.small" not in err


def test_to_json_and_from_json_round_trip_losslessly() -> None:
    import json
    import uuid

    result = SeedResult(
        seed=12,
        rows={"auth.users": 2, "public.notes": 5},
        phases={"introspect": 0.25, "public.notes": 1.5},
        warnings=["w"],
        relaxations=["association 'tags': r"],
        histograms=["tags: 5 over 2\n  1 | ##"],
        users={"a@example.com": uuid.UUID(int=1), "b@example.com": uuid.UUID(int=2)},
    )
    again = SeedResult.from_json(json.loads(json.dumps(result.to_json())))
    assert again == result
    assert list(again.rows) == list(result.rows)  # insert order kept
