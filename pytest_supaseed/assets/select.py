"""Choose which assets of a pool are used: all, random, filtered, manual or weighted.

Every choice draws from the ``random.Random`` passed in (derive it with :func:`pool_rng`), so the
same seed picks the same assets. ``all``, ``manual`` and ``filtered`` without ``count`` involve no
chance at all: they give the same assets for every seed, in pool order (manual: the listed order).
"""

from __future__ import annotations

import calendar
import operator
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from ..config.asset_sections import FilterConfig, SelectionConfig
from ..errors import AssetError
from ..imports import import_object
from .fields import coerce
from .model import MISSING, Asset, resolve
from .pool import AssetPool

__all__ = ["Selection", "matches", "pool_rng", "resolve_bound", "select"]

_DURATION = re.compile(r"^\s*(\d+)\s*(day|week|month|year)s?\s*$", re.IGNORECASE)


def pool_rng(seed: int | str, pool: str) -> random.Random:
    """The random generator of a pool's selection: a function of the plan's seed and pool name."""
    return random.Random(f"{seed}:assets:select:{pool}")


@dataclass(frozen=True)
class Selection:
    """The chosen assets, and how far they fall short of what was asked.

    ``shortfall`` is the number of rows the seeding engine fills with synthetic data.
    """

    pool: str
    assets: list[Asset]
    requested: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def shortfall(self) -> int:
        """How many more assets were asked for than the pool could give."""
        if self.requested is None:
            return 0
        return max(0, self.requested - len(self.assets))

    def __len__(self) -> int:
        return len(self.assets)


def _shift_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def resolve_bound(bound: date | str | None, as_of: date) -> date | None:
    """A filter bound as a date: a date stays, ``'6 months'`` counts back from ``as_of``."""
    if bound is None or isinstance(bound, date):
        return bound
    match = _DURATION.match(bound)
    if not match:
        raise AssetError(f"'{bound}' is not a duration like '30 days' or '6 months'")
    amount, unit = int(match[1]), match[2].lower()
    if unit == "day":
        return as_of - timedelta(days=amount)
    if unit == "week":
        return as_of - timedelta(weeks=amount)
    if unit == "month":
        return _shift_months(as_of, amount)
    return _shift_months(as_of, 12 * amount)


def _as_date(value: Any) -> date | None:
    try:
        result = coerce(value, "date")
    except ValueError:
        return None
    return result if isinstance(result, date) else None


def _comparable(value: Any, bound: Any) -> tuple[Any, Any]:
    # Plans write dates as strings or TOML dates; assets hold dates, datetimes or strings.
    if isinstance(value, datetime | date) or isinstance(bound, datetime | date):
        return _as_date(value), _as_date(bound)
    return value, bound


def _equal(value: Any, expected: Any) -> bool:
    if value == expected:
        return True
    left, right = _comparable(value, expected)
    return left is not None and left == right


def _load_callable(ref: str) -> Callable[[Asset], Any]:
    target = import_object(ref, "filter callable", AssetError)
    if not callable(target):
        raise AssetError(f"filter callable '{ref}' is not callable")
    function: Callable[[Asset], Any] = target
    return function


def matches(asset: Asset, filters: FilterConfig, today: date | None = None) -> bool:
    """True when ``asset`` passes every filter given (see :class:`FilterConfig`)."""
    return _compile_filters(filters, today)(asset)


