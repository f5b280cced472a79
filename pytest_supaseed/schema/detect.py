"""Which MakerKit flavour (if any) and which Supabase flavour a schema is, with the evidence.

MakerKit flavours, oldest first (see docs/guides/schema.md for the signatures):

- ``v1``: organizations era: ``public.organizations``, ``public.memberships`` with an integer
  ``role``, ``public.users`` with ``onboarded``; no trigger on ``auth.users``.
- ``lite``: ``public.accounts`` without ``is_personal_account``; trigger on ``auth.users`` calling
  ``kit.new_user_created_setup``.
- ``v2``: ``public.accounts`` with ``is_personal_account`` / ``primary_owner_user_id`` / ``slug``,
  ``roles``, ``accounts_memberships``, ``role_permissions``, ``kit.setup_new_user``.
- ``v3``: v2 plus ``public.nonces`` and ``public.is_super_admin()`` / ``is_aal2()`` /
  ``is_mfa_compliant()``.
- ``custom``: none of the above.

Every decision carries :class:`Evidence`: the objects looked for, whether each was found, and why it
matters, so a wrong guess is easy to see and to report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from .model import Schema, Table, qualify

KitName = Literal["v1", "lite", "v2", "v3", "custom"]
SupabaseKind = Literal["real", "layer", "plain"]
"""``real``: a Supabase database (supabase/postgres image, ``supabase start``, hosted);
``layer``: ``auth`` / roles provided by a compatibility layer such as pytest-supaseed's own;
``plain``: no ``auth.users`` at all."""

KIT_TABLES: dict[str, tuple[str, ...]] = {
    "v1": (
        "public.memberships",
        "public.organizations",
        "public.organizations_subscriptions",
        "public.subscriptions",
        "public.users",
    ),
    "lite": ("public.accounts",),
    "v2": (
        "public.accounts",
        "public.accounts_memberships",
        "public.billing_customers",
        "public.config",
        "public.invitations",
        "public.notifications",
        "public.order_items",
        "public.orders",
        "public.role_permissions",
        "public.roles",
        "public.subscription_items",
        "public.subscriptions",
    ),
}
KIT_TABLES["v3"] = tuple(sorted((*KIT_TABLES["v2"], "public.nonces")))
"""The tables each kit ships; everything else in the application's schemas is a custom table."""

# Platform schemas: their tables are never the application's custom tables.
_PLATFORM_SCHEMAS = frozenset(
    {
        "auth",
        "storage",
        "extensions",
        "realtime",
        "_realtime",
        "supabase_functions",
        "supabase_migrations",
        "graphql",
        "graphql_public",
        "vault",
        "pgsodium",
        "pgsodium_masks",
        "net",
        "cron",
        "pgbouncer",
        "pgtle",
        "_analytics",
        # our own resumable-seed journal (seed/journal.py JOURNAL_SCHEMA)
        "supaseed_journal",
    }
)
#: Schemas of the platform (Supabase, extensions): not the application's.
PLATFORM_SCHEMAS = _PLATFORM_SCHEMAS
# Schemas only a real Supabase database has (created by supabase/postgres init scripts and services).
_REAL_SUPABASE_SCHEMAS = ("_realtime", "graphql_public", "realtime", "supabase_functions", "vault")
# How a compatibility layer marks itself: a COMMENT ON SCHEMA auth mentioning it.
_LAYER_MARKERS = ("supaseed", "compatibility layer")

