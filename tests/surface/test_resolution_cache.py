"""A worker reuses a recorded plan resolution (lifecycle/resolution_cache.py) only while every
input the resolution read is unchanged: then it imports no plan model (pydantic) and gets the same
template database and rows; a changed plan file, asset file, matching asset file, customization or
seed, or a damaged entry, means a full resolution and the right template database; so does an
entry whose plan hash the plan contradicts, when its template database is to be built."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from test_worker_cost import RECORDER

#: The test writes what its database holds; the recorder (``modules-<worker>.json``) what it imported.
SEEN = """
import json
import pytest

@pytest.mark.supaseed({marker})
def test_seen(supaseed):
    with open("seen.json", "w") as out:
        json.dump({{"template_db": supaseed.template_db.name, "rows": {rows}}}, out)
"""

NOTES_ROWS = '[supaseed.count("public.notes"), supaseed.count("auth.users")]'


def _run(pytester: pytest.Pytester, workers: int = 1) -> tuple[dict[str, object], set[str]]:
    """One ``-n <workers>`` run: (what the test saw, modules gw0 imported)."""
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "no:cacheprovider", "-p", "no:postgresql", "-n", str(workers)
    )
    result.assert_outcomes(passed=1)
    seen = json.loads((pytester.path / "seen.json").read_text())
    modules = set(json.loads((pytester.path / "modules-gw0.json").read_text()))
    return seen, modules


def _resolved(modules: set[str]) -> bool:
    """Whether the worker resolved the plan (nothing else loads config.resolve on a worker)."""
    return "pytest_supaseed.config.resolve" in modules


def _entries(cache: Path, root: Path) -> list[Path]:
    """This project's recorded resolutions in the suite's cache."""
    found = []
    for path in (cache / "plans").glob("*.json"):
        try:
            key = json.loads(json.loads(path.read_text())["key"])
        except (ValueError, KeyError):
            continue
        if key["rootdir"] == str(root.resolve()):
            found.append(path)
    return found


def _marker(project: Any, marker: str, rows: str = NOTES_ROWS) -> None:
    project.tests(SEEN.format(marker=marker, rows=rows))


def test_a_worker_with_a_recorded_resolution_imports_no_plan_model(
    project: Any, surface_cache: Path
) -> None:
    project.pytester.makeconftest(RECORDER)
    _marker(project, '"small"')
    first, modules = _run(project.pytester)
    assert _resolved(modules)  # nothing recorded yet: resolved in full, and recorded
    assert len(_entries(surface_cache, project.root)) == 1
    again, modules = _run(project.pytester, workers=2)
    assert again == first  # same template database, same rows
    assert first["rows"] == [6, 3]
    for worker in ("gw0", "gw1"):
        imported = set(json.loads((project.root / f"modules-{worker}.json").read_text()))
        assert "pydantic" not in imported, worker
        assert not _resolved(imported), worker


def test_a_changed_plan_customization_or_seed_resolves_again(
    project: Any, surface_cache: Path
) -> None:
    project.pytester.makeconftest(RECORDER)
    _marker(project, '"small"')
    base, modules = _run(project.pytester)
    assert _resolved(modules)
    assert base["rows"] == [6, 3]

    small = project.root / "supaseed" / "templates" / "small.toml"
    small.write_text(small.read_text().replace("owner_id = 2", "owner_id = 3"))
    edited, modules = _run(project.pytester)
    assert _resolved(modules)
    assert edited["rows"] == [9, 3]
    assert edited["template_db"] != base["template_db"]

    _marker(project, '"small", users={"count": 4}')
    customized, modules = _run(project.pytester)
    assert _resolved(modules)
    assert customized["rows"] == [12, 4]
    assert customized["template_db"] not in (base["template_db"], edited["template_db"])

    _marker(project, '"small", seed=99')
    reseeded, modules = _run(project.pytester)
    assert _resolved(modules)
    assert reseeded["rows"] == [9, 3]
    assert reseeded["template_db"] not in (base["template_db"], edited["template_db"])

    # the same request again: recorded, so no resolution, and the same database
    same, modules = _run(project.pytester)
    assert not _resolved(modules)
    assert same == reseeded


def test_a_damaged_entry_is_ignored(project: Any, surface_cache: Path) -> None:
    project.pytester.makeconftest(RECORDER)
    _marker(project, '"other"')
    first, _ = _run(project.pytester)
    assert first["rows"] == [7, 5]
    (entry,) = _entries(surface_cache, project.root)
    for damage in ("truncated", "garbage", "empty"):  # one project: each run rewrites it whole
        text = entry.read_text()
        entry.write_text(
            {"truncated": text[: len(text) // 2], "garbage": "\x00not json", "empty": ""}[damage]
        )
        again, modules = _run(project.pytester)
        assert _resolved(modules), damage  # resolved in full, no error
        assert again == first, damage
        assert json.loads(entry.read_text())["plan_hash"], damage  # recorded whole again


def test_an_entry_the_plan_contradicts_builds_nothing_under_its_name(
    project: Any, surface_cache: Path
) -> None:
    # An entry whose inputs all match but whose plan hash is wrong (an input it failed to record)
    # names a database that does not exist: building it resolves the plan, sees the hash differ,
    # and falls back to the full resolution's database instead of seeding under the wrong name.
    project.pytester.makeconftest(RECORDER)
    _marker(project, '"small"')
    first, _ = _run(project.pytester)
    (entry,) = _entries(surface_cache, project.root)
    data = json.loads(entry.read_text())
    data["plan_hash"] = "0" * 16
    entry.write_text(json.dumps(data))
    again, modules = _run(project.pytester)
    assert _resolved(modules)
    assert again == first
    assert json.loads(entry.read_text())["plan_hash"] != "0" * 16  # recorded right again


ITEMS = "create table public.items (id bigint generated always as identity primary key, title text not null, body text);\n"

PLAN = """\
seed = 3

