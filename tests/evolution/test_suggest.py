"""Suggestions from column names and types are plan syntax that seeds: new columns named like
what they hold get realistic values once `supaseed update --yes` wrote the suggestions."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from PIL import Image
from psycopg.conninfo import make_conninfo
from slugify import slugify

from pytest_supaseed.cli import main
from pytest_supaseed.config import resolve_plan
from pytest_supaseed.seed.engine import seed

V1 = """
create table public.products (id bigint generated always as identity primary key, name text not null);
create table public.guides (id bigint generated always as identity primary key, title text not null);
"""

V2 = """
alter table public.products
    add column description text,
    add column avatar_url text,
    add column published_at timestamptz,
    add column launched_on date,
    add column price numeric(8, 2) not null,
    add column amount_cents integer not null,
    add column slug text,
    add column contact_email text,
    add column website text,
    add column phone text,
    add column country varchar(2),
    add column currency char(3),
    add column rating smallint;
alter table public.guides add column slug text, add column picture text;
"""

PLAN = """\
seed = 3

[tables.products]
count = 6

[asset_pools.photos]
type = "image"
path = "photos/*.jpg"

[asset_pools.guides]
type = "markdown"
path = "guides/*.md"

[mappings.guides]
pool = "guides"
table = "guides"
fields = { title = "frontmatter.title" }
"""


@pytest.fixture
def shop(pg_superuser_dsn: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A shop database at v1 with its project (plan, photos, guides, v1 snapshot), then v2."""
    name = f"supaseed_evo_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_superuser_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    dsn = make_conninfo(pg_superuser_dsn, dbname=name)
    project = tmp_path / "shop"
    (project / "photos").mkdir(parents=True)
    (project / "guides").mkdir()
    for i, color in enumerate(((200, 10, 10), (10, 200, 10))):
        Image.new("RGB", (6, 4), color).save(project / "photos" / f"p{i}.jpg")
    for i, title in enumerate(("Choosing a Tent", "Packing Light")):
        (project / "guides" / f"g{i}.md").write_text(f"---\ntitle: {title}\n---\nText.\n")
    (project / "supaseed.toml").write_text(PLAN)
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(V1)
        assert main(["snapshot", "--dsn", dsn, "-o", str(project / "supaseed.schema.json")]) == 0
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(V2)
        yield dsn, project
    finally:
        with psycopg.connect(pg_superuser_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_name_and_type_suggestions_seed_realistic_values(
    shop: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, project = shop
    snap = str(project / "supaseed.schema.json")
    args = ["diff", snap, "--impact", "--dsn", dsn, "--rootdir", str(project), "--format", "json"]
    assert main(args) == 0  # nothing broken, only warnings and suggestions
    found = json.loads(capsys.readouterr().out)["impacts"]
    impacts = {i["column"]: i for i in found if i["table"] == "public.products"}
    guides = {i["column"]: i for i in found if i["table"] == "public.guides"}
    assert impacts["price"]["severity"] == impacts["amount_cents"]["severity"] == "warning"
    assert impacts["description"]["severity"] == "suggestion"
    assert impacts["slug"]["suggestion"] == 'tables.products.columns.slug = "{{ faker.slug() }}"'
    assert guides["slug"]["suggestion"] == (
        'mappings.guides.fields.slug = "slugify(frontmatter.title)"'
    )
    assert guides["picture"]["suggestion"] == 'mappings.guides.fields.picture = "random(photos)"'
    assert impacts["published_at"]["suggestion"] == (
        "tables.products.columns.published_at = "
        "\"{{ faker.date_time_between(start_date='-30d', end_date='now') }}\""
    )

    assert main(["update", "--yes", "--dsn", dsn, "--rootdir", str(project)]) == 0
    assert "The plan matches the live schema: no problems." in capsys.readouterr().out

    result = seed(resolve_plan(rootdir=project).plan, dsn, rootdir=project)
    assert result.rows["public.products"] == 6
    now = dt.datetime.now(dt.UTC)
    with psycopg.connect(dsn) as conn:
        products = conn.execute(
            "select description, avatar_url, published_at, launched_on, price, amount_cents, "
            "slug, contact_email, website, phone, country, currency, rating from public.products"
        ).fetchall()
        rows = conn.execute("select title, slug, picture from public.guides").fetchall()
    for row in products:
        (description, avatar, published, launched, price, cents, slug, email, website) = row[:9]
        phone, country, currency, rating = row[9:]
        assert len(description.split()) > 5
        assert avatar.startswith("http")
        assert now - dt.timedelta(days=32) <= published <= now + dt.timedelta(days=1)
        assert now.date() - dt.timedelta(days=32) <= launched <= now.date()
        assert Decimal("1") <= price <= Decimal("500")
        assert 100 <= cents <= 50000
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
        assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", email)
        assert website.startswith("http")
        assert re.fullmatch(r"\+1-\d{3}-\d{3}-\d{4}", phone)
        assert re.fullmatch(r"[A-Z]{2}", country)
        assert re.fullmatch(r"[A-Z]{3}", currency)
        assert 1 <= rating <= 5
    assert len(rows) == 2
    for title, slug, picture in rows:
        assert slug == slugify(title)
        assert picture in ("photos/p0.jpg", "photos/p1.jpg")