_INSERT_RE = re.compile(
    r"\binsert\s+into\s+((?:\"?[A-Za-z_][\w$]*\"?\.)?\"?[A-Za-z_][\w$]*\"?)", re.I
)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One object looked for during detection.

    Attributes:
        subject: what was looked for, e.g. ``column public.accounts.is_personal_account``.
        found: whether it exists.
        why: what it tells (``"v2 accounts are personal or team accounts"``).
    """

    subject: str
    found: bool
    why: str

    def describe(self) -> str:
        """``"[x] subject: why"`` or ``"[ ] subject: why"``."""
        return f"[{'x' if self.found else ' '}] {self.subject}: {self.why}"


@dataclass(frozen=True, slots=True)
class AuthUserTrigger:
    """A trigger on ``auth.users`` that creates rows when a user is inserted.

    Attributes:
        name: trigger name (``on_auth_user_created``).
        timing: ``BEFORE`` / ``AFTER``.
        function: qualified trigger function (``kit.setup_new_user``).
        creates: qualified tables the function inserts into, read from its body (empty when the
            body is not SQL or PL/pgSQL, or inserts through dynamic SQL).
    """

    name: str
    timing: str
    function: str
    creates: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Detection:
    """The result of :func:`detect`.

    Attributes:
        kit: ``v1``, ``lite``, ``v2``, ``v3`` or ``custom``.
        evidence: the checks of the decision: for a kit its signature objects (found or not);
            for ``custom`` the decisive objects of each kit that were missing.
        kit_tables: tables of the schema that belong to the kit, sorted.
        custom_tables: application tables that are not part of the kit (all of them for
            ``custom``), sorted; platform schemas such as ``auth`` and ``storage`` are left out.
        auth_user_triggers: triggers on ``auth.users`` that insert rows, sorted by name.
        supabase: ``real``, ``layer`` or ``plain``.
        supabase_evidence: the checks behind ``supabase``.
    """

    kit: KitName
    evidence: tuple[Evidence, ...]
    kit_tables: tuple[str, ...]
    custom_tables: tuple[str, ...]
    auth_user_triggers: tuple[AuthUserTrigger, ...]
    supabase: SupabaseKind
    supabase_evidence: tuple[Evidence, ...]

    @property
    def is_makerkit(self) -> bool:
        """A MakerKit flavour was recognised."""
        return self.kit != "custom"

    @property
    def label(self) -> str:
        """``"MakerKit v2 + 3 custom tables"``, ``"custom (5 tables)"``."""
        if not self.is_makerkit:
            return f"custom ({len(self.custom_tables)} tables)"
        extra = f" + {len(self.custom_tables)} custom tables" if self.custom_tables else ""
        return f"MakerKit {self.kit}{extra}"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, keys and lists in a stable order."""
        return {
            "kit": self.kit,
            "label": self.label,
            "evidence": [_evidence_dict(e) for e in self.evidence],
            "kit_tables": list(self.kit_tables),
            "custom_tables": list(self.custom_tables),
            "auth_user_triggers": [
                {
                    "name": t.name,
                    "timing": t.timing,
                    "function": t.function,
                    "creates": list(t.creates),
                }
                for t in self.auth_user_triggers
            ],
            "supabase": self.supabase,
            "supabase_evidence": [_evidence_dict(e) for e in self.supabase_evidence],
        }

    def render(self) -> str:
        """A readable report: kit, evidence, tables, triggers, Supabase flavour."""
        lines = [f"Schema: {self.label}", "Evidence:"]
        lines += [f"  {e.describe()}" for e in self.evidence]
        if self.is_makerkit:
            lines.append(f"Kit tables ({len(self.kit_tables)}): {', '.join(self.kit_tables)}")
        lines.append(
            f"Custom tables ({len(self.custom_tables)}): {', '.join(self.custom_tables) or '-'}"
        )
        if self.auth_user_triggers:
            lines.append("Triggers on auth.users that create rows:")
            lines += [
                f"  {t.name} ({t.timing} INSERT) -> {t.function}: "
                f"creates {', '.join(t.creates) or 'unknown rows'}"
                for t in self.auth_user_triggers
            ]
        else:
            lines.append("Triggers on auth.users that create rows: none")
        lines.append(f"Supabase: {self.supabase}")
        lines += [f"  {e.describe()}" for e in self.supabase_evidence]
        return "\n".join(lines)


def _evidence_dict(e: Evidence) -> dict[str, Any]:
    return {"subject": e.subject, "found": e.found, "why": e.why}


