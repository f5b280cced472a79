"""Plan column overrides turned into value generators.

In a plan, ``[tables.posts.columns]`` maps a column to a constant (``status = "published"``) or to
an expression written ``"{{ ... }}"``. Expressions understood:

- ``faker.<method>(<literal args>)``: one Faker call per row (e.g. ``faker.sentence(nb_words=6)``),
  with a Faker instance seeded from the column's own stream: deterministic, but ~10-80 µs per value,
  so meant for the few columns where the built-in generators are not enough;
- ``default``: do not send the column, let the database's default fill it;
- ``null``: NULL in every row.
"""

from __future__ import annotations

import ast
from random import Random
from typing import Any

from ..errors import ConfigError, did_you_mean
from . import values as v
from .table import leave_to_database


def expression_generator(
    source: str, *, locale: str = "en_US", where: str = "", rng: Random | None = None
) -> object:
    """The generator for the override expression ``source`` (see the module docstring).

    Returns :func:`~pytest_supaseed.generate.table.leave_to_database` for ``default``.
    ``where`` (``tables.posts.columns.title``) locates errors.
    """
    text = source.strip()
    if text == "default":
        return leave_to_database()
    if text == "null":
        return v.Constant(None)
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError as exc:
        raise ConfigError(
            f"cannot parse expression '{{{{ {text} }}}}': {exc.msg}", key_path=where
        ) from exc
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "faker"
    ):
        raise ConfigError(
            f"expression '{{{{ {text} }}}}' is not supported; use faker.<method>(...), "
            "'default' or 'null'",
            key_path=where,
        )
    try:
        args = [ast.literal_eval(a) for a in node.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
    except ValueError as exc:
        raise ConfigError(
            f"arguments of '{{{{ {text} }}}}' must be literals (numbers, strings, lists)",
            key_path=where,
        ) from exc
    try:
        from faker import Faker  # optional: the `faker` extra, only for these expressions
    except ImportError:
        raise ConfigError(
            f"'{{{{ {text} }}}}' calls Faker, which is not installed: "
            "pip install 'pytest-supaseed[faker]' (or drop the override and let the built-in "
            "generators fill the column)",
            key_path=where,
        ) from None
    fake = Faker(locale)
    method_name = node.func.attr
    method = getattr(fake, method_name, None)
    if method is None or method_name.startswith("_") or not callable(method):
        known = [m for m in dir(fake) if not m.startswith("_")]
        raise ConfigError(
            f"Faker has no method '{method_name}'{did_you_mean(method_name, known)}",
            key_path=where,
        )
    seeded = {"done": False}

    def make(r: Random) -> Any:
        # Seed Faker once from the column's stream: the whole column is then reproducible.
        if not seeded["done"]:
            fake.seed_instance(r.getrandbits(64))
            seeded["done"] = True
        return method(*args, **kwargs)

    try:
        make(Random(0))  # fail now, with the plan key, rather than halfway through a table
    except Exception as exc:
        raise ConfigError(f"'{{{{ {text} }}}}' failed: {exc}", key_path=where) from exc
    seeded["done"] = False
    return v.PerValue(make)


def override_generator(
    value: Any, *, is_expression: bool, where: str, locale: str = "en_US"
) -> object:
    """A generator for one plan override: a constant, or an expression's generator."""
    if is_expression:
        return expression_generator(str(value), locale=locale, where=where)
    return v.Constant(value)
