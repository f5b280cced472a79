"""Structured logs: events on the ``pytest_supaseed`` logger, JSON lines on stderr, pytest's capture."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest

from pytest_supaseed.seed import seed

SCHEMA = """
create table teams (id uuid primary key, name text not null);
create table people (id uuid primary key, name text not null);
create table memberships (
    team_id uuid not null references teams(id),
    person_id uuid not null references people(id),
    primary key (team_id, person_id));
"""
PLAN = "seed = 4\n[tables.teams]\ncount = 3\n[tables.people]\ncount = 4\n[tables.memberships]\ncount = 20\n"


def events(caplog: pytest.LogCaptureFixture, name: str) -> list[dict[str, Any]]:
    return [
        r.supaseed  # type: ignore[attr-defined]
        for r in caplog.records
        if getattr(r, "supaseed", {}).get("event") == name
    ]


def test_pytest_log_capture_shows_phases_tables_and_relaxations(
    fresh_conn: psycopg.Connection[Any], fresh_db: str, caplog: pytest.LogCaptureFixture
) -> None:
    fresh_conn.execute(SCHEMA)
    caplog.set_level(logging.INFO, logger="pytest_supaseed")
    result = seed(
        {
            "seed": 4,
            "tables": {"teams": {"count": 3}, "people": {"count": 4}, "memberships": {"count": 20}},
        },
        fresh_db,
        progress=False,
    )
    tables = {e["table"]: e for e in events(caplog, "table")}
    assert {t: e["rows"] for t, e in tables.items()} == result.rows
    assert all(e["duration_ms"] >= 0 for e in tables.values())
    assert [e["phase"] for e in events(caplog, "phase")] == ["introspect"]
    (relaxed,) = events(caplog, "relaxation")
    assert relaxed["table"] == "public.memberships"
    assert "dropped" in caplog.text
    (done,) = events(caplog, "seed")
    assert done["rows"] == result.total_rows
    # readable in pytest's own report too
    assert "public.memberships:" in caplog.text


@pytest.mark.parametrize("how", ["env", "flag"])
def test_json_logs_on_stderr_one_object_per_line(
    fresh_conn: psycopg.Connection[Any], fresh_db: str, tmp_path: Path, how: str
) -> None:
    fresh_conn.execute(SCHEMA)
    plan = tmp_path / "supaseed.toml"
    plan.write_text(PLAN)
    env = {**os.environ, "SUPASEED_LOG": "json" if how == "env" else ""}
    flag = ["--log-json"] if how == "flag" else []
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pytest_supaseed.cli import main; sys.exit(main())",
            *flag,
            "seed",
            "--plan",
            str(plan),
            "--dsn",
            fresh_db,
            "--rootdir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stderr.splitlines()
    parsed = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all("event" in p and "message" in p for p in parsed)
    by_event: dict[str, list[dict[str, Any]]] = {}
    for p in parsed:
        by_event.setdefault(p["event"], []).append(p)
    assert sorted(p["table"] for p in by_event["table"]) == [
        "public.memberships",
        "public.people",
        "public.teams",
    ]
    assert all(isinstance(p["rows"], int) and p["duration_ms"] >= 0 for p in by_event["table"])
    assert by_event["relaxation"][0]["table"] == "public.memberships"
    assert by_event["seed"][0]["rows"] == sum(p["rows"] for p in by_event["table"])
    assert "seed 4:" in out.stdout  # the summary stays on stdout


def test_json_errors_are_json_too(fresh_db: str, tmp_path: Path) -> None:
    plan = tmp_path / "supaseed.toml"
    plan.write_text("[tables.nowhere]\ncount = 1\n")
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pytest_supaseed.cli import main; sys.exit(main())",
            "--log-json",
            "seed",
            "--plan",
            str(plan),
            "--dsn",
            fresh_db,
            "--rootdir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 1
    parsed = [json.loads(line) for line in out.stderr.splitlines()]
    assert parsed[-1]["event"] == "error"
    assert "nowhere" in parsed[-1]["message"]
