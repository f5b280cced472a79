"""Read a database's schema from ``pg_catalog`` into an immutable :class:`~.model.Schema`.

``pg_catalog`` rather than ``information_schema``: the latter hides objects the current role holds no
privilege on (functions in ``kit``, triggers on ``auth.users``), and it is slow. There is one query
per catalog for the whole scope, never one per table, so the cost hardly grows with the table count.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import psycopg

from ..errors import SchemaError, did_you_mean
from .model import (
    Check,
    Column,
    Enum,
    FkAction,
    ForeignKey,
    Function,
    IdentityKind,
    Policy,
    Schema,
    Table,
    Trigger,
    Unique,
)

# Schemas added to the default scope when the application references them (foreign keys into
# them, its own triggers or policies on their tables), as Supabase apps do with auth.users.
_PLATFORM_SCHEMAS = ("auth", "storage")
_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")

PLATFORM_SCHEMAS = frozenset(
    {
        # the Supabase layer (backends/supabase) and Supabase's own services
        "auth",
        "storage",
        "extensions",
        "realtime",
        "_realtime",
        "_analytics",
        "_supavisor",
        "graphql",
        "graphql_public",
        "pgbouncer",
        "supabase_functions",
        "supabase_migrations",
        # the extension pack (backends/extensions) and the extensions Supabase ships
        "cron",
        "net",
        "vault",
        "pgsodium",
        "pgsodium_masks",
        "pgmq",
        "pgtle",
        "supaseed_http",
        "topology",
        "tiger",
        "tiger_data",
    }
)
"""Schemas the platform owns: left out of a plan's default scope ("every schema the migrations
create"), as are ``pg_*``, ``information_schema`` and every schema an extension's script created.
A table in one of them is still seeded when a plan key names it (``"storage.objects"``)."""

SUPABASE_ROLES = (
    "anon",
    "authenticated",
    "service_role",
    "authenticator",
    "supabase_admin",
    "supabase_auth_admin",
    "supabase_storage_admin",
    "supabase_realtime_admin",
    "supabase_replication_admin",
    "dashboard_user",
    "pgbouncer",
)
"""Roles recorded in :attr:`Schema.roles` when present (they tell Supabase flavours apart)."""

_FK_ACTIONS: dict[str, FkAction] = {
    "a": "no action",
    "r": "restrict",
    "c": "cascade",
    "n": "set null",
    "d": "set default",
}
_POLICY_COMMANDS = {"r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE", "*": "ALL"}
_VOLATILITY = {"i": "immutable", "s": "stable", "v": "volatile"}
_PROKIND = {"f": "function", "p": "procedure", "a": "aggregate", "w": "window"}

# pg_trigger.tgtype bits (src/include/catalog/pg_trigger.h)
_TG_ROW, _TG_BEFORE, _TG_INSERT, _TG_DELETE, _TG_UPDATE, _TG_TRUNCATE, _TG_INSTEAD = (
    1,
    2,
    4,
    8,
    16,
    32,
    64,
)

_VARCHAR_OIDS = {1042, 1043}  # bpchar, varchar: typmod = n + 4
_NUMERIC_OID = 1700

_CHECK_DEF_RE = re.compile(r"^CHECK\s*(.*?)(?:\s+NOT VALID)?$", re.DOTALL)
_WHEN_RE = re.compile(r"\bWHEN \((.*)\) EXECUTE (?:FUNCTION|PROCEDURE)\b", re.DOTALL)

Conn = psycopg.Connection[Any]


def introspect(
    conn: Conn | str,
    schemas: Sequence[str] | None = None,
    *,
    include: Sequence[str] | None = None,
    app_schemas: bool = False,
) -> Schema:
    """Read tables, columns, keys, checks, triggers, policies, enums and functions of ``schemas``.

    ``conn`` is an open psycopg connection (left as it was) or a DSN. ``schemas`` defaults to
    ``public`` plus the schemas it references: those its foreign keys point into, and ``auth`` /
    ``storage`` when the application puts its own triggers or policies on their tables (MakerKit's
    ``on_auth_user_created``). Functions are read from the scoped schemas and, wherever they live,
    every trigger function of a scoped table (``kit.setup_new_user``).

    ``include`` (when ``schemas`` is not given) replaces ``public`` as the starting point: those
    schemas plus the ones they reference (a plan's ``schemas = ["app"]`` reads ``app`` and, through
    its foreign keys, ``auth``). Each must exist. ``app_schemas`` adds every schema of the
    application: each non-system schema that is not in :data:`PLATFORM_SCHEMAS` and was not
    created by an extension (no extra query: the scope check reads them anyway).
    """
    if isinstance(conn, str):
        with psycopg.connect(conn, autocommit=True) as owned:
            return introspect(owned, schemas, include=include, app_schemas=app_schemas)
    # one snapshot for all queries, and no transaction left open on an autocommit connection
    with conn.transaction():
        reader = _Reader(conn)
        # with only pg_catalog on the search path, format_type() and pg_get_expr() qualify every
        # name (public.app_permissions), so the result does not depend on the session's settings
        previous = reader.rows("select current_setting('search_path')")[0][0]
        reader.rows("select set_config('search_path', 'pg_catalog', true)")
        try:
            return reader.read(schemas, include, app_schemas=app_schemas)
        finally:
            reader.rows("select set_config('search_path', %(p)s, true)", {"p": previous})


@dataclass(frozen=True, slots=True)
class _TypeInfo:
    oid: int
    qualified: str
    formatted: str
    typtype: str
    is_array: bool
    elem_oid: int
    domain_base: int
    domain_typmod: int
    domain_notnull: bool
    domain_default: str | None


class _Reader:
    """One introspection run: a fixed sequence of catalog queries, then pure assembly."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self._formatted: dict[tuple[int, int], str] = {}
        self.domain_checks: dict[int, tuple[str, ...]] = {}

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        with self.conn.cursor() as cur:
            cur.execute(cast(Any, sql), params)
            return cur.fetchall()

    # -- scope -----------------------------------------------------------------------------------

    def resolve_scope(
        self,
        schemas: Sequence[str] | None,
        include: Sequence[str] | None = None,
        *,
        app_schemas: bool = False,
    ) -> list[str]:
        rows = self.rows(_SCOPE_SCHEMAS_SQL, {"sys": list(_SYSTEM_SCHEMAS)})
        existing = [r[0] for r in rows]
        wanted = schemas if schemas is not None else include
        if wanted is not None:
            missing = [s for s in wanted if s not in existing]
            if missing:
                name = missing[0]
                raise SchemaError(
                    f"Schema '{name}' does not exist in the database{did_you_mean(name, existing)}."
                    f" Schemas there: {', '.join(sorted(existing))}."
                )
        if schemas is not None:
            return sorted(set(schemas))
        scope = set(include) if include is not None else {"public"} & set(existing)
        if app_schemas:
            scope |= {
                name
                for name, by_extension in rows
                if not by_extension and name not in PLATFORM_SCHEMAS and not name.startswith("pg_")
            }
        # referenced schemas can reference others (auth.identities -> auth.users): follow them
        while True:
            found = {
                r[0]
                for r in self.rows(_REFERENCED_SCHEMAS_SQL, {"scope": sorted(scope)})
                if r[0] not in scope
            }
            if not found:
                return sorted(scope)
            scope |= found

    # -- the run ---------------------------------------------------------------------------------

    def read(
        self,
        schemas: Sequence[str] | None,
        include: Sequence[str] | None = None,
        *,
        app_schemas: bool = False,
    ) -> Schema:
        """The whole schema of ``schemas`` (default scope: see :func:`introspect`)."""
        scope = self.resolve_scope(schemas, include, app_schemas=app_schemas)
        version = int(self.rows("select current_setting('server_version_num')")[0][0])
        # indnullsnotdistinct exists from PostgreSQL 15 on
        nnd = "coalesce(ix.indnullsnotdistinct, false)" if version >= 150000 else "false"
        rels = self.rows(_TABLES_SQL, {"scope": scope})
        rel_name = {r[0]: f"{r[1]}.{r[2]}" for r in rels}
        q = {"oids": list(rel_name)}
        columns, attnames, enums = self.read_columns(scope, q)
        keys = self.read_constraints(q, nnd, rel_name, columns, attnames)
        self.read_unique_indexes(q, nnd, attnames, keys)
        triggers, trigger_fn_oids = self.read_triggers(q, rel_name)
        policies = self.read_policies(q, rel_name)
        functions = self.read_functions(scope, trigger_fn_oids)
        tables = _assemble_tables(rels, columns, keys, triggers, policies)
        database_schemas, schema_comments = self.read_database_schemas()
        extensions = {r[0]: r[1] for r in self.rows(_EXTENSIONS_SQL)}
        roles = tuple(r[0] for r in self.rows(_ROLES_SQL, {"names": list(SUPABASE_ROLES)}))
        return Schema(
            tables=tables,
            enums={
                e.qualified_name: e for e in sorted(enums.values(), key=lambda e: e.qualified_name)
            },
            functions=functions,
            triggers=tuple(t for table in tables.values() for t in table.triggers),
            policies=tuple(p for table in tables.values() for p in table.policies),
            schemas=tuple(scope),
            server_version_num=version,
            database_schemas=tuple(database_schemas),
            schema_comments=schema_comments,
            extensions=extensions,
            roles=roles,
        )

    # -- the steps of a run ----------------------------------------------------------------------

    def read_columns(
        self, scope: list[str], q: dict[str, Any]
    ) -> tuple[dict[int, list[Column]], dict[int, dict[int, str]], dict[int, Enum]]:
        """Columns per table oid (with their types, domains and enums), attnum -> name per table
        oid, and the enums the columns use."""
        col_rows = self.rows(_COLUMNS_SQL, q)
        types = self.read_types({r[3] for r in col_rows})
        self.domain_checks = self.read_domain_checks(types)
        enum_oids = {t.oid for t in types.values() if t.typtype == "e"}
        enums = self.read_enums(scope, enum_oids)
        columns: dict[int, list[Column]] = defaultdict(list)
        attnames: dict[int, dict[int, str]] = defaultdict(dict)
        for row in col_rows:
            relid, attnum, name = row[0], row[1], row[2]
            attnames[relid][attnum] = name
            columns[relid].append(
                _column(
                    row, len(columns[relid]) + 1, types, enums, self.formatted, self.domain_checks
                )
            )
        return columns, attnames, enums

    def read_constraints(
        self,
        q: dict[str, Any],
        nnd: str,
        rel_name: dict[int, str],
        columns: dict[int, list[Column]],
        attnames: dict[int, dict[int, str]],
    ) -> _Keys:
        """Primary keys, unique constraints, checks and foreign keys of the tables."""
        keys = _Keys()
        nullable = {(relid, c.name): c.nullable for relid, cols in columns.items() for c in cols}
        for (
            relid,
            conname,
            contype,
            conkey,
            ref_qualified,
            ref_cols,
            deltype,
            updtype,
            deferrable,
            deferred,
            check_expr,
            conindid,
            nulls_nd,
        ) in self.rows(_CONSTRAINTS_SQL.replace("{nulls_not_distinct}", nnd), q):
            cols = tuple(attnames[relid][n] for n in (conkey or []))
            if contype == "p":
                keys.pks[relid] = (conname, cols)
                keys.constraint_indexes.add(conindid)
            elif contype == "u":
                keys.uniques[relid].append(Unique(conname, cols, nulls_not_distinct=bool(nulls_nd)))
                keys.constraint_indexes.add(conindid)
            elif contype == "c":
                keys.checks[relid].append(Check(conname, _strip_parens(check_expr), cols))
            elif contype == "f":
                keys.fks[relid].append(
                    ForeignKey(
                        name=conname,
                        table=rel_name[relid],
                        columns=cols,
                        ref_table=ref_qualified,
                        ref_columns=tuple(ref_cols),
                        on_delete=_FK_ACTIONS[deltype],
                        on_update=_FK_ACTIONS[updtype],
                        deferrable=deferrable,
                        initially_deferred=deferred,
                        nullable=all(nullable[(relid, c)] for c in cols),
                    )
                )
        return keys

    def read_unique_indexes(
        self, q: dict[str, Any], nnd: str, attnames: dict[int, dict[int, str]], keys: _Keys
    ) -> None:
        """Add the unique indexes that back no constraint to ``keys.uniques`` (expression and
        partial ones included)."""
        for relid, indexname, index_keys, predicate, nulls_nd, indexrelid in self.rows(
            _UNIQUE_INDEXES_SQL.replace("{nulls_not_distinct}", nnd), q
        ):
            if indexrelid in keys.constraint_indexes:
                continue
            names = set(attnames[relid].values())
            key_cols = tuple(k for k in index_keys if k in names)
            exprs = tuple(k for k in index_keys if k not in names)
            keys.uniques[relid].append(
                Unique(
                    indexname,
                    key_cols,
                    exprs,
                    predicate=_strip_parens(predicate) if predicate else None,
                    is_constraint=False,
                    nulls_not_distinct=bool(nulls_nd),
                )
            )

    def read_triggers(
        self, q: dict[str, Any], rel_name: dict[int, str]
    ) -> tuple[dict[int, list[Trigger]], set[int]]:
        """Triggers per table oid, and the oids of their functions."""
        triggers: dict[int, list[Trigger]] = defaultdict(list)
        trigger_fn_oids: set[int] = set()
        for relid, tgname, tgtype, fn_qualified, fn_oid, enabled, definition in self.rows(
            _TRIGGERS_SQL, q
        ):
            trigger_fn_oids.add(fn_oid)
            triggers[relid].append(
                _trigger(rel_name[relid], tgname, tgtype, fn_qualified, enabled, definition)
            )
        return triggers, trigger_fn_oids

    def read_policies(self, q: dict[str, Any], rel_name: dict[int, str]) -> dict[int, list[Policy]]:
        """Row-level security policies per table oid."""
        policies: dict[int, list[Policy]] = defaultdict(list)
        for relid, polname, cmd, permissive, roles, using, check in self.rows(_POLICIES_SQL, q):
            policies[relid].append(
                Policy(
                    name=polname,
                    table=rel_name[relid],
                    command=_POLICY_COMMANDS[cmd],
                    permissive=permissive,
                    roles=tuple(sorted(roles)),
                    using=_strip_parens(using) if using else None,
                    with_check=_strip_parens(check) if check else None,
                )
            )
        return policies

    def read_functions(self, scope: list[str], trigger_fn_oids: set[int]) -> tuple[Function, ...]:
        """Functions of the scoped schemas and every trigger function, sorted by signature."""
        return tuple(
            sorted(
                (
                    Function(
                        schema=r[0],
                        name=r[1],
                        arguments=r[2],
                        returns=r[3] or "",
                        language=r[4],
                        security_definer=r[5],
                        volatility=_VOLATILITY.get(r[6], r[6]),
                        kind=_PROKIND.get(r[7], r[7]),
                        body=r[8] or "",
                    )
                    for r in self.rows(
                        _FUNCTIONS_SQL, {"scope": scope, "fns": sorted(trigger_fn_oids)}
                    )
                ),
                key=lambda f: f.signature,
            )
        )

    def read_database_schemas(self) -> tuple[list[str], dict[str, str]]:
        """Every non-system schema of the database, and the comments of those that have one."""
        database_schemas: list[str] = []
        schema_comments: dict[str, str] = {}
        for nspname, comment in self.rows(_SCHEMAS_SQL, {"sys": list(_SYSTEM_SCHEMAS)}):
            database_schemas.append(nspname)
            if comment:
                schema_comments[nspname] = comment
        return database_schemas, schema_comments

    # -- types -----------------------------------------------------------------------------------

    def read_types(self, oids: Iterable[int]) -> dict[int, _TypeInfo]:
        """Type facts for ``oids`` and everything they lead to (domain bases, array elements)."""
        types: dict[int, _TypeInfo] = {}
        todo = set(oids)
        # a domain over an array of a domain over an enum is legal: follow the chain to the end
        while todo:
            for row in self.rows(_TYPES_SQL, {"oids": sorted(todo)}):
                info = _TypeInfo(*row[:10])
                types[info.oid] = info
                self._formatted[(info.oid, -1)] = info.formatted
                if row[10] is not None:
                    self._formatted[(info.domain_base, info.domain_typmod)] = row[10]
            todo = {
                o
                for t in types.values()
                for o in (t.elem_oid, t.domain_base)
                if o and o not in types
            }
        return types

    def read_domain_checks(self, types: dict[int, _TypeInfo]) -> dict[int, tuple[str, ...]]:
        """CHECK expressions of each domain among ``types``, by domain oid (one query)."""
        oids = sorted(t.oid for t in types.values() if t.typtype == "d")
        found: dict[int, list[str]] = defaultdict(list)
        if oids:
            for contypid, definition in self.rows(_DOMAIN_CHECKS_SQL, {"oids": oids}):
                found[contypid].append(_strip_parens(_CHECK_DEF_RE.sub(r"\1", definition)))
        return {oid: tuple(exprs) for oid, exprs in found.items()}

    def formatted(self, oid: int, typmod: int) -> str:
        """``format_type(oid, typmod)`` from what :meth:`read_types` already fetched."""
        return self._formatted.get((oid, typmod)) or self._formatted.get((oid, -1), str(oid))

    def read_enums(self, scope: list[str], oids: set[int]) -> dict[int, Enum]:
        labels: dict[int, list[str]] = defaultdict(list)
        names: dict[int, tuple[str, str]] = {}
        for oid, nsp, typname, label in self.rows(
            _ENUMS_SQL, {"scope": scope, "oids": sorted(oids)}
        ):
            names[oid] = (nsp, typname)
            labels[oid].append(label)
        return {
            oid: Enum(nsp, typname, tuple(labels[oid])) for oid, (nsp, typname) in names.items()
        }


