"""A blog pool mapped into a real posts table: rows round-trip; a bad value stops before writing."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from pytest_supaseed.assets import AssetPoolConfig, MappingConfig, load_pool, map_rows
from pytest_supaseed.errors import AssetError
from pytest_supaseed.schema.introspect import introspect

POSTS = """
create table public.posts (
    id bigint generated always as identity primary key,
    title varchar(50) not null,
    slug text not null unique,
    body text not null,
    read_minutes integer not null check (read_minutes > 0),
    published_at timestamptz not null,
    tags text[] not null default '{}',
    created_at timestamptz not null default now()
)
"""

MAPPING = MappingConfig(
    pool="posts",
    table="public.posts",
    fields={
        "title": "frontmatter.title",
        "slug": "slugify(frontmatter.title)",
        "body": "body",
        "read_minutes": "read_time(body)",
        "published_at": "frontmatter.date | random_recent(30 days)",
        "tags": "frontmatter.tags",
    },
)


def insert(conn: psycopg.Connection, rows: list[dict[str, object]]) -> None:
    with conn.cursor() as cur:
        for row in rows:
            names = ", ".join(row)
            marks = ", ".join(["%s"] * len(row))
            cur.execute(f"insert into public.posts ({names}) values ({marks})", list(row.values()))


def test_blog_pool_maps_into_posts_table(fresh_conn: psycopg.Connection, data_dir: Path) -> None:
    fresh_conn.execute(POSTS)
    columns = introspect(fresh_conn, ["public"]).table("public.posts").columns
    pool = load_pool(
        "posts",
        AssetPoolConfig(type="markdown", path=["blog/**/*.md"], exclude=["**/_*.md"]),
        data_dir,
    )
    today = date(2025, 8, 1)
    rows = map_rows(pool, MAPPING, columns, random.Random(7), today=today)
    insert(fresh_conn, rows)

    got = fresh_conn.execute(
        "select title, slug, read_minutes, published_at, tags from public.posts order by id"
    ).fetchall()
    assert [r[1] for r in got] == [
        "first-steps-on-the-ridge-trail",
        "winter-camping-without-misery",
        "notes-without-a-date",
        "packing-light-a-checklist",
        "river-crossings",
    ]
    assert got[0][0] == "First Steps on the Ridge Trail"
    assert got[0][2] == 1
    assert got[0][3] == datetime(2024, 3, 10, tzinfo=UTC)
    assert got[0][4] == ["hiking", "beginner"]
    undated = got[2][3]
    midnight = datetime(2025, 8, 1, tzinfo=UTC)
    assert midnight - timedelta(days=30) <= undated <= midnight  # the fallback date
    assert got[2][4] == ["misc"]


def test_too_long_title_fails_before_any_insert(
    fresh_conn: psycopg.Connection, tmp_path: Path
) -> None:
    fresh_conn.execute(POSTS)
    columns = introspect(fresh_conn, ["public"]).table("public.posts").columns
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "a-short.md").write_text("---\ntitle: Short\ndate: 2025-01-01\ntags: []\n---\nHi.\n")
    long_title = "A Very Long Title That Goes On Well Past Fifty Characters"
    (posts / "b-long.md").write_text(f"---\ntitle: {long_title}\ndate: 2025-01-02\n---\nHi.\n")
    pool = load_pool("posts", AssetPoolConfig(type="markdown", path=["posts/*.md"]), tmp_path)

    with pytest.raises(AssetError) as info:
        insert(fresh_conn, map_rows(pool, MAPPING, columns, random.Random(1)))

    message = str(info.value)
    assert "pool 'posts', file posts/b-long.md, field 'frontmatter.title'" in message
    assert "column 'public.posts.title' (character varying(50))" in message
    assert f"is {len(long_title)} characters, the column allows 50" in message
    assert fresh_conn.execute("select count(*) from public.posts").fetchone() == (0,)
