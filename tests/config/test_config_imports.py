"""The plan package imports lazily: its base module does not pull in the sections that import it."""

from __future__ import annotations

import subprocess
import sys

import pytest

import pytest_supaseed.config as config


def _fresh(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_base_does_not_load_the_models() -> None:
    # assets.config and associate.config import config.base while SeedPlan imports them: if
    # importing config.base ran config/__init__'s eager imports, that would be a cycle
    loaded = _fresh(
        "import sys, pytest_supaseed.config.base; "
        "print(sorted(m for m in sys.modules if m.startswith('pytest_supaseed.')))"
    )
    assert loaded == "['pytest_supaseed.config', 'pytest_supaseed.config.base']"


@pytest.mark.parametrize(
    "module",
    [
        "pytest_supaseed.assets.config",
        "pytest_supaseed.associate.config",
        "pytest_supaseed.config.models",
        "pytest_supaseed.config",
    ],
)
def test_each_module_imports_first_in_a_fresh_interpreter(module: str) -> None:
    assert _fresh(f"import {module}; from pytest_supaseed.config import SeedPlan; print('ok')") == (
        "ok"
    )


def test_public_names_resolve_and_unknown_ones_raise() -> None:
    for name in config.__all__:
        assert getattr(config, name) is not None
    assert set(config.__all__) <= set(dir(config))
    # as before the lazy imports, a submodule is reachable as an attribute of the package
    assert _fresh("import pytest_supaseed.config as c; print(c.models.SeedPlan.__name__)") == (
        "SeedPlan"
    )
    with pytest.raises(AttributeError, match="no attribute 'SeedPlann'"):
        config.SeedPlann  # noqa: B018