# -- assembly helpers ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Keys:
    """Keys and checks read per table oid (see :meth:`_Reader.read_constraints`)."""

    pks: dict[int, tuple[str | None, tuple[str, ...]]] = field(default_factory=dict)
    uniques: dict[int, list[Unique]] = field(default_factory=lambda: defaultdict(list))
    checks: dict[int, list[Check]] = field(default_factory=lambda: defaultdict(list))
    fks: dict[int, list[ForeignKey]] = field(default_factory=lambda: defaultdict(list))
    constraint_indexes: set[int] = field(default_factory=set)
    """Indexes that back a primary key or unique constraint (not read again as indexes)."""


def _assemble_tables(
    rels: list[tuple[Any, ...]],
    columns: dict[int, list[Column]],
    keys: _Keys,
    triggers: dict[int, list[Trigger]],
    policies: dict[int, list[Policy]],
) -> dict[str, Table]:
    """One :class:`Table` per relation, by qualified name in name order, its parts sorted."""
    tables: dict[str, Table] = {}
    for relid, schema_name, name, rls, forced, relkind, comment in sorted(
        rels, key=lambda r: (r[1], r[2])
    ):
        pk_name, pk_cols = keys.pks.get(relid, (None, ()))
        tables[f"{schema_name}.{name}"] = Table(
            schema=schema_name,
            name=name,
            columns=tuple(columns[relid]),
            primary_key=pk_cols,
            primary_key_name=pk_name,
            uniques=tuple(sorted(keys.uniques[relid], key=lambda u: u.name)),
            checks=tuple(sorted(keys.checks[relid], key=lambda c: c.name)),
            foreign_keys=tuple(sorted(keys.fks[relid], key=lambda f: f.name)),
            triggers=tuple(sorted(triggers[relid], key=lambda t: t.name)),
            rls_enabled=rls,
            rls_forced=forced,
            policies=tuple(sorted(policies[relid], key=lambda p: p.name)),
            partitioned=relkind == "p",
            comment=comment,
        )
    return tables


