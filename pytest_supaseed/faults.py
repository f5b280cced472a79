"""Which database faults pass on their own, and retrying them.

:func:`classify` is the one place that decides whether an exception is *transient* (retrying may
succeed: the connection was refused, reset or lost, the server is shutting down or starting,
a serialization failure, a deadlock, too many connections, a lock timeout) or *permanent* (anything
else: a constraint, a missing table, a bad value, a bug). Everything else asks it.

:func:`call_with_retries` runs a callable again on transient faults, with exponential backoff and
jitter, under a cap on attempts and on total time, logging each retry (event ``retry``). The
machinery is tenacity's (``Retrying`` with its stop conditions and ``before_sleep`` hook); the wait
is our own so that the jitter is deterministic (derived from the operation's name and the attempt,
never the global ``random``: a retry must not shift a test's random numbers).
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

import psycopg
import tenacity

from .errors import DatabaseFault, SupaseedError, TransientDatabaseError
from .logs import event

__all__ = [
    "TRANSIENT_SQLSTATES",
    "RetryPolicy",
    "call_with_retries",
    "classify",
    "is_transient",
]

T = TypeVar("T")
Kind = Literal["transient", "permanent"]

#: SQLSTATEs of faults that may pass: the whole class 08 (connection exception) is transient too.
TRANSIENT_SQLSTATES: dict[str, str] = {
    "57P01": "admin shutdown",
    "57P02": "crash shutdown",
    "57P03": "cannot connect now (server starting or shutting down)",
    "40001": "serialization failure",
    "40P01": "deadlock detected",
    "53300": "too many connections",
    "55P03": "lock not available (lock timeout)",
    "58030": "I/O error",
}
_TRANSIENT_OS_ERRORS = (
    ConnectionError,  # refused, reset, aborted, broken pipe
    TimeoutError,
    socket.gaierror,
)


def classify(exc: BaseException) -> Kind:
    """``"transient"`` when retrying ``exc``'s operation may succeed, else ``"permanent"``.

    Decided by the SQLSTATE when the server sent one (:data:`TRANSIENT_SQLSTATES`, class ``08``),
    else by the exception's class: a psycopg ``OperationalError`` without a SQLSTATE is a connection
    that failed or was lost; ``ConnectionError``/``TimeoutError`` from the socket layer likewise.
    Our own errors carry their kind (:class:`~pytest_supaseed.errors.DatabaseFault`); any other
    :class:`~pytest_supaseed.errors.SupaseedError` is permanent (a plan or schema problem). An
    exception group is transient when every exception in it is.
    """
    if isinstance(exc, BaseExceptionGroup):
        # several faults at once (pytest's teardown of several fixtures): transient when all are
        kinds = {classify(inner) for inner in exc.exceptions}
        return "transient" if kinds == {"transient"} else "permanent"
    if isinstance(exc, DatabaseFault):
        return "transient" if exc.transient else "permanent"
    if isinstance(exc, SupaseedError):
        return "permanent"
    if isinstance(exc, psycopg.Error):
        state = exc.sqlstate
        if state is not None:
            return "transient" if state in TRANSIENT_SQLSTATES or state[:2] == "08" else "permanent"
        return "transient" if isinstance(exc, psycopg.OperationalError) else "permanent"
    if isinstance(exc, _TRANSIENT_OS_ERRORS):
        return "transient"
    return "permanent"


def is_transient(exc: BaseException) -> bool:
    """``classify(exc) == "transient"``."""
    return classify(exc) == "transient"


def describe(exc: BaseException) -> str:
    """One line naming the fault: its SQLSTATE and meaning when known, and the first message line."""
    state = getattr(exc, "sqlstate", None)
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if state:
        meaning = TRANSIENT_SQLSTATES.get(state) or (
            "connection exception" if state[:2] == "08" else ""
        )
        return f"{type(exc).__name__} [{state}{': ' + meaning if meaning else ''}] {first}"
    return f"{type(exc).__name__}: {first}"


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        return default


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long a transient fault is retried.

    ``attempts`` in all (the first included), at most ``max_seconds`` from the first attempt; the
    wait before retry *n* is ``initial * 2**(n-1)`` capped at ``max_wait``, plus up to ``jitter``
    of itself (deterministic, from the operation's name and *n*). Defaults: 6 attempts, 60 s,
    0.25 s doubling to at most 8 s; ``SUPASEED_RETRY_ATTEMPTS`` and ``SUPASEED_RETRY_SECONDS``
    override the caps (``SUPASEED_RETRY_ATTEMPTS=1`` turns retries off).
    """

    attempts: int = 6
    max_seconds: float = 60.0
    initial: float = 0.25
    max_wait: float = 8.0
    jitter: float = 0.5

    @classmethod
    def from_env(cls) -> RetryPolicy:
        """The default policy with the caps the environment sets."""
        return cls(
            attempts=max(1, int(_env_number("SUPASEED_RETRY_ATTEMPTS", cls.attempts))),
            max_seconds=_env_number("SUPASEED_RETRY_SECONDS", cls.max_seconds),
        )

    def wait(self, what: str, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based) of ``what``."""
        base = min(self.max_wait, self.initial * float(2 ** (attempt - 1)))
        digest = hashlib.sha256(f"{what}:{attempt}".encode()).digest()
        fraction = int.from_bytes(digest[:4], "big") / 2**32
        return base * (1 + self.jitter * fraction)


def call_with_retries(
    fn: Callable[[int], T],
    *,
    what: str,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] | None = None,
) -> T:
    """``fn(attempt)`` (attempt 1, 2, ...), run again while it raises a transient fault.

    A permanent fault propagates at once, unchanged. When the attempts or the time run out, a
    :class:`~pytest_supaseed.errors.TransientDatabaseError` says how many attempts over how long,
    and the last fault (chained as its cause). Each retry is logged: event ``retry`` with
    ``operation``, ``attempt``, ``wait_ms`` and ``error``.
    """
    policy = policy or RetryPolicy.from_env()

    def wait(state: tenacity.RetryCallState) -> float:
        return policy.wait(what, state.attempt_number)

    def log_retry(state: tenacity.RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        seconds = state.upcoming_sleep
        event(
            "retry",
            f"{what}: attempt {state.attempt_number} of {policy.attempts} failed with a transient "
            f"fault ({describe(error) if error else '?'}); retrying in {seconds:.2f} s",
            level=logging.WARNING,
            operation=what,
            attempt=state.attempt_number,
            attempts=policy.attempts,
            wait_ms=round(seconds * 1000, 1),
            error=describe(error) if error else None,
        )

    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(policy.attempts)
        | tenacity.stop_after_delay(policy.max_seconds),
        wait=wait,
        retry=tenacity.retry_if_exception(is_transient),
        before_sleep=log_retry,
        sleep=sleep or tenacity.nap.sleep,
        reraise=False,
    )
    attempt = 0

    def once() -> T:
        nonlocal attempt
        attempt += 1
        return fn(attempt)

    try:
        return retrying(once)
    except tenacity.RetryError as gave_up:
        last = gave_up.last_attempt.exception()
        seconds = retrying.statistics.get("delay_since_first_attempt", 0.0)
        raise TransientDatabaseError(
            f"{what}: gave up after {attempt} attempts in {seconds:.1f} s; the last fault was "
            f"transient ({describe(last) if last else '?'}): check that the server is up and "
            "reachable, then run again (SUPASEED_RETRY_ATTEMPTS / SUPASEED_RETRY_SECONDS raise "
            "the caps)",
            sqlstate=getattr(last, "sqlstate", None),
        ) from last
