"""What tests import: the ``supaseed`` fixture's :class:`Supaseed`, acting as a Supabase user,
assertion helpers, Hypothesis strategies.

Names are loaded on first use so that importing this package stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    # The object the ``supaseed`` fixture gives a test.
    "Supaseed": "supaseed",
    # RLS: act as a user inside the test's transaction, and check what they see.
    "as_user": "rls",
    "as_anon": "rls",
    "as_service_role": "rls",
    "assert_rls_enabled": "rls",
    "assert_visible": "rls",
    "assert_not_visible": "rls",
    # The extension pack's recording doubles: pg_net requests, http answers, pg_cron runs.
    "http_requests": "doubles",
    "http_calls": "doubles",
    "register_http_response": "doubles",
    "run_cron_job": "doubles",
    # Distribution of seeded rows over their parents.
    "assert_distribution": "distribution",
    "assert_category_balance": "distribution",
    # Who can select/insert/update/delete what, tried on the seeded rows.
    "rls_matrix": "matrix",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_supaseed.testing' has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
