"""The ``supaseed`` command as a newcomer meets it: --version, help, init, seed --report, warnings."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pytest_supaseed import __version__
from pytest_supaseed.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ["detect", "snapshot", "diff", "templates", "plan", "schema", "seed", "init"]


def test_supaseed_alone_prints_help_and_succeeds(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: supaseed")
    for command in COMMANDS:
        assert re.search(rf"^\s+{command}\b", out, re.M), command


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"supaseed (pytest-supaseed) {__version__}"


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_no_raw_backticks(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    assert out.startswith(f"usage: supaseed {command}")
    assert "`" not in out


def test_the_readme_lists_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Command line") : readme.index("## Documentation")]
    for command in COMMANDS:
        assert f"`supaseed {command}" in section, command
    assert "supaseed --version" in section
    # The commands that build the project's database take --migrations.
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for command in ("seed", "init", "detect", "snapshot", "diff"):
        flags = {o for a in sub.choices[command]._actions for o in a.option_strings}
        assert "--migrations" in flags, command


def test_init_writes_a_plan_that_seeds_and_reports_without_edits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "app"
    shutil.copytree(ROOT / "example_project" / "supabase", project / "supabase")
    # A file the Supabase CLI would skip: warned about once, as one line.
    (project / "supabase" / "migrations" / "notes.sql").write_text("select 1;\n")
    assert main(["init", "--rootdir", str(project)]) == 0
    captured = capsys.readouterr()
    plan = (project / "supaseed.toml").read_text()
    assert 'extends = "makerkit-saas"' in plan
    assert '[tables."public.trips"]' in plan
    warnings = [line for line in captured.err.splitlines() if "notes.sql" in line]
    assert len(warnings) == 1
    assert warnings[0].startswith("supaseed: warning: Skipping notes.sql")
    # A second init refuses to overwrite the plan, naming the way out.
    assert main(["init", "--rootdir", str(project)]) == 1
    assert "--force" in capsys.readouterr().err
    report = tmp_path / "report.html"
    code = main(["seed", "--rootdir", str(project), "--no-progress", "--report", str(report)])
    out = capsys.readouterr().out
    assert code == 0
    assert "public.setups" in out
    assert f"report: {report}" in out
    page = report.read_text(encoding="utf-8")
    assert 'data-table="public.gear_categories" data-rls="false"' in page
    assert (
        page.count('<img src="data:image/png;base64,') == 0
    )  # the starter plan has no associations


def test_a_command_imports_only_the_module_that_registers_it(tmp_path: Path) -> None:
    """``supaseed seed`` loads the seed command, not the report, schema-diff or AI commands; the
    full parser (``supaseed --help``, an unknown command) still lists every command."""
    import json
    import subprocess
    import sys

    code = (
        "import json, sys\n"
        "from pytest_supaseed.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('pytest_supaseed.cli.'))))\n"
    )

    def loaded(*args: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=False,
            timeout=60,
        )
        modules = json.loads(done.stdout.strip().splitlines()[-1])
        return [m for m in modules if m != "pytest_supaseed.cli.common"]  # the shared options

    assert loaded("templates") == [
        "pytest_supaseed.cli.config",
        "pytest_supaseed.cli.update",
    ]
    # the seed command's first half (its second, cli/seed_build.py, loads when it must build)
    assert loaded("seed", "--help") == [
        "pytest_supaseed.cli.seed",
        "pytest_supaseed.cli.seed_output",
    ]
    every = [
        f"pytest_supaseed.cli.{m}" for m in ("ai", "cache", "config", "init", "schema", "seed")
    ]
    assert set(every) <= set(loaded("--help"))
    assert set(every) <= set(loaded("no-such-command"))
