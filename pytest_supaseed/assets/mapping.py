"""Turn assets into rows: compile each column's expression once, evaluate it per asset, convert.

Expression language (see docs/guides/assets.md, "Mapping")::

    expr  := term ( "|" term )*          first term that is present and not null wins
    term  := literal | name "(" args ")" | path
    args  := expr ( "," expr )*
    literal := 12 | 1.5 | 'text' | "text" | [] | {} | true | false | null | 30 days

Paths: ``frontmatter.title``, ``json.specs.weight``, ``csv.price``, ``image.width``, ``body``,
``word_count``, ``file.name`` (stem, ext, path, key, dir, size), ``storage.path``.
Functions: ``slugify``, ``read_time``, ``truncate``, ``lower``, ``upper``, ``random``,
``random_recent``, ``faker.<provider>``.

Every value is checked against its target column before any row is returned, so a value that
cannot fit fails the run before anything is written, naming pool, file, field and column.
"""

from __future__ import annotations

import math
import random
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from ..config.asset_sections import MappingConfig
from ..errors import AssetError, did_you_mean
from ..generate.vocab import vocabulary
from .convert import OMIT, ColumnLike, to_column
from .model import FILE_ATTRS, MISSING, Asset, resolve
from .pool import AssetPool
from .select import Selection, select

if TYPE_CHECKING:
    from faker import Faker

__all__ = [
    "CompiledMapping",
    "EvalContext",
    "compile_expression",
    "compile_mapping",
    "map_rows",
    "referenced_pools",
    "storage_path",
]

