"""xdist workers on another host never get the controller's loopback-only embedded server: they
start their own (unless an external server is given). 'Another host' is simulated by rewriting the
host the controller reports, which is what a worker behind ``--tx ssh=...`` sees."""

from __future__ import annotations

import json

CONFTEST = """
import pytest

@pytest.hookimpl(trylast=True, optionalhook=True)
def pytest_configure_node(node):
    # What a worker on another machine receives: the controller's hostname is not its own.
    data = node.workerinput["supaseed_server"]
    if "host" in data:
        data["host"] = "controller-elsewhere"
"""

TESTS = """
import json, os

def test_where(supaseed_server, supaseed_worker_id, supaseed_db):
    assert supaseed_db.execute("select count(*) from notes").fetchone() == (0,)
    with open(f"server-{supaseed_worker_id}.json", "w") as fh:
        json.dump({"owned": supaseed_server.owned, "dsn": supaseed_server.dsn,
                   "backend": supaseed_server.backend}, fh)

def test_where_again(supaseed_server, supaseed_worker_id):
    assert supaseed_server.backend == "embedded"
"""


def test_workers_on_another_host_start_their_own_server(project) -> None:
    project.pytester.makeconftest(CONFTEST)
    project.tests(TESTS)
    result = project.run("-p", "no:randomly", "-n", "2", "--dist", "each")
    result.assert_outcomes(passed=4)
    seen = [json.loads(p.read_text()) for p in sorted(project.root.glob("server-gw*.json"))]
    assert len(seen) == 2
    assert all(entry["owned"] for entry in seen), seen  # each worker started its server
    assert seen[0]["dsn"] != seen[1]["dsn"], seen  # two servers, not the controller's one


def test_local_workers_share_the_controllers_server(project) -> None:
    project.tests(TESTS)
    result = project.run("-p", "no:randomly", "-n", "2", "--dist", "each")
    result.assert_outcomes(passed=4)
    seen = [json.loads(p.read_text()) for p in sorted(project.root.glob("server-gw*.json"))]
    assert len(seen) == 2
    assert not any(entry["owned"] for entry in seen), seen
    assert seen[0]["dsn"] == seen[1]["dsn"], seen
