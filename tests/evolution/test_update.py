"""`supaseed update`: interactive through standard input, --yes, --dry-run, YAML and pyproject
plans; the rewritten plan keeps its comments, the backup holds the old text, the plan seeds."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from PIL import Image

from pytest_supaseed.cli import main
from pytest_supaseed.config import resolve_plan
from pytest_supaseed.seed.engine import seed

from .conftest import Blog

Answers = Callable[[list[str]], None]

COMMENTS = (
    "# The blog's seed plan: authors first, then their posts from markdown.",
    "# every author is an editor",
    'type = "markdown"   # frontmatter + body',
    "# summary: the first words of the body",
)


def _update(blog: Blog, project: Path, *extra: str) -> int:
    return main(["update", "--dsn", blog.v2, "--rootdir", str(project), *extra])


def _portable(project: Path) -> str:
    """The resolved plan as JSON, with the project's own directory left out of its paths."""
    dumped = resolve_plan(rootdir=project).plan.model_dump_json(by_alias=True)
    return dumped.replace(str(project.resolve()), "<project>")


def _covers(project: Path) -> None:
    folder = project / "content" / "covers"
    folder.mkdir(parents=True)
    for name, color in (("dawn", (250, 200, 120)), ("dusk", (40, 30, 90))):
        Image.new("RGB", (8, 6), color).save(folder / f"{name}.jpg")


def test_interactive_update_keeps_comments_backs_up_and_seeds(
    blog: Blog, project: Path, answers: Answers, capsys: pytest.CaptureFixture[str]
) -> None:
    _covers(project)
    plan = project / "supaseed.toml"
    before = plan.read_text(encoding="utf-8")
    answers(
        [
            "",  # 1 authors.role removed: drop the broken key (default)
            "9",  # 2 posts.summary removed: not a choice, asked again
            "1",  #   drop the broken key
            "2",  # 3 authors.rating: another generator
            "faker.no_such_thing()",  # not a Faker method: asked again
            "faker.random_int(min=1, max=5)",
            "",  # 4 authors.bio: the paragraph
            "",  # 5 comments: 2 per post
            "3",  # 7 posts.cover_image: an asset pool path
            "content/covers/*.png",  # matches no files: asked again
            "content/covers/*.jpg",
            "",  # 8 posts.reading_level: the frontmatter key
            "y",  # write it
        ]
    )
    assert _update(blog, project) == 0
    out = capsys.readouterr().out
    assert "please answer a number from 1 to 2" in out
    assert "Faker has no method 'no_such_thing'" in out
    assert "'content/covers/*.png' matches no files" in out
    assert "supaseed plan --check: The plan matches the live schema: no problems." in out

    after = plan.read_text(encoding="utf-8")
    for comment in COMMENTS:
        assert comment in after
    assert (
        'columns = { country = "Iceland", rating = "{{ faker.random_int(min=1, max=5) }}"' in after
    )
    assert "[asset_pools.cover_image]" in after
    assert 'cover_image = "random(cover_image)"' in after
    assert 'reading_level = "frontmatter.reading_level"' in after
    assert "summary" not in after.split("# summary: the first words of the body")[1]

    (backup,) = (project / ".supaseed" / "backups").iterdir()
    assert re.fullmatch(r"supaseed\.toml\.\d{8}-\d{6}", backup.name)
    assert backup.read_text(encoding="utf-8") == before

    # the snapshot now is the live schema: nothing left to update
    assert _update(blog, project) == 0
    assert "nothing to update" in capsys.readouterr().out

    dsn = blog.copy_of("v2")
    try:
        result = seed(resolve_plan(rootdir=project).plan, dsn, rootdir=project)
        assert result.rows["public.comments"] == 6
        with psycopg.connect(dsn) as conn:
            authors = conn.execute("select rating, bio from public.authors").fetchall()
            posts = conn.execute(
                "select cover_image, reading_level from public.posts order by id"
            ).fetchall()
        assert len(authors) == 3
        assert all(1 <= rating <= 5 and len(bio.split()) > 3 for rating, bio in authors)
        assert {cover for cover, _ in posts} <= {
            "content/covers/dawn.jpg",
            "content/covers/dusk.jpg",
        }
        assert [level for _, level in posts] == ["level-1", "level-2", "level-3"]
    finally:
        blog.drop(dsn)