[asset_pools.items]
type = "markdown"
path = "content/*.md"
required = { title = "str" }

[mappings.items]
pool = "items"
table = "public.items"

[mappings.items.fields]
title = "frontmatter.title"
body = "body"
"""


def _note(title: str) -> str:
    return f"---\ntitle: {title}\n---\n{title} text\n"


def test_a_changed_or_added_asset_file_resolves_again(
    pytester: pytest.Pytester, surface_cache: Path
) -> None:
    migrations = pytester.path / "supabase" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "20240101000000_items.sql").write_text(ITEMS)
    (pytester.path / "supaseed.toml").write_text(PLAN)
    content = pytester.path / "content"
    content.mkdir()
    (content / "a.md").write_text(_note("Alpha"))
    (content / "b.md").write_text(_note("Beta"))
    (content / "notes.txt").write_text("not matched by content/*.md\n")
    pytester.makeconftest(RECORDER)
    rows = (
        'supaseed.conn.execute("select array_agg(title order by title) from items").fetchone()[0]'
    )
    pytester.makepyfile(test_app=textwrap.dedent(SEEN.format(marker="", rows=rows)))

    base, modules = _run(pytester)
    assert _resolved(modules)
    assert base["rows"] == ["Alpha", "Beta"]
    same, modules = _run(pytester)
    assert not _resolved(modules)
    assert same == base

    (content / "b.md").write_text(_note("Bravo"))
    edited, modules = _run(pytester)
    assert _resolved(modules)
    assert edited["rows"] == ["Alpha", "Bravo"]
    assert edited["template_db"] != base["template_db"]

    (content / "c.md").write_text(_note("Charlie"))
    added, modules = _run(pytester)
    assert _resolved(modules)
    assert added["rows"] == ["Alpha", "Bravo", "Charlie"]
    assert added["template_db"] not in (base["template_db"], edited["template_db"])
