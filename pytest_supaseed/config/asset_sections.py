"""Plan sections for asset pools and mappings: ``[asset_pools.<name>]`` and ``[mappings.<name>]``.

These models are imported into :class:`pytest_supaseed.config.models.SeedPlan`; their names and
fields are a public contract of the plan format (see ``docs/guides/assets.md``).

Example (TOML)::

    [asset_pools.posts]
    type = "markdown"
    path = ["content/posts/**/*.md", "content/drafts/*.md"]
    exclude = "**/_*.md"
    required = { title = "str", date = "date" }
    optional = { tags = "list[str]" }
    selection = { strategy = "random", count = 20 }

    [mappings.blog]
    pool = "posts"
    table = "public.posts"

    [mappings.blog.fields]
    title = "frontmatter.title"
    slug = "slugify(frontmatter.title)"
    published_at = "frontmatter.date | random_recent(30 days)"
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from ..errors import did_you_mean
from .base import PlanModel

__all__ = [
    "FIELD_TYPES",
    "AssetPoolConfig",
    "AssetType",
    "FilterConfig",
    "MappingConfig",
    "RangeFilter",
    "SelectionConfig",
    "StorageTarget",
    "TagFilter",
]

AssetType = Literal["markdown", "json", "csv", "image"]

#: The type names a pool may declare for its fields (``title = "str"``). ``any`` checks presence only.
FIELD_TYPES: frozenset[str] = frozenset(
    {
        "str",
        "int",
        "float",
        "bool",
        "date",
        "datetime",
        "list",
        "list[str]",
        "list[int]",
        "list[float]",
        "dict",
        "any",
    }
)

_REF = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
_DURATION = re.compile(r"^\s*(\d+)\s*(day|week|month|year)s?\s*$", re.IGNORECASE)


def _as_list(value: Any) -> Any:
    # ``path = "a/*.md"`` and ``path = ["a/*.md", "b/*.md"]`` are both natural in a plan.
    if isinstance(value, str):
        return [value]
    return value


def _names_to_any(value: Any) -> Any:
    # ``required = ["title", "date"]`` means "present, any type".
    if isinstance(value, list | tuple):
        return dict.fromkeys(value, "any")
    return value


#: supa-seed's (TypeScript) spellings of field types, accepted as aliases.
TYPE_ALIASES: dict[str, str] = {
    "string": "str",
    "string[]": "list[str]",
    "number": "float",
    "number[]": "list[float]",
    "integer": "int",
    "boolean": "bool",
    "array": "list",
    "object": "dict",
}


def _check_types(fields: dict[str, str]) -> dict[str, str]:
    for name, type_name in fields.items():
        normal = type_name.replace(" ", "")
        normal = TYPE_ALIASES.get(normal, normal)
        if normal not in FIELD_TYPES:
            raise ValueError(
                f"field '{name}' has unknown type '{type_name}'"
                f"{did_you_mean(normal, FIELD_TYPES | set(TYPE_ALIASES))}; use one of "
                f"{', '.join(sorted(FIELD_TYPES))}"
            )
        fields[name] = normal
    return fields


def _check_ref(value: str | None, what: str) -> str | None:
    if value is not None and not _REF.match(value):
        raise ValueError(f"{what} must be written 'module:name' (e.g. 'myproject.seeds:{what}')")
    return value


def _check_duration_or_date(value: Any) -> Any:
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str):
        if _DURATION.match(value):
            return value.strip()
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(
        f"'{value}' is neither a date (2024-01-31) nor a duration ('30 days', '6 months', '1 year')"
    )


# ``json_schema_input_type`` keeps the exported JSON Schema (``supaseed schema``) in step with
# what validation accepts: a single pattern as a string, a list of names for field types.
FieldTypes = Annotated[
    dict[str, str],
    BeforeValidator(_names_to_any, json_schema_input_type=dict[str, str] | list[str]),
]
Patterns = Annotated[list[str], BeforeValidator(_as_list, json_schema_input_type=str | list[str])]
SomePatterns = Annotated[
    list[str],
    BeforeValidator(
        _as_list, json_schema_input_type=str | Annotated[list[str], Field(min_length=1)]
    ),
]
DateBound = Annotated[date | str | None, BeforeValidator(_check_duration_or_date)]


class RangeFilter(PlanModel):
    """An inclusive range on a numeric or date field; either bound may be left out."""

    min: Any = None
    max: Any = None


class TagFilter(PlanModel):
    """Keep assets by the tags they carry (a list field, ``tags`` by default)."""

    field: str = Field(default="tags", description="Field holding the list of tags.")
    any: list[str] = Field(default_factory=list, description="Keep assets with at least one.")
    all: list[str] = Field(default_factory=list, description="Keep assets with every one.")
    none: list[str] = Field(default_factory=list, description="Drop assets with any of these.")


class FilterConfig(PlanModel):
    """Declarative filters of the ``filtered`` strategy; an asset must pass every one given.

    Field names are looked up in the asset's fields (frontmatter, JSON object, CSV row, image
    metadata); dotted paths reach nested values and the mapping prefixes (``frontmatter.``,
    ``json.``, ``csv.``, ``image.``, ``file.``) are accepted too.
    """

    date_field: str = Field(default="date", description="Field compared with since/until.")
    since: DateBound = Field(
        default=None,
        description="Keep assets dated on or after this: a date, or a duration back from as_of "
        "('30 days', '6 months', '1 year').",
    )
    until: DateBound = Field(
        default=None, description="Keep assets dated on or before this (date or duration)."
    )
    as_of: date | None = Field(
        default=None,
        description="Reference day of relative durations; today when unset (set it for data that "
        "must not change from one day to the next).",
    )
    tags: TagFilter | None = Field(default=None, description="Tag filter: any / all / none.")
    equals: dict[str, Any] = Field(default_factory=dict, description="{field: value}.")
    in_: dict[str, list[Any]] = Field(
        default_factory=dict, alias="in", description="{field: [allowed values]}."
    )
    regex: dict[str, str] = Field(
        default_factory=dict, description="{field: pattern}; re.search on the value as text."
    )
    range: dict[str, RangeFilter] = Field(
        default_factory=dict, description="{field: {min, max}}, inclusive."
    )
    callable: str | None = Field(
        default=None,
        description="'module:function' called with each asset; keeps those it returns true for.",
    )

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: dict[str, str]) -> dict[str, str]:
        for name, pattern in value.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"regex for '{name}' does not compile: {exc}") from None
        return value

    @field_validator("callable")
    @classmethod
    def _ref(cls, value: str | None) -> str | None:
        return _check_ref(value, "function")


class SelectionConfig(PlanModel):
    """Which assets of a pool are used, and how many."""

    strategy: Literal["all", "random", "filtered", "manual", "weighted"] = Field(
        default="all", description="How to choose assets."
    )
    count: int | None = Field(
        default=None,
        ge=0,
        description="How many assets to take (all matching when unset; required for random and "
        "weighted).",
    )
    filters: FilterConfig | None = Field(default=None, description="Filters of 'filtered'.")
    files: list[str] = Field(
        default_factory=list,
        description="File names (or paths relative to the pool's directory) for 'manual'.",
    )
    weights: dict[str, float] = Field(
        default_factory=dict,
        description="Explicit weights by file name for 'weighted' (others weigh 1).",
    )
    weight_field: str | None = Field(
        default=None, description="Field holding each asset's weight for 'weighted'."
    )
    replace: bool = Field(
        default=False,
        description="random/weighted: draw with replacement, so count may exceed the pool.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> SelectionConfig:
        if self.strategy == "filtered" and self.filters is None:
            raise ValueError("strategy 'filtered' needs a 'filters' table")
        if self.strategy == "manual" and not self.files:
            raise ValueError("strategy 'manual' needs 'files' (the file names to use)")
        if self.strategy in ("random", "weighted") and self.count is None:
            raise ValueError(f"strategy '{self.strategy}' needs 'count'")
        if any(w < 0 for w in self.weights.values()):
            raise ValueError("weights must not be negative")
        return self


class StorageTarget(PlanModel):
    """Where an image pool's files go: a Supabase Storage bucket and a folder inside it."""

    bucket: str = Field(min_length=1, description="Bucket id (created when missing).")
    folder: str = Field(default="", description="Folder inside the bucket ('' = the root).")
    public: bool = Field(default=False, description="Create the bucket as public.")

    @field_validator("folder")
    @classmethod
    def _relative(cls, value: str) -> str:
        value = value.strip("/")
        if ".." in value.split("/"):
            raise ValueError("folder must stay inside the bucket (no '..')")
        return value