def _column(
    row: tuple[Any, ...],
    position: int,
    types: dict[int, _TypeInfo],
    enums: dict[int, Enum],
    formatted: Callable[[int, int], str],
    domain_checks: dict[int, tuple[str, ...]],
) -> Column:
    (
        _relid,
        _attnum,
        name,
        typoid,
        typmod,
        formatted_type,
        notnull,
        default,
        identity,
        generated,
        collation,
        comment,
        elem_formatted,
    ) = row
    info = types[typoid]
    domain: str | None = None
    checks: list[str] = []
    nullable = not notnull
    base = info
    base_formatted = formatted_type
    effective_typmod = typmod
    if info.typtype == "d":
        domain = info.qualified
        # walk the domain chain; the innermost domain's typmod applies when the column has none
        while base.typtype == "d":
            checks += domain_checks.get(base.oid, ())
            nullable = nullable and not base.domain_notnull
            if default is None and base.domain_default is not None:
                default = base.domain_default
            if effective_typmod < 0:
                effective_typmod = base.domain_typmod
            base_formatted = formatted(base.domain_base, base.domain_typmod)
            base = types[base.domain_base]
        elem_formatted = None
    is_array = base.is_array
    elem = types.get(base.elem_oid) if is_array else None
    if is_array and elem is not None and elem_formatted is None:
        elem_formatted = formatted(elem.oid, effective_typmod)
    scalar = elem if elem is not None else base
    while scalar.typtype == "d":  # an array of a domain: the element's own base decides
        scalar = types[scalar.domain_base]
    enum = enums.get(scalar.oid) if scalar.typtype == "e" else None
    max_length = precision = scale = None
    if effective_typmod >= 0:
        if scalar.oid in _VARCHAR_OIDS:
            max_length = effective_typmod - 4
        elif scalar.oid == _NUMERIC_OID:
            packed = effective_typmod - 4
            precision = (packed >> 16) & 0xFFFF
            scale = packed & 0x7FF
            if scale & 0x400:  # PostgreSQL 15+ allows a negative scale, stored in 11 bits
                scale -= 0x800
    ident: IdentityKind | None = cast(IdentityKind, identity) if identity else None
    return Column(
        name=name,
        position=position,
        type=formatted_type,
        base_type=base_formatted,
        is_array=is_array,
        element_type=elem_formatted if is_array else None,
        enum_name=enum.qualified_name if enum else None,
        enum_labels=enum.labels if enum else None,
        domain=domain,
        domain_checks=tuple(checks),
        nullable=nullable,
        default=None if generated else default,
        identity=ident,
        generated=bool(generated),
        generation_expression=default if generated else None,
        max_length=max_length,
        numeric_precision=precision,
        numeric_scale=scale,
        collation=collation,
        comment=comment,
    )


