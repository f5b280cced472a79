"""lifecycle/ pieces that need no server: the template database's report round trip, seed
precedence, and names."""

from __future__ import annotations

import json
import uuid

from pytest_supaseed.lifecycle.connections import worker_database_name
from pytest_supaseed.lifecycle.template_db import TemplateDatabase, effective_seed, template_db_name
from pytest_supaseed.seed_result import SeedResult


def test_template_database_round_trips_through_json_as_xdist_sends_it() -> None:
    template_db = TemplateDatabase(
        name="supaseed_tpl_0123456789abcdef",
        label="small + users",
        plan_hash="abc",
        cache_hit=False,
        build_seconds=1.25,
        result=SeedResult(
            seed=7,
            rows={"auth.users": 3, "public.notes": 6},
            phases={"users": 0.5},
            warnings=["w"],
            relaxations=["r"],
            histograms=["h"],
            users={"a@example.com": uuid.UUID(int=5)},
        ),
    )
    again = TemplateDatabase.from_json(json.loads(json.dumps(template_db.to_json())))
    assert again == template_db
    assert again.seed == 7


def test_seed_precedence_is_option_then_marker_then_plan() -> None:
    assert effective_seed(None, None, 3) == 3
    assert effective_seed(5, None, 3) == 5
    assert effective_seed(5, 9, 3) == 9


def test_names_are_content_addressed_and_within_postgres_limits() -> None:
    one = template_db_name("supaseed_base_x", "plan-a", 1)
    assert one == template_db_name("supaseed_base_x", "plan-a", 1)
    assert one != template_db_name("supaseed_base_x", "plan-a", 2)
    assert one != template_db_name("supaseed_base_y", "plan-a", 1)
    assert one.startswith("supaseed_tpl_")
    worker = worker_database_name(one, "gw1")
    assert worker.startswith("supaseed_w_")
    assert worker.endswith("_gw1")
    assert len(worker) <= 63