#: A compiled expression: (context, asset or None for a synthetic row) -> value or MISSING.
Node = Callable[["EvalContext", Asset | None], Any]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<duration>\d+(?:\.\d+)?(?:\s*|_)(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)\b)
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<name>[A-Za-z_][\w]*(?:\.[A-Za-z_0-9][\w]*)*)
      | (?P<op>[|(),\[\]{}])
    )""",
    re.VERBOSE,
)
_UNIT_SECONDS = {
    "second": 1,
    "minute": 60,
    "hour": 3600,
    "day": 86400,
    "week": 7 * 86400,
    "month": 30 * 86400,
    "year": 365 * 86400,
}
_LITERAL_NAMES: dict[str, Any] = {"true": True, "false": False, "null": None, "none": None}
_SPECIAL_PATHS = {"body", "word_count"}


@dataclass
class EvalContext:
    """What evaluation needs besides the asset: randomness, the pools, the day, the target."""

    rng: random.Random
    pool: AssetPool
    pools: Mapping[str, AssetPool] = field(default_factory=dict)
    today: date = field(default_factory=date.today)
    synthetic: dict[str, Any] = field(default_factory=dict)
    _faker: Faker | None = None

    @property
    def faker(self) -> Faker:
        """A Faker seeded from :attr:`rng` (created on first use: building one costs ~ms)."""
        if self._faker is None:
            fake = _shared_faker()
            fake.seed_instance(self.rng.getrandbits(64))
            self._faker = fake
        return self._faker


#: One Faker per thread: each mapping seeds it before drawing, and two template databases built
#: at once (the prebuild thread and a test's own build, parallel seeding) must not share draws.
_fakers = threading.local()


def _shared_faker() -> Faker:
    fake: Faker | None = getattr(_fakers, "faker", None)
    if fake is None:
        try:
            from faker import Faker  # optional: the `faker` extra, only for faker.<provider>
        except ImportError:
            raise _ExpressionError(
                "faker.<provider> needs Faker, which is not installed: "
                "pip install 'pytest-supaseed[faker]'"
            ) from None
        fake = _fakers.faker = Faker()
    return fake


class _ExpressionError(Exception):
    pass


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        while pos < len(source):
            if source[pos:].strip() == "":
                break
            match = _TOKEN.match(source, pos)
            if not match or match.end() == pos:
                raise _ExpressionError(f"unexpected {source[pos:].strip()[:12]!r} at {pos + 1}")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match[kind], match.start(kind)))
            pos = match.end()
        self.index = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, text: str | None = None) -> tuple[str, str, int]:
        token = self.peek()
        if token is None:
            raise _ExpressionError(
                f"expected {text!r}, the expression ended" if text else "ended early"
            )
        if text is not None and token[1] != text:
            raise _ExpressionError(f"expected {text!r} at {token[2] + 1}, found {token[1]!r}")
        self.index += 1
        return token

    def parse(self) -> Node:
        node = self.expr()
        extra = self.peek()
        if extra is not None:
            raise _ExpressionError(f"unexpected {extra[1]!r} at {extra[2] + 1}")
        return node

    def expr(self) -> Node:
        terms = [self.term()]
        while (token := self.peek()) is not None and token[1] == "|":
            self.take("|")
            terms.append(self.term())
        if len(terms) == 1:
            return terms[0]

        def fallback(ctx: EvalContext, asset: Asset | None) -> Any:
            for term in terms:
                value = term(ctx, asset)
                if value is not MISSING and value is not None:
                    return value
            return MISSING

        return fallback

    def term(self) -> Node:
        kind, text, pos = self.take()
        if kind == "number":
            number: Any = float(text) if "." in text else int(text)
            return lambda ctx, asset: number
        if kind == "string":
            value = bytes(text[1:-1], "utf-8").decode("unicode_escape")
            return lambda ctx, asset: value
        if kind == "duration":
            amount, unit = re.match(r"([\d.]+)[\s_]*([a-z]+?)s?$", text).groups()  # type: ignore[union-attr]
            span = timedelta(seconds=float(amount) * _UNIT_SECONDS[unit])
            return lambda ctx, asset: span
        if text == "[":
            items: list[Node] = []
            while (token := self.peek()) is not None and token[1] != "]":
                items.append(self.term())
                if (sep := self.peek()) is not None and sep[1] == ",":
                    self.take(",")
            self.take("]")
            return lambda ctx, asset: [item(ctx, asset) for item in items]
        if text == "{":
            self.take("}")
            return lambda ctx, asset: {}
        if kind != "name":
            raise _ExpressionError(f"unexpected {text!r} at {pos + 1}")
        following = self.peek()
        if following is not None and following[1] == "(":
            self.take("(")
            args: list[tuple[Node, str | None]] = []
            if (token := self.peek()) is not None and token[1] == ")":
                self.take(")")
            else:
                while True:
                    start = self.peek()
                    bare = start[1] if start is not None and start[0] == "name" else None
                    node = self.expr()
                    args.append((node, bare))
                    closing = self.peek()
                    if closing is None:
                        raise _ExpressionError(
                            f"expected ')' to close {text}(, the expression ended"
                        )
                    self.take()
                    if closing[1] == ")":
                        break
                    if closing[1] != ",":
                        raise _ExpressionError(
                            f"expected ',' or ')' at {closing[2] + 1}, found {closing[1]!r}"
                        )
            return _call(text, args)
        if text.lower() in _LITERAL_NAMES:
            constant = _LITERAL_NAMES[text.lower()]
            return lambda ctx, asset: constant
        if text.startswith("faker."):
            return _call(text, [])
        return _path(text)


def _path(path: str) -> Node:
    head, _, rest = path.partition(".")
    if head == "file" and rest not in FILE_ATTRS:
        raise _ExpressionError(
            f"file.{rest} is not a file attribute{did_you_mean(rest, FILE_ATTRS)}; "
            f"use one of {', '.join('file.' + a for a in FILE_ATTRS)}"
        )
    if path == "storage.path":

        def object_name(ctx: EvalContext, asset: Asset | None) -> Any:
            if ctx.pool.config.storage is None:
                raise _ExpressionError(
                    f"storage.path: pool '{ctx.pool.name}' has no storage target; add "
                    'storage = { bucket = "..." } to the pool'
                )
            return storage_path(ctx.pool, asset) if asset is not None else MISSING

        return object_name

    def lookup(ctx: EvalContext, asset: Asset | None) -> Any:
        if asset is not None:
            return resolve(asset, path)
        # A synthetic row: the value this row's own column got from the same path (its title,
        # its body), so slugify(frontmatter.title) describes the row's generated title.
        return ctx.synthetic.get(path, MISSING)

    return lookup


def storage_path(pool: AssetPool, asset: Asset) -> str:
    """The object name of ``asset`` in its pool's bucket: ``<folder>/<key>`` (no bucket)."""
    target = pool.config.storage
    folder = target.folder if target is not None else ""
    return f"{folder}/{asset.key}" if folder else asset.key


