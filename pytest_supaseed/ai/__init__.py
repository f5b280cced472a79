"""Optional AI-written values: a language model writes chosen columns, cached, under a budget.

Nothing here is imported unless a plan sets ``[ai] provider`` and names fields (the seeding engine
imports :mod:`.engine` lazily), so a plan without AI never loads ``httpx``. The parts:

- :mod:`.providers`: Ollama and OpenAI-compatible HTTP clients (``httpx``);
- :mod:`.prompts`: ``{column}`` placeholders and ``context`` lines filled from the row;
- :mod:`.fitting`: an answer made into a value of the column, or rejected;
- :mod:`.cache`: answers on disk (SQLite) keyed by provider, model, prompt, options and seed;
- :mod:`.budget`: requests and cost, warning thresholds, priorities;
- :mod:`.usage`: the usage report (in :class:`~pytest_supaseed.seed.result.SeedResult`);
- :mod:`.engine`: the hook the seeding engine calls per table and batch;
- ``supaseed ai status | test | cache stats | cache clear``: :mod:`pytest_supaseed.cli.ai`.

See docs/guides/ai.md.
"""
