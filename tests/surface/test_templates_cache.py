"""Seed once, reuse between runs, rebuild exactly what changed, survive a killed build."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

TESTS = """
import pytest

@pytest.mark.supaseed("small")
def test_small(supaseed):
    assert supaseed.count("notes") == 6

@pytest.mark.supaseed("other")
def test_other(supaseed):
    assert supaseed.count("notes") == 7
"""


def _status(result, label):
    """The summary line of one template: 'built' or 'reused'."""
    for line in result.stdout.lines:
        if line.startswith(f"{label} seed=") and ("built" in line or "reused" in line):
            return "built" if "built" in line else "reused"
    raise AssertionError(f"no summary line for {label!r}:\n" + "\n".join(result.stdout.lines))


def test_reuse_rebuild_option_and_changes_rebuild_what_depends_on_them(project) -> None:
    """One project through five runs (each step's assertions are those of a test of its own
    before; sharing the first build saves two runs): the second run reuses both templates,
    --supaseed-rebuild builds again, a plan change rebuilds only its template, a migration change
    both."""
    project.tests(TESTS)
    first = project.run("-p", "no:randomly")
    first.assert_outcomes(passed=2)
    assert _status(first, "small") == "built"
    assert _status(first, "other") == "built"
    # small: 3 users + 3 identities + 6 notes, one line for the plan.
    first.stdout.fnmatch_lines(["*- supaseed -*", "small seed=7: 12 rows inserted, built in *"])

    # The second run reuses the cached templates.
    second = project.run("-p", "no:randomly")
    second.assert_outcomes(passed=2)
    assert _status(second, "small") == "reused"
    assert _status(second, "other") == "reused"

    # --supaseed-rebuild ignores them.
    again = project.run("-p", "no:randomly", "--supaseed-rebuild")
    again.assert_outcomes(passed=2)
    assert _status(again, "small") == "built"

    # A template's own file changes: only that template is rebuilt.
    small = project.root / "supaseed" / "templates" / "small.toml"
    small.write_text(small.read_text().replace("seed = 7", "seed = 8"))
    after_plan = project.run("-p", "no:randomly")
    after_plan.assert_outcomes(passed=2)
    assert _status(after_plan, "small") == "built"
    assert _status(after_plan, "other") == "reused"

    # A migration changes: every template depends on it.
    migration = project.root / "supabase" / "migrations" / "20240101000000_notes.sql"
    migration.write_text(migration.read_text() + "\ncomment on table public.notes is 'v2';\n")
    after_migration = project.run("-p", "no:randomly")
    after_migration.assert_outcomes(passed=2)
    assert _status(after_migration, "small") == "built"
    assert _status(after_migration, "other") == "built"


def test_killed_template_build_leaves_nothing_a_later_run_uses(project) -> None:
    slow = project.root / "slow.sql"
    slow.write_text("select pg_sleep(4);\n")
    (project.root / "supaseed" / "templates" / "slow.toml").write_text(
        'description = "slow to build"\nextends = "small"\n\n[migrations]\npaths = ["../../slow.sql"]\n'
    )
    project.tests(
        """
        import pytest

        @pytest.mark.supaseed("slow")
        def test_slow(supaseed):
            assert supaseed.count("notes") == 6
            assert supaseed.count("auth.users") == 3
        """
    )
    env = dict(os.environ)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider"],
        cwd=project.root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        # Wait until the build is inside pg_sleep (its temporary database exists), then kill -9.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.5)
            if proc.poll() is not None:
                break
            out = subprocess.run(
                ["pgrep", "-f", "pg_sleep|supaseed_tmp_"], capture_output=True, text=True
            )
            if out.stdout.strip():
                break
        time.sleep(1.0)
        assert proc.poll() is None, "the run finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)

    # The same plan again: the half-built copy of the killed run must not be used.
    result = project.run("-p", "no:randomly")
    result.assert_outcomes(passed=1)


def test_summary_shows_association_histogram_and_relaxations(project) -> None:
    """3 users x min 5 = 15 > 10 notes: relaxed, reported with the histogram of notes per user."""
    (project.root / "supaseed" / "templates" / "spread.toml").write_text(
        'description = "ten notes over three users, asking for too many"\nseed = 3\n\n'
        "[users]\ncount = 3\nmakerkit_test_users = false\n\n[accounts]\npersonal = false\n\n"
        '[tables."public.notes"]\ncount = 10\n\n'
        '[associations.notes_to_owners]\nitems = "public.notes"\ntargets = "auth.users"\n'
        'fk_column = "owner_id"\nstrategy = "even_spread"\n'
        "constraints = { min_per_target = 5, max_per_target = 5, total_items = 10 }\n"
    )
    project.tests(
        """
        import pytest
        from pytest_supaseed.testing import assert_distribution

        @pytest.mark.supaseed("spread")
        def test_spread(supaseed_db):
            assert_distribution(supaseed_db, "notes", "owner_id", min=3, max=4, total=10)
        """
    )
    result = project.run("-p", "no:randomly")
    result.assert_outcomes(passed=1)
    # One line for the plan, its relaxation below it; the histogram is a -v detail.
    result.stdout.fnmatch_lines(
        [
            "spread seed=3: 16 rows inserted, built in *; 1 relaxation",
            "  relaxed: association 'notes_to_owners'*min_per_target*",
        ]
    )
    assert not any("items over 3 targets" in line for line in result.stdout.lines)
    verbose = project.run("-p", "no:randomly", "-v")
    verbose.assert_outcomes(passed=1)
    verbose.stdout.fnmatch_lines(
        [
            "spread seed=3: 16 rows inserted, reused; 1 relaxation",
            "  relaxed: association 'notes_to_owners'*min_per_target*",
            "  public.notes *10",
            "*notes_to_owners (even_spread): 10 items over 3 targets, 3..4 each*",
        ]
    )


def test_keep_prints_how_to_connect_to_the_seeded_template(project) -> None:
    project.tests(TESTS)
    result = project.run("-p", "no:randomly", "--supaseed-keep")
    result.assert_outcomes(passed=2)
    lines = [line for line in result.stdout.lines if "connect: psql '" in line and "tpl_" in line]
    assert len(lines) == 2, result.stdout.lines
    dsn = lines[0].split("psql '", 1)[1].rstrip("'")
    import psycopg

    with psycopg.connect(dsn) as conn:  # the kept template is there, seeded
        assert conn.execute("select count(*) from notes").fetchone()[0] in (6, 7)
    # stop the kept server (the next run of this project would do it too)
    pid = next(line for line in result.stdout.lines if line.startswith("pid: "))
    os.kill(int(pid.split()[1]), signal.SIGINT)


def test_templates_of_old_plans_are_pruned_from_the_project_cluster(project, monkeypatch) -> None:
    from pytest_supaseed.backends.embedded import start_embedded
    from pytest_supaseed.lifecycle.databases import list_databases

    monkeypatch.setenv("SUPASEED_KEEP_TEMPLATES", "0")
    project.tests(TESTS.replace('@pytest.mark.supaseed("other")', '@pytest.mark.skip("one plan")'))
    for seed in ("1", "2", "3"):
        result = project.run("-p", "no:randomly", "-v", f"--supaseed-seed={seed}")
        result.assert_outcomes(passed=1, skipped=1)
    last = next(line for line in result.stdout.lines if line.startswith("  database: "))
    server = start_embedded(None, project.root)  # the project's persistent cluster again
    try:
        assert list_databases(server, "supaseed_tpl_") == [last.split("database: ", 1)[1]]
        assert list_databases(server, "supaseed_w_") == []
    finally:
        server.stop()


ASSET_TEMPLATE = """\
description = "notes from markdown files"
seed = 5