def _asset_value(pool: AssetPool, asset: Asset) -> str:
    # What random(<pool>) puts in a column: where the file lives, as the app would store it.
    return storage_path(pool, asset) if pool.config.storage is not None else asset.rel


def _words(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, TextList):
        value = value.joined()
    return len(str(value).split())


def _need(name: str, args: Sequence[Any], low: int, high: int) -> None:
    if not low <= len(args) <= high:
        want = str(low) if low == high else f"{low} to {high}"
        raise _ExpressionError(f"{name}() takes {want} argument(s), got {len(args)}")


#: Spellings of supa-seed (the TypeScript tool) accepted as aliases: name -> our name.
FUNCTION_ALIASES: dict[str, str] = {
    "calculate_read_time": "read_time",
    "random_recent_date": "random_recent",
    "slug": "slugify",
}
#: Faker results that are lists of text, and how they become one text for a text column.
_TEXT_LISTS = {"paragraphs": "\n\n", "texts": "\n\n", "sentences": " ", "words": " "}


class TextList(list[str]):
    """A list of texts from Faker (``faker.paragraphs(3)``): one text, joined, in a text column."""

    joiner = "\n\n"

    def joined(self) -> str:
        """The texts as one string."""
        return self.joiner.join(self)


def _faker_provider(name: str) -> str:
    # faker.lorem.sentence() (Faker.js spelling) is faker.sentence() in Python's Faker: the
    # middle parts name Faker.js modules, Python's Faker has every provider method at the top.
    parts = name.split(".")[1:]
    fake = _shared_faker()
    if len(parts) > 1 and not hasattr(fake, parts[0]) and hasattr(fake, parts[-1]):
        return parts[-1]
    return ".".join(parts)