def _trigger(
    table: str, name: str, tgtype: int, function: str, enabled: str, definition: str
) -> Trigger:
    if tgtype & _TG_INSTEAD:
        timing = "INSTEAD OF"
    elif tgtype & _TG_BEFORE:
        timing = "BEFORE"
    else:
        timing = "AFTER"
    events = tuple(
        event
        for bit, event in (
            (_TG_INSERT, "INSERT"),
            (_TG_UPDATE, "UPDATE"),
            (_TG_DELETE, "DELETE"),
            (_TG_TRUNCATE, "TRUNCATE"),
        )
        if tgtype & bit
    )
    match = _WHEN_RE.search(definition)
    return Trigger(
        name=name,
        table=table,
        timing=timing,
        events=events,
        level="ROW" if tgtype & _TG_ROW else "STATEMENT",
        function=function,
        enabled=enabled != "D",
        condition=_strip_parens(match.group(1)) if match else None,
        definition=definition,
    )


def _strip_parens(expr: str) -> str:
    """``((a > 0))`` -> ``a > 0``: only parentheses that wrap the whole expression are removed."""
    text = expr.strip()
    while text.startswith("(") and text.endswith(")") and _wraps(text):
        text = text[1:-1].strip()
    return text


def _wraps(text: str) -> bool:
    depth = 0
    in_quote = False
    for i, ch in enumerate(text):
        if ch == "'":
            in_quote = not in_quote
        elif not in_quote:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0 and i != len(text) - 1:
                    return False
    return True


