"""``distribute()``: put items under targets, constraints first, strategy second.

The construction has three steps, so that satisfiable constraints hold every time:

1. :func:`.constraints.resolve_counts` fixes ``low <= count <= high`` per target and the total
   (relaxing in the documented order, or raising in strict mode).
2. The strategy allocates the counts inside those bounds (:mod:`.placement`).
3. Items fill the slots. With category or date constraints, a feasible integer flow decides how many
   items of each category (and recent/older) each target gets, then items are drawn at random
   within those cells; otherwise items fill slots level by level (everyone's first slot, then
   everyone's second ...), real items first, so synthetic items only fill what the pool cannot.
"""

from __future__ import annotations

import functools
import gc
import math
import random
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ParamSpec, TypeVar

from ..config.association_sections import (
    STRATEGIES,
    AssociationConfig,
    ConstraintsConfig,
    cutoff_date,
)
from ..errors import ConfigError, ConstraintError, did_you_mean
from ..imports import import_object
from . import placement
from .constraints import Relaxation, resolve_counts
from .flow import INF, FlowNetwork

P = ParamSpec("P")
R = TypeVar("R")

Record = Mapping[str, Any]
Weights = str | Mapping[Any, float] | Callable[[Any], float]
CustomStrategy = Callable[[Sequence[Any], Sequence[Any], random.Random], Sequence[Hashable]]

_FREE = "\x00unlisted"  # items whose category has no bounds
_SYN = "\x00synthetic"


@dataclass(frozen=True)
class Distribution:
    """Where every item went, how many synthetic items each target needs, and what was relaxed."""

    strategy: str
    targets: tuple[Hashable, ...]
    assignments: tuple[tuple[Hashable, Hashable], ...]
    """``(item_id, target_id)`` pairs of real items (grouped per target by :meth:`by_target`)."""
    counts: Mapping[Hashable, int]
    """Items per target (real + synthetic), every target included."""
    synthetic: Mapping[Hashable, int]
    """Synthetic items each target needs (only targets that need some)."""
    relaxations: tuple[Relaxation, ...] = ()
    unused: tuple[Hashable, ...] = ()
    """Real items not placed (more items than the constraints take)."""
    low: int = 0
    high: int = 0
    name: str = field(default="")

    @property
    def total(self) -> int:
        """All items placed, real and synthetic."""
        return sum(self.counts.values())

    @property
    def synthetic_total(self) -> int:
        """How many synthetic items the seeder must generate."""
        return sum(self.synthetic.values())

    @property
    def real_total(self) -> int:
        """How many real items were placed."""
        return len(self.assignments)

    def by_target(self) -> dict[Hashable, list[Hashable]]:
        """Real item ids per target id (every target, possibly empty)."""
        out: dict[Hashable, list[Hashable]] = {t: [] for t in self.targets}
        for item, target in self.assignments:
            out[target].append(item)
        return out


def load_callable(spec: str, what: str) -> Callable[..., Any]:
    """Import ``"module:function"``; a ConfigError names what was looked for."""
    fn = import_object(spec, what, ConfigError)
    if not callable(fn):
        raise ConfigError(f"{what} {spec!r} is not callable")
    return fn  # type: ignore[no-any-return]


def _ids(records: Sequence[Any], key: str, what: str) -> list[Hashable]:
    # One type check for the whole sequence: per-record ABC checks cost more than the placement.
    if len(records) and isinstance(records[0], Mapping):
        ids: list[Hashable] = [r[key] for r in records]
    else:
        ids = list(records)
    if len(set(ids)) != len(ids):
        seen: set[Hashable] = set()
        dupe = next(i for i in ids if i in seen or seen.add(i))  # type: ignore[func-returns-value]
        raise ConfigError(f"{what} ids must be unique; {dupe!r} appears more than once")
    return ids


def _weights(spec: Weights | None, targets: Sequence[Any], ids: Sequence[Hashable]) -> list[float]:
    if spec is None:
        return [1.0] * len(targets)
    if isinstance(spec, str) and ":" in spec:
        spec = load_callable(spec, "weights")
    if isinstance(spec, str):
        field_name = spec
        if not all(isinstance(t, Mapping) and field_name in t for t in targets):
            raise ConfigError(f"weights field {field_name!r} is missing from some target records")
        values = [float(t[field_name] or 0) for t in targets]
    elif isinstance(spec, Mapping):
        values = [float(spec.get(i, spec.get(str(i), 0.0))) for i in ids]
    else:
        values = [float(spec(t)) for t in targets]
    if any(v < 0 or math.isnan(v) for v in values):
        raise ConfigError("weights must be >= 0")
    return values


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return datetime.fromisoformat(str(value)).date()
    except ValueError as exc:
        raise ConfigError(f"date_distribution: {value!r} is not an ISO date") from exc


