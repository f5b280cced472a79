"""The app's access policy in one table: who may do what to a row of each table.

``test_rls.py`` checks it against the RLS matrix pytest-supaseed computes (the same matrix the HTML
seed report shows); pytest-supaseed's own suite checks the report against it too.
"""

from __future__ import annotations

ALL = {"select", "insert", "update", "delete"}
READ = {"select"}
NONE: set[str] = set()
#: table -> caller -> what the caller may do to a row it does not own (stranger, anon) or owns.
EXPECTED_ACCESS: dict[str, dict[str, set[str]]] = {
    "public.accounts": {"anon": NONE, "owner": {"select", "update"}, "stranger": NONE},
    "public.accounts_memberships": {"anon": NONE, "owner": READ, "stranger": NONE},
    "public.roles": {"anon": NONE, "owner": READ, "stranger": READ},
    "public.role_permissions": {"anon": NONE, "owner": READ, "stranger": READ},
    "public.gear": {"anon": READ, "owner": READ, "stranger": READ},
    "public.gear_categories": {"anon": READ, "owner": READ, "stranger": READ},
    "public.setups": {"anon": NONE, "owner": ALL, "stranger": NONE},
    "public.setup_gear": {"anon": NONE, "owner": ALL, "stranger": NONE},
    "public.trips": {"anon": NONE, "owner": ALL, "stranger": NONE},
    "public.media": {"anon": NONE, "owner": ALL, "stranger": NONE},
}