def _call(name: str, raw_args: list[tuple[Node, str | None]]) -> Node:
    args = [node for node, _ in raw_args]
    name = FUNCTION_ALIASES.get(name, name)
    if name.startswith("faker."):
        provider = _faker_provider(name)
        if not hasattr(_shared_faker(), provider):
            known = [n for n in dir(_shared_faker()) if not n.startswith("_")]
            raise _ExpressionError(
                f"faker has no provider '{provider}'{did_you_mean(provider, known)}"
            )

        joiner = _TEXT_LISTS.get(provider)

        def fake(ctx: EvalContext, asset: Asset | None) -> Any:
            values = [arg(ctx, asset) for arg in args]
            value = getattr(ctx.faker, provider)(*values)
            if joiner is not None and isinstance(value, list):
                texts = TextList(value)
                texts.joiner = joiner
                return texts
            return value

        return fake

    def one(fn: Callable[[Any], Any]) -> Node:
        _need(name, args, 1, 1)
        (arg,) = args

        def apply(ctx: EvalContext, asset: Asset | None) -> Any:
            value = arg(ctx, asset)
            return value if value is MISSING or value is None else fn(value)

        return apply

    if name == "lower":
        return one(lambda v: str(v).lower())
    if name == "upper":
        return one(lambda v: str(v).upper())
    if name == "slugify":
        from slugify import slugify

        _need(name, args, 1, 2)
        first = args[0]
        limit = args[1] if len(args) == 2 else None

        def slug(ctx: EvalContext, asset: Asset | None) -> Any:
            value = first(ctx, asset)
            if value is MISSING or value is None:
                return value
            max_length = int(limit(ctx, asset)) if limit is not None else 0
            return slugify(str(value), max_length=max_length, word_boundary=bool(max_length))

        return slug
    if name == "read_time":
        _need(name, args, 1, 2)
        text_arg = args[0]
        wpm_arg = args[1] if len(args) == 2 else None

        def read_time(ctx: EvalContext, asset: Asset | None) -> Any:
            value = text_arg(ctx, asset)
            if value is MISSING or value is None:
                return value
            wpm = float(wpm_arg(ctx, asset)) if wpm_arg is not None else 200.0
            # Minutes rounded up, and never 0: even a short note takes a minute to open and read.
            return max(1, math.ceil(_words(value) / wpm))

        return read_time
    if name == "truncate":
        _need(name, args, 2, 2)
        text_arg, size_arg = args

        def truncate(ctx: EvalContext, asset: Asset | None) -> Any:
            value = text_arg(ctx, asset)
            if value is MISSING or value is None:
                return value
            text, size = str(value), int(size_arg(ctx, asset))
            if len(text) <= size:
                return text
            return text[: max(size - 1, 0)].rstrip() + "…" if size > 0 else ""

        return truncate
    if name == "random_recent":
        _need(name, args, 0, 1)
        span_arg = args[0] if args else None

        def random_recent(ctx: EvalContext, asset: Asset | None) -> Any:
            span = span_arg(ctx, asset) if span_arg is not None else timedelta(days=30)
            if not isinstance(span, timedelta):
                raise _ExpressionError(
                    f"random_recent() wants a duration like 30 days, got {span!r}"
                )
            end = datetime.combine(ctx.today, time(0), tzinfo=UTC)
            return end - timedelta(seconds=round(ctx.rng.random() * span.total_seconds()))

        return random_recent
    if name == "random":
        _need(name, args, 1, 2)
        if len(args) == 2:
            low_arg, high_arg = args

            def between(ctx: EvalContext, asset: Asset | None) -> Any:
                low, high = low_arg(ctx, asset), high_arg(ctx, asset)
                if isinstance(low, int) and isinstance(high, int):
                    return ctx.rng.randint(low, high)
                return ctx.rng.uniform(float(low), float(high))

            return between
        node, bare = raw_args[0]
        if bare is not None and "." not in bare and bare not in _SPECIAL_PATHS:
            pool_name = bare

            def from_pool(ctx: EvalContext, asset: Asset | None) -> Any:
                pool = ctx.pool if pool_name == "pool" else ctx.pools.get(pool_name)
                if pool is None:
                    # Not a pool: a bare field name holding a list, e.g. random(tags).
                    value = node(ctx, asset)
                    if value is MISSING and asset is not None:
                        raise _ExpressionError(
                            f"random({pool_name}): no pool and no field named '{pool_name}'"
                            f"{did_you_mean(pool_name, sorted(ctx.pools))}; write random(pool) "
                            "for a random asset of this pool"
                        )
                    if isinstance(value, list | tuple):
                        return ctx.rng.choice(value) if value else MISSING
                    return value
                if not pool.loaded:
                    return MISSING
                return _asset_value(pool, ctx.rng.choice(pool.loaded))

            return from_pool

        def element(ctx: EvalContext, asset: Asset | None) -> Any:
            value = node(ctx, asset)
            if isinstance(value, list | tuple):
                return ctx.rng.choice(value) if value else MISSING
            return value

        return element
    known = ["lower", "upper", "slugify", "read_time", "truncate", "random", "random_recent"]
    known += list(FUNCTION_ALIASES)
    raise _ExpressionError(
        f"unknown function '{name}'{did_you_mean(name, known)}; functions are "
        f"{', '.join(known)} and faker.<provider>"
    )


_POOL_REF = re.compile(r"\brandom\(\s*([A-Za-z_]\w*)\s*\)")


def referenced_pools(mapping: MappingConfig, pools: Sequence[str]) -> list[str]:
    """The pools among ``pools`` other than the mapping's own that its ``random(<pool>)`` calls
    name: the ones to load before :func:`map_rows` runs."""
    named = {m for source in mapping.fields.values() for m in _POOL_REF.findall(source)}
    return sorted(n for n in pools if n in named and n != mapping.pool)


