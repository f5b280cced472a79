"""The resolved plan against a live schema, above the code that fills tables.

- :mod:`.check`: ``supaseed plan --check`` and the run's plan check: every key of the plan that
  names the schema compiled against it (constants, expressions, mappings with the pools' real
  values, associations, AI fields, storage targets), each problem with its file, line and fix;
- :mod:`.impact`: what a schema change does to the plan (``supaseed diff --impact``,
  ``supaseed update``), each change with a severity and, where there is one, a suggestion.

It sits above ``assets/``, ``generate/`` and ``associate/`` (it loads pools and compiles
expressions as the seeding engine does) and below ``lifecycle/`` and ``cli/``, which call it;
the plan models and files it reads stay in :mod:`pytest_supaseed.config`.
"""
