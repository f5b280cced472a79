"""The typed seed plan: what data a database should hold.

A plan is data (TOML, YAML, a dict); these models give it types, defaults and validation. Every
section subclasses :class:`PlanModel`, so an unknown key is an error (``countt`` → did you mean
``count``?). The asset pool, mapping and association sections live in :mod:`.asset_sections` and
:mod:`.association_sections` (the asset and association code above this package reads them).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from ..errors import did_you_mean
from .asset_sections import AssetPoolConfig, MappingConfig
from .association_sections import AssociationConfig
from .base import PlanModel

__all__ = [
    "AIBudget",
    "AIConfig",
    "AIField",
    "AccountsConfig",
    "AssetPoolConfig",
    "AssociationConfig",
    "ColumnValue",
    "Constant",
    "Expression",
    "IntRange",
    "MappingConfig",
    "MigrationsConfig",
    "SeedPlan",
    "TableConfig",
    "UsersConfig",
]


class IntRange(PlanModel):
    """An inclusive range of integers; a plain integer ``n`` in a plan means ``{min = n, max = n}``."""

    min: int = Field(ge=0, description="Smallest value (inclusive).")
    max: int = Field(ge=0, description="Largest value (inclusive).")

    @model_validator(mode="after")
    def _ordered(self) -> IntRange:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self

    @property
    def fixed(self) -> bool:
        """True when the range holds exactly one value."""
        return self.min == self.max


def _int_to_range(value: Any) -> Any:
    # A bare integer is the common case (``members_per_team = 3``); accept it without a second
    # union branch so that a bad dict yields one error, not one per branch.
    if isinstance(value, int) and not isinstance(value, bool):
        return {"min": value, "max": value}
    return value


#: A count that is either an integer or an inclusive ``{min, max}`` range.
Count = Annotated[
    IntRange,
    # The JSON Schema shows what a plan file may hold (a number or a range), not the model.
    BeforeValidator(_int_to_range, json_schema_input_type=Annotated[int, Field(ge=0)] | IntRange),
]


class UsersConfig(PlanModel):
    """Supabase auth users to create (``auth.users`` + identities)."""

    count: int = Field(default=0, ge=0, description="How many synthetic users to create.")
    roles: list[str] = Field(
        default_factory=lambda: ["owner", "member"],
        description="Account roles handed out to synthetic users, in rotation (MakerKit: owner, member).",
    )
    makerkit_test_users: bool = Field(
        default=False,
        description="Also create MakerKit's standard test users (test@, custom@, owner@, member@, "
        "super-admin@makerkit.dev).",
    )
    password: str = Field(
        default="testingpassword",
        min_length=1,
        description="Password of every created user (MakerKit's test password by default).",
    )
    metadata: dict[str, Any] = Field(
        default_factory=dict,
        description="Extra raw_user_meta_data merged into every synthetic user.",
    )
    app_metadata: dict[str, Any] = Field(
        default_factory=dict,
        description="Extra raw_app_meta_data merged into every synthetic user after Supabase's "
        "provider keys (e.g. {role = 'admin'}: what auth.jwt()->'app_metadata' policies read).",
    )
    email_domain: str = Field(
        default="example.com", description="Domain of synthetic users' emails."
    )


class AccountsConfig(PlanModel):
    """MakerKit accounts: one personal account per user, plus team accounts with members."""

    personal: bool = Field(default=True, description="Each user gets a personal account.")
    teams: int = Field(default=0, ge=0, description="How many team accounts to create.")
    members_per_team: Count = Field(
        default_factory=lambda: IntRange(min=3, max=3),
        description="Members of each team (the owner included): a number or {min, max}.",
    )


class Constant(PlanModel):
    """A column override that is a fixed value."""

    value: Any


class Expression(PlanModel):
    """A column override that is a generator expression, e.g. ``faker.sentence()``."""

    source: str


ColumnValue = Constant | Expression

_EXPRESSION = re.compile(r"^\{\{\s*(?P<source>.+?)\s*\}\}$", re.DOTALL)


class StorageBucketConfig(PlanModel):
    """One ``[storage.<bucket id>]`` section: a bucket and, per seeded user, objects they own."""

    pool: str = Field(description="Asset pool whose files become the objects.")
    per_user: int = Field(default=1, ge=0, description="Objects each seeded user owns.")
    public: bool = Field(default=False, description="storage.buckets.public of the bucket.")


class TableConfig(PlanModel):
    """How to fill one table: how many rows, and values for chosen columns.

    Give either ``count`` or ``count_per_parent``. In ``columns`` a value is a constant, except a
    string written ``"{{ expression }}"``, which is a generator expression evaluated per row.
    """

    count: int | None = Field(default=None, ge=0, description="Total number of rows.")
    count_per_parent: dict[str, Count] | None = Field(
        default=None,
        description="Rows per row of a parent: {parent table or foreign-key column: n or {min, max}}.",
    )
    columns: dict[str, Any] = Field(
        default_factory=dict,
        description='Column overrides: a constant, or "{{ expression }}" for a generator.',
    )
    disable_triggers: bool = Field(
        default=False,
        strict=True,
        description="Insert with the table's user triggers disabled (opt-in; ALTER TABLE ... "
        "DISABLE TRIGGER USER inside the table's transaction; foreign-key checks stay on).",
    )

    @model_validator(mode="after")
    def _one_count(self) -> TableConfig:
        if self.count is not None and self.count_per_parent is not None:
            raise ValueError("give either 'count' or 'count_per_parent', not both")
        return self

    def column_values(self) -> dict[str, ColumnValue]:
        """``columns`` parsed: each override as a :class:`Constant` or an :class:`Expression`."""
        parsed: dict[str, ColumnValue] = {}
        for name, value in self.columns.items():
            match = _EXPRESSION.match(value) if isinstance(value, str) else None
            if match:
                parsed[name] = Expression(source=match["source"])
            else:
                parsed[name] = Constant(value=value)
        return parsed


_FALLBACK = re.compile(r"^(faker|empty|asset_pool:(?P<pool>[^.\s]+)(?:\.(?P<path>\S+))?)$")


class AIField(PlanModel):
    """One column whose values a language model writes (see docs/guides/ai.md)."""

    prompt: str = Field(
        min_length=1,
        description="Prompt; {column} is replaced by that column's value in the row being written "
        "({{ and }} for literal braces).",
    )
    context: list[str] = Field(
        default_factory=list,
        description="Columns of the row passed to the model after the prompt, one 'column: value' "
        "line each.",
    )
    fallback: str = Field(
        default="faker",
        description="Value when the model is off, unreachable, slow, over budget or its answer "
        "does not fit: 'faker' (the column's usual generator), 'empty' ('' for text, else NULL) "
        "or 'asset_pool:<pool>[.<path>]' (a field of that pool's assets; default path: the "
        "column's name).",
    )
    priority: Literal["high", "medium", "low"] = Field(
        default="medium",
        description="Who gets the budget first: every high field, then medium, then low.",
    )

    @field_validator("fallback")
    @classmethod
    def _known_fallback(cls, value: str) -> str:
        if not _FALLBACK.match(value):
            options = ["faker", "empty", "asset_pool:<pool>"]
            hint = did_you_mean(value.partition(":")[0], ["faker", "empty", "asset_pool"])
            raise ValueError(f"unknown fallback {value!r}{hint}; use one of: {', '.join(options)}")
        return value

    @property
    def fallback_pool(self) -> tuple[str, str | None] | None:
        """``(pool, path)`` of an ``asset_pool:`` fallback (``path`` None: the column's name)."""
        match = _FALLBACK.match(self.fallback)
        if match is None or match["pool"] is None:
            return None
        return match["pool"], match["path"]


class AIBudget(PlanModel):
    """Upper bounds on AI use during one seeding run (cache hits are free)."""

    max_requests: int | None = Field(default=None, ge=0, description="Most model calls per run.")
    max_cost: float | None = Field(
        default=None, ge=0, description="Most estimated cost (USD) per run."
    )
    cost_per_request: float = Field(
        default=0.0, ge=0, description="Estimated cost (USD) of one model call."
    )
    cost_per_1m_input_tokens: float = Field(
        default=0.0, ge=0, description="Price (USD) of a million prompt tokens (as reported)."
    )
    cost_per_1m_output_tokens: float = Field(
        default=0.0, ge=0, description="Price (USD) of a million answer tokens (as reported)."
    )
    warn_at: list[float] = Field(
        default_factory=lambda: [0.5, 0.8, 0.95],
        description="Fractions of the budget at which a warning is given (once each).",
    )

    @field_validator("warn_at")
    @classmethod
    def _fractions(cls, value: list[float]) -> list[float]:
        bad = [f for f in value if not 0 < f <= 1]
        if bad:
            raise ValueError(f"warn_at fractions must be in (0, 1]; got {bad}")
        return sorted(set(value))

    @property
    def priced(self) -> bool:
        """A price is set (``max_cost`` can bind)."""
        return bool(
            self.cost_per_request or self.cost_per_1m_input_tokens or self.cost_per_1m_output_tokens
        )


class AIConfig(PlanModel):
    """Optional AI-written values for chosen columns; off unless a provider is set."""

    provider: Literal["ollama", "openai", "disabled"] = Field(
        default="disabled",
        description="Model provider: 'ollama', 'openai' (any OpenAI-compatible endpoint) or "
        "'disabled'.",
    )
    model: str = Field(default="llama3.2", description="Model name as the provider knows it.")
    base_url: str | None = Field(
        default=None,
        description="Provider endpoint. Default: ollama: $OLLAMA_HOST, else "
        "http://localhost:11434; openai: https://api.openai.com/v1.",
    )
    api_key_env: str = Field(
        default="OPENAI_API_KEY",
        description="Environment variable holding the API key (openai); never the key itself.",
    )
    temperature: float = Field(
        default=0.0, ge=0, le=2, description="Sampling temperature (0: the most repeatable)."
    )
    seed: int | None = Field(
        default=None, description="Seed sent to the model (default: the run's seed)."
    )
    max_tokens: int | None = Field(
        default=None, ge=1, description="Most tokens per answer (num_predict for Ollama)."
    )
    system: str | None = Field(default=None, description="System prompt sent with every request.")
    timeout: float = Field(
        default=30.0,
        gt=0,
        description="Seconds to wait for one answer; then the provider is "
        "treated as slow for the rest of the run (fallbacks).",
    )
    concurrency: int = Field(default=4, ge=1, le=64, description="Requests in flight at once.")
    fields: dict[str, dict[str, AIField]] = Field(
        default_factory=dict,
        description="{table: {column: {prompt, context, fallback, priority}}}.",
    )
    budget: AIBudget = Field(default_factory=AIBudget)
    cache: bool = Field(
        default=True,
        description="Reuse earlier answers for the same provider, model, prompt, options and seed.",
    )
    cache_dir: str | None = Field(
        default=None,
        description="Where answers are cached (default: <project>/.supaseed/ai-cache).",
    )

    @property
    def enabled(self) -> bool:
        """A provider is set and at least one field asks for it."""
        return self.provider != "disabled" and bool(self.fields)

    def fingerprint(self) -> str:
        """What decides the AI-written values, as a digest for the template hash: provider,
        model, the options (temperature, seed, token limit, system prompt), and each field's
        prompt, context, fallback and priority, and the budget. Not the endpoint, timeouts or
        concurrency (they do not change an answer). The run's seed, the default of ``seed``,
        is part of the template name already."""
        payload = self.model_dump(
            mode="json", exclude={"base_url", "api_key_env", "timeout", "concurrency", "cache_dir"}
        )
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


class MigrationsConfig(PlanModel):
    """Where the project's schema comes from.

    Unset (the default), the project's ``supabase/migrations`` apply, or, when it has none, the demo
    schema of the plan's templates. Set, these paths always win.
    """

    paths: list[str] | None = Field(
        default=None,
        description="Directories or .sql files applied in order instead of supabase/migrations.",
    )


class SeedPlan(PlanModel):
    """A whole seed plan: every section optional, defaults give an empty, valid plan."""

    description: str | None = Field(
        default=None, description="One line saying what this plan seeds."
    )
    extends: str | list[str] | None = Field(
        default=None,
        description="Template(s) this plan builds on, merged in order before this plan.",
    )
    seed: int = Field(default=0, description="Seed of every random choice; same seed, same data.")
    users: UsersConfig = Field(default_factory=UsersConfig)
    accounts: AccountsConfig = Field(default_factory=AccountsConfig)
    tables: dict[str, TableConfig] = Field(
        default_factory=dict, description='Per table ("schema.table" or "table").'
    )
    schemas: list[str] | None = Field(
        default=None,
        description="Schemas whose tables the plan may seed (plus the schemas they reference, such "
        "as auth). Default: every schema the migrations create (all but pg_*, information_schema, "
        "the Supabase platform's and the extensions' own), plus every schema named in a "
        "tables/mappings/associations key (such as storage).",
    )
    asset_pools: dict[str, AssetPoolConfig] = Field(
        default_factory=dict,
        description="Named pools of real content (markdown, JSON, CSV, images).",
    )
    mappings: dict[str, MappingConfig] = Field(
        default_factory=dict, description="How assets of a pool become rows of a table."
    )
    associations: dict[str, AssociationConfig] = Field(
        default_factory=dict, description="How items are distributed over targets."
    )
    storage: dict[str, StorageBucketConfig] = Field(
        default_factory=dict,
        description="Storage buckets by id; each seeded user owns per_user objects from a pool.",
    )
    ai: AIConfig = Field(default_factory=AIConfig)
    migrations: MigrationsConfig = Field(default_factory=MigrationsConfig)
    demo_schema: list[str] = Field(
        default_factory=list,
        description="SQL files or directories a template needs on an empty database; applied only "
        "when the project has no migrations of its own.",
    )
    customizations: SeedPlan | None = Field(
        default=None, description="A partial plan merged on top of this one (after its templates)."
    )

    @field_validator("customizations")
    @classmethod
    def _flat_customizations(cls, value: SeedPlan | None) -> SeedPlan | None:
        if value is not None:
            nested = value.model_fields_set & {"extends", "customizations"}
            if nested:
                raise ValueError(
                    f"customizations cannot contain {', '.join(sorted(nested))}; "
                    "put 'extends' at the top level of the plan"
                )
        return value

    @property
    def extends_list(self) -> list[str]:
        """``extends`` as a list (empty when the plan extends nothing)."""
        if self.extends is None:
            return []
        return [self.extends] if isinstance(self.extends, str) else list(self.extends)
