"""Hypothesis strategies for seeded data, for use with ``@given``.

- ``from_pool(pool)``: assets of a loaded pool, shrinking toward the first one;
- ``mapped_rows(pool, mapping, columns)``: rows as a mapping would insert them;
- ``rows(table, parents=None)``: rows valid for an introspected table (types, lengths, enums,
  uniques within an example, foreign keys drawn from given parent keys).

They are defined in :mod:`pytest_supaseed.assets.hypothesis_pools` and
:mod:`pytest_supaseed.generate.hypothesis_rows`; this module is the public place to import them.
They need Hypothesis, the ``hypothesis`` extra (``pip install 'pytest-supaseed[hypothesis]'``);
nothing else in the package imports this module, so the plugin never loads Hypothesis.
"""

from __future__ import annotations

try:
    from ..assets.hypothesis_pools import from_pool, mapped_rows
    from ..generate.hypothesis_rows import rows
except ModuleNotFoundError as exc:  # the one optional dependency of this module
    if exc.name != "hypothesis":
        raise
    raise ModuleNotFoundError(
        "pytest_supaseed.testing.strategies needs Hypothesis, which is not installed: "
        "pip install 'pytest-supaseed[hypothesis]'",
        name="hypothesis",
    ) from None

__all__ = ["from_pool", "mapped_rows", "rows"]
