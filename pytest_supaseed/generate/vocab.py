"""Realistic vocabularies: pools of names, words and places, sampled in bulk.

Calling Faker once per value costs 10-80 µs (research/perf-baselines.md §3); sampling a pre-built
pool costs well under 1 µs. The pools were built from Faker once, with a fixed seed, and the
``en_US`` pools ship with the package as data (``vocab_data/en_US.json``): loading them takes a
few milliseconds, needs no Faker at all, and gives the same pools on every machine whatever Faker
version is installed there. Other locales are built from Faker on first use (the ``faker`` extra:
``pip install pytest-supaseed[faker]``) and cached for the process.

Rebuild the shipped data after changing how pools are built (needs Faker)::

    python -m pytest_supaseed.generate.build_vocab en_US
"""

from __future__ import annotations

import functools
from dataclasses import astuple, dataclass, fields
from importlib.metadata import version
from pathlib import Path
from typing import Any

import orjson

from ..errors import SupaseedError

#: How many entries each generated pool holds: large enough that values look varied, small enough
#: that building every pool from Faker stays around 100-200 ms.
POOL_SIZE = 1000

#: Vocabularies are built from this fixed Faker seed so that they are identical in every process;
#: the plan's seed only decides which entries are picked.
_VOCAB_SEED = 20240601

#: Version of the shipped data layout (bump when the pools or how they are built change).
DATA_FORMAT = 1

#: Where the shipped pools live, one ``<locale>.json`` each.
DATA_DIR = Path(__file__).with_name("vocab_data")


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Pools of realistic values for one locale; every tuple is in a fixed order."""

    locale: str
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    words: tuple[str, ...]
    sentences: tuple[str, ...]
    paragraphs: tuple[str, ...]
    titles: tuple[str, ...]
    cities: tuple[str, ...]
    countries: tuple[str, ...]
    country_codes: tuple[str, ...]
    streets: tuple[str, ...]
    postcodes: tuple[str, ...]
    companies: tuple[str, ...]
    jobs: tuple[str, ...]
    domains: tuple[str, ...]
    colors: tuple[str, ...]
    currencies: tuple[str, ...]
    languages: tuple[str, ...]
    timezones: tuple[str, ...]


_POOLS = tuple(f.name for f in fields(Vocabulary) if f.name != "locale")


def _distinct(values: list[str]) -> tuple[str, ...]:
    # dict.fromkeys keeps first-seen order, which is fixed by the Faker seed.
    return tuple(dict.fromkeys(v for v in values if v))


def shipped_locales() -> list[str]:
    """Locales whose pools ship with the package (loaded without Faker)."""
    return sorted(p.stem for p in DATA_DIR.glob("*.json"))


@functools.lru_cache(maxsize=8)
def vocabulary(locale: str = "en_US") -> Vocabulary:
    """The :class:`Vocabulary` of ``locale`` (a Faker locale such as ``en_US`` or ``de_DE``).

    Shipped locales load from the package's data in a few milliseconds; any other locale is built
    from Faker on first use (0.1-0.2 s, needs the ``faker`` extra). Cached for the process.
    """
    path = DATA_DIR / f"{locale}.json"
    if path.is_file():
        return _from_data(orjson.loads(path.read_bytes()), path)
    return build_vocabulary(locale)


def _from_data(data: dict[str, Any], path: Path) -> Vocabulary:
    if data.get("format") != DATA_FORMAT or set(data.get("pools", {})) != set(_POOLS):
        raise SupaseedError(
            f"{path}: vocabulary data of another format (expected format {DATA_FORMAT} with pools "
            f"{', '.join(_POOLS)}); reinstall pytest-supaseed"
        )
    pools = data["pools"]
    return Vocabulary(data["locale"], *(tuple(pools[name]) for name in _POOLS))


def build_vocabulary(locale: str = "en_US") -> Vocabulary:
    """Build the pools of ``locale`` from Faker (fixed seed): what the shipped data was made from.

    Needs Faker (``pip install pytest-supaseed[faker]``); the same Faker version gives the same
    pools on every machine.
    """
    try:
        from faker import Faker
    except ImportError:
        raise SupaseedError(
            f"the vocabulary of locale {locale!r} is built from Faker, which is not installed: "
            f"pip install 'pytest-supaseed[faker]' (locales shipped without Faker: "
            f"{', '.join(shipped_locales()) or 'none'})"
        ) from None
    try:
        # use_weighting=False: 8x faster generation; the pools are sampled uniformly anyway.
        fake = Faker(locale, use_weighting=False)
    except AttributeError:
        raise SupaseedError(
            f"unknown locale {locale!r}: use a Faker locale such as en_US, de_DE or fr_FR"
        ) from None
    fake.seed_instance(_VOCAB_SEED)
    n = POOL_SIZE

    def many(method: str, count: int = n) -> list[str]:
        produce = getattr(fake, method)
        return [str(produce()) for _ in range(count)]

    titles = [fake.sentence(nb_words=4).rstrip(".") for _ in range(n)]
    paragraphs = [fake.paragraph(nb_sentences=4) for _ in range(n // 2)]
    return Vocabulary(
        locale=locale,
        first_names=_distinct(many("first_name")),
        last_names=_distinct(many("last_name")),
        words=_distinct(many("word", 2 * n)),
        sentences=_distinct(many("sentence")),
        paragraphs=_distinct(paragraphs),
        titles=_distinct(titles),
        cities=_distinct(many("city")),
        countries=_distinct(many("country")),
        country_codes=_distinct(many("country_code", 300)),
        streets=_distinct(many("street_address")),
        postcodes=_distinct(many("postcode")),
        companies=_distinct(many("company")),
        jobs=_distinct(many("job")),
        domains=_distinct(many("domain_name", 200)),
        colors=_distinct(many("color_name", 300)),
        currencies=_distinct(many("currency_code", 300)),
        languages=_distinct(many("language_name", 300)),
        timezones=_distinct(many("timezone", 300)),
    )


def vocabulary_data(vocab: Vocabulary) -> bytes:
    """``vocab`` as the shipped JSON data (sorted keys, fixed pool order: byte-for-byte stable)."""

    values = dict(zip(("locale", *_POOLS), astuple(vocab)))
    data = {
        "format": DATA_FORMAT,
        "locale": vocab.locale,
        "built_with": f"Faker {version('faker')}, seed {_VOCAB_SEED}, {POOL_SIZE} per pool",
        "pools": {name: list(values[name]) for name in _POOLS},
    }
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
