"""Packages that import their submodules on first use of a name, not when they are imported.

A package whose ``__init__`` imports its own submodules can deadlock two threads importing it for
the first time: importing ``pkg.child`` holds the child's import lock while ``pkg/__init__`` runs,
and when that ``__init__`` imports a sibling that another thread is importing (which imports
``pkg.child`` in turn), each waits for the other. CPython then breaks the cycle by handing one of
them a half-initialised module (``ImportError: cannot import name ...``). pytest-supaseed imports
on more than one thread (the early start and the template databases built ahead run while pytest
imports the test modules, which may import ``pytest_supaseed.config`` or ``.assets`` themselves),
so its packages' ``__init__`` files import nothing of their own: each names what it exports and
where, under ``TYPE_CHECKING`` for type checkers, and :func:`lazy_package` loads a name when it is
first read (``from pytest_supaseed.config import resolve_plan`` works as before, and so does
``pytest_supaseed.config.models``: a module ``__init__`` used to import loads when read as an
attribute). A name is read from its module on every access, never kept in the package, so a
test that patches it there is seen through the package, and undone with it.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from types import ModuleType
from typing import Any

__all__ = ["lazy_package"]

_EXPORTS = "__lazy_exports__"


class _LazyPackage(ModuleType):
    def __getattr__(self, name: str) -> Any:  # called only for names the package has not set
        exports: Mapping[str, str] = self.__dict__.get(_EXPORTS, {})
        where = exports.get(name)
        if where is not None:
            # Read from the module each time (not kept here): a name patched or restored there
            # is what the package gives too.
            try:
                return getattr(importlib.import_module(where, self.__name__), name)
            except AttributeError as exc:  # a broken module, not a missing name
                raise ImportError(
                    f"cannot load {name!r} of {self.__name__} from {where}: {exc}"
                ) from exc
        if f".{name}" in exports.values():
            # one of the package's modules that ``__init__`` used to import (``config.models``)
            return importlib.import_module(f"{self.__name__}.{name}")
        raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        # The import system binds every submodule it loads on its package; where an export has
        # the submodule's name (``schema.diff``, the function), the export must win, as it did
        # when ``__init__`` imported it.
        if _shadows_export(self, name, value):
            return
        super().__setattr__(name, value)

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self.__dict__.get(_EXPORTS, {})})


def _shadows_export(module: ModuleType, name: str, value: Any) -> bool:
    exports: Mapping[str, str] = module.__dict__.get(_EXPORTS, {})
    return (
        name in exports
        and isinstance(value, ModuleType)
        and value.__name__ == f"{module.__name__}.{name}"
    )


def lazy_package(name: str, exports: Mapping[str, tuple[str, ...]]) -> None:
    """Make package ``name`` (call it at the end of its ``__init__``: ``lazy_package(__name__,
    {".catalog": ("Template", ...), ...})``) load each exported name from its submodule (relative
    to the package, or absolute) when it is read."""
    module = sys.modules[name]
    flat = {attr: where for where, attrs in exports.items() for attr in attrs}
    module.__dict__[_EXPORTS] = flat
    module.__class__ = _LazyPackage
    # Another thread may have imported one of the package's modules while this ``__init__`` ran
    # (the import system does not wait for a parent package that is still initialising) and bound
    # it over an export of its name before the class above could refuse it.
    for attr, value in list(module.__dict__.items()):
        if _shadows_export(module, attr, value):
            del module.__dict__[attr]
