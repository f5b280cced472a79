"""Resolve the ``"module:attribute"`` references a plan may name (filters, models, strategies)."""

from __future__ import annotations

import importlib
from typing import Any

from .errors import SupaseedError, did_you_mean


def import_object(ref: str, what: str, error: type[SupaseedError]) -> Any:
    """The object ``ref`` (``"package.module:name"`` or ``"module:Class.attr"``) names.

    Raises ``error`` saying ``what`` was looked for, why it failed, and the closest name when an
    attribute is missing.
    """
    module_name, _, attr = ref.partition(":")
    if not module_name or not attr:
        raise error(f"{what} '{ref}' is not 'module:name'")
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise error(
            f"{what} '{ref}' cannot be imported ({exc}); give 'module:name' importable from the "
            "test run"
        ) from None
    for part in attr.split("."):
        if not hasattr(target, part):
            names = [n for n in dir(target) if not n.startswith("_")]
            raise error(
                f"{what} '{ref}' cannot be imported ({getattr(target, '__name__', target)!s} has "
                f"no attribute '{part}'){did_you_mean(part, names)}"
            )
        target = getattr(target, part)
    return target
