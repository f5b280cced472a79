"""The hook the seeding engine calls: AI-written values for the planned tables' AI fields.

:class:`AIRun` is made once per seeding run (only when the plan turns AI on). For each table it
gives a :class:`TableFiller`, which rewrites every generated batch before it goes into ``COPY``:
for each AI field, in an order that lets one field's prompt read another's answer (then by
priority, then by column position), the prompts of the batch's rows are filled, looked up in the
cache, the misses admitted by the budget in row order and sent ``concurrency`` at a time; each
answer is fitted to the column. A row without a fitting answer keeps its fallback value, and the
reason is counted. Requests and their order are deterministic; so are the rows, given the cache.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from random import Random
from typing import Any

from ..assets.model import MISSING, resolve
from ..assets.pool import AssetPool
from ..config.models import AIConfig, AIField, Expression, SeedPlan, TableConfig
from ..errors import ConfigError, SupaseedError, did_you_mean
from ..generate.checks import ColumnRules, table_and_domain_checks
from ..generate.columns import TEXT_TYPES, scalar_type
from ..generate.table import TableRows, derive_rng, leave_to_database
from ..schema.model import Column, Schema, Table
from .budget import PRIORITY_RANK, Budget
from .cache import AICache, cache_dir, key_prefix
from .fitting import NotFitting, fit, fittable
from .prompts import Prompt, compile_prompt, render_value
from .providers import (
    Answer,
    OllamaProvider,
    OpenAIProvider,
    ProviderError,
    ProviderFailed,
    ProviderTimeout,
    ProviderUnreachable,
    make_provider,
    request_options,
    require_httpx,
    resolved_base_url,
)
from .usage import AIUsage, FieldUsage

__all__ = ["AIRun", "TableFiller"]

logger = logging.getLogger("pytest_supaseed.ai")

_NO_ANSWER = object()

#: Transient provider errors (5xx, 408, 429) in a row after which the provider is given up for the
#: run: a server that keeps failing costs a few requests, not one per row.
GIVE_UP_AFTER = 3


@dataclass
class _Field:
    table: Table
    column: Column
    config: AIField
    prompt: Prompt
    where: str
    usage: FieldUsage
    pending: int = 0
    pool_values: list[Any] | None = None  # an asset_pool: fallback's values that fit the column

    @property
    def name(self) -> str:
        return f"{self.table.qualified_name}.{self.column.name}"

    @property
    def rank(self) -> int:
        return PRIORITY_RANK[self.config.priority]


class AIRun:
    """AI state of one seeding run: provider, cache, budget, usage, and each table's fields.

    Args:
        plan: the plan (``plan.ai.enabled`` is true).
        schema: the introspected schema.
        planned: the tables the run fills ({qualified name: config}).
        rootdir: the project root (the cache lives under it).
        seed: the run's seed.
        load_pool: loads an asset pool by name (for ``asset_pool:`` fallbacks).
        warn: receives budget warnings (the run's warnings).
        estimates: planned rows per table, for budget reservations by priority.
    """

    def __init__(
        self,
        plan: SeedPlan,
        schema: Schema,
        planned: Mapping[str, TableConfig],
        *,
        rootdir: Path,
        seed: int,
        load_pool: Callable[[str], AssetPool],
        warn: Callable[[str], None],
        estimates: Mapping[str, int],
    ) -> None:
        require_httpx()  # a plan with AI on needs the [ai] extra, even when every answer is cached
        self.config: AIConfig = plan.ai
        if self.config.budget.max_cost is not None and not self.config.budget.priced:
            raise ConfigError(
                "max_cost needs a price, else every request costs 0 and the limit never applies: "
                "set ai.budget.cost_per_request (or cost_per_1m_input_tokens / "
                "cost_per_1m_output_tokens)",
                key_path="ai.budget.max_cost",
            )
        self.plan = plan
        self.seed = seed
        self.load_pool = load_pool
        self._provider: OllamaProvider | OpenAIProvider | None = None  # made on the first miss
        self.options = request_options(self.config, seed)
        self.key = key_prefix(self.config.provider, self.config.model, self.options)
        self.cache = AICache(cache_dir(self.config, rootdir)) if self.config.cache else None
        if self.cache is not None:
            self.cache.check()  # a broken cache file: one error before any table is written
        self.usage = AIUsage(
            self.config.provider, self.config.model, resolved_base_url(self.config)
        )
        self.budget = Budget(self.config.budget, self.config.max_tokens, self._warn(warn))
        self.down: str | None = None  # why the provider is not asked any more
        self._failures_in_a_row = 0  # transient errors (5xx, 408, 429) since the last answer
        self._lock = threading.Lock()
        self._noticed: set[tuple[str, str]] = set()
        self._executor: ThreadPoolExecutor | None = None
        self.fields: dict[str, list[_Field]] = {}
        for key, columns in self.config.fields.items():
            self._add_table(schema, planned, key, columns, estimates)

    @staticmethod
    def _warn(sink: Callable[[str], None]) -> Callable[[str], None]:
        def warn(message: str) -> None:
            logger.warning("ai: %s", message)
            sink(message)

        return warn

    def _add_table(
        self,
        schema: Schema,
        planned: Mapping[str, TableConfig],
        key: str,
        columns: Mapping[str, AIField],
        estimates: Mapping[str, int],
    ) -> None:
        where = f"ai.fields.{key}"
        try:
            table = schema.table(key)
        except SupaseedError as exc:
            raise ConfigError(str(exc), key_path=where) from None
        if table.qualified_name not in planned:
            raise ConfigError(
                f"{table.qualified_name} is not filled by the plan, so no row of it is written; "
                f'add [tables."{table.qualified_name}"] (with a count) or a mapping',
                key_path=where,
            )
        fks = {c for fk in table.foreign_keys for c in fk.columns}
        left = {  # '{{ default }}' in [tables]: the database fills them
            c
            for c, v in planned[table.qualified_name].column_values().items()
            if isinstance(v, Expression) and v.source.strip() == "default"
        }
        found = self.fields.setdefault(table.qualified_name, [])
        for name, field_config in columns.items():
            at = f"{where}.{name}"
            if not table.has_column(name):
                raise ConfigError(
                    f"{table.qualified_name} has no column '{name}'"
                    f"{did_you_mean(name, table.column_names)}",
                    key_path=at,
                )
            column = table.column(name)
            why = fittable(column)
            if why is None and name in fks:
                why = "foreign-key column (its values come from the parent rows)"
            if why is None and column.identity == "a":
                why = "GENERATED ALWAYS identity"
            if why is not None:
                raise ConfigError(
                    f"{table.qualified_name}.{name} cannot be AI-written: {why}; AI fields take "
                    "text, varchar, enum, numeric, integer, boolean and json columns",
                    key_path=at,
                )
            if field_config.fallback == "empty" and not column.nullable and not _is_text(column):
                raise ConfigError(
                    f"fallback 'empty' would write NULL into NOT NULL column "
                    f'{table.qualified_name}.{name}; use fallback = "faker"',
                    key_path=f"{at}.fallback",
                )
            pool = field_config.fallback_pool
            if pool is not None and pool[0] not in self.plan.asset_pools:
                raise ConfigError(
                    f"fallback pool '{pool[0]}' is not defined in [asset_pools]"
                    f"{did_you_mean(pool[0], self.plan.asset_pools)}",
                    key_path=f"{at}.fallback",
                )
            prompt = compile_prompt(
                field_config.prompt, field_config.context, table.column_names, where=at
            )
            if name in left:
                raise ConfigError(
                    f"{table.qualified_name}.{name} is left to the database ('{{{{ default }}}}' "
                    "in [tables]) and AI-written; remove one of the two",
                    key_path=at,
                )
            for col in prompt.columns:
                if col in left:
                    raise ConfigError(
                        f"the prompt of {table.qualified_name}.{name} reads {col}, which the "
                        "database fills ('{{ default }}' in [tables]), so its value is unknown "
                        "when the row is written; give it a value or leave it out of the prompt",
                        key_path=at,
                    )
            pool_values = self._pool_fallback(table, column, field_config, at) if pool else None
            usage = FieldUsage(field_config.priority, field_config.fallback)
            self.usage.fields[f"{table.qualified_name}.{name}"] = usage
            found.append(
                _Field(
                    table,
                    column,
                    field_config,
                    prompt,
                    at,
                    usage,
                    pending=estimates.get(table.qualified_name, 0),
                    pool_values=pool_values,
                )
            )
        found[:] = _ordered(found)

    def _pool_fallback(
        self, table: Table, column: Column, config: AIField, where: str
    ) -> list[Any]:
        """The values of an ``asset_pool:`` fallback that fit ``column``, checked here, before any
        table is written, so a pool without such a value is an error with nothing written."""
        pool_name, path = config.fallback_pool or ("", None)
        rules = table_and_domain_checks(table)[0]
        column_rules = rules.columns.get(column.name) or rules.for_column(column.name)
        candidates = _pool_values(
            self.load_pool(pool_name), path or column.name, column, column_rules
        )
        if not candidates:
            raise ConfigError(
                f"no asset of pool '{pool_name}' has a value at '{path or column.name}' that "
                f"fits {table.qualified_name}.{column.name}; name a field as "
                f"asset_pool:{pool_name}.<path> (e.g. frontmatter.title, body, csv.name)",
                key_path=f"{where}.fallback",
            )
        return candidates

    def columns_for(self, table: Table) -> list[str]:
        """The AI columns of ``table``: always sent, whatever their default."""
        return [f.column.name for f in self.fields.get(table.qualified_name, ())]

    def table(self, table: Table, rows: TableRows) -> TableFiller | None:
        """The filler for ``table``'s batches, or None when it has no AI fields."""
        fields = self.fields.get(table.qualified_name)
        if not fields:
            return None
        for f in fields:
            if rows.overrides.get(f.column.name) is leave_to_database():
                raise ConfigError(
                    f"{f.name} is left to the database ('{{{{ default }}}}' in [tables]) and "
                    "AI-written; remove one of the two",
                    key_path=f.where,
                )
            for col in f.prompt.columns:
                if col not in rows.columns:
                    raise ConfigError(
                        f"the prompt of {f.name} reads {col}, which the database fills (a "
                        "default, identity or generated column), so its value is unknown when "
                        f'the row is written; give it a value in [tables."'
                        f'{table.qualified_name}".columns] or leave it out of the prompt',
                        key_path=f.where,
                    )
            f.pending = rows.total
        return TableFiller(self, fields, rows)

    # -- requests ----------------------------------------------------------------------------

    def reserved(self, rank: int) -> int:
        """Rows still to be written by fields of a higher priority than ``rank``."""
        return sum(f.pending for fields in self.fields.values() for f in fields if f.rank < rank)

    @property
    def provider(self) -> OllamaProvider | OpenAIProvider:
        """The provider's client (created on first use: a cached run never needs one)."""
        if self._provider is None:
            self._provider = make_provider(self.config, self.seed)
        return self._provider

    def ask(self, prompts: list[str]) -> list[Answer | ProviderError]:
        """Send ``prompts`` (at most ``concurrency`` at once); answers or errors, in order."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                self.config.concurrency, thread_name_prefix="supaseed-ai"
            )
        return list(self._executor.map(self._one, prompts))

    def _one(self, prompt: str) -> Answer | ProviderError:
        if self.down is not None:
            return _stopped(self.down)
        try:
            answer = self.provider.generate(prompt)
        except ProviderError as exc:
            with self._lock:
                self._failures_in_a_row += 1
                stop = (
                    isinstance(exc, ProviderUnreachable | ProviderTimeout)
                    or (isinstance(exc, ProviderFailed) and exc.permanent)
                    or self._failures_in_a_row >= GIVE_UP_AFTER
                )
                if stop and self.down is None:
                    self.down = exc.reason
                    again = (
                        f" ({self._failures_in_a_row} errors in a row)"
                        if self._failures_in_a_row > 1
                        else ""
                    )
                    self.notice(
                        f"{self.usage.provider} at {self.usage.base_url}: {exc}{again}; AI "
                        "fields use their fallbacks for the rest of this run"
                    )
            return exc
        with self._lock:
            self._failures_in_a_row = 0
        return answer

    def notice(self, message: str) -> None:
        """Record and log (info) a run-level notice."""
        self.usage.notices.append(message)
        logger.info("ai: %s", message)

    def fell_back(self, field: _Field, reason: str, count: int = 1) -> None:
        """Count ``count`` fallbacks of ``field`` for ``reason``; log the first of each kind."""
        if count <= 0:
            return
        field.usage.fallbacks[reason] = field.usage.fallbacks.get(reason, 0) + count
        if (field.name, reason) not in self._noticed:
            self._noticed.add((field.name, reason))
            logger.info("ai: %s: %s; using fallback %s", field.name, reason, field.config.fallback)

    def close(self) -> None:
        """Stop the worker threads, close the provider and the cache."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        if self._provider is not None:
            self._provider.close()
        if self.cache is not None:
            self.cache.close()


class TableFiller:
    """Rewrites one table's batches with AI answers (see the module docstring)."""

    def __init__(self, run: AIRun, fields: list[_Field], rows: TableRows) -> None:
        self.run = run
        self.fields = fields
        self.rows = rows
        self._fallbacks: dict[str, Callable[[int], list[Any]]] = {}
        self._seen: dict[str, set[Any]] = {}
        for f in fields:
            self._fallbacks[f.column.name] = self._fallback_for(f)
            if (f.column.name,) in rows._unique_sets:
                self._seen[f.column.name] = set()

    def batches(
        self, batches: Iterator[dict[str, list[Any]] | int]
    ) -> Iterator[dict[str, list[Any]] | int]:
        """``batches`` with the AI columns rewritten."""
        try:
            for batch in batches:
                if isinstance(batch, dict):
                    self.fill(batch)
                yield batch
        finally:
            for f in self.fields:
                f.pending = 0

    def fill(self, batch: dict[str, list[Any]]) -> None:
        """Rewrite the AI columns of one batch in place."""
        n = len(next(iter(batch.values()), []))
        for f in self.fields:
            self._fill_field(f, batch, n)
            f.pending = max(0, f.pending - n)

    def _fill_field(self, f: _Field, batch: dict[str, list[Any]], n: int) -> None:
        run, name = self.run, f.column.name
        prompts = f.prompt.fill_batch(batch, n)
        system = (run.config.system or "") + "\x00"
        keys = [run.key(system + p) for p in prompts]
        cached = run.cache.get_many(keys) if run.cache is not None else {}
        answers: list[Any] = [cached.get(k, _NO_ANSWER) for k in keys]
        hits = sum(a is not _NO_ANSWER for a in answers)
        f.usage.cache_hits += hits
        run.usage.cache_hits += hits
        misses = [i for i in range(n) if answers[i] is _NO_ANSWER]
        reasons: dict[int, str] = {}
        if misses:
            send: list[int] = []
            if run.down is None:
                allowed = run.budget.admit([prompts[i] for i in misses], run.reserved(f.rank))
                send = misses[:allowed]
            for i in misses[len(send) :]:
                reasons[i] = "over budget" if run.down is None else run.down
            if send:
                self._send(f, send, prompts, keys, answers, reasons)
        fallback = self._fallbacks[name]
        values = batch[name]
        seen = self._seen.get(name)
        if seen is not None:
            seen.update(v for v in values if v is not None)
        rules = self.rows.rules.columns.get(name) or self.rows.rules.for_column(name)
        replacement = fallback(n)
        written = 0
        for i in range(n):
            answer = answers[i]
            value: Any = _KEEP
            if answer is not _NO_ANSWER:
                try:
                    value = fit(answer, f.column, rules)
                except NotFitting as exc:
                    reasons[i] = str(exc).split(":", 1)[0]
                    value = _KEEP
            if value is not _KEEP and seen is not None:
                if value in seen:
                    reasons[i] = "duplicate in a unique column"
                    value = _KEEP
                else:
                    seen.add(value)
            if value is _KEEP:
                if replacement[i] is not _KEEP:
                    values[i] = replacement[i]
                continue
            values[i] = value
            written += 1
        f.usage.written += written
        counts: dict[str, int] = {}
        for reason in reasons.values():
            counts[reason] = counts.get(reason, 0) + 1
        for reason, count in sorted(counts.items()):
            run.fell_back(f, reason, count)

    def _send(
        self,
        f: _Field,
        send: list[int],
        prompts: list[str],
        keys: list[str],
        answers: list[Any],
        reasons: dict[int, str],
    ) -> None:
        run = self.run
        results = run.ask([prompts[i] for i in send])
        store = []
        for i, result in zip(send, results):
            if isinstance(result, ProviderError):
                reasons[i] = result.reason
                continue
            cost = run.budget.spend(result.prompt_tokens, result.completion_tokens)
            f.usage.requests += 1
            run.usage.requests += 1
            run.usage.cost += cost
            run.usage.prompt_tokens += result.prompt_tokens
            run.usage.completion_tokens += result.completion_tokens
            answers[i] = result.text
            store.append(
                (
                    keys[i],
                    run.config.provider,
                    run.config.model,
                    result.text,
                    result.prompt_tokens,
                    result.completion_tokens,
                )
            )
        if run.cache is not None:
            run.cache.put_many(store)
        run.budget.check_thresholds()

    # -- fallbacks ---------------------------------------------------------------------------

    def _fallback_for(self, f: _Field) -> Callable[[int], list[Any]]:
        """Fallback values for ``n`` rows (``faker``: None, meaning keep the generated value)."""
        kind = f.config.fallback
        if kind == "faker":
            return lambda n: [_KEEP] * n
        if kind == "empty":
            empty = "" if _is_text(f.column) else None
            return lambda n: [empty] * n
        candidates = f.pool_values or []
        rng: Random = derive_rng(
            self.run.seed, f.table.qualified_name, "#ai-fallback", f.column.name
        )
        return lambda n: [candidates[int(rng.random() * len(candidates))] for _ in range(n)]


def _stopped(reason: str) -> ProviderError:
    """The error a request not sent any more reports: the reason the provider was given up."""
    error = ProviderError(reason)
    error.reason = reason
    return error


class _Keep:
    """Marker: keep the value the column's generator gave (the ``faker`` fallback)."""


_KEEP = _Keep()


def _is_text(column: Column) -> bool:
    base = scalar_type(column.base_type)
    return column.enum_labels is None and (base in TEXT_TYPES or base.endswith("citext"))


def _pool_values(pool: AssetPool, path: str, column: Column, rules: ColumnRules) -> list[Any]:
    out = []
    for asset in pool:
        value = resolve(asset, path)
        if value is MISSING or value is None:
            continue
        try:
            out.append(fit(render_value(value), column, rules))
        except NotFitting:
            continue
    return out


def _ordered(fields: list[_Field]) -> list[_Field]:
    """Fields whose prompt reads another AI field of the table come after it; then by priority,
    then by column position. A cycle is a ConfigError."""
    names = {f.column.name for f in fields}
    needs = {f.column.name: set(f.prompt.columns) & names - {f.column.name} for f in fields}
    done: list[_Field] = []
    left = list(fields)
    while left:
        ready = [f for f in left if needs[f.column.name] <= {d.column.name for d in done}]
        if not ready:
            cycle = ", ".join(sorted(f.column.name for f in left))
            raise ConfigError(
                f"the prompts of {cycle} read each other; one of them must not read the others",
                key_path=left[0].where,
            )
        first = min(ready, key=lambda f: (f.rank, f.column.position))
        done.append(first)
        left.remove(first)
    return done
