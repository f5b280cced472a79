"""Optional AI-written values: a language model writes chosen columns, cached, under a budget.

The seeding engine imports :mod:`.engine` at its top; ``httpx`` (the optional ``[ai]`` extra) is
imported only when a plan sets ``[ai] provider`` and names fields
(:func:`.providers.require_httpx`), so a plan without AI never loads it. The parts:

- :mod:`.providers`: Ollama and OpenAI-compatible HTTP clients (``httpx``);
- :mod:`.prompts`: ``{column}`` placeholders and ``context`` lines filled from the row;
- :mod:`.fitting`: an answer made into a value of the column, or rejected;
- :mod:`.cache`: answers on disk (SQLite) keyed by provider, model, prompt, options and seed;
- :mod:`.budget`: requests and cost, warning thresholds, priorities;
- :mod:`.usage`: the usage report (in :class:`~pytest_supaseed.seed_result.SeedResult`);
- :mod:`.engine`: the hook the seeding engine calls per table and batch;
- ``supaseed ai status | test | cache stats | cache clear``: :mod:`pytest_supaseed.cli.ai`.

See docs/guides/ai.md.
"""