class AssetPoolConfig(PlanModel):
    """A named pool of real content files of one type."""

    type: AssetType = Field(description="markdown, json, csv or image.")
    path: SomePatterns = Field(
        min_length=1,
        description="Glob pattern(s) of the files, relative to the plan's directory; '**' recurses.",
    )
    exclude: Patterns = Field(default_factory=list, description="Glob pattern(s) to leave out.")
    required: FieldTypes = Field(
        default_factory=dict,
        description='Fields every asset must have, with their type: {title = "str", date = "date"}; '
        "a list of names accepts any type.",
    )
    optional: FieldTypes = Field(
        default_factory=dict, description="Fields checked for type when present."
    )
    json_schema: str | None = Field(
        default=None, description="JSON Schema file each JSON object (or CSV row) must satisfy."
    )
    model: str | None = Field(
        default=None, description="'module:Class' pydantic model each object must satisfy."
    )
    strict: bool = Field(
        default=False, description="Raise one error listing every bad file instead of skipping."
    )
    selection: SelectionConfig = Field(default_factory=SelectionConfig)
    storage: StorageTarget | None = Field(
        default=None, description="Image pools: copy files into this Supabase Storage bucket."
    )
    delimiter: str = Field(default=",", min_length=1, max_length=1, description="CSV delimiter.")
    encoding: str = Field(default="utf-8", description="Text encoding of markdown, JSON and CSV.")
    verify_images: bool = Field(
        default=False,
        description="Decode every image fully to catch truncated files (slower; off by default, "
        "headers are always read).",
    )
    cache: bool = Field(
        default=True, description="Reuse parsed files whose size and mtime did not change."
    )

    @field_validator("required", "optional")
    @classmethod
    def _known_types(cls, value: dict[str, str]) -> dict[str, str]:
        return _check_types(dict(value))

    @field_validator("model")
    @classmethod
    def _model_ref(cls, value: str | None) -> str | None:
        return _check_ref(value, "Class")

    @model_validator(mode="after")
    def _consistent(self) -> AssetPoolConfig:
        if (self.json_schema or self.model) and self.type not in ("json", "csv"):
            raise ValueError("json_schema and model apply to json and csv pools only")
        if self.storage is not None and self.type != "image":
            raise ValueError("storage applies to image pools only")
        both = set(self.required) & set(self.optional)
        if both:
            raise ValueError(f"fields both required and optional: {', '.join(sorted(both))}")
        return self


