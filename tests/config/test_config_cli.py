"""``supaseed templates``, ``templates show --resolved``, ``plan`` and ``schema``."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from pytest_supaseed.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_templates_lists_name_and_description(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "supaseed" / "templates").mkdir(parents=True)
    (tmp_path / "supaseed" / "templates" / "mine.toml").write_text('description = "Our own"\n')
    code, out, _ = run(capsys, "templates", "--rootdir", str(tmp_path))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[0] == "mine"
    assert "Our own" in lines[0]
    assert any(line.startswith("outdoor-platform ") and "[built-in]" in line for line in lines)
    assert len(lines) == 5


def test_show_resolved_annotates_each_value(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(
        capsys, "templates", "show", "blog-platform", "--resolved", "--rootdir", str(tmp_path)
    )
    assert code == 0
    assert "# templates (most specific first): blog-platform -> makerkit-saas" in out
    assert "# plan hash: " in out
    count = next(line for line in out.splitlines() if line.startswith("users.count = "))
    assert count.split("#")[-1].strip() == "built-in template 'makerkit-saas'"
    strategy = next(line for line in out.splitlines() if "posts_to_authors.strategy" in line)
    assert '"weighted_random"' in strategy
    assert strategy.endswith("# built-in template 'blog-platform'")
    assert "users.email_domain" not in out  # defaults only with --defaults


def test_show_without_resolved_prints_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "templates", "show", "makerkit-saas", "--rootdir", str(tmp_path))
    assert code == 0
    assert 'demo_schema = ["demo:makerkit_v2"]' in out


def test_unknown_template_is_an_error_exit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "templates", "show", "outdor-platform", "--rootdir", str(tmp_path))
    assert code == 1
    assert "did you mean 'outdoor-platform'?" in err


def test_plan_shows_the_project_plan_with_defaults(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "supaseed.toml").write_text('extends = "e-commerce"\nseed = 5\n')
    code, out, _ = run(capsys, "plan", "--defaults", "--rootdir", str(tmp_path))
    assert code == 0
    assert "seed = 5" in out
    assert "# supaseed.toml" in out
    assert "users.email_domain" in out


def test_schema_is_a_json_schema_that_validates_plans(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid({"users": {"count": 2}})
    assert not validator.is_valid({"users": {"cont": 2}})


def test_schema_help_names_the_plan_schema_file_not_the_snapshot(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # supaseed.schema.json is the database snapshot (supaseed snapshot); plans get their own name
    with pytest.raises(SystemExit):
        main(["schema", "--help"])
    out = capsys.readouterr().out
    assert "supaseed.plan.schema.json" in out
    assert "supaseed.schema.json" not in out


def test_a_broken_project_template_does_not_hide_the_others(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "supaseed" / "templates").mkdir(parents=True)
    (tmp_path / "supaseed" / "templates" / "broken.toml").write_text("description = \n")
    code, out, _ = run(capsys, "templates", "--rootdir", str(tmp_path))
    assert code == 0
    broken = next(line for line in out.splitlines() if line.startswith("broken"))
    assert "(cannot read:" in broken
    assert "not valid TOML" in broken
    assert sum(1 for line in out.splitlines() if "[built-in]" in line) == 4