# -- the catalog queries -------------------------------------------------------------------------

# every schema a scope may name, and whether an extension's script created it (a member)
_SCOPE_SCHEMAS_SQL = """
select n.nspname, exists (
    select 1 from pg_depend d
    where d.classid = 'pg_namespace'::regclass and d.objid = n.oid
      and d.refclassid = 'pg_extension'::regclass and d.deptype = 'e'
)
from pg_namespace n
where n.nspname <> all(%(sys)s)
  and n.nspname not like 'pg\\_temp\\_%%' and n.nspname not like 'pg\\_toast\\_temp\\_%%'
"""

_SCHEMAS_SQL = """
select nspname, obj_description(oid, 'pg_namespace')
from pg_namespace
where nspname <> all(%(sys)s) and nspname not like 'pg\\_%%'
order by nspname
"""

_EXTENSIONS_SQL = """
select e.extname, n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace
order by e.extname
"""

_ROLES_SQL = "select rolname from pg_roles where rolname = any(%(names)s) order by rolname"

_REFERENCED_SCHEMAS_SQL = """
select rn.nspname
from pg_constraint co
join pg_class c on c.oid = co.conrelid
join pg_namespace n on n.oid = c.relnamespace
join pg_class rc on rc.oid = co.confrelid
join pg_namespace rn on rn.oid = rc.relnamespace
where co.contype = 'f' and n.nspname = any(%(scope)s)
union
select n.nspname
from pg_trigger tg
join pg_class c on c.oid = tg.tgrelid
join pg_namespace n on n.oid = c.relnamespace
join pg_proc p on p.oid = tg.tgfoid
join pg_namespace pn on pn.oid = p.pronamespace
where not tg.tgisinternal
  and n.nspname in ('auth', 'storage')
  and pn.nspname not in ('auth', 'storage')
union
select n.nspname
from pg_policy pol
join pg_class c on c.oid = pol.polrelid
join pg_namespace n on n.oid = c.relnamespace
where n.nspname = 'storage'
"""

