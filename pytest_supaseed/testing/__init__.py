"""What tests import: the ``supaseed`` fixture's :class:`Supaseed`, acting as a Supabase user,
assertion helpers. Hypothesis strategies are in :mod:`.strategies` (import it by name: Hypothesis
is an optional extra, so this package does not load it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_exports import lazy_package

if TYPE_CHECKING:
    # Distribution of seeded rows over their parents.
    from .distribution import assert_category_balance, assert_distribution

    # The extension pack's recording doubles: pg_net requests, http answers, pg_cron runs.
    from .doubles import http_calls, http_requests, register_http_response, run_cron_job

    # Who can select/insert/update/delete what, tried on the seeded rows.
    from .matrix import rls_matrix

    # RLS: act as a user inside the test's transaction, and check what they see.
    from .rls import (
        as_anon,
        as_service_role,
        as_user,
        assert_not_visible,
        assert_rls_enabled,
        assert_visible,
    )

    # The object the ``supaseed`` fixture gives a test.
    from .supaseed import Supaseed


__all__ = [
    "Supaseed",
    "as_anon",
    "as_service_role",
    "as_user",
    "assert_category_balance",
    "assert_distribution",
    "assert_not_visible",
    "assert_rls_enabled",
    "assert_visible",
    "http_calls",
    "http_requests",
    "register_http_response",
    "rls_matrix",
    "run_cron_job",
]

lazy_package(
    __name__,
    {
        ".distribution": ("assert_category_balance", "assert_distribution"),
        ".doubles": ("http_calls", "http_requests", "register_http_response", "run_cron_job"),
        ".matrix": ("rls_matrix",),
        ".rls": (
            "as_anon",
            "as_service_role",
            "as_user",
            "assert_not_visible",
            "assert_rls_enabled",
            "assert_visible",
        ),
        ".supaseed": ("Supaseed",),
    },
)
