"""Ctrl-C while a table's COPY waits on the server: the run stops at once, nothing left running.

The COPY of a table of several batches is sent by a thread of psycopg's while the next batch is
generated; when the server stops reading (here: a lock wait on a key another transaction holds),
that thread waits too. The interrupt must cancel the statement rather than wait for it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import psycopg

SCRIPT = textwrap.dedent(
    """
    import os, signal, sys, threading, time
    from pytest_supaseed.seed import seed

    started = time.monotonic()
    threading.Timer(2.0, os.kill, (os.getpid(), signal.SIGINT)).start()

    def watchdog():
        time.sleep(30)
        print("still running after 30 s", flush=True)
        os._exit(3)

    threading.Thread(target=watchdog, daemon=True).start()
    plan = {"seed": 1, "tables": {"public.big": {"count": 30000, "columns": {"t": "y" * 3000}}}}
    try:
        seed(plan, sys.argv[1], progress=False)
        print("finished", flush=True)
    except KeyboardInterrupt:
        print(f"interrupted after {time.monotonic() - started:.1f} s", flush=True)
    alive_workers = [t for t in threading.enumerate() if "worker" in t.name]
    print("copy threads left:", len(alive_workers), flush=True)
    os._exit(0)
    """
)


def test_ctrl_c_during_a_blocked_copy_stops_the_run(
    fresh_db: str, fresh_conn: psycopg.Connection
) -> None:
    fresh_conn.execute("create table big (id integer primary key, t text not null)")
    with psycopg.connect(fresh_db) as blocker:
        # row 15,000 of the seed is held by this open transaction: the COPY waits on it
        blocker.execute("insert into big values (15000, 'held')")
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, fresh_db],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        blocker.rollback()
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    assert "interrupted after" in done.stdout, done.stdout + done.stderr[-2000:]
    assert "copy threads left: 0" in done.stdout
    count = fresh_conn.execute("select count(*) from big").fetchone()
    assert count == (0,)  # nothing of the interrupted run was committed