def compile_expression(source: str) -> Node:
    """Compile one expression; AssetError (with the position) when it does not parse."""
    try:
        return _Parser(source).parse()
    except _ExpressionError as exc:
        raise AssetError(f"expression {source!r}: {exc}") from None


@dataclass(frozen=True)
class CompiledMapping:
    """A mapping whose expressions are compiled: column -> (source, node)."""

    name: str
    config: MappingConfig
    fields: dict[str, tuple[str, Node]]
    #: column -> the asset path its expression starts with (``frontmatter.title | ...``), if any.
    paths: dict[str, str] = field(default_factory=dict)


_PLAIN_PATH = re.compile(r"^\s*([A-Za-z_][\w]*(?:\.[A-Za-z_0-9][\w]*)*)\s*(?:\||$)")


def compile_mapping(mapping: MappingConfig, name: str = "") -> CompiledMapping:
    """Compile every expression of ``mapping`` once; one AssetError lists every bad expression.

    A column of ``fallbacks`` (supa-seed's block) is written after the column's expression as one
    more ``|`` alternative; a fallback for a column without an expression is its expression.
    """
    fields: dict[str, tuple[str, Node]] = {}
    paths: dict[str, str] = {}
    problems: list[str] = []
    label = f"mapping '{name}'" if name else f"mapping of pool '{mapping.pool}'"
    sources = dict(mapping.fields)
    for column, fallback in mapping.fallbacks.items():
        sources[column] = f"{sources[column]} | {fallback}" if column in sources else fallback
    for column, source in sources.items():
        try:
            fields[column] = (source, _Parser(source).parse())
        except _ExpressionError as exc:
            problems.append(f"  - column '{column}' = {source!r}: {exc}")
            continue
        found = _PLAIN_PATH.match(mapping.fields.get(column, ""))
        if found and found[1].lower() not in _LITERAL_NAMES and not found[1].startswith("faker."):
            # Only a path another column derives from (slugify(frontmatter.title)) matters here.
            used = re.compile(rf"(?<![\w.]){re.escape(found[1])}(?![\w.])")
            if any(used.search(s) for c, s in sources.items() if c != column):
                paths[column] = found[1]
    if problems:
        raise AssetError(f"{label} → {mapping.table}: bad expression(s):\n" + "\n".join(problems))
    return CompiledMapping(name, mapping, fields, paths)


#: What a synthetic row's text column gets when its path has no fallback (so a slug or a read time
#: derived from it describes this row): by the column's name, three paragraphs or a title of 3-5
#: words, from the shipped vocabularies (no Faker needed). Titles are drawn word by word (~10^14
#: of them), not from the pool of 1,000 ready titles, whose repeats would give a unique slug made
#: from the title a value of its own.
def _synthetic_text(ctx: EvalContext, column: str) -> str:
    vocab = vocabulary()
    if any(word in column.lower() for word in ("body", "content", "description", "text")):
        return "\n\n".join(ctx.rng.choice(vocab.paragraphs) for _ in range(3))
    title = " ".join(ctx.rng.choice(vocab.words) for _ in range(ctx.rng.randint(3, 5)))
    return title[:1].upper() + title[1:]


def _is_text(column: ColumnLike) -> bool:
    type_name = (getattr(column, "base_type", None) or column.type).lower()
    is_array = getattr(column, "is_array", None)
    if is_array or type_name.endswith("[]"):
        return False
    return type_name.split("(")[0].strip() in {"text", "character varying", "varchar", "citext"}


def _columns_by_name(
    columns: Mapping[str, ColumnLike] | Sequence[ColumnLike],
) -> dict[str, ColumnLike]:
    if isinstance(columns, Mapping):
        return dict(columns)
    return {column.name: column for column in columns}


