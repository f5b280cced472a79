"""The plan package sits below the code that reads plans: importing it (eagerly, every public name)
loads none of assets/, associate/, generate/, the plan check or the run, and each of its modules
imports first in a fresh interpreter."""

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


def test_the_plan_package_loads_no_module_of_a_higher_layer() -> None:
    loaded = _fresh(
        "import sys, pytest_supaseed.config as c; [getattr(c, n) for n in c.__all__]; "
        "print(sorted({m.split('.')[1] for m in sys.modules if m.startswith('pytest_supaseed.')}))"
    )
    # config reads demo schema names (templates), errors, the glob matcher for asset files (which
    # skips the plugin's own folder: project_dirs) and where the plan file is; nothing that fills
    # a table
    assert loaded == (
        "['config', 'demo_schemas', 'errors', 'file_globs', 'lazy_exports', 'plan_files', "
        "'project_dirs']"
    )


@pytest.mark.parametrize(
    "module",
    [
        "pytest_supaseed.config.asset_sections",
        "pytest_supaseed.config.association_sections",
        "pytest_supaseed.assets",
        "pytest_supaseed.associate",
        "pytest_supaseed.config.models",
        "pytest_supaseed.config",
    ],
)
def test_each_module_imports_first_in_a_fresh_interpreter(module: str) -> None:
    # every name the module exports loads (a lazy package's too), then the plan model
    code = (
        f"import {module} as m; [getattr(m, n) for n in getattr(m, '__all__', ())]; "
        "from pytest_supaseed.config import SeedPlan; print('ok')"
    )
    assert _fresh(code) == "ok"


def test_public_names_resolve_and_unknown_ones_raise() -> None:
    for name in config.__all__:
        assert getattr(config, name) is not None
    assert set(config.__all__) <= set(dir(config))
    # a submodule is reachable as an attribute of the package
    assert _fresh("import pytest_supaseed.config as c; print(c.models.SeedPlan.__name__)") == (
        "SeedPlan"
    )
    with pytest.raises(AttributeError, match="no attribute 'SeedPlann'"):
        config.SeedPlann  # noqa: B018