class MappingConfig(PlanModel):
    """How the selected assets of a pool become rows of a table.

    ``fields`` maps each column to an expression: a path (``frontmatter.title``), functions
    (``slugify(frontmatter.title)``), and ``|`` fallbacks (``frontmatter.date | random_recent(30
    days)``). Expressions are compiled once when the mapping is first used.
    """

    pool: str = Field(min_length=1, description="Name of the asset pool.")
    table: str = Field(min_length=1, description='Target table ("schema.table" or "table").')
    fields: dict[str, str] = Field(
        min_length=1, description="{column: expression} for each column the assets fill."
    )
    fallbacks: dict[str, str] = Field(
        default_factory=dict,
        description="{column: expression} used when the column's expression gives nothing (a "
        "missing field, a synthetic row): supa-seed's fallbacks block; the same as writing "
        "'expression | fallback'.",
    )
    count: int | None = Field(
        default=None,
        ge=0,
        description="Rows wanted; defaults to the number of selected assets. A shortfall is "
        "filled with synthetic rows when synthetic_fill is on.",
    )
    synthetic_fill: bool = Field(
        default=True,
        description="Fill a shortfall (too few assets for count) with synthetic rows; off, a "
        "shortfall is an error.",
    )
    as_of: date | None = Field(
        default=None,
        description="The day random_recent() counts back from; today when unset (set it for "
        "rows that must not change from one day to the next).",
    )
