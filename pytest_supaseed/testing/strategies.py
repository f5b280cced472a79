"""Hypothesis strategies for seeded data, for use with ``@given``.

- ``from_pool(pool)``: assets of a loaded pool, shrinking toward the first one;
- ``mapped_rows(pool, mapping, columns)``: rows as a mapping would insert them;
- ``rows(table, parents=None)``: rows valid for an introspected table (types, lengths, enums,
  uniques within an example, foreign keys drawn from given parent keys).

Hypothesis is imported when one of these is first used, never when this module is imported; it
comes with the ``hypothesis`` extra (``pip install 'pytest-supaseed[hypothesis]'``).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "from_pool": "pytest_supaseed.assets.strategies",
    "mapped_rows": "pytest_supaseed.assets.strategies",
    "rows": "pytest_supaseed.generate.strategies",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != "hypothesis":
            raise
        raise ModuleNotFoundError(
            f"pytest_supaseed.testing.strategies.{name} needs Hypothesis, which is not installed: "
            "pip install 'pytest-supaseed[hypothesis]'",
            name="hypothesis",
        ) from None
    return getattr(loaded, name)
