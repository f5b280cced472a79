"""Storage objects per user: a plan gives each seeded user their own objects (issue 20, point 4).

``storage.objects.owner`` has no foreign key on Supabase; the seed engine treats it as a reference
to ``auth.users`` so ``count_per_parent = { owner = ... }`` works, and the app's owner-only
storage policy then shows each user exactly their own files.
"""

from __future__ import annotations

import psycopg
from ext_apps import USERS, AppDatabases, TxFactory

from pytest_supaseed.seed import seed
from pytest_supaseed.testing import as_anon, as_user


def test_each_seeded_user_owns_objects_visible_to_them_only(
    apps: AppDatabases, tx: TxFactory
) -> None:
    db = apps.get("queue_uploads")
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