# extension members (postgis' spatial_ref_sys, uuid-ossp's functions) are not the app's schema
_TABLES_SQL = """
select c.oid, n.nspname, c.relname, c.relrowsecurity, c.relforcerowsecurity, c.relkind,
       d.description
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
left join pg_description d
  on d.objoid = c.oid and d.classoid = 'pg_class'::regclass and d.objsubid = 0
where c.relkind in ('r', 'p') and not c.relispartition and n.nspname = any(%(scope)s)
  and not exists (
    select 1 from pg_depend d
    where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
  )
"""

_COLUMNS_SQL = """
select a.attrelid, a.attnum, a.attname, a.atttypid, a.atttypmod,
       format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(ad.adbin, ad.adrelid), nullif(a.attidentity, ''), nullif(a.attgenerated, ''),
       case when a.attcollation <> t.typcollation then co.collname end,
       d.description,
       case when t.typcategory = 'A' and t.typelem <> 0
            then format_type(t.typelem, a.atttypmod) end
from pg_attribute a
join pg_type t on t.oid = a.atttypid
left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
left join pg_collation co on co.oid = a.attcollation
-- a join, not col_description(): that function runs a query per row
left join pg_description d
  on d.objoid = a.attrelid and d.classoid = 'pg_class'::regclass and d.objsubid = a.attnum
where a.attrelid in (select unnest(%(oids)s::oid[])) and a.attnum > 0 and not a.attisdropped
order by a.attrelid, a.attnum
"""

