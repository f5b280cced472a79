"""The database lifecycle, as plain library code (no pytest): the pytest fixtures, the
``supaseed`` command and bench/ all go through it.

    server ▸ base database ▸ seeded template database ▸ worker clone ▸ test transaction

- :mod:`.databases`: create, clone, drop, metadata (only databases named ``supaseed_*``);
- :mod:`.migrations`: the project's SQL migrations and seed files, applied as Supabase does;
- :mod:`.base`: the project's base database (Supabase layer + migrations), built once, reused;
- :mod:`.template_db`: the seeded template database of a resolved plan, content-addressed, kept
  between runs, carrying its :class:`~pytest_supaseed.seed.SeedResult`;
- :mod:`.session`: one worker's template databases, clones and connections;
- :mod:`.request`: what a test (or caller) asks for: plan template, seed, isolation, customizations;
- :mod:`.connections`: a worker's clone, the reused connection, the per-test transaction;
- :mod:`.leases`: many runs on one server: a run's advisory-lock lease, pruning only what no live
  run holds;
- :mod:`.transfer`: export / import base and template databases (pg_dump + manifest).

The package re-exports nothing: import the module that holds a name. An xdist worker imports
:mod:`.session` and what it needs, never :mod:`.base` or :mod:`.schema_check` (the controller's
work), and the marker's validation imports only :mod:`.request`.
"""
