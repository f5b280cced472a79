"""`supaseed diff --impact` and `supaseed plan --check` against the blog before and after its
migrations (real databases on the test server, through the real entry point)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import psycopg
import pytest

from pytest_supaseed.cli import main
from pytest_supaseed.config import resolve_plan
from pytest_supaseed.errors import ConfigError
from pytest_supaseed.plancheck.check import check_database
from pytest_supaseed.schema.drift import drift_note, header_note, remember_schema
from pytest_supaseed.schema.introspect import introspect

from .conftest import Blog


def _impacts(
    blog: Blog, project: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[dict[str, object]]]:
    code = main(
        [
            "diff",
            str(project / "supaseed.schema.json"),
            "--impact",
            "--dsn",
            blog.v2,
            "--rootdir",
            str(project),
            "--format",
            "json",
        ]
    )
    return code, json.loads(capsys.readouterr().out)["impacts"]


def test_diff_impact_names_each_change_with_its_severity(
    blog: Blog, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, impacts = _impacts(blog, project, capsys)
    assert code == 1  # there are errors
    found = {(i["severity"], i["kind"], i["table"], i["column"], i["plan_key"]): i for i in impacts}
    role = found["error", "column_removed", "public.authors", "role", "tables.authors.columns.role"]
    assert (role["file"], role["line"]) == (str(project / "supaseed.toml"), 7)
    assert role["suggestion"] == "remove tables.authors.columns.role"
    summary = found[
        "error", "column_removed", "public.posts", "summary", "mappings.posts.fields.summary"
    ]
    assert (summary["file"], summary["line"]) == (str(project / "supaseed.toml"), 17)
    rating = found[
        "warning", "column_added", "public.authors", "rating", "tables.authors.columns.rating"
    ]
    assert rating["suggestion"] == (
        'tables.authors.columns.rating = "{{ faker.random_int(min=1, max=5) }}"'
    )
    bio = found["suggestion", "column_added", "public.authors", "bio", "tables.authors.columns.bio"]
    assert "faker.paragraph" in str(bio["suggestion"])
    comments = found["suggestion", "table_added", "public.comments", None, "tables.comments"]
    assert comments["suggestion"] == "tables.comments = { count_per_parent = { post_id = 2 } }"
    label = next(i for i in impacts if i["kind"] == "enum_label_added")
    assert (label["severity"], label["subject"]) == ("suggestion", "public.post_status 'archived'")
    widened = next(i for i in impacts if i["kind"] == "column_type_changed")
    assert (widened["severity"], widened["column"]) == ("info", "country")
    assert "still fit" in str(widened["message"])
    level = found[
        "suggestion",
        "column_added",
        "public.posts",
        "reading_level",
        "mappings.posts.fields.reading_level",
    ]
    assert (
        level["suggestion"] == 'mappings.posts.fields.reading_level = "frontmatter.reading_level"'
    )
    cover = found[
        "suggestion",
        "column_added",
        "public.posts",
        "cover_image",
        "tables.posts.columns.cover_image",
    ]
    assert cover["suggestion"] == 'tables.posts.columns.cover_image = "{{ faker.image_url() }}"'
    # most serious first
    order = ["error", "warning", "suggestion", "info"]
    ranks = [order.index(str(i["severity"])) for i in impacts]
    assert ranks == sorted(ranks)


def test_diff_impact_table_output_points_at_the_plan_lines(
    blog: Blog, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "diff",
            str(project / "supaseed.schema.json"),
            "--impact",
            "--dsn",
            blog.v2,
            "--rootdir",
            str(project),
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    plan = project / "supaseed.toml"
    assert f"plan key: tables.authors.columns.role ({plan}:7)" in out
    assert f"plan key: mappings.posts.fields.summary ({plan}:17)" in out
    assert out.strip().splitlines()[-1] == ("2 error(s), 1 warning(s), 5 suggestion(s), 1 info(s).")


def test_plan_check_fails_naming_both_dropped_columns_with_file_and_line(
    blog: Blog, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["plan", "--check", "--rootdir", str(project), "--dsn"]
    assert main([*args, blog.v1]) == 0
    assert capsys.readouterr().out.strip() == "The plan matches the live schema: no problems."

    assert main([*args, blog.v2]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    plan = project / "supaseed.toml"
    assert lines == [
        f"error: {plan}:7 at 'tables.authors.columns.role': public.authors has no column 'role'; "
        "fix: remove the key 'tables.authors.columns.role'",
        f"error: {plan}:17 at 'mappings.posts.fields.summary': public.posts has no column "
        "'summary'; fix: remove the key 'mappings.posts.fields.summary'",
        "2 error(s), 0 warning(s).",
    ]


BROKEN_PLAN = """\
seed = 1