def map_rows(
    pool: AssetPool,
    mapping: MappingConfig | CompiledMapping,
    columns: Mapping[str, ColumnLike] | Sequence[ColumnLike],
    rng: random.Random,
    *,
    assets: Sequence[Asset] | Selection | None = None,
    pools: Mapping[str, AssetPool] | None = None,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """Rows for ``mapping.table``: one per selected asset, then synthetic rows for a shortfall.

    ``assets`` defaults to the pool's own selection drawn with ``rng``. ``random_recent`` counts
    back from the mapping's ``as_of``, else ``today``, else the current date. ``columns`` are the target
    table's columns (``schema.Table.columns`` or any :class:`ColumnLike`). Synthetic rows (when
    ``count`` exceeds the assets and ``synthetic_fill`` is on) evaluate the same expressions with
    no asset, so only ``|`` fallbacks give them values; columns without one are left out for the
    engine's generators. A column whose value is missing but has a default is left out too.

    Every value is converted and checked first; any that cannot fit raises one AssetError listing
    each (pool, file, field, column), so nothing is written for a bad mapping.
    """
    compiled = mapping if isinstance(mapping, CompiledMapping) else compile_mapping(mapping)
    config = compiled.config
    by_name = _columns_by_name(columns)
    unknown = [c for c in compiled.fields if c not in by_name]
    if unknown:
        raise AssetError(
            f"mapping of pool '{pool.name}' → {config.table}: no column "
            + ", ".join(f"'{c}'{did_you_mean(c, by_name)}" for c in unknown)
            + f"; the table has {', '.join(sorted(by_name))}"
        )
    if assets is None:
        assets = select(pool, rng=rng)
    chosen: Sequence[Asset] = assets.assets if isinstance(assets, Selection) else assets
    wanted = config.count if config.count is not None else len(chosen)
    if config.count is None and isinstance(assets, Selection) and assets.requested is not None:
        wanted = assets.requested  # the selection's own count: its shortfall becomes synthetic
    chosen = list(chosen[:wanted])
    shortfall = wanted - len(chosen)
    if shortfall and not config.synthetic_fill:
        raise AssetError(
            f"mapping of pool '{pool.name}' → {config.table}: count = {wanted} but the pool "
            f"gives {len(chosen)} asset(s); add assets, lower count, or set synthetic_fill = true"
        )
    ctx = EvalContext(rng, pool, dict(pools or {}), config.as_of or today or date.today())
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    sources: list[Asset | None] = [*chosen, *([None] * shortfall)]
    # Columns read from a plain path first: a synthetic row's derived columns then see them.
    synthetic_order = sorted(compiled.fields, key=lambda c: c not in compiled.paths)
    for asset in sources:
        row: dict[str, Any] = {}
        ctx.synthetic = {}
        for column_name in compiled.fields if asset is not None else synthetic_order:
            source, node = compiled.fields[column_name]
            column = by_name[column_name]
            where = asset.label if asset is not None else "(synthetic row)"
            try:
                value = node(ctx, asset)
                path = compiled.paths.get(column_name)
                if asset is None and path is not None:
                    if value is MISSING and _is_text(column):
                        value = _synthetic_text(ctx, column_name)
                    if value is not MISSING:
                        ctx.synthetic[path] = value
            except _ExpressionError as exc:
                raise AssetError(
                    f"mapping of pool '{pool.name}', column '{column_name}': {exc}"
                ) from None
            except Exception as exc:
                problems.append(
                    f"  - pool '{pool.name}', file {where}, field {source!r} → column "
                    f"'{config.table}.{column_name}': {type(exc).__name__}: {exc}"
                )
                continue
            if value is MISSING:
                if asset is None:
                    continue  # no fallback: the engine generates this column
                value = None
            if isinstance(value, TextList) and _is_text(column):
                value = value.joined()
            try:
                converted = to_column(value, column)
            except ValueError as exc:
                problems.append(
                    f"  - pool '{pool.name}', file {where}, field {source!r} → column "
                    f"'{config.table}.{column_name}' ({column.type}): {exc}"
                )
                continue
            if converted is not OMIT:
                row[column_name] = converted
        rows.append(row)
    if problems:
        shown = problems[:25]
        if len(problems) > len(shown):
            shown.append(f"  ... and {len(problems) - len(shown)} more")
        raise AssetError(
            f"{len(problems)} value(s) cannot be written to {config.table}; nothing was written:\n"
            + "\n".join(shown)
        )
    return rows
