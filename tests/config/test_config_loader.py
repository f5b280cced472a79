"""Plan files: discovery under the rootdir, and errors that name file, key path, line and fix."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pytest_supaseed.config import SeedPlan, find_plan_file, load_plan
from pytest_supaseed.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def test_no_plan_file_gives_the_empty_plan(tmp_path: Path) -> None:
    assert find_plan_file(tmp_path) is None
    assert load_plan(rootdir=tmp_path) == SeedPlan()


def test_supaseed_toml_is_found_and_validated(tmp_path: Path) -> None:
    write(
        tmp_path / "supaseed.toml",
        """
        seed = 42
        [users]
        count = 7
        [tables."public.posts"]
        count = 12
        columns = { status = "published" }
        """,
    )
    plan = load_plan(rootdir=tmp_path)
    assert plan.seed == 42
    assert plan.users.count == 7
    assert plan.tables["public.posts"].count == 12


def test_supaseed_yaml_is_found(tmp_path: Path) -> None:
    write(tmp_path / "supaseed.yaml", "seed: 3\nusers:\n  count: 2\n")
    assert load_plan(rootdir=tmp_path).users.count == 2


def test_pyproject_tool_table_is_found(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n\n[tool.supaseed]\nseed = 9\n')
    assert find_plan_file(tmp_path) == tmp_path / "pyproject.toml"
    assert load_plan(rootdir=tmp_path).seed == 9


def test_pyproject_without_tool_table_is_not_a_plan(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    assert find_plan_file(tmp_path) is None


def test_two_plan_files_are_an_error_naming_both(tmp_path: Path) -> None:
    write(tmp_path / "supaseed.toml", "seed = 1\n")
    write(tmp_path / "pyproject.toml", "[tool.supaseed]\nseed = 2\n")
    with pytest.raises(ConfigError, match=r"supaseed\.toml, pyproject\.toml \[tool\.supaseed\]"):
        load_plan(rootdir=tmp_path)


def test_dict_and_explicit_path_sources(tmp_path: Path) -> None:
    assert load_plan({"users": {"count": 4}}, rootdir=tmp_path).users.count == 4
    write(tmp_path / "plans" / "ci.yaml", "seed: 11\n")
    assert load_plan("plans/ci.yaml", rootdir=tmp_path).seed == 11
    with pytest.raises(ConfigError, match="plan file not found"):
        load_plan("plans/missing.toml", rootdir=tmp_path)


def test_toml_typos_name_file_key_path_line_and_suggestion(tmp_path: Path) -> None:
    plan = write(
        tmp_path / "supaseed.toml",
        """
        seed = 1

        [users]
        count = 3

        [tables.posts]
        countt = 5
        """,
    )
    with pytest.raises(ConfigError) as info:
        load_plan(rootdir=tmp_path)
    error = info.value
    assert error.file == str(plan)
    assert error.key_path == "tables.posts.countt"
    assert error.line == 7
    assert "did you mean 'count'?" in str(error)
    assert str(error).startswith(f"{plan}:7 at 'tables.posts.countt': unknown key 'countt'")


def test_toml_top_level_typo_asset_pool(tmp_path: Path) -> None:
    plan = write(
        tmp_path / "supaseed.toml",
        """
        seed = 1
        [asset_pool.posts]
        type = "markdown"
        path = "content/*.md"
        """,
    )
    with pytest.raises(ConfigError) as info:
        load_plan(rootdir=tmp_path)
    assert info.value.file == str(plan)
    assert info.value.key_path == "asset_pool"
    assert info.value.line == 2
    assert str(info.value).startswith(f"{plan}:2 at 'asset_pool': ")
    assert "unknown key 'asset_pool' (did you mean 'asset_pools'?)" in str(info.value)


def test_toml_inline_and_dotted_keys_are_located(tmp_path: Path) -> None:
    write(
        tmp_path / "supaseed.toml",
        """
        seed = 1
        [tables]
        posts.count = 1
        "public.comments" = { count = 2, colums = {} }
        """,
    )
    with pytest.raises(ConfigError) as info:
        load_plan(rootdir=tmp_path)
    assert info.value.key_path == 'tables."public.comments".colums'
    assert info.value.line == 4
    assert "did you mean 'columns'?" in str(info.value)


def test_pyproject_errors_count_lines_in_pyproject(tmp_path: Path) -> None:
    plan = write(
        tmp_path / "pyproject.toml",
        """
        [project]
        name = "x"

        [tool.supaseed.users]
        cont = 3
        """,
    )
    with pytest.raises(ConfigError) as info:
        load_plan(rootdir=tmp_path)
    assert (info.value.file, info.value.key_path, info.value.line) == (str(plan), "users.cont", 5)
    assert "did you mean 'count'?" in str(info.value)


def test_yaml_typos_use_node_marks_for_the_line(tmp_path: Path) -> None:
    plan = write(
        tmp_path / "supaseed.yaml",
        """
        seed: 1
        asset_pool:
          posts: {type: markdown, path: "*.md"}
        tables:
          posts:
            countt: 5
        """,
    )
    with pytest.raises(ConfigError) as info:
        load_plan(rootdir=tmp_path)
    error = info.value
    assert (error.file, error.key_path, error.line) == (str(plan), "asset_pool", 2)
    assert "(did you mean 'asset_pools'?)" in str(error)
    # Every problem is listed, each with its own line, in file order.
    assert (
        f"{plan}:6 at 'tables.posts.countt': unknown key 'countt' (did you mean 'count'?)"
        in str(error)
    )


def test_bad_values_are_located_too(tmp_path: Path) -> None:
    write(
        tmp_path / "supaseed.toml",
        "[accounts]\nteams = -2\nmembers_per_team = { min = 4, max = 1 }\n",
    )
    with pytest.raises(ConfigError) as info:
        load_plan(rootdir=tmp_path)
    text = str(info.value)
    assert info.value.key_path == "accounts.teams"
    assert info.value.line == 2
    assert "greater than or equal to 0" in text
    assert "at 'accounts.members_per_team': min (4) is greater than max (1)" in text


def test_union_errors_become_one_message(tmp_path: Path) -> None:
    write(tmp_path / "supaseed.toml", "extends = 3\n")
    with pytest.raises(ConfigError) as info:
        load_plan(rootdir=tmp_path)
    assert info.value.key_path == "extends"
    assert "valid string" in str(info.value)
    assert "valid list" in str(info.value)
    assert "more problem" not in str(info.value)


def test_syntax_errors_carry_the_line(tmp_path: Path) -> None:
    write(tmp_path / "supaseed.toml", "seed = 1\n[users\ncount = 2\n")
    with pytest.raises(ConfigError, match="not valid TOML") as info:
        load_plan(rootdir=tmp_path)
    assert info.value.line == 2
    (tmp_path / "supaseed.toml").unlink()
    write(tmp_path / "supaseed.yaml", "seed: 1\nusers: [a\n")
    with pytest.raises(ConfigError, match="not valid YAML") as info:
        load_plan(rootdir=tmp_path)
    assert info.value.line is not None


def test_a_plan_must_be_a_mapping(tmp_path: Path) -> None:
    write(tmp_path / "supaseed.yaml", "- a\n- b\n")
    with pytest.raises(ConfigError, match="must be a table of keys, not list"):
        load_plan(rootdir=tmp_path)


def test_append_marker_needs_a_list_and_no_plain_twin(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="must be a list"):
        load_plan({"users": {"roles+": "admin"}}, rootdir=tmp_path)
    with pytest.raises(ConfigError, match="both 'roles' and 'roles\\+' are set"):
        load_plan({"users": {"roles": ["a"], "roles+": ["b"]}}, rootdir=tmp_path)


def test_key_like_lines_inside_multiline_strings_are_not_keys(tmp_path: Path) -> None:
    write(
        tmp_path / "supaseed.toml",
        '''
        description = """
        users.countt = 1
        """
        [users]
        countt = 2
        ''',
    )
    with pytest.raises(ConfigError) as info:
        load_plan(rootdir=tmp_path)
    assert info.value.key_path == "users.countt"
    assert info.value.line == 5