def _level_slots(counts: Sequence[int]) -> list[int]:
    """Target index of every slot: everyone's first slot, then everyone's second, ..."""
    slots: list[int] = []
    active = [i for i, k in enumerate(counts) if k > 0]
    level = 0
    while active:
        slots.extend(active)
        level += 1
        active = [i for i in active if counts[i] > level]
    return slots


def _collector_paused(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` with Python's cyclic garbage collector paused (restored as it was)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return wrapper


# Placing 50,000 items creates ~100,000 small tuples and no reference cycles; the cyclic collector
# scanning them again and again costs ~25% of the run (bench/associate.py).
@_collector_paused
def distribute(
    items: Sequence[Any],
    targets: Sequence[Any],
    *,
    strategy: str = "weighted_random",
    constraints: ConstraintsConfig | None = None,
    seed: int | str = 0,
    name: str = "association",
    strict: bool = False,
    weights: Weights | None = None,
    custom: CustomStrategy | str | None = None,
    synthetic_fallback: bool = True,
    key: str = "id",
) -> Distribution:
    """Distribute ``items`` over ``targets`` under ``constraints``; deterministic for ``(seed, name)``.

    Items and targets are ids, or mappings with a ``key`` field (and the category, date or weight
    fields the constraints name); one kind per sequence, judged by its first element. ``weights`` is a target field name, a ``{target_id: weight}``
    mapping, a callable of a target, or ``"module:function"``. ``custom`` is called as
    ``custom(items, targets, rng)`` and returns one proposed target id per item; the counts it
    implies are fitted into the constraints and items keep their proposed target where they can.
    Strict mode raises :class:`ConstraintError` where relaxed mode records a :class:`Relaxation`.
    """
    c = constraints or ConstraintsConfig()
    _check_strategy_name(strategy)
    rng = random.Random(f"supaseed:{seed}:{name}")
    item_ids = _ids(items, key, "item")
    target_ids = _ids(targets, key, "target")
    n, n_t = len(items), len(targets)
    if strategy == "one_to_one":
        _check_one_to_one(c, n_t)
    plan = resolve_counts(
        n,
        n_t,
        c,
        one_to_one=strategy == "one_to_one",
        synthetic_fallback=synthetic_fallback,
        strict=strict,
    )
    if n_t == 0:
        return Distribution(
            strategy, (), (), {}, {}, tuple(plan.relaxations), tuple(item_ids), name=name
        )
    high = _high_for_duplicates(plan.low, plan.high, plan.total, n, n_t, c)
    counts, proposal = _allocate_counts(
        strategy, items, targets, target_ids, plan.total, plan.low, high, rng, weights, custom
    )
    counts = _repair_for_per_target_shares(counts, c, plan.low, high)
    pairs, synthetic, unused, more = _place_items(
        items, counts, c, rng, strategy, proposal, synthetic_fallback, strict
    )
    return Distribution(
        strategy=strategy,
        targets=tuple(target_ids),
        assignments=tuple((item_ids[i], target_ids[t]) for i, t in pairs),
        counts={t: counts[i] for i, t in enumerate(target_ids)},
        synthetic={target_ids[t]: s for t, s in enumerate(synthetic) if s},
        relaxations=(*plan.relaxations, *more),
        unused=tuple(item_ids[i] for i in sorted(unused)),
        low=plan.low,
        high=plan.high,
        name=name,
    )


def _check_strategy_name(strategy: str) -> None:
    if strategy not in STRATEGIES:
        raise ConfigError(
            f"unknown strategy {strategy!r}{did_you_mean(strategy, STRATEGIES)}; "
            f"choose one of {', '.join(STRATEGIES)}"
        )


def _check_one_to_one(c: ConstraintsConfig, n_targets: int) -> None:
    """'one_to_one' takes no bounds but exactly one item per target."""
    if (
        (c.min_per_target or 1) != 1
        or (c.max_per_target if c.max_per_target is not None else 1) != 1
        or c.total_items not in (None, n_targets)
    ):
        raise ConfigError(
            "strategy 'one_to_one' gives every target exactly one item; drop min_per_target, "
            "max_per_target and total_items (or use even_spread)"
        )


def _high_for_duplicates(
    low: int, high: int, total: int, n: int, n_targets: int, c: ConstraintsConfig
) -> int:
    """The per-target maximum the strategy allocates within: with duplicates allowed, no more than
    the real items where that still reaches the total (reuse real items before asking for
    synthetic ones)."""
    if c.uniqueness == "allow_duplicates" and low <= n and n_targets * min(high, n) >= total:
        return min(high, n)
    return high


def _allocate_counts(
    strategy: str,
    items: Sequence[Any],
    targets: Sequence[Any],
    target_ids: list[Hashable],
    total: int,
    low: int,
    high: int,
    rng: random.Random,
    weights: Weights | None,
    custom: CustomStrategy | str | None,
) -> tuple[list[int], list[int] | None]:
    """The strategy's count per target within ``low..high`` summing to ``total``; and, for
    'custom', the target (index) it proposed for each item."""
    if strategy == "weighted_random":
        counts = placement.weighted_random(
            _weights(weights, targets, target_ids), total, low, high, rng
        )
        return counts, None
    if strategy == "custom":
        proposal = _custom_proposal(custom, items, targets, target_ids, rng)
        desired = [0] * len(target_ids)
        for t in proposal:
            desired[t] += 1
        return placement.fit_counts(desired, total, low, high), proposal
    if strategy == "round_robin":
        return placement.round_robin(len(target_ids), total), None
    return placement.even_spread(len(target_ids), total, rng), None


def _custom_proposal(
    custom: CustomStrategy | str | None,
    items: Sequence[Any],
    targets: Sequence[Any],
    target_ids: list[Hashable],
    rng: random.Random,
) -> list[int]:
    """The custom strategy's proposed target (as an index into ``target_ids``) for each item."""
    if custom is None:
        raise ConfigError("strategy 'custom' needs custom='module:function'")
    fn = load_callable(custom, "custom") if isinstance(custom, str) else custom
    index = {t: i for i, t in enumerate(target_ids)}
    proposed = list(fn(items, targets, rng))
    if len(proposed) != len(items) or any(t not in index for t in proposed):
        raise ConfigError(
            f"custom strategy must return one target id (of the {len(target_ids)} targets) per "
            f"item; got {len(proposed)} values for {len(items)} items"
        )
    return [index[t] for t in proposed]


def _repair_for_per_target_shares(
    counts: list[int], c: ConstraintsConfig, low: int, high: int
) -> list[int]:
    """With per-target category shares: trade items between targets (total and ``low..high``
    kept) so fewer targets get a count no whole number of items per category can fit."""
    cb = c.category_balance
    if cb is None or cb.scope != "per_target":
        return counts
    bounds = cb.bounds.values()

    def holds_shares(k: int) -> bool:
        whole = [_share_bounds(b.min, b.max, k) for b in bounds]
        return all(lo <= hi for lo, hi in whole) and sum(lo for lo, _ in whole) <= k

    return placement.repair_counts(counts, low, high, holds_shares)


def _place_items(
    items: Sequence[Any],
    counts: list[int],
    c: ConstraintsConfig,
    rng: random.Random,
    strategy: str,
    proposal: list[int] | None,
    synthetic_fallback: bool,
    strict: bool,
) -> tuple[list[tuple[int, int]], list[int], list[int], list[Relaxation]]:
    """Fill the counted slots with items: (item, target) index pairs, synthetic items per target,
    the items left unused, and what the category/date placement relaxed."""
    if c.category_balance is not None or c.date_distribution is not None:
        return _place_balanced(items, counts, c, rng, strategy, synthetic_fallback, strict)
    if c.uniqueness == "allow_duplicates":
        return (*_place_duplicates(len(items), counts, rng), [])
    return (*_place_unique(len(items), counts, rng, strategy, proposal), [])


def _place_unique(
    n: int, counts: list[int], rng: random.Random, strategy: str, proposal: list[int] | None
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    order = list(range(n))
    if strategy != "round_robin":
        rng.shuffle(order)
    room = list(counts)
    pairs: list[tuple[int, int]] = []
    rest = order
    if proposal is not None:
        rest = []
        for i in order:
            t = proposal[i]
            if room[t] > 0:
                room[t] -= 1
                pairs.append((i, t))
            else:
                rest.append(i)
    slots = _level_slots(room)
    used = min(len(rest), len(slots))
    pairs.extend(zip(rest[:used], slots[:used]))
    synthetic = [0] * len(counts)
    for t in slots[used:]:
        synthetic[t] += 1
    return pairs, synthetic, rest[used:]


def _place_duplicates(
    n: int, counts: list[int], rng: random.Random
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    pairs: list[tuple[int, int]] = []
    seen: set[int] = set()
    synthetic = [0] * len(counts)
    for t, k in enumerate(counts):
        real = min(k, n)
        chosen = rng.sample(range(n), real)
        seen.update(chosen)
        pairs.extend((i, t) for i in chosen)
        synthetic[t] = k - real
    return pairs, synthetic, [i for i in range(n) if i not in seen]


#: Items per (target, category), including ``_SYN``; and items taken per (category, recent) cell.
_CellCounts = tuple[list[dict[str, int]], dict[tuple[str, bool], int]]


def _place_balanced(
    items: Sequence[Any],
    counts: list[int],
    c: ConstraintsConfig,
    rng: random.Random,
    strategy: str,
    synthetic_fallback: bool,
    strict: bool,
) -> tuple[list[tuple[int, int]], list[int], list[int], list[Relaxation]]:
    """Place items so category shares and the recent share hold (see the module docstring).

    The steps: sort items into (category, recent) cells, solve a flow for how many items of each
    cell each target gets (aimed shares, then the full bounds, then, in relaxed mode, the
    narrowest widening that is feasible), draw the items, and report what was not met as asked.
    """
    balanced = _BalancedPlacement(items, counts, c, rng, strategy, synthetic_fallback)
    per_target, picked = balanced.cell_counts(strict)
    pairs, synthetic, used = balanced.draw_items(per_target, picked)
    unused = [i for i in range(len(items)) if i not in used]
    relaxations = _report(
        pairs,
        counts,
        balanced.cat_of,
        balanced.recent,
        balanced.bounds,
        balanced.cb,
        balanced.dd,
        balanced.since,
        strict,
        balanced.explain,
    )
    return pairs, synthetic, unused, relaxations


class _BalancedPlacement:
    """One category/date-constrained placement: its items sorted into cells, and its flow."""

    def __init__(
        self,
        items: Sequence[Any],
        counts: list[int],
        c: ConstraintsConfig,
        rng: random.Random,
        strategy: str,
        synthetic_fallback: bool,
    ) -> None:
        self.counts = counts
        self.n, self.n_t, self.total = len(items), len(counts), sum(counts)
        self.rng = rng
        self.strategy = strategy
        self.dup = c.uniqueness == "allow_duplicates"
        self.cb, self.dd = c.category_balance, c.date_distribution
        self.bounds = dict(self.cb.bounds) if self.cb else {}
        self.cats: list[str] = [*self.bounds, _FREE]
        self.cats_all = [*self.cats, _SYN]
        self._classify_items(items)
        self._fill_cells()
        self._count_synthetic(synthetic_fallback)
        self.target_order = self._flow_target_order()
        # relaxed mode's first step: round a share to the nearest whole item
        self.rounding = False
        # Which side of a bound relaxation may move: only the side that is in the way, if one is.
        self.side = {"category": "both", "date": "both"}
        # Aim each bounded category at its share of the pool (clamped into its bounds) first, so a
        # pool with 33% technical under "20%-50%" gives ~33% everywhere, not 50% (what the flow
        # would pick first). If aiming makes it infeasible, the full bounds are used.
        self.aim = self.cb is not None
        self.ideal = self._aimed_shares()

    # -- the items -------------------------------------------------------------------------------

    def _classify_items(self, items: Sequence[Any]) -> None:
        """Each item's category (``_FREE`` when unbounded) and whether it is recent."""

        def rec(i: int) -> Record:
            item = items[i]
            return item if isinstance(item, Mapping) else {}

        cb, dd, n = self.cb, self.dd, self.n
        raw = [str(rec(i).get(cb.field)) for i in range(n)] if cb else [_FREE] * n
        self.cat_of: list[str] = [x if x in self.bounds else _FREE for x in raw]
        self.recent = [False] * n
        self.since: date | None = None
        if dd is not None:
            dates = [_as_date(rec(i).get(dd.field)) for i in range(n)]
            known = [d for d in dates if d is not None]
            reference = dd.reference or (max(known) if known else date.today())
            self.since = cutoff_date(reference, dd.cutoff)
            self.recent = [d is not None and d >= self.since for d in dates]

    def _fill_cells(self) -> None:
        """Item indexes per (category, recent) cell, shuffled unless round robin; items per category."""
        self.cells: dict[tuple[str, bool], list[int]] = {
            (k, r): [] for k in self.cats for r in (True, False)
        }
        for i in range(self.n):
            self.cells[(self.cat_of[i], self.recent[i])].append(i)
        if self.strategy != "round_robin":
            for pool in self.cells.values():
                self.rng.shuffle(pool)
        self.avail = {
            k: len(self.cells[(k, True)]) + len(self.cells[(k, False)]) for k in self.cats
        }

    def _count_synthetic(self, synthetic_fallback: bool) -> None:
        """Synthetic items needed: in total (unique items) or per target (duplicates allowed)."""
        n, n_t = self.n, self.n_t
        self.syn_total = max(0, self.total - n) if not self.dup else 0
        self.syn_per_t = [max(0, k - n) for k in self.counts] if self.dup else [0] * n_t
        if not synthetic_fallback:
            self.syn_total, self.syn_per_t = 0, [0] * n_t

    def _flow_target_order(self) -> list[int]:
        """The order targets enter the flow network.

        The flow fills targets in the order their edges were added; a seeded order spreads the
        free choices (which target gets the extra 'news' item) instead of favouring the first ids.
        """
        order = list(range(self.n_t))
        if self.strategy != "round_robin":
            self.rng.shuffle(order)
        return order

    def _aimed_shares(self) -> dict[str, float]:
        """Each bounded category's share of the pool, clamped into its bounds."""
        pool_size = max(1, self.n + self.syn_total)
        return {
            k: min(max(self.avail[k] / pool_size, b.min), b.max) for k, b in self.bounds.items()
        }

    # -- the bounds ------------------------------------------------------------------------------

    def category_bounds(self, k: str, size: int, widen: int) -> tuple[int, int]:
        """Whole items of category ``k`` among ``size``: aimed, rounded or widened as set now."""
        b = self.bounds[k]
        lo, hi = _share_bounds(b.min, b.max, size)
        if self.aim:
            want = self.ideal[k] * size
            narrow = max(lo, math.floor(want + 1e-9)), min(hi, math.ceil(want - 1e-9))
            if narrow[0] <= narrow[1]:
                return narrow
        if lo > hi and self.rounding:
            # 30%-50% of 1 item holds no whole number; 0..1 is the nearest a target can do.
            lo, hi = hi, lo
        return _widened(lo, hi, widen, self.side["category"])

    def recent_bounds(self, widen: int) -> tuple[int, int]:
        """Whole recent items among all, widened by ``widen`` on the side set now."""
        assert self.dd is not None
        share, total = self.dd.recent, self.total
        lo, hi = math.floor(share * total + 1e-9), math.ceil(share * total - 1e-9)
        return _widened(lo, hi, widen, self.side["date"])

    # -- the flow --------------------------------------------------------------------------------

    def solve(self, widen_c: int, widen_d: int) -> _CellCounts | None:
        """Items per (target, category) and per cell meeting the bounds widened so; ``None`` if
        no placement can.

        source -> target (its count) -> category -> recent or older -> sink.
        """
        net = FlowNetwork()
        s, sink, rec_node, old_node = net.node(), net.node(), net.node(), net.node()
        t_nodes = [net.node() for _ in range(self.n_t)]
        c_in = {k: net.node() for k in self.cats_all}
        c_out = {k: net.node() for k in self.cats_all}
        tc = self._target_edges(net, s, t_nodes, c_in, widen_c)
        cc = self._category_edges(net, c_in, c_out, rec_node, old_node, widen_c)
        lo_d, hi_d = self.recent_bounds(widen_d) if self.dd is not None else (0, INF)
        net.edge(rec_node, sink, lo_d, hi_d)
        net.edge(old_node, sink, 0, INF)
        if not net.solve(s, sink):
            return None
        z = [{k: net.flow(e) for k, e in row.items()} for row in tc]
        return z, {key: net.flow(e) for key, e in cc.items()}

    def _target_edges(
        self,
        net: FlowNetwork,
        s: int,
        t_nodes: list[int],
        c_in: Mapping[str, int],
        widen_c: int,
    ) -> list[dict[str, int]]:
        """Edges source -> target (exactly its count) -> category; their ids per target."""
        cb, dup = self.cb, self.dup
        tc: list[dict[str, int]] = [{} for _ in range(self.n_t)]
        for t in self.target_order:
            k_t = self.counts[t]
            net.edge(s, t_nodes[t], k_t, k_t)
            for k in self.cats_all:
                if k == _SYN:
                    lo, hi = (self.syn_per_t[t], self.syn_per_t[t]) if dup else (0, k_t)
                elif cb is not None and cb.scope == "per_target" and k in self.bounds:
                    lo, hi = self.category_bounds(k, k_t, widen_c)
                else:
                    lo, hi = 0, k_t
                if dup and k != _SYN:
                    hi = min(hi, self.avail[k])
                tc[t][k] = net.edge(t_nodes[t], c_in[k], lo, hi)
        return tc

    def _category_edges(
        self,
        net: FlowNetwork,
        c_in: Mapping[str, int],
        c_out: Mapping[str, int],
        rec_node: int,
        old_node: int,
        widen_c: int,
    ) -> dict[tuple[str, bool], int]:
        """Edges through each category (its overall bounds) to recent/older; ids per cell."""
        cb, dup = self.cb, self.dup
        cc: dict[tuple[str, bool], int] = {}
        for k in self.cats_all:
            if k == _SYN:
                lo, hi = (self.syn_total, self.syn_total) if not dup else (0, INF)
            elif cb is not None and cb.scope == "overall" and k in self.bounds:
                lo, hi = self.category_bounds(k, self.total, widen_c)
            else:
                lo, hi = 0, INF
            net.edge(c_in[k], c_out[k], lo, hi)
            for r in (True, False):
                if k == _SYN and r:
                    continue
                cap = INF if dup or k == _SYN else len(self.cells[(k, r)])
                cc[(k, r)] = net.edge(c_out[k], rec_node if r else old_node, 0, cap)
        return cc

    def explain(self) -> list[str]:
        """Why the constraints cannot be met (strict mode's message)."""
        return _explain(
            self.counts,
            self.bounds,
            self.cb,
            self.dd,
            self.avail,
            self.cells,
            self.since,
            self.dup,
            self.syn_total,
        )

    def cell_counts(self, strict: bool) -> _CellCounts:
        """Solve with the aimed shares, then the full bounds; then relax (or raise if strict)."""
        solution = self.solve(0, 0)
        if solution is None and self.aim:
            self.aim = False
            solution = self.solve(0, 0)
        self.aim = False
        if solution is None:
            if strict:
                raise ConstraintError("; ".join(self.explain()))
            solution = self._solve_relaxed()
        return solution

    def _solve_relaxed(self) -> _CellCounts:
        """The flow under the least widened bounds: round tiny shares first, then widen the date
        bound alone, else the category bounds and then what the date bound still needs."""
        big = self.total + 1
        self.rounding = True
        widen_c = widen_d = 0
        if self.solve(0, 0) is not None:
            pass  # rounding tiny per-target shares was enough
        elif (
            self.dd is not None
            and (found := self._narrowest("date", lambda w: self.solve(0, w) is not None, big))
            is not None
        ):
            widen_d = found
        else:
            self.side["date"] = "both"
            widen_c = (
                self._narrowest("category", lambda w: self.solve(w, big) is not None, big) or 0
            )
            if self.dd is not None:
                widen_d = (
                    self._narrowest("date", lambda w: self.solve(widen_c, w) is not None, big) or 0
                )
        solution = self.solve(widen_c, widen_d)
        assert solution is not None, "fully widened bounds are always feasible"
        return solution

    def _narrowest(self, which: str, fn: Callable[[int], bool], big: int) -> int | None:
        """The smallest widening of ``which`` bound that ``fn`` accepts, trying to move only the
        lower bounds, only the upper ones, then both; that side stays set."""
        best: tuple[int, str] | None = None
        for choice in ("down", "up", "both"):
            self.side[which] = choice
            w = _smallest_accepted(fn, big)
            if w is not None and (best is None or w < best[0]):
                best = (w, choice)
        self.side[which] = best[1] if best else "both"
        return best[0] if best else None

    # -- the items drawn -------------------------------------------------------------------------

    def draw_items(
        self, per_target: list[dict[str, int]], picked: dict[tuple[str, bool], int]
    ) -> tuple[list[tuple[int, int]], list[int], set[int]]:
        """``(item, target)`` pairs for the solved counts, synthetic items per target, items used."""
        synthetic = [row.get(_SYN, 0) for row in per_target]
        if self.dup:
            pairs, used = self._draw_with_duplicates(per_target, picked)
        elif self.cb is not None and self.cb.scope == "per_target":
            pairs, used = self._draw_per_target_category(per_target, picked)
        else:
            pairs, synthetic, used = self._spread_chosen(picked)
        return pairs, synthetic, used

    def _spread_chosen(
        self, picked: dict[tuple[str, bool], int]
    ) -> tuple[list[tuple[int, int]], list[int], set[int]]:
        """Only the choice of items is constrained: any slot may take any chosen item, so they
        are spread like unconstrained ones (real items first, level by level)."""
        chosen = sorted(
            i
            for k in self.cats
            for r in (True, False)
            for i in self.cells[(k, r)][: picked[(k, r)]]
        )
        pairs, synthetic, _ = _place_unique(len(chosen), self.counts, self.rng, self.strategy, None)
        return [(chosen[i], t) for i, t in pairs], synthetic, set(chosen)

    def _draw_per_target_category(
        self, per_target: list[dict[str, int]], picked: dict[tuple[str, bool], int]
    ) -> tuple[list[tuple[int, int]], set[int]]:
        """Each target takes its solved number of each category's picked items, in turn."""
        pairs: list[tuple[int, int]] = []
        used: set[int] = set()
        for k in self.cats:
            pool = (
                self.cells[(k, True)][: picked[(k, True)]]
                + self.cells[(k, False)][: picked[(k, False)]]
            )
            if self.strategy != "round_robin":
                self.rng.shuffle(pool)
            pos = 0
            for t in range(self.n_t):
                take = per_target[t][k]
                pairs.extend((i, t) for i in pool[pos : pos + take])
                pos += take
            used.update(pool)
        return pairs, used

    def _draw_with_duplicates(
        self, per_target: list[dict[str, int]], picked: dict[tuple[str, bool], int]
    ) -> tuple[list[tuple[int, int]], set[int]]:
        """Each (target, category) draws distinct items; the recent count per draw is spread so
        the total matches the flow's choice as closely as the cell sizes allow."""
        pairs: list[tuple[int, int]] = []
        used: set[int] = set()
        want = sum(v for (k, r), v in picked.items() if r and k != _SYN)
        spans: list[tuple[int, str, int, int, int]] = []
        for t in range(self.n_t):
            for k in self.cats:
                size = per_target[t][k]
                if size:
                    lo = max(0, size - len(self.cells[(k, False)]))
                    hi = min(size, len(self.cells[(k, True)]))
                    spans.append((t, k, size, lo, hi))
        extra = want - sum(sp[3] for sp in spans)
        for t, k, size, lo, hi in spans:
            add = max(0, min(extra, hi - lo))
            extra -= add
            n_recent = lo + add
            chosen = self.rng.sample(self.cells[(k, True)], n_recent) + self.rng.sample(
                self.cells[(k, False)], size - n_recent
            )
            pairs.extend((i, t) for i in chosen)
            used.update(chosen)
        return pairs, used


def _smallest_accepted(fn: Callable[[int], bool], big: int) -> int | None:
    """The smallest ``w`` in ``0..big`` that ``fn`` (monotone) accepts; ``None`` if not ``big``."""
    if not fn(big):
        return None
    lo, hi = 0, big
    while lo < hi:
        mid = (lo + hi) // 2
        if fn(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def _report(
    pairs: list[tuple[int, int]],
    counts: list[int],
    cat_of: list[str],
    recent: list[bool],
    bounds: Mapping[str, Any],
    cb: Any,
    dd: Any,
    since: date | None,
    strict: bool,
    explain: Callable[[], list[str]],
) -> list[Relaxation]:
    """A Relaxation for every category or date bound the placement does not meet as asked."""
    total = sum(counts)
    out: list[Relaxation] = []
    if cb is not None:
        per_t: list[dict[str, int]] = [{} for _ in counts]
        for i, t in pairs:
            per_t[t][cat_of[i]] = per_t[t].get(cat_of[i], 0) + 1
        for k, b in bounds.items():
            asked = f"{_pct(b.min)}-{_pct(b.max)}"
            if cb.scope == "overall":
                got = sum(row.get(k, 0) for row in per_t)
                lo, hi = _share_bounds(b.min, b.max, total)
                if not lo <= got <= hi:
                    out.append(
                        Relaxation(
                            f"category_balance[{k}]",
                            asked,
                            _pct(got / total if total else 0.0),
                            f"{got} of {total} items; {asked} needs {lo}..{hi}",
                        )
                    )
            else:
                sized = [(row.get(k, 0), kt) for row, kt in zip(per_t, counts) if kt]
                bad = [(g, kt) for g, kt in sized if not _in(g, *_share_bounds(b.min, b.max, kt))]
                if bad:
                    shares = [g / kt for g, kt in sized]
                    out.append(
                        Relaxation(
                            f"category_balance[{k}]",
                            asked,
                            f"{_pct(min(shares))}-{_pct(max(shares))} per target",
                            f"{len(bad)} of {len(sized)} targets cannot hold {asked} {k!r} "
                            f"(e.g. {bad[0][0]} of {bad[0][1]})",
                        )
                    )
    if dd is not None:
        n_recent = sum(1 for i, _ in pairs if recent[i])
        lo, hi = math.floor(dd.recent * total + 1e-9), math.ceil(dd.recent * total - 1e-9)
        if not lo <= n_recent <= hi:
            out.append(
                Relaxation(
                    "date_distribution.recent",
                    _pct(dd.recent),
                    _pct(n_recent / total if total else 0.0),
                    f"{n_recent} of {total} items are dated since {since} (cutoff {dd.cutoff}); "
                    f"{_pct(dd.recent)} needs {lo}..{hi}",
                )
            )
    if out and strict:
        raise ConstraintError("; ".join(explain()))
    return out


def _widened(lo: int, hi: int, widen: int, side: str) -> tuple[int, int]:
    """``[lo, hi]`` with the lower bound moved down and/or the upper moved up by ``widen``."""
    return (
        lo - (widen if side in ("down", "both") else 0),
        hi + (widen if side in ("up", "both") else 0),
    )


def _share_bounds(low: float, high: float, size: int) -> tuple[int, int]:
    """Whole-item counts that make a share of ``size`` lie within ``[low, high]``."""
    return math.ceil(low * size - 1e-9), math.floor(high * size + 1e-9)


def _in(value: int, lo: int, hi: int) -> bool:
    return lo <= value <= hi


def _explain(
    counts: list[int],
    bounds: Mapping[str, Any],
    cb: Any,
    dd: Any,
    avail: Mapping[str, int],
    cells: Mapping[tuple[str, bool], list[int]],
    since: date | None,
    dup: bool,
    syn_total: int,
) -> list[str]:
    """The arithmetic of why category/date constraints cannot be met (strict mode's message)."""
    total = sum(counts)
    why: list[str] = []
    if cb is not None and cb.scope == "overall":
        for k, b in bounds.items():
            need = math.ceil(b.min * total - 1e-9)
            if not dup and need > avail[k]:
                why.append(
                    f"category {k!r} needs >= {_pct(b.min)} of {total} = {need} items, the pool has {avail[k]}"
                )
        cap = sum(
            min(math.floor(b.max * total + 1e-9), avail[k] if not dup else total)
            for k, b in bounds.items()
        )
        cap += (avail[_FREE] if not dup else total) + syn_total
        if cap < total:
            why.append(
                f"the category maximums and unlisted items allow at most {cap} of {total} items"
            )
    if cb is not None and cb.scope == "per_target":
        for size in sorted(set(counts)):
            for k, b in bounds.items():
                if math.ceil(b.min * size - 1e-9) > math.floor(b.max * size + 1e-9):
                    why.append(
                        f"a target with {size} items cannot hold {_pct(b.min)}-{_pct(b.max)} {k!r} ({b.min * size:.2f}..{b.max * size:.2f} items)"
                    )
        if not dup:
            for k, b in bounds.items():
                need = sum(math.ceil(b.min * s - 1e-9) for s in counts)
                if need > avail[k]:
                    why.append(
                        f"category {k!r} needs {need} items over all targets, the pool has {avail[k]}"
                    )
    if dd is not None:
        n_recent = sum(len(v) for (k, r), v in cells.items() if r)
        need = math.floor(dd.recent * total + 1e-9)
        if not dup and need > n_recent:
            why.append(
                f"recent share {_pct(dd.recent)} of {total} = {need} items, only {n_recent} are dated since {since}"
            )
        n_old = sum(len(v) for (k, r), v in cells.items() if not r) + syn_total
        need_old = total - math.ceil(dd.recent * total - 1e-9)
        if not dup and need_old > n_old:
            why.append(
                f"older share {_pct(1 - dd.recent)} of {total} = {need_old} items, only {n_old} are older than {since}"
            )
    return why or [
        "category_balance and date_distribution cannot be met together with these counts"
    ]


def distribute_from_config(
    config: AssociationConfig,
    items: Sequence[Any],
    targets: Sequence[Any],
    seed: int | str,
    *,
    name: str | None = None,
    key: str = "id",
) -> Distribution:
    """:func:`distribute` with every option taken from a plan's :class:`AssociationConfig`.

    ``name`` (the plan's key for this association) names the random stream, so adding another
    association to the plan does not reshuffle this one.
    """
    return distribute(
        items,
        targets,
        strategy=config.strategy,
        constraints=config.constraints,
        seed=seed,
        name=name or config.name or f"{config.items}->{config.targets}.{config.fk_column}",
        strict=config.mode == "strict",
        weights=config.weights,
        custom=config.custom,
        synthetic_fallback=config.synthetic_fallback,
        key=key,
    )
