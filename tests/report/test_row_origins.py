"""The report's table counts keep three origins apart: rows the seeder inserted, rows the
database's triggers made while it seeded, rows that were there before (migrations, seed files).

``public.tags`` below gets all three: 3 rows from its migration, 1 per post from a trigger on
``public.posts``, and the plan's own count.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import psycopg

from pytest_supaseed.config.models import SeedPlan
from pytest_supaseed.report import SeedReport, collect_report, render_html
from pytest_supaseed.seed import seed

MIGRATION = """
create table public.tags (id serial primary key, name text not null unique);
insert into public.tags (name) values ('from-migration-1'), ('from-migration-2'),
  ('from-migration-3');
create table public.posts (id serial primary key, title text not null);
create function public.tag_new_post() returns trigger language plpgsql as $$
begin
  insert into public.tags (name) values ('post-' || new.id);
  return new;
end $$;
create trigger tag_new_post after insert on public.posts
  for each row execute function public.tag_new_post();
"""

PLAN = {
    "seed": 11,
    "users": {"count": 0},
    "tables": {"public.tags": {"count": 4}, "public.posts": {"count": 2}},
}


class Counts(HTMLParser):
    """table -> {class of the cell: its number} for the rows of the report's tables list."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, dict[str, int]] = {}
        self._row: str | None = None
        self._cell: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "tr" and "data-table" in a and "data-rls" not in a:
            self._row = a["data-table"]
            self.tables[self._row] = {}
        elif tag == "td" and self._row is not None and "num" in a.get("class", "").split():
            self._cell = a["class"].split()[1]

    def handle_data(self, data: str) -> None:
        if self._row is not None and self._cell is not None:
            self.tables[self._row][self._cell] = int(data)
            self._cell = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._row = None


def test_a_table_with_migration_trigger_and_seeded_rows_shows_three_numbers(
    supabase_db: str, tmp_path: Path
) -> None:
    with psycopg.connect(supabase_db, autocommit=True) as conn:
        conn.execute(MIGRATION)
    plan = SeedPlan.model_validate(PLAN)
    result = seed(plan, supabase_db, progress=False, rootdir=tmp_path)
    with psycopg.connect(supabase_db) as conn:
        report = collect_report(conn, result, plan, tmp_path, label="origins")
        tags = conn.execute("select name from public.tags").fetchall()
    page = Counts()
    page.feed(render_html([report]))
    assert page.tables["public.tags"] == {
        "inserted": 4,
        "triggers": 2,
        "migrations": 3,
        "total": 9,
    }
    assert page.tables["public.posts"] == {
        "inserted": 2,
        "triggers": 0,
        "migrations": 0,
        "total": 2,
    }
    # The numbers are the rows themselves: 3 named by the migration, 2 by the trigger.
    names = sorted(n for (n,) in tags)
    assert len(names) == 9
    assert sum(n.startswith("from-migration-") for n in names) == 3
    assert sum(n.startswith("post-") for n in names) == 2
    # The split travels with the report (an xdist worker sends it as JSON).
    again = SeedReport.from_dict(report.to_dict())
    assert [(t.table, t.inserted, t.by_triggers, t.before) for t in again.tables] == [
        (t.table, t.inserted, t.by_triggers, t.before) for t in report.tables
    ]
