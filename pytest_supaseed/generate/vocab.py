"""Realistic vocabularies, built once per locale from Faker and then sampled in bulk.

Faker is the source of realistic words, names and places, but calling it once per value costs
10-80 µs (research/perf-baselines.md §3); sampling a pre-built pool with ``rng.choices`` costs well
under 1 µs. So Faker runs here a few thousand times per process and per locale, never per row.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from faker import Faker

#: How many entries each generated pool holds: large enough that values look varied, small enough
#: that building every pool stays around 100 ms.
POOL_SIZE = 1000

#: Vocabularies are built from this fixed Faker seed so that they are identical in every process;
#: the plan's seed only decides which entries are picked.
_VOCAB_SEED = 20240601


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Pools of realistic values for one locale; every tuple is sorted or in a fixed order."""

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


def _distinct(values: list[str]) -> tuple[str, ...]:
    # dict.fromkeys keeps first-seen order, which is fixed by the Faker seed.
    return tuple(dict.fromkeys(v for v in values if v))


@functools.lru_cache(maxsize=8)
def vocabulary(locale: str = "en_US") -> Vocabulary:
    """The :class:`Vocabulary` of ``locale`` (a Faker locale such as ``en_US`` or ``de_DE``).

    Built on first use (about 0.1-0.2 s) and cached for the process.
    """
    # use_weighting=False: 8x faster generation; the pools are sampled uniformly anyway.
    fake = Faker(locale, use_weighting=False)
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