def _compile_filters(filters: FilterConfig, today: date | None) -> Callable[[Asset], bool]:
    as_of = filters.as_of or today or date.today()
    since = resolve_bound(filters.since, as_of)
    until = resolve_bound(filters.until, as_of)
    patterns = {name: re.compile(rx) for name, rx in filters.regex.items()}
    function = _load_callable(filters.callable) if filters.callable else None
    tags = filters.tags

    def check(asset: Asset) -> bool:
        if since is not None or until is not None:
            day = _as_date(resolve(asset, filters.date_field))
            if day is None:
                return False
            if (since is not None and day < since) or (until is not None and day > until):
                return False
        if tags is not None:
            raw = resolve(asset, tags.field)
            have = {str(t) for t in raw} if isinstance(raw, list | tuple) else set()
            if tags.any and not have.intersection(tags.any):
                return False
            if tags.all and not have.issuperset(tags.all):
                return False
            if tags.none and have.intersection(tags.none):
                return False
        for name, expected in filters.equals.items():
            if not _equal(resolve(asset, name), expected):
                return False
        for name, allowed in filters.in_.items():
            value = resolve(asset, name)
            if not any(_equal(value, option) for option in allowed):
                return False
        for name, pattern in patterns.items():
            value = resolve(asset, name)
            if value is MISSING or value is None or not pattern.search(str(value)):
                return False
        for name, bounds in filters.range.items():
            value = resolve(asset, name)
            if value is MISSING or value is None or isinstance(value, bool):
                return False
            for bound, keep in ((bounds.min, operator.ge), (bounds.max, operator.le)):
                if bound is None:
                    continue
                left, right = _comparable(value, bound)
                try:
                    if left is None or right is None or not keep(left, right):
                        return False
                except TypeError:
                    return False
        return not (function is not None and not function(asset))

    return check


def _weights(pool: AssetPool, assets: Sequence[Asset], config: SelectionConfig) -> list[float]:
    out: list[float] = []
    for asset in assets:
        weight: Any = 1.0
        if config.weight_field:
            value = resolve(asset, config.weight_field)
            if value is not MISSING and value is not None:
                weight = value
        for name in (asset.rel, asset.key, asset.name):
            if name in config.weights:
                weight = config.weights[name]
                break
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            raise AssetError(
                f"pool '{pool.name}': {asset.label} has weight {weight!r} in field "
                f"'{config.weight_field}'; weights must be numbers >= 0"
            )
        out.append(float(weight))
    return out


def _sample(rng: random.Random, assets: Sequence[Asset], count: int, replace: bool) -> list[Asset]:
    if replace:
        return rng.choices(assets, k=count) if assets else []
    return rng.sample(list(assets), min(count, len(assets)))


def select(
    pool: AssetPool,
    selection: SelectionConfig | None = None,
    rng: random.Random | None = None,
    *,
    seed: int | str = 0,
    today: date | None = None,
) -> Selection:
    """Apply ``selection`` (default: the pool's own) to ``pool``.

    ``rng`` defaults to :func:`pool_rng` of ``seed`` and the pool's name. ``today`` is the
    reference day of relative date filters when the plan gives no ``as_of``.
    """
    config = selection if selection is not None else pool.config.selection
    rng = rng if rng is not None else pool_rng(seed, pool.name)
    assets = pool.loaded
    count = config.count
    notes: list[str] = []
    chosen: list[Asset]

    if config.strategy == "all":
        chosen = list(assets if count is None else assets[:count])
    elif config.strategy == "random":
        chosen = _sample(rng, assets, count or 0, config.replace)
    elif config.strategy == "filtered":
        assert config.filters is not None  # guaranteed by SelectionConfig
        check = _compile_filters(config.filters, today)
        kept = [asset for asset in assets if check(asset)]
        notes.append(f"{len(kept)} of {len(assets)} assets pass the filters")
        chosen = kept if count is None else _sample(rng, kept, count, config.replace)
    elif config.strategy == "manual":
        chosen = [asset for name in config.files for asset in pool.find(name)]
        if count is not None:
            chosen = chosen[:count]
    else:  # weighted
        weights = _weights(pool, assets, config)
        total = sum(weights)
        wanted = count or 0
        if assets and total == 0 and wanted:
            raise AssetError(f"pool '{pool.name}': every weight is 0, nothing can be drawn")
        if config.replace:
            chosen = rng.choices(assets, weights=weights, k=wanted) if assets else []
        else:
            # Efraimidis-Spirakis: each asset draws u**(1/w); the largest keys form a weighted
            # sample without replacement. Zero weights never win.
            keyed = [(rng.random() ** (1.0 / w), i) for i, w in enumerate(weights) if w > 0]
            keyed.sort(reverse=True)
            chosen = [assets[i] for _, i in keyed[:wanted]]

    if not assets:
        notes.append(f"pool '{pool.name}' is empty")
    result = Selection(pool.name, chosen, count, notes)
    if result.shortfall:
        notes.append(
            f"asked for {count} assets, pool '{pool.name}' gave {len(chosen)}: "
            f"{result.shortfall} row(s) will be synthetic"
        )
    return result