[users]
count = 2
makerkit_test_users = false

[accounts]
personal = false

[asset_pools.docs]
type = "markdown"
path = "../../content/*.md"
required = { title = "str" }

[mappings.docs_to_notes]
pool = "docs"
table = "public.notes"
fields = { title = "frontmatter.title", body = "body" }

[associations.notes_to_users]
items = "public.notes"
targets = "auth.users"
fk_column = "owner_id"
strategy = "round_robin"
"""


def test_changing_an_asset_rebuilds_only_the_templates_that_use_it(project) -> None:
    content = project.root / "content"
    content.mkdir()
    (content / "a.md").write_text("---\ntitle: Alpha\n---\nfirst body\n")
    (content / "b.md").write_text("---\ntitle: Beta\n---\nsecond body\n")
    (project.root / "supaseed" / "templates" / "docs.toml").write_text(ASSET_TEMPLATE)
    project.tests(
        """
        import pathlib
        import pytest

        @pytest.mark.supaseed("small")
        def test_small(supaseed):
            assert supaseed.count("notes") == 6

        @pytest.mark.supaseed("docs")
        def test_docs(supaseed):
            rows = supaseed.table("notes", order_by="title")
            assert [r["title"] for r in rows] == ["Alpha", "Beta"]
            expected = pathlib.Path("content/a.md").read_text().split("---\\n")[-1].strip()
            assert rows[0]["body"].strip() == expected
        """
    )
    first = project.run("-p", "no:randomly")
    first.assert_outcomes(passed=2)
    assert _status(first, "docs") == "built"

    (content / "a.md").write_text("---\ntitle: Alpha\n---\nfirst body, edited\n")
    second = project.run("-p", "no:randomly")
    second.assert_outcomes(passed=2)  # test_docs reads the edited body back from the database
    assert _status(second, "docs") == "built"
    assert _status(second, "small") == "reused"
