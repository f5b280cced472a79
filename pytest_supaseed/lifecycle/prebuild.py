"""Template databases built ahead of the tests that use them, on a thread.

A single-process run knows, once pytest has collected (and deselected, reordered) its tests, which
template databases they will ask for and in which order. :class:`Prebuild` builds (or finds
reused) each of them in that order on a thread of its own, with its own
:class:`~.session.SeedSession` (admin connection, plan builder) and lease, while the main thread
runs the tests of the ones before: a run with several template databases to build no longer
builds them one after the other between its tests.

The main thread's session :meth:`~Prebuild.take`\\ s a request's result when its first test asks:
it waits while the thread is building that one, and builds it itself when the thread has not
begun it (the thread then skips it). Whatever the thread fails at (a plan error, a server that
refused) is dropped and done again by the main thread, so a failure is reported where and as it
was without the thread. :meth:`~Prebuild.stop` (at the end of the run) lets the thread finish the
database it is building, skip the rest, and release its lease.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .request import SupaseedRequest
from .session import SeedSession, request_identity
from .template_db import TemplateDatabase

if TYPE_CHECKING:
    from ..config.resolve import ResolvedPlan

__all__ = ["Prebuild"]

Provided = tuple[TemplateDatabase, "Callable[[], ResolvedPlan]"]


@dataclass
class _Entry:
    request: SupaseedRequest
    #: pending: not begun; building: on the thread; done: ``result`` is final; taken: the main
    #: thread has it, or builds it itself.
    status: Literal["pending", "building", "done", "taken"] = "pending"
    result: Provided | None = None


class Prebuild:
    """Build the template databases of ``requests`` (in that order, duplicates once) on a thread.

    ``open_session()`` runs on the thread first: it waits for the run's server and base database
    and returns the :class:`~.session.SeedSession` to build with (its lease stays held until
    :meth:`stop`, so that no other run prunes what was built before the main thread holds it).
    """

    def __init__(
        self, requests: Iterable[SupaseedRequest], open_session: Callable[[], SeedSession]
    ) -> None:
        self._entries: dict[str, _Entry] = {}
        for request in requests:
            self._entries.setdefault(request_identity(request), _Entry(request))
        self._open_session = open_session
        #: The thread's session once made: its lease is released by :meth:`stop`.
        self._session: SeedSession | None = None
        self._changed = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="supaseed-prebuild", daemon=True)

    @property
    def keys(self) -> tuple[str, ...]:
        """The requests' keys (:func:`~.session.request_identity`), in build order."""
        return tuple(self._entries)

    def status(self, key: str) -> str | None:
        """Where request ``key`` is: ``pending`` (not begun), ``building`` (on a thread),
        ``done`` (built, found, or failed: not taken yet), ``taken`` (the main thread has it or
        builds it itself); None when it is not one of the requests."""
        with self._changed:
            entry = self._entries.get(key)
            return None if entry is None else entry.status

    def start(self) -> Prebuild:
        """Start the thread (returns self)."""
        self._thread.start()
        return self

    def _next(self) -> _Entry | None:
        with self._changed:
            if self._stopping:
                return None
            for entry in self._entries.values():
                if entry.status == "pending":
                    entry.status = "building"
                    return entry
            return None

    def _run(self) -> None:
        with self._changed:
            if self._stopping:
                return
        try:
            session = self._open_session()
        except Exception:  # no server or base database (the fixtures report it), or the end
            return
        with self._changed:
            self._session = session
        try:
            while (entry := self._next()) is not None:
                result: Provided | None = None
                try:
                    result = session.template_db(entry.request)
                except Exception:  # left for the main thread, which reports it
                    pass
                finally:
                    with self._changed:
                        entry.status, entry.result = "done", result
                        self._changed.notify_all()
        finally:
            session.close()  # its admin connection; the lease stays held until stop()

    def take(self, key: str) -> Provided | None:
        """The template database of request ``key`` and how to get its resolved plan, once the
        thread built or found it (waiting while it builds that one); None when the caller must
        provide it itself (not planned, not begun, failed, or taken before)."""
        with self._changed:
            entry = self._entries.get(key)
            if entry is None:
                return None
            while entry.status == "building":
                self._changed.wait()
            result = entry.result if entry.status == "done" else None
            entry.status, entry.result = "taken", None
            return result

    def end(self) -> None:
        """Begin no other template database (those being built are finished); returns at once."""
        with self._changed:
            self._stopping = True

    def stop(self) -> None:
        """:meth:`end`, wait for the thread, then release its lease. Idempotent."""
        self.end()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()
        with self._changed:
            session, self._session = self._session, None
        if session is not None and session.lease is not None:
            session.lease.close()
