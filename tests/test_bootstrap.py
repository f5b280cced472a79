import psycopg


def test_fresh_db_is_empty_and_writable(fresh_conn: psycopg.Connection) -> None:
    fresh_conn.execute("create table t (id int primary key)")
    fresh_conn.execute("insert into t values (1), (2)")
    row = fresh_conn.execute("select count(*) from t").fetchone()
    assert row == (2,)
    tables = fresh_conn.execute(
        "select count(*) from pg_tables where schemaname = 'public'"
    ).fetchone()
    assert tables == (1,)