_TYPES_SQL = """
select t.oid, n.nspname || '.' || t.typname, format_type(t.oid, null), t.typtype::text,
       t.typcategory = 'A' and t.typelem <> 0, t.typelem::int8, t.typbasetype::int8, t.typtypmod,
       t.typnotnull, t.typdefault,
       case when t.typtype = 'd' then format_type(t.typbasetype, t.typtypmod) end
from pg_type t
join pg_namespace n on n.oid = t.typnamespace
where t.oid = any(%(oids)s::oid[])
"""

# pg_get_constraintdef: pg_get_expr() needs a relation, a domain constraint has none
_DOMAIN_CHECKS_SQL = """
select co.contypid::int8, pg_get_constraintdef(co.oid)
from pg_constraint co
where co.contypid = any(%(oids)s::oid[]) and co.contype = 'c'
order by co.contypid, co.conname
"""

_ENUMS_SQL = """
select e.enumtypid::int8, n.nspname, t.typname, e.enumlabel
from pg_enum e
join pg_type t on t.oid = e.enumtypid
join pg_namespace n on n.oid = t.typnamespace
where n.nspname = any(%(scope)s) or e.enumtypid = any(%(oids)s::oid[])
order by e.enumtypid, e.enumsortorder
"""

_CONSTRAINTS_SQL = """
select co.conrelid, co.conname, co.contype::text, co.conkey,
       case when co.contype = 'f' then rn.nspname || '.' || rc.relname end,
       case when co.contype = 'f' then array(
         select ra.attname from unnest(co.confkey) with ordinality k(attnum, i)
         join pg_attribute ra on ra.attrelid = co.confrelid and ra.attnum = k.attnum
         order by k.i) end,
       co.confdeltype::text, co.confupdtype::text, co.condeferrable, co.condeferred,
       case when co.contype = 'c' then pg_get_expr(co.conbin, co.conrelid) end,
       co.conindid::int8,
       {nulls_not_distinct}
from pg_constraint co
left join pg_class rc on rc.oid = co.confrelid
left join pg_namespace rn on rn.oid = rc.relnamespace
left join pg_index ix on ix.indexrelid = co.conindid and co.contype in ('u', 'p')
where co.conrelid in (select unnest(%(oids)s::oid[])) and co.contype in ('p', 'u', 'c', 'f')
order by co.conrelid, co.conname
"""

