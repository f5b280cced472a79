"""The flow core on its own, and determinism across interpreter runs."""

from __future__ import annotations

import gc
import os
import subprocess
import sys

import pytest

from pytest_supaseed.associate import ConstraintsConfig, distribute
from pytest_supaseed.associate.flow import FlowNetwork
from pytest_supaseed.errors import ConstraintError


def test_flow_meets_lower_and_upper_bounds() -> None:
    net = FlowNetwork()
    s, a, b, t = (net.node() for _ in range(4))
    sa, sb = net.edge(s, a, 3, 3), net.edge(s, b, 2, 5)
    at, bt = net.edge(a, t, 0, 10), net.edge(b, t, 4, 4)
    assert net.solve(s, t)
    assert [net.flow(e) for e in (sa, sb, at, bt)] == [3, 4, 3, 4]


def test_flow_reports_infeasible_bounds() -> None:
    net = FlowNetwork()
    s, a, t = (net.node() for _ in range(3))
    net.edge(s, a, 5, 5)
    net.edge(a, t, 0, 4)  # 5 must enter a, only 4 may leave
    assert not net.solve(s, t)
    empty = FlowNetwork()
    s, t = empty.node(), empty.node()
    empty.edge(s, t, 3, 2)  # an empty interval
    assert not empty.solve(s, t)


SCRIPT = """
from pytest_supaseed.associate import ConstraintsConfig, distribute
items = [{"id": f"post-{i}", "cat": "abc"[i % 3]} for i in range(60)]
c = ConstraintsConfig(min_per_target=2, max_per_target=9, category_balance={
    "field": "cat", "scope": "per_target", "bounds": {"a": {"min": 0.2, "max": 0.5}}})
d = distribute(items, [f"user-{i}" for i in range(8)], constraints=c, seed="s", name="posts")
print(d.assignments, d.counts)
"""


def test_same_result_in_separate_interpreters_with_different_hash_seeds() -> None:
    outputs = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        result = subprocess.run(
            [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1
    assert "post-" in outputs.pop()


def test_distribute_leaves_the_garbage_collector_as_it_found_it() -> None:
    # distribute() pauses the cyclic collector while it places items (speed), and only then.
    assert gc.isenabled()
    distribute(range(10), range(3))
    assert gc.isenabled()
    with pytest.raises(ConstraintError):
        distribute(range(2), range(3), constraints=ConstraintsConfig(min_per_target=1),
                   strict=True, synthetic_fallback=False)  # fmt: skip
    assert gc.isenabled()
    gc.disable()
    try:
        distribute(range(10), range(3))
        assert not gc.isenabled()
    finally:
        gc.enable()
