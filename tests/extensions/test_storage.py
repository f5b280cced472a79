"""Storage objects per user: a plan gives each seeded user their own objects (issue 20, point 4).

``storage.objects.owner`` has no foreign key on Supabase; the seed engine treats it as a reference
to ``auth.users`` so ``count_per_parent = { owner = ... }`` works, and the app's owner-only
storage policy then shows each user exactly their own files.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from ext_apps import USERS, AppDatabases, TxFactory

from pytest_supaseed.assets import load_pool
from pytest_supaseed.config.models import SeedPlan
from pytest_supaseed.errors import ConfigError
from pytest_supaseed.seed import seed
from pytest_supaseed.seed.storage import seed_storage
from pytest_supaseed.testing import as_anon, as_user


def test_each_seeded_user_owns_objects_visible_to_them_only(
    apps: AppDatabases, tx: TxFactory
) -> None:
    db = apps.fresh("queue_uploads")
    result = seed(
        {
            "seed": 5,
            "tables": {
                "storage.objects": {
                    "count_per_parent": {"owner": {"min": 2, "max": 2}},
                    "columns": {"bucket_id": "uploads"},
                }
            },
        },
        db.dsn,
        progress=False,
    )
    assert result.rows["storage.objects"] == 2 * USERS
    conn: psycopg.Connection = tx(db)
    per_owner = dict(
        conn.execute(
            "select owner, count(*) from storage.objects where bucket_id = 'uploads' group by owner"
        ).fetchall()
    )
    assert per_owner == {uid: 2 for uid in db.users.values()}
    for email, uid in db.users.items():
        with as_user(conn, email):
            owners = {r[0] for r in conn.execute("select owner from storage.objects")}
            assert owners == {uid}
            assert conn.execute("select count(*) from storage.objects").fetchone() == (2,)
    with as_anon(conn):
        assert conn.execute("select count(*) from storage.objects").fetchone() == (0,)


def _docs_pool(root: Path) -> None:
    (root / "files").mkdir()
    for n, text in enumerate(
        ["# Invoice\n\nMarch.", "# Notes\n\nTodo.", "# Report\n\nQ1 numbers."]
    ):
        (root / "files" / f"doc{n}.md").write_text(text)


def test_storage_section_gives_each_seeded_user_their_own_files(
    apps: AppDatabases, tx: TxFactory, tmp_path: Path
) -> None:
    db = apps.fresh("queue_uploads")
    _docs_pool(tmp_path)
    plan = {
        "seed": 11,
        "users": {"count": 2},
        "asset_pools": {"docs": {"type": "markdown", "path": "files/*.md"}},
        "storage": {"uploads": {"pool": "docs", "per_user": 2}, "avatars": {"pool": "docs"}},
    }
    result = seed(plan, db.dsn, progress=False, rootdir=tmp_path)
    assert result.rows["storage.objects"] == 2 * 2 + 2
    conn: psycopg.Connection = tx(db)
    assert conn.execute("select public from storage.buckets where id = 'avatars'").fetchone() == (
        False,
    )
    seeded = {email: str(uid) for email, uid in result.users.items()}
    for email, uid in seeded.items():
        rows = conn.execute(
            "select name, owner::text, owner_id, metadata from storage.objects "
            "where bucket_id = 'uploads' and owner_id = %s order by name",
            [uid],
        ).fetchall()
        assert len(rows) == 2
        for name, owner, owner_id, metadata in rows:
            assert name.startswith(f"{uid}/doc")
            assert owner == owner_id == uid
            data = (tmp_path / "files" / name.split("/", 1)[1]).read_bytes()
            assert metadata["size"] == metadata["contentLength"] == len(data)
            assert metadata["mimetype"] == "text/markdown"
            assert set(metadata) >= {"eTag", "cacheControl", "lastModified", "httpStatusCode"}
        with as_user(conn, email):  # the owner sees them, under the owner-only policy
            names = {r[0] for r in conn.execute("select name from storage.objects")}
            assert names == {r[0] for r in rows}
    owner, other = sorted(seeded)
    stranger = sorted(db.users)[0]  # a user of the app who owns none of these
    with as_user(conn, stranger):
        assert conn.execute(
            "select count(*) from storage.objects where owner_id = any(%s)", [list(seeded.values())]
        ).fetchone() == (0,)
    with as_user(conn, other):
        assert conn.execute(
            "select count(*) from storage.objects where owner_id = %s", [seeded[owner]]
        ).fetchone() == (0,)
    with as_anon(conn):
        assert conn.execute("select count(*) from storage.objects").fetchone() == (0,)


def test_storage_section_is_deterministic_and_checked(
    apps: AppDatabases, tx: TxFactory, tmp_path: Path
) -> None:
    db = apps.fresh("queue_uploads")
    _docs_pool(tmp_path)
    plan = SeedPlan.model_validate(
        {
            "asset_pools": {"docs": {"type": "markdown", "path": "files/*.md"}},
            "storage": {"uploads": {"pool": "docs", "per_user": 2}},
        }
    )
    pool = load_pool("docs", plan.asset_pools["docs"], tmp_path)
    conn: psycopg.Connection = tx(db)
    runs = []
    for _ in range(2):
        with conn.transaction(force_rollback=True):
            seed_storage(conn, plan, db.users, lambda _name: pool, 5)
            runs.append(
                conn.execute(
                    "select owner_id, name, metadata from storage.objects "
                    "where bucket_id = 'uploads' and name ~ '/doc' order by 1, 2"
                ).fetchall()
            )
    assert runs[0] == runs[1]
    assert len(runs[0]) >= 2 * USERS
    wrong = SeedPlan.model_validate({"storage": {"uploads": {"pool": "doc"}}})
    with pytest.raises(ConfigError, match=r"storage.uploads.pool: no asset pool 'doc'"):
        seed_storage(conn, wrong, db.users, lambda _name: pool, 5)