[tables.authors]
count = 2
columns = { country = "A country name far longer than forty characters", nickname = "x" }

[tables.posts]
count_per_parent = { editor_id = 2 }
# an enum label the type does not have, and a generator Faker does not know
columns = { status = "retired", title = "{{ faker.no_such_method() }}" }

[tables.ghosts]
count = 1

[associations.posts_to_authors]
items = "posts"
targets = "authors"
fk_column = "writer_id"

[ai.fields.authors.motto]
prompt = "A motto"
"""


def test_plan_check_reports_every_problem_at_once(
    blog: Blog, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = project / "supaseed.toml"
    plan.write_text(BROKEN_PLAN, encoding="utf-8")
    assert main(["plan", "--check", "--rootdir", str(project), "--dsn", blog.v1]) == 1
    out = capsys.readouterr().out
    expected = [
        f"{plan}:5 at 'tables.authors.columns.country': constant 'A country name far longer "
        "than forty characters' is 47 characters, longer than public.authors.country "
        "(character varying(40)) allows",
        f"{plan}:5 at 'tables.authors.columns.nickname': public.authors has no column 'nickname'",
        f"{plan}:8 at 'tables.posts.count_per_parent.editor_id': 'editor_id' is neither a parent "
        "table nor a foreign-key column of public.posts",
        f"{plan}:10 at 'tables.posts.columns.status': constant 'retired' is not a valid "
        'public.post_status for public.posts.status: invalid input value for enum post_status: "retired"',
        f"{plan}:10 at 'tables.posts.columns.title': Faker has no method 'no_such_method'",
        f"{plan}:12 at 'tables.ghosts': no table 'public.ghosts' in the database",
        f"{plan}:18 at 'associations.posts_to_authors.fk_column': public.posts.writer_id is not "
        "a single-column foreign key to public.authors",
        f"{plan}:20 at 'ai.fields.authors.motto': public.authors has no column 'motto'",
    ]
    for text in expected:
        assert text in out, text
    assert out.strip().splitlines()[-1] == "8 error(s), 0 warning(s)."


def test_plan_check_json_output(
    blog: Blog, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["plan", "--check", "--rootdir", str(project), "--dsn", blog.v2, "--format", "json"]
    assert main(args) == 1
    problems = json.loads(capsys.readouterr().out)
    assert [(p["key_path"], p["line"], p["table"], p["column"]) for p in problems] == [
        ("tables.authors.columns.role", 7, "public.authors", "role"),
        ("mappings.posts.fields.summary", 17, "public.posts", "summary"),
    ]


def test_plan_check_without_dsn_builds_the_project_database(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the project's own migrations (v1) on the embedded server: the plan matches them
    assert main(["plan", "--check", "--rootdir", str(project)]) == 0
    assert "no problems" in capsys.readouterr().out
    # a migration the project adds later is applied too, and the check sees it
    (project / "supabase" / "migrations" / "0002_evolve.sql").write_text(
        (Path(__file__).parent / "evolve.sql").read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert main(["plan", "--check", "--rootdir", str(project)]) == 1
    out = capsys.readouterr().out
    assert "public.authors has no column 'role'" in out
    assert "public.posts has no column 'summary'" in out


def test_new_checks_domains_types_and_removed_labels_against_the_plans_constants(
    blog: Blog, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = project / "supaseed.toml"
    with plan.open("a") as f:  # constants the migration below breaks
        f.write('\n[tables.posts]\ncolumns = { status = "draft", title = "Fixed" }\n')
    dsn = blog.copy_of("v1")
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(
                "alter table public.authors add constraint country_short "
                "check (char_length(country) <= 5);"
                "create domain public.role_code as varchar(20) check (value ~ '^[A-Z]+$');"
                "alter table public.authors alter column role type public.role_code;"
                "alter table public.posts alter column title type varchar(3);"
                "alter type public.post_status rename value 'draft' to 'sketch';"
            )
        args = ["diff", str(project / "supaseed.schema.json"), "--impact", "--dsn", dsn]
        assert main([*args, "--rootdir", str(project), "--format", "json"]) == 1
        impacts = json.loads(capsys.readouterr().out)["impacts"]
    finally:
        blog.drop(dsn)
    found = {(i["severity"], i["kind"], i["plan_key"]) for i in impacts}
    assert ("error", "check_added", "tables.authors.columns.country") in found
    assert ("error", "column_domain_checks_changed", "tables.authors.columns.role") in found
    assert ("error", "column_type_changed", "tables.posts.columns.title") in found
    assert ("warning", "enum_label_removed", "tables.posts.columns.status") in found
    assert ("suggestion", "enum_label_added", None) in found
    check = next(i for i in impacts if i["kind"] == "check_added")
    assert "breaks CHECK country_short" in check["message"]
    assert check["line"] == 7


def test_drift_note_says_in_one_line_that_the_schema_changed(blog: Blog, project: Path) -> None:
    assert drift_note(introspect(blog.v1), project) is None
    note = drift_note(introspect(blog.v2), project)
    assert note == (
        "supaseed: the schema changed since supaseed.schema.json (4 column added, 2 column "
        "removed, 1 column type changed, 1 enum label added, 1 table added); run `supaseed diff "
        "supaseed.schema.json --impact`, then `supaseed update`"
    )
    (project / "supaseed.schema.json").unlink()
    assert drift_note(introspect(blog.v2), project) is None


def test_plan_check_without_dsn_applies_the_plans_own_migration_paths(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.move(project / "supabase" / "migrations", project / "db")
    shutil.copy(Path(__file__).parent / "evolve.sql", project / "db" / "0002_evolve.sql")
    plan = project / "supaseed.toml"
    plan.write_text(plan.read_text() + '\n[migrations]\npaths = ["db"]\n')
    assert main(["plan", "--check", "--rootdir", str(project)]) == 1
    out = capsys.readouterr().out
    assert f"{plan}:7 at 'tables.authors.columns.role'" in out
    assert out.strip().endswith("2 error(s), 0 warning(s).")


def test_check_database_raises_the_same_words_as_plan_check(
    blog: Blog, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    resolved = resolve_plan(rootdir=project)
    report, schema = check_database(resolved, blog.v1)
    assert report.ok
    assert "public.comments" not in schema.tables
    report.raise_for_errors()  # nothing to raise

    report, schema = check_database(resolved, blog.v2)
    assert "public.comments" in schema.tables
    with pytest.raises(ConfigError) as caught:
        report.raise_for_errors()
    assert main(["plan", "--check", "--rootdir", str(project), "--dsn", blog.v2]) == 1
    lines = [line.removeprefix("error: ") for line in capsys.readouterr().out.splitlines()]
    assert str(caught.value) == f"{lines[0]}\n1 more problem(s):\n  - {lines[1]}"


def test_header_note_reads_the_remembered_schema_of_the_base_database(
    blog: Blog, project: Path
) -> None:
    pending = (
        "supaseed: the migrations changed since the base database was last built; "
        "`supaseed diff supaseed.schema.json --impact` compares the schema with "
        "supaseed.schema.json"
    )
    assert header_note(project, "supaseed_base_x") == pending  # nothing remembered yet
    remember_schema(introspect(blog.v2), project, "supaseed_base_x")
    assert header_note(project, "supaseed_base_x") == drift_note(introspect(blog.v2), project)
    assert header_note(project, "supaseed_base_y") == pending  # other migrations: not used
    remember_schema(introspect(blog.v1), project, "supaseed_base_y")
    assert header_note(project, "supaseed_base_y") is None  # matches the snapshot
    (project / "supaseed.schema.json").unlink()
    assert header_note(project, "supaseed_base_x") is None  # no snapshot: nothing to say
