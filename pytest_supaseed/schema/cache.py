"""Introspection cached by catalog fingerprint: a schema is read once per process, not per seed.

Introspection is 20 catalog queries (40-80 ms on a Supabase-sized schema); a seed run of a small
plan is mostly that. The fingerprint is one query over the catalogs introspection reads: for each,
the number of rows and the sum of their ``xmin``. Every DDL statement (CREATE, ALTER, DROP, GRANT,
COMMENT, CREATE POLICY...) writes new catalog row versions with a new transaction id, so it changes
the fingerprint; ANALYZE and VACUUM update catalog rows in place and do not. A database cloned
with ``CREATE DATABASE ... TEMPLATE`` copies its catalogs with their ``xmin``, so the clones of one
base database share one introspection, which is the point: the plugin seeds many clones of it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import psycopg

from .introspect import introspect
from .model import Schema

#: The catalogs :func:`~pytest_supaseed.schema.introspect.introspect` reads, each with the column
#: that holds an object id: only user objects (ids from 16384 on, FirstNormalObjectId) are summed,
#: through each catalog's index on that column, so the query stays a few milliseconds however many
#: built-in functions and types the server has. Schemas (``public`` is a built-in one) are read
#: whole with their comments; roles (introspection reads pg_roles) by name.
_CATALOGS = (
    ("pg_class", "oid"),
    ("pg_attribute", "attrelid"),
    ("pg_attrdef", "oid"),
    ("pg_constraint", "oid"),
    ("pg_index", "indexrelid"),
    ("pg_type", "oid"),
    ("pg_enum", "oid"),
    ("pg_trigger", "oid"),
    ("pg_policy", "oid"),
    ("pg_proc", "oid"),
    ("pg_depend", "objid"),
    ("pg_description", "objoid"),
    ("pg_extension", "oid"),
    ("pg_collation", "oid"),
)

_FINGERPRINT_SQL = (
    "select current_setting('server_version_num') || ' ' || md5(string_agg(part, ',')) from ("
    + " union all ".join(
        f"select '{c}:' || count(*) || ':' || coalesce(sum(xmin::text::bigint), 0) as part "
        f"from pg_catalog.{c} where {col} >= 16384"
        for c, col in _CATALOGS
    )
    # schemas (public's oid is below 16384) with their owner and comment, then the roles
    + " union all select 'schemas:' || string_agg(oid || '=' || xmin || '='"
    " || coalesce(obj_description(oid, 'pg_namespace'), ''), ',' order by oid)"
    " from pg_catalog.pg_namespace"
    " union all select 'roles:' || string_agg(rolname, ',' order by rolname)"
    " from pg_catalog.pg_roles) parts"
)

_MAX_ENTRIES = 16
_cache: OrderedDict[tuple[Any, ...], Schema] = OrderedDict()
#: Guards :data:`_cache` (template databases may be built on two threads at once).
_lock = threading.Lock()


def catalog_fingerprint(conn: psycopg.Connection[Any]) -> str:
    """A string that changes whenever DDL changes what introspection would read (one query)."""
    row = conn.execute(_FINGERPRINT_SQL).fetchone()
    return str(row[0]) if row else ""


def introspect_cached(
    conn: psycopg.Connection[Any],
    schemas: Sequence[str] | None = None,
    *,
    include: Sequence[str] | None = None,
    app_schemas: bool = False,
) -> Schema:
    """:func:`~pytest_supaseed.schema.introspect.introspect`, reused while the catalogs are the same.

    The key is the server (host, port), the scope (``schemas``, ``include``, ``app_schemas``) and :func:`catalog_fingerprint`; the
    :class:`~pytest_supaseed.schema.model.Schema` is immutable, so callers share it safely.
    """
    with conn.transaction():  # autocommit or not: leave no transaction behind
        fingerprint = catalog_fingerprint(conn)
    key = (
        conn.info.host,
        conn.info.port,
        tuple(schemas) if schemas is not None else None,
        tuple(include) if include is not None else None,
        app_schemas,
        fingerprint,
    )
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    schema = introspect(conn, schemas, include=include, app_schemas=app_schemas)
    with _lock:
        _cache[key] = schema
        while len(_cache) > _MAX_ENTRIES:
            _cache.popitem(last=False)
    return schema


def clear_introspection_cache() -> None:
    """Forget every cached introspection (tests; a long-lived process after out-of-band DDL)."""
    with _lock:
        _cache.clear()