_UNIQUE_INDEXES_SQL = """
select ix.indrelid, ic.relname,
       array(select pg_get_indexdef(ix.indexrelid, k, true)
             from generate_series(1, ix.indnkeyatts) k order by k),
       pg_get_expr(ix.indpred, ix.indrelid),
       {nulls_not_distinct},
       ix.indexrelid::int8
from pg_index ix
join pg_class ic on ic.oid = ix.indexrelid
where ix.indrelid in (select unnest(%(oids)s::oid[])) and ix.indisunique and not ix.indisprimary
order by ix.indrelid, ic.relname
"""

_TRIGGERS_SQL = """
select tg.tgrelid, tg.tgname, tg.tgtype::int, pn.nspname || '.' || p.proname, p.oid::int8,
       tg.tgenabled::text, pg_get_triggerdef(tg.oid)
from pg_trigger tg
join pg_proc p on p.oid = tg.tgfoid
join pg_namespace pn on pn.oid = p.pronamespace
where tg.tgrelid in (select unnest(%(oids)s::oid[])) and not tg.tgisinternal
order by tg.tgrelid, tg.tgname
"""

_POLICIES_SQL = """
select pol.polrelid, pol.polname, pol.polcmd::text, pol.polpermissive,
       case when pol.polroles = '{0}'::oid[] then array['public']::name[]
            else array(select r.rolname from pg_roles r where r.oid = any(pol.polroles)) end,
       pg_get_expr(pol.polqual, pol.polrelid), pg_get_expr(pol.polwithcheck, pol.polrelid)
from pg_policy pol
where pol.polrelid in (select unnest(%(oids)s::oid[]))
order by pol.polrelid, pol.polname
"""

_FUNCTIONS_SQL = """
select n.nspname, p.proname, pg_get_function_identity_arguments(p.oid),
       pg_get_function_result(p.oid), l.lanname, p.prosecdef, p.provolatile::text, p.prokind::text,
       case when l.lanname in ('sql', 'plpgsql') then p.prosrc end
from pg_proc p
join pg_namespace n on n.oid = p.pronamespace
join pg_language l on l.oid = p.prolang
where (n.nspname = any(%(scope)s)
       or p.pronamespace in (select pronamespace from pg_proc where oid = any(%(fns)s::oid[])))
  and not exists (
    select 1 from pg_depend d
    where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
  )
"""
