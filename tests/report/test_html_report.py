"""The HTML seed report of the example app (the outdoor platform), parsed and rendered.

One module-scoped database: the Supabase layer, example_project's migrations, its plan seeded.
The RLS matrix in the report must be the policy the example's own tests assert
(example_project/tests/test_rls.py: EXPECTED_ACCESS).
"""

from __future__ import annotations

import base64
import importlib.util
import io
import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import psycopg
import pytest
from PIL import Image
from psycopg import sql

from pytest_supaseed.config import resolve_plan
from pytest_supaseed.lifecycle.migrations import apply_migrations
from pytest_supaseed.report import SeedReport, collect_report, histogram_png, write_html
from pytest_supaseed.seed import seed
from pytest_supaseed.seed_result import SeedResult

EXAMPLE = Path(__file__).resolve().parents[2] / "example_project"


def _expected_access() -> dict[str, dict[str, set[str]]]:
    spec = importlib.util.spec_from_file_location("example_policy", EXAMPLE / "tests" / "policy.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EXPECTED_ACCESS  # type: ignore[no-any-return]


class Page(HTMLParser):
    """What the tests read back from the page: images, RLS cells, table counts, flags."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str]] = []
        self.cells: dict[tuple[str, str, str], str] = {}
        self.rls_rows: dict[str, str] = {}
        self.tables: dict[str, dict[str, str]] = {}
        self.text: list[str] = []
        self._row: str | None = None
        self._rls_row: str | None = None
        self._cell: tuple[str, str] | None = None
        self._count: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "img":
            self.images.append(a)
        if tag == "tr" and "data-table" in a:
            if "data-rls" in a:
                self._rls_row = a["data-table"]
                self.rls_rows[a["data-table"]] = a["data-rls"]
            else:
                self._row = a["data-table"]
                self.tables[self._row] = {}
        if tag == "td" and "data-caller" in a:
            self._cell = (a["data-caller"], a["data-op"])
            assert self._rls_row is not None
            self.cells[(self._rls_row, *self._cell)] = a["class"]
        elif tag == "td" and self._row is not None:
            classes = a.get("class", "").split()
            self._count = next(
                (c for c in classes if c in ("inserted", "triggers", "migrations", "total")), None
            )

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._count is not None and self._row is not None:
            self.tables[self._row][self._count] = data.strip()
            self._count = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._row = self._rls_row = None


@pytest.fixture(scope="module")
def example_db(request: pytest.FixtureRequest) -> tuple[str, SeedResult]:
    """The example app migrated and seeded from its supaseed.toml, in a database of its own."""
    supabase_db = request.getfixturevalue("module_supabase_db")
    with psycopg.connect(supabase_db, autocommit=True) as conn:
        apply_migrations(conn, EXAMPLE)
    plan = resolve_plan(rootdir=EXAMPLE).plan
    result = seed(plan, supabase_db, progress=False, rootdir=EXAMPLE)
    return supabase_db, result


@pytest.fixture(scope="module")
def module_supabase_db(pg_superuser_dsn: str) -> Iterator[str]:
    """A module-scoped database with the Supabase layer."""
    from psycopg.conninfo import make_conninfo

    from pytest_supaseed.backends.supabase import install_supabase_layer

    name = f"supaseed_report_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_superuser_dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    dsn = make_conninfo(pg_superuser_dsn, dbname=name)
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            install_supabase_layer(conn)
        yield dsn
    finally:
        with psycopg.connect(pg_superuser_dsn, autocommit=True) as admin:
            admin.execute(
                sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="module")
def report(example_db: tuple[str, SeedResult]) -> SeedReport:
    """The example's report data."""
    dsn, result = example_db
    plan = resolve_plan(rootdir=EXAMPLE).plan
    with psycopg.connect(dsn) as conn:
        return collect_report(conn, result, plan, EXAMPLE, label="supaseed.toml")


@pytest.fixture(scope="module")
def page_file(report: SeedReport, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report written to a file."""
    return write_html(tmp_path_factory.mktemp("report") / "report.html", [report])


@pytest.fixture(scope="module")
def page(page_file: Path) -> Page:
    """The parsed page."""
    parser = Page()
    parser.feed(page_file.read_text(encoding="utf-8"))
    return parser


def test_tables_show_inserted_and_trigger_made_rows(page: Page, example_db: Any) -> None:
    dsn, result = example_db
    with psycopg.connect(dsn) as conn:
        accounts = conn.execute("select count(*) from public.accounts").fetchone()
        categories = conn.execute("select count(*) from public.gear_categories").fetchone()
    assert page.tables["public.gear"] == {
        "inserted": "26",
        "triggers": "0",
        "migrations": "0",
        "total": "26",
    }
    # Rows the seeder did not write are counted too: the migration's lookup rows ...
    assert page.tables["public.gear_categories"]["migrations"] == str(categories[0]) == "9"
    # ... and the rows a trigger made while the seeder ran, apart from the rows it inserted.
    for table, made in result.by_triggers.items():
        assert int(page.tables[table]["triggers"]) == made
    row = page.tables["public.accounts"]
    assert row["total"] == str(accounts[0])
    assert int(row["inserted"]) == result.rows["public.accounts"]
    assert int(row["inserted"]) + int(row["triggers"]) + int(row["migrations"]) == accounts[0]
    assert int(page.tables["public.trips"]["inserted"]) == result.rows["public.trips"] == 10


def test_association_histograms_are_pictures(page: Page, report: SeedReport) -> None:
    pictures = [i for i in page.images if i["src"].startswith("data:image/png;base64,")]
    assert len(pictures) == len(report.associations) == 2  # gear_to_setups, trips_to_accounts
    for picture in pictures:
        data = base64.b64decode(picture["src"].split(",", 1)[1])
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "PNG"
            assert image.size == (360, 160)
            assert len(image.getcolors(maxcolors=4096) or []) > 2  # bars, axes, labels: drawn
    gear = next(a for a in report.associations if a.name == "gear_to_setups")
    assert sum(gear.counts) == 96
    assert min(gear.counts) >= 3
    assert max(gear.counts) <= 15


def test_the_rls_matrix_is_what_the_example_tests_assert(page: Page) -> None:
    expected = _expected_access()
    assert set(page.rls_rows) == set(expected)
    for table, callers in expected.items():
        for caller, allowed in callers.items():
            shown = {
                op
                for op in ("select", "insert", "update", "delete")
                if page.cells[(table, caller, op)] == "allowed"
            }
            assert shown == allowed, (table, caller)
        assert all(
            page.cells[(table, "service_role", op)] == "allowed"
            for op in ("select", "insert", "update", "delete")
        )
    # The lookup table without RLS is flagged; its writes are refused by grants, not policies.
    assert page.rls_rows["public.gear_categories"] == "false"
    assert [t for t, rls in page.rls_rows.items() if rls == "false"] == ["public.gear_categories"]
    assert "RLS disabled" in "".join(page.text)
    assert page.cells[("public.gear_categories", "anon", "insert")] == "grant"
    assert page.cells[("public.trips", "stranger", "select")] == "rls"


def test_pools_timings_and_relaxations_are_listed(page: Page, report: SeedReport) -> None:
    text = "".join(page.text)
    for pool in ("gear_catalog", "setup_images", "trip_reports"):
        assert pool in text
    assert {p.name: p.loaded for p in report.pools}["trip_reports"] == 8
    assert "AI not used." in text
    assert "introspect" in text  # a timing row
    assert "Relaxations" in text


def test_a_broken_asset_is_reported(example_db: Any, tmp_path: Path, report: SeedReport) -> None:
    dsn, result = example_db
    project = tmp_path / "project"
    shutil.copytree(EXAMPLE / "assets", project / "assets")
    shutil.copy(EXAMPLE / "supaseed.toml", project / "supaseed.toml")
    bad = project / "assets" / "trips" / "broken.md"
    bad.write_text("---\ntitle: [unclosed\n---\nbody\n")
    plan = resolve_plan(rootdir=project).plan
    with psycopg.connect(dsn) as conn:
        broken = collect_report(conn, result, plan, project)
    path = write_html(tmp_path / "r.html", [broken])
    pools = {p.name: p for p in broken.pools}
    assert pools["trip_reports"].loaded == 8
    assert len(pools["trip_reports"].errors) == 1
    assert "broken.md" in path.read_text()


def test_the_report_travels_as_json(report: SeedReport) -> None:
    again = SeedReport.from_dict(json.loads(json.dumps(report.to_dict())))
    assert again == report


def test_histogram_png_of_one_value_and_of_many() -> None:
    for counts in ([0], list(range(60)), [3, 3, 3, 15]):
        with Image.open(io.BytesIO(histogram_png(counts))) as image:
            assert image.size == (360, 160)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_the_page_renders_in_headless_chromium(page_file: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1200,1600",
        f"--screenshot={shot}",
        page_file.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    with Image.open(shot) as image:
        assert image.size == (1200, 1600)
        colors = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
        # Not blank: many colours (text, green/orange matrix cells, the blue histogram bars).
        assert len(colors) > 50
        dominant = max(colors)[0] / (image.size[0] * image.size[1])
        assert dominant < 0.97
        blue = sum(n for n, (r, g, b) in colors if b > 180 and r < 80 and 80 < g < 140)
        assert blue > 0  # the histograms' bars are on screen