def test_yes_gives_the_interactive_defaults_and_a_second_update_finds_nothing(
    blog: Blog, project: Path, answers: Answers, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other"
    shutil.copytree(project, other)
    answers([""] * 7 + ["y"])
    assert _update(blog, other) == 0
    assert _update(blog, project, "--yes") == 0
    capsys.readouterr()
    written = (project / "supaseed.toml").read_text(encoding="utf-8")
    assert written == (other / "supaseed.toml").read_text(encoding="utf-8")
    assert written == (Path(__file__).parent / "expected_update.toml").read_text(encoding="utf-8")
    assert (project / "supaseed.schema.json").read_text() == (
        other / "supaseed.schema.json"
    ).read_text()

    assert _update(blog, project, "--yes") == 0
    assert capsys.readouterr().out.strip() == (
        "No schema changes since the snapshot and no plan problems: nothing to update."
    )
    assert len(list((project / ".supaseed" / "backups").iterdir())) == 1

    dsn = blog.copy_of("v2")
    try:
        result = seed(resolve_plan(rootdir=project).plan, dsn, rootdir=project)
        assert (result.rows["public.authors"], result.rows["public.comments"]) == (3, 6)
    finally:
        blog.drop(dsn)


def test_dry_run_prints_the_diff_and_writes_nothing(
    blog: Blog, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = project / "supaseed.toml"
    snapshot = project / "supaseed.schema.json"
    before, snap_before = plan.read_text(), snapshot.read_text()
    assert _update(blog, project, "--dry-run") == 0
    out = capsys.readouterr().out
    assert '-columns = { role = "editor", country = "Iceland" }' in out
    assert "+[tables.comments]" in out
    assert out.strip().endswith("dry run: nothing written.")
    assert (plan.read_text(), snapshot.read_text()) == (before, snap_before)
    assert not (project / ".supaseed" / "backups").exists()


def test_declining_or_running_out_of_answers_writes_nothing(
    blog: Blog, project: Path, answers: Answers, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = project / "supaseed.toml"
    before = plan.read_text()
    answers([""] * 7 + ["n"])
    assert _update(blog, project) == 1
    assert "Nothing written." in capsys.readouterr().out
    answers(["", ""])
    assert _update(blog, project) == 1
    err = capsys.readouterr().err
    assert err.strip() == (
        "supaseed: error: supaseed update: input ended before every question was answered; "
        "nothing written (use --yes to take every default)"
    )
    assert plan.read_text() == before
    assert not (project / ".supaseed" / "backups").exists()


YAML_PLAN = """\
# The blog's plan, in YAML.
seed: 7
tables:
  authors:
    count: 3
    # every author is an editor
    columns: {role: editor, country: Iceland}
asset_pools:
  posts:
    type: markdown   # frontmatter + body
    path: content/posts/*.md
mappings:
  posts:
    pool: posts
    table: posts
    fields:
      title: frontmatter.title
      slug: slugify(frontmatter.title)
      body: body
      summary: truncate(body, 60)   # the first words of the body
"""


def test_yaml_and_pyproject_plans_are_updated_in_place(
    blog: Blog, project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = tmp_path / "reference"
    shutil.copytree(project, reference)
    assert _update(blog, reference, "--yes") == 0
    expected = _portable(reference)

    yaml_project = tmp_path / "yaml"
    shutil.copytree(project, yaml_project)
    (yaml_project / "supaseed.toml").unlink()
    (yaml_project / "supaseed.yaml").write_text(YAML_PLAN, encoding="utf-8")
    assert _update(blog, yaml_project, "--yes") == 0
    text = (yaml_project / "supaseed.yaml").read_text(encoding="utf-8")
    for comment in (
        "# The blog's plan, in YAML.",
        "# every author is an editor",
        "type: markdown   # frontmatter + body",
    ):
        assert comment in text
    assert "summary" not in text
    assert _portable(yaml_project) == expected
    (backup,) = (yaml_project / ".supaseed" / "backups").iterdir()
    assert backup.name.startswith("supaseed.yaml.")
    assert backup.read_text(encoding="utf-8") == YAML_PLAN

    py_project = tmp_path / "pyproject"
    shutil.copytree(project, py_project)
    toml_plan = (py_project / "supaseed.toml").read_text(encoding="utf-8")
    (py_project / "supaseed.toml").unlink()
    body = re.sub(r"^\[", "[tool.supaseed.", toml_plan, flags=re.M).replace(
        "seed = 7", "[tool.supaseed]\nseed = 7"
    )
    pyproject = '[project]\nname = "blog"  # the app\n\n' + body
    (py_project / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    assert _update(blog, py_project, "--yes") == 0
    text = (py_project / "pyproject.toml").read_text(encoding="utf-8")
    assert text.startswith('[project]\nname = "blog"  # the app\n')
    assert "[tool.supaseed.tables.comments]" in text
    assert "# every author is an editor" in text
    assert _portable(py_project) == expected
    capsys.readouterr()


def test_ai_choice_when_enabled_and_template_keys_located_in_the_template(
    blog: Blog, project: Path, answers: Answers, capsys: pytest.CaptureFixture[str]
) -> None:
    # the broken constant comes from a project template: located there, and not removable here
    templates = project / "supaseed" / "templates"
    templates.mkdir(parents=True)
    (templates / "editors.toml").write_text(
        '# editors everywhere\n[tables.authors]\ncolumns = { role = "editor" }\n'
    )
    plan = project / "supaseed.toml"
    text = plan.read_text().replace("seed = 7", 'extends = "editors"\nseed = 7')
    text = text.replace(
        'columns = { role = "editor", country = "Iceland" }', 'columns = { country = "Iceland" }'
    )
    plan.write_text(text + '\n[ai]\nprovider = "ollama"\n')
    assert main(["plan", "--check", "--rootdir", str(project), "--dsn", blog.v2]) == 1
    out = capsys.readouterr().out
    assert f"{templates / 'editors.toml'}:3 at 'tables.authors.columns.role'" in out

    # 1 role: drop (cannot: the template sets it), 2 summary, 3 rating, 4 bio: AI (choice 4)
    answers(["", "", "", "4", "", "", "", "y"])
    assert _update(blog, project) == 1  # the template's key is still there: the check fails
    out = capsys.readouterr().out
    assert "  4) AI (llama3.2)" in out
    assert (
        "cannot remove tables.authors.columns.role: supaseed.toml does not write it (it comes "
        "from template 'editors'); change it there"
    ) in out
    written = plan.read_text()
    assert "[ai.fields.authors.bio]" in written
    assert 'prompt = "Write a realistic bio for a authors row."' in written


def test_an_update_that_would_leave_an_invalid_plan_writes_nothing(
    blog: Blog, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the mapping writes only the column the migration drops: dropping it leaves no field
    for post in (project / "content" / "posts").glob("*.md"):
        post.write_text(re.sub(r"^reading_level: .*\n", "", post.read_text(), flags=re.M))
    plan = project / "supaseed.toml"
    text = re.sub(
        r"^fields = .*$",
        'fields = { summary = "truncate(body, 60)" }',
        plan.read_text(),
        flags=re.M,
    )
    plan.write_text(text)
    assert _update(blog, project, "--yes") == 1
    err = capsys.readouterr().err
    assert (
        f"supaseed: error: {plan}: the updated plan would not be valid, so nothing was written"
        in err
    )
    assert "mappings.posts.fields" in err
    assert plan.read_text() == text
    assert not (project / ".supaseed" / "backups").exists()
    assert [p.name for p in project.iterdir() if p.name.startswith(".supaseed.toml")] == []
