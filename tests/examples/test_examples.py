"""The second example (examples/notes) and the example's --supaseed-template use, as users run them.

Each runs pytest in a subprocess from the example's folder (its own rootdir, conftest and plan),
so these are end-to-end: the plugin as installed, a server of its own, the example's assertions.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _pytest(
    folder: Path, *args: str, without: tuple[str, ...] = (), shadows: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m pytest -q ARGS`` in ``folder``. The packages ``without`` cannot be imported
    there, as if they were not installed: a package of that name in ``shadows``, first on
    ``PYTHONPATH``, raises ImportError (a finder put on ``sys.meta_path`` would not do: pytest's
    assertion-rewriting finder goes first and finds packages that ship a pytest plugin); their
    pytest plugins are not loaded."""
    # PYTEST_ADDOPTS: the suite's list of plugins these runs do not load (tests/conftest.py);
    # SUPASEED_CACHE_DIR: the suite's own cache, never the user's (the example's templates there
    # survive the suite)
    env = {
        k: v
        for k, v in os.environ.items()
        if k in ("PYTEST_ADDOPTS", "SUPASEED_CACHE_DIR")
        or not k.startswith(("PYTEST_", "SUPASEED_"))
    }
    blocked = [arg for name in without for arg in ("-p", f"no:{name}")]
    if without:
        assert shadows is not None
        for name in without:
            (shadows / name).mkdir(parents=True, exist_ok=True)
            (shadows / name / "__init__.py").write_text(
                f"raise ModuleNotFoundError('No module named {name!r} (hidden by the test)', "
                f"name={name!r})\n"
            )
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(shadows), env.get("PYTHONPATH")]))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *blocked,
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            *args,
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_notes_example_passes_without_faker(tmp_path: Path) -> None:
    # what its README installs: the hypothesis and asyncio extras, not faker
    done = _pytest(ROOT / "examples" / "notes", without=("faker",), shadows=tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "42 passed" in done.stdout


def test_the_rls_tests_pass_on_the_big_club_template() -> None:
    # README of example_project: the same RLS tests on a 30-user, 5-club dataset.
    done = _pytest(ROOT / "example_project", "tests/test_rls.py", "--supaseed-template", "big-club")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "7 passed" in done.stdout
    assert "big-club" in done.stdout  # the summary names the template that was seeded