def detect(schema: Schema) -> Detection:
    """Recognise the MakerKit flavour and the Supabase flavour of ``schema``, with evidence.

    The checks are strict enough that a custom schema that happens to have an ``accounts`` table is
    not taken for a kit, and tolerant of extra tables and columns (a kit extended by the app is
    still that kit; the additions are listed as custom tables).
    """
    probe = _Probe(schema)
    kit, evidence = _decide_kit(probe)
    app_tables = sorted(
        name for name, t in schema.tables.items() if t.schema not in _PLATFORM_SCHEMAS
    )
    kit_set = set(KIT_TABLES.get(kit, ()))
    kit_tables = tuple(t for t in app_tables if t in kit_set)
    custom_tables = tuple(t for t in app_tables if t not in kit_set)
    supabase, supabase_evidence = _decide_supabase(schema)
    return Detection(
        kit=kit,
        evidence=tuple(evidence),
        kit_tables=kit_tables,
        custom_tables=custom_tables,
        auth_user_triggers=_auth_user_triggers(schema),
        supabase=supabase,
        supabase_evidence=tuple(supabase_evidence),
    )


class _Probe:
    """Evidence-producing lookups over one schema."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema

    def _table(self, name: str) -> Table | None:
        return self.schema.tables.get(qualify(name))

    def table(self, name: str, why: str) -> Evidence:
        return Evidence(f"table {qualify(name)}", self._table(name) is not None, why)

    def column(self, table: str, column: str, why: str, type_prefix: str | None = None) -> Evidence:
        t = self._table(table)
        found = t is not None and t.has_column(column)
        if found and type_prefix is not None and t is not None:
            found = t.column(column).base_type.startswith(type_prefix)
        typed = f" ({type_prefix})" if type_prefix else ""
        return Evidence(f"column {qualify(table)}.{column}{typed}", found, why)

    def check(self, table: str, name: str, why: str) -> Evidence:
        t = self._table(table)
        found = t is not None and any(c.name == name for c in t.checks)
        return Evidence(f"check {name} on {qualify(table)}", found, why)

    def unique(self, table: str, name: str, why: str) -> Evidence:
        t = self._table(table)
        found = t is not None and any(u.name == name for u in t.uniques)
        return Evidence(f"unique index {name} on {qualify(table)}", found, why)

    def function(self, name: str, why: str) -> Evidence:
        return Evidence(f"function {name}()", self.schema.has_function(name), why)

    def auth_trigger_calling(self, function: str, why: str) -> Evidence:
        found = [
            t.name
            for t in self.schema.triggers_on("auth.users")
            if t.function == function and "INSERT" in t.events
        ]
        subject = f"trigger on auth.users calling {function}()"
        if found:
            subject = f"trigger {found[0]} on auth.users calling {function}()"
        return Evidence(subject, bool(found), why)


def _decide_kit(p: _Probe) -> tuple[KitName, list[Evidence]]:
    v2_core = [
        p.column("accounts", "is_personal_account", "v2 accounts are personal or team accounts"),
        p.column("accounts", "primary_owner_user_id", "v2 accounts have a primary owner"),
        p.table("accounts_memberships", "v2 memberships link users to accounts"),
    ]
    v2_more = [
        p.column("accounts", "slug", "team accounts are addressed by slug"),
        p.column("accounts_memberships", "account_role", "membership role references roles"),
        p.column("roles", "hierarchy_level", "v2 roles are ranked by hierarchy_level"),
        p.table("role_permissions", "v2 grants app_permissions per role"),
        p.check(
            "accounts",
            "accounts_slug_null_if_personal_account_true",
            "personal accounts have no slug, team accounts must",
        ),
        p.unique("accounts", "unique_personal_account", "one personal account per user"),
        p.function("kit.setup_new_user", "creates the personal account of every new user"),
        p.auth_trigger_calling("kit.setup_new_user", "personal account id = auth user id"),
    ]
    v3_more = [
        p.table("nonces", "v3 one-time tokens"),
        p.function("public.is_super_admin", "v3 super admin requires MFA"),
        p.function("public.is_aal2", "v3 MFA assurance level check"),
        p.function("public.is_mfa_compliant", "v3 MFA RLS policies"),
    ]
    if all(e.found for e in v2_core) and sum(e.found for e in v2_more) >= 3:
        v3_decisive = v3_more[0].found and v3_more[1].found
        if v3_decisive:
            return "v3", v2_core + v2_more + v3_more
        return "v2", v2_core + v2_more + v3_more

    lite = [
        p.table("accounts", "lite has a single accounts table"),
        Evidence(
            "column public.accounts.is_personal_account absent",
            p.table("accounts", "").found and not v2_core[0].found,
            "lite accounts are personal only",
        ),
        Evidence(
            "table public.accounts_memberships absent",
            p.table("accounts", "").found and not v2_core[2].found,
            "lite has no teams",
        ),
        p.auth_trigger_calling(
            "kit.new_user_created_setup", "creates the account of every new user"
        ),
        p.function("kit.new_user_created_setup", "lite's signup trigger function"),
    ]
    if lite[0].found and lite[1].found and (lite[3].found or lite[4].found):
        return "lite", lite

    v1 = [
        p.table("organizations", "v1 teams are organizations"),
        p.column(
            "memberships", "role", "v1 roles are integers (0 member, 1 admin, 2 owner)", "integer"
        ),
        p.column("memberships", "organization_id", "v1 memberships reference organizations"),
        p.column("users", "onboarded", "v1 profile table public.users"),
        p.column("organizations", "uuid", "v1 organizations carry a uuid next to the bigint id"),
        p.column("memberships", "invited_email", "v1 pending invites live in memberships"),
        p.function("public.create_new_organization", "v1 onboarding RPC"),
        Evidence(
            "table public.accounts absent",
            not p.table("accounts", "").found,
            "v1 predates accounts",
        ),
    ]
    if v1[0].found and v1[1].found and v1[2].found and v1[7].found:
        return "v1", v1

    # custom: show the decisive object of each kit, all of them missing or incomplete
    missing = [e for e in (v2_core + lite[:1] + lite[3:4] + v1[:2]) if not e.found]
    return "custom", missing or v2_core + lite[:1] + v1[:2]


def _decide_supabase(schema: Schema) -> tuple[SupabaseKind, list[Evidence]]:
    present = set(schema.database_schemas)
    real = [
        Evidence(f"schema {name}", name in present, "created only by Supabase's own images")
        for name in _REAL_SUPABASE_SCHEMAS
    ]
    auth_comment = schema.schema_comments.get("auth", "")
    has_auth = "auth" in present
    basics = [
        Evidence("schema auth", has_auth, "Supabase apps reference auth.users and auth.uid()"),
        Evidence(
            "roles anon, authenticated, service_role",
            {"anon", "authenticated", "service_role"} <= set(schema.roles),
            "Supabase's API roles",
        ),
    ]
    marker = Evidence(
        "comment on schema auth naming a compatibility layer",
        any(m in auth_comment.lower() for m in _LAYER_MARKERS),
        auth_comment or "no comment",
    )
    # A layer can provide Supabase's platform schemas too (pytest-supaseed's extension pack
    # installs supabase_functions, vault, realtime): its marker on auth decides first.
    if marker.found and has_auth:
        return "layer", [*basics, marker, *[e for e in real if e.found]]
    if any(e.found for e in real):
        return "real", [e for e in real if e.found] + basics
    none_real = Evidence(
        "schemas " + ", ".join(_REAL_SUPABASE_SCHEMAS),
        False,
        "none present, so not a Supabase image",
    )
    if has_auth:
        return "layer", [*basics, marker, none_real]
    return "plain", [*basics, none_real]


def _auth_user_triggers(schema: Schema) -> tuple[AuthUserTrigger, ...]:
    bodies: dict[str, str] = {}
    for f in schema.functions:
        bodies[f.qualified_name] = bodies.get(f.qualified_name, "") + "\n" + f.body
    found = []
    for trigger in schema.triggers_on("auth.users"):
        if "INSERT" not in trigger.events or not trigger.enabled:
            continue
        body = _strip_sql_comments(bodies.get(trigger.function, ""))
        creates = sorted({qualify(m.replace('"', "")) for m in _INSERT_RE.findall(body)})
        found.append(
            AuthUserTrigger(trigger.name, trigger.timing, trigger.function, tuple(creates))
        )
    return tuple(sorted(found, key=lambda t: t.name))


def _strip_sql_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"--[^\n]*", " ", text)
