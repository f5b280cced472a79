"""Rebuild the vocabulary data shipped with the package (needs Faker).

Run ``python -m pytest_supaseed.generate.build_vocab [LOCALE...]`` (default ``en_US``) after a
change to how :func:`~pytest_supaseed.generate.vocab.build_vocabulary` builds pools; the file it
writes is what :func:`~pytest_supaseed.generate.vocab.vocabulary` loads without Faker.
"""

from __future__ import annotations

import sys

from .vocab import DATA_DIR, build_vocabulary, vocabulary_data


def main(argv: list[str] | None = None) -> int:
    """Write ``vocab_data/<locale>.json`` for every locale given (default ``en_US``)."""
    locales = (sys.argv[1:] if argv is None else argv) or ["en_US"]
    DATA_DIR.mkdir(exist_ok=True)
    for locale in locales:
        path = DATA_DIR / f"{locale}.json"
        path.write_bytes(vocabulary_data(build_vocabulary(locale)))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
