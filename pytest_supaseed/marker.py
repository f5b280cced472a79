"""The ``supaseed`` marker: its API is the signature of :func:`_supaseed_marker`.

Validation calls that function with the marker's arguments, so a wrong argument gets Python's own
clear ``TypeError`` (as pytest-django does for ``django_db``), and then checks the customization keys
against the seed plan's sections with a did-you-mean.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from .lifecycle.request import ISOLATIONS, Isolation, SupaseedRequest

__all__ = [
    "ISOLATIONS",
    "MARKER_LINE",
    "SEEDING_FIXTURES",
    "Isolation",
    "SupaseedRequest",
    "closest_request",
    "planned_requests",
    "validate",
]

MARKER_LINE = (
    "supaseed(template=None, *, seed=None, isolation='transaction', **customizations): "
    "seed the test's database from a plan template (e.g. 'outdoor-platform'), with plan "
    "customizations such as users={'count': 50}; isolation='database' gives the test a fresh "
    "clone instead of a rolled-back transaction."
)


validated_key = pytest.StashKey[SupaseedRequest]()
"""Where collection keeps a test's validated closest marker."""


def _supaseed_marker(
    template: str | None = None,
    *,
    seed: int | None = None,
    isolation: Isolation = "transaction",
    **customizations: Any,
) -> SupaseedRequest:
    return SupaseedRequest(template, seed, isolation, dict(customizations))


def plan_sections() -> tuple[str, ...]:
    """The top-level keys a customization may use (the seed plan's sections)."""
    from .config.models import SeedPlan

    return tuple(
        name
        for name in SeedPlan.model_fields
        if name not in {"extends", "customizations", "description", "seed"}
    )


def validate(marker: pytest.Mark) -> SupaseedRequest:
    """Turn a ``supaseed`` marker into a :class:`SupaseedRequest`, or raise ``TypeError``/``ValueError``
    naming the wrong argument."""
    from .errors import did_you_mean

    try:
        request = _supaseed_marker(*marker.args, **marker.kwargs)
    except TypeError as exc:
        raise TypeError(f"@pytest.mark.{MARKER_LINE.split(':')[0]}: {exc}") from None
    if request.template is not None and not isinstance(request.template, str):
        raise TypeError(
            f"supaseed marker: template must be a template name (str), got {request.template!r}"
        )
    if request.seed is not None and (
        not isinstance(request.seed, int) or isinstance(request.seed, bool)
    ):
        raise TypeError(f"supaseed marker: seed must be an int, got {request.seed!r}")
    if request.isolation not in ISOLATIONS:
        raise ValueError(
            f"supaseed marker: isolation must be one of {', '.join(map(repr, ISOLATIONS))}, "
            f"got {request.isolation!r}"
        )
    # Only customizations need the plan's sections (the plan models): a bare marker costs no import.
    sections = plan_sections() if request.customizations else ()
    for key in request.customizations:
        if key not in sections:
            raise TypeError(
                f"supaseed marker: unexpected argument {key!r}{did_you_mean(key, sections)}; "
                f"customizations are seed plan sections: {', '.join(sections)}"
            )
    return request


def closest_request(item: pytest.Item, default_template: str | None) -> SupaseedRequest | None:
    """The request of the closest ``supaseed`` marker of ``item`` (test, class, module), or one built
    from ``--supaseed-template`` when the test has no marker; ``None`` when neither applies."""
    marker = item.get_closest_marker("supaseed")
    if marker is None:
        return SupaseedRequest(template=default_template) if default_template else None
    # Validated once at collection (plugin.pytest_collection_modifyitems); not again per test.
    request = item.stash.get(validated_key, None) or validate(marker)
    if request.template is None and default_template:
        request = SupaseedRequest(
            default_template, request.seed, request.isolation, request.customizations
        )
    return request


#: The fixtures that seed what ``supaseed_request`` returns (fixtures.py, async_fixtures.py).
SEEDING_FIXTURES = ("supaseed", "supaseed_db", "supaseed_async_db")


def _true(conditions: tuple[Any, ...]) -> bool:
    """One of ``conditions`` is true for sure (a string condition is not evaluated here)."""
    try:
        return any(not isinstance(condition, str) and bool(condition) for condition in conditions)
    except Exception:  # a condition that cannot say: as pytest would, at run time
        return False


def _skipped(item: pytest.Item) -> bool:
    """Will not run, by pytest's rules for these markers, as far as they can be known before
    running: ``skip``; ``skipif`` with no condition or a true one (a ``condition=`` keyword wins
    over positional ones); ``xfail(run=False)`` likewise."""
    if item.get_closest_marker("skip") is not None:
        return True
    for name in ("skipif", "xfail"):
        for mark in item.iter_markers(name):
            if name == "xfail" and mark.kwargs.get("run", True):
                continue
            conditions = (mark.kwargs["condition"],) if "condition" in mark.kwargs else mark.args
            if not conditions or _true(tuple(conditions)):
                return True
    return False


def planned_requests(
    items: Iterable[pytest.Item], default_template: str | None
) -> list[SupaseedRequest]:
    """The request of each of ``items`` that seeds, in run order (repeats included): a test using
    one of :data:`SEEDING_FIXTURES` seeds what ``supaseed_request`` returns
    (:func:`closest_request`), ``supaseed`` the plan file when that is None (its rule); the
    others use the base database. Left out: tests marked to be skipped, and tests that set
    ``supaseed_request`` by ``@pytest.mark.parametrize``."""
    requests: list[SupaseedRequest] = []
    for item in items:
        names = getattr(item, "fixturenames", ())
        if not any(name in names for name in SEEDING_FIXTURES) or _skipped(item):
            continue
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "supaseed_request" in callspec.params:
            continue
        request = closest_request(item, default_template)
        if request is None and "supaseed" in names:
            request = SupaseedRequest()
        if request is not None:
            requests.append(request)
    return requests
