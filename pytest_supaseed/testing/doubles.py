"""Look at and drive the recording extensions of the Supabase extension pack from a test.

The embedded server's pg_net, http and pg_cron never reach the outside world and never run on
their own (see ``docs/guides/supabase.md``). These functions are how a test sees what the database
would have done: the HTTP requests pg_net queued (a database webhook fired), the answers the
``http`` extension gives, a cron job run now. They take an open psycopg connection and work
inside the test's transaction; none of them imports pytest.

    requests = http_requests(conn)
    assert requests[-1].url == "https://example.com/api/db/webhook"
    assert requests[-1].body["type"] == "INSERT"
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import psycopg

from ..errors import SupaseedError, did_you_mean
from .queries import tuple_rows

__all__ = [
    "CronRun",
    "ExtensionDoubles",
    "HttpCall",
    "HttpRequest",
    "HttpResponse",
    "HttpResponses",
    "http_calls",
    "http_requests",
    "register_http_response",
    "run_cron_job",
]

Conn = psycopg.Connection[Any]


class HttpRequest(NamedTuple):
    """One request pg_net queued: ``body`` is the decoded JSON (or text, or None without a body)."""

    method: str
    url: str
    headers: dict[str, Any]
    body: Any


class HttpCall(NamedTuple):
    """One call made through the ``http`` extension (answered from a registered response)."""

    method: str
    url: str
    headers: dict[str, Any]
    content_type: str | None
    content: str | None


class CronRun(NamedTuple):
    """The ``cron.job_run_details`` row of a job run by :func:`run_cron_job`."""

    jobid: int
    runid: int
    status: str  # "succeeded" or "failed"
    return_message: str


@dataclass(frozen=True)
class HttpResponse:
    """An answer of the ``http`` extension; ``content`` is a str, or JSON-encoded when not."""

    content: Any = ""
    status: int = 200
    content_type: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    method: str | None = None  # None: any method


def _installed(conn: Conn, extension: str) -> bool:
    row = tuple_rows(
        conn, "select exists (select from pg_catalog.pg_extension where extname = %s)", [extension]
    ).fetchone()
    return bool(row and row[0])


def _require(conn: Conn, extension: str, what: str) -> None:
    if not _installed(conn, extension):
        raise SupaseedError(
            f"{what} needs the {extension} extension, which is not installed in this database. "
            f"Create it in a migration (`create extension if not exists {extension} with schema "
            "extensions`); the embedded server's Supabase extension pack provides it."
        )


def _decode_body(body: bytes | None) -> Any:
    if body is None:
        return None
    text = bytes(body).decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def http_requests(conn: Conn) -> list[HttpRequest]:
    """Every request pg_net queued in this database (``net.http_request_queue``), oldest first.

    Database webhooks (``supabase_functions.http_request`` triggers), ``net.http_post`` in
    functions and cron commands all land here; pg_net never sends them in tests.
    """
    _require(conn, "pg_net", "http_requests()")
    rows = tuple_rows(
        conn, "select method, url, headers, body from net.http_request_queue order by id"
    ).fetchall()
    return [
        HttpRequest(str(method), str(url), dict(headers or {}), _decode_body(body))
        for method, url, headers, body in rows
    ]


def http_calls(conn: Conn) -> list[HttpCall]:
    """Every call made through the ``http`` extension in this database, oldest first."""
    _require(conn, "http", "http_calls()")
    rows = tuple_rows(
        conn,
        "select method, url, headers, content_type, content from supaseed_http.calls order by id",
    ).fetchall()
    return [HttpCall(m, u, dict(h or {}), ct, c) for m, u, h, ct, c in rows]


def _as_response(value: Any) -> HttpResponse:
    if isinstance(value, HttpResponse):
        return value
    if isinstance(value, (str, bytes)):
        return HttpResponse(content=value, content_type="text/plain")
    return HttpResponse(content=value)


def register_http_response(
    conn: Conn, url: str, response: HttpResponse | Any = "", *, method: str | None = None
) -> None:
    """Make the ``http`` extension answer ``url`` (for ``method``, or any) with ``response``.

    ``response``: an :class:`HttpResponse`, a ``str`` (text/plain, status 200), or anything
    JSON-serialisable (application/json, status 200). Registering a URL again replaces it.
    """
    _require(conn, "http", "register_http_response()")
    answer = _as_response(response)
    content = answer.content
    if isinstance(content, bytes):
        content = content.decode("utf-8")
    elif not isinstance(content, str):
        content = json.dumps(content)
    content_type = answer.content_type or "application/json"
    wanted = method or answer.method
    conn.execute(
        "delete from supaseed_http.responses where url = %s and coalesce(method, '') = %s",
        [url, (wanted or "").upper()],
    )
    conn.execute(
        "insert into supaseed_http.responses (method, url, status, content_type, headers, content)"
        " values (%s, %s, %s, %s, %s::jsonb, %s)",
        [
            wanted.upper() if wanted else None,
            url,
            answer.status,
            content_type,
            json.dumps(dict(answer.headers)),
            content,
        ],
    )


class HttpResponses(MutableMapping[str, Any]):
    """``responses[url] = ...`` registers an answer of the ``http`` extension for ``url``."""

    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    def __setitem__(self, url: str, response: Any) -> None:
        register_http_response(self._conn, url, response)

    def __getitem__(self, url: str) -> HttpResponse:
        _require(self._conn, "http", "http_responses")
        row = tuple_rows(
            self._conn,
            "select status, content_type, headers, content, method from supaseed_http.responses"
            " where url = %s order by method nulls first limit 1",
            [url],
        ).fetchone()
        if row is None:
            raise KeyError(url)
        status, content_type, headers, content, method = row
        return HttpResponse(content, status, content_type, dict(headers or {}), method)

    def __delitem__(self, url: str) -> None:
        _require(self._conn, "http", "http_responses")
        cur = self._conn.execute("delete from supaseed_http.responses where url = %s", [url])
        if cur.rowcount == 0:
            raise KeyError(url)

    def __iter__(self) -> Iterator[str]:
        _require(self._conn, "http", "http_responses")
        rows = tuple_rows(
            self._conn, "select distinct url from supaseed_http.responses order by url"
        ).fetchall()
        return iter([str(r[0]) for r in rows])

    def __len__(self) -> int:
        return len(list(iter(self)))


def run_cron_job(conn: Conn, job: str | int) -> CronRun:
    """Run the pg_cron job ``job`` (its name, or its jobid) now, once, as pg_cron would.

    The command runs as the job's user in a subtransaction; the run is recorded in
    ``cron.job_run_details``. A failing command does not raise: the run says ``failed`` and
    carries the error, as in pg_cron. An unknown job is an error listing the scheduled ones.
    """
    _require(conn, "pg_cron", "run_cron_job()")
    if isinstance(job, int):
        row = tuple_rows(conn, "select jobid from cron.job where jobid = %s", [job]).fetchone()
    else:
        row = tuple_rows(
            conn, "select jobid from cron.job where jobname = %s order by jobid limit 1", [job]
        ).fetchone()
    if row is None:
        names = [
            str(name if name is not None else jobid)
            for jobid, name in tuple_rows(
                conn, "select jobid, jobname from cron.job order by jobid"
            )
        ]
        hint = did_you_mean(str(job), names)
        raise SupaseedError(
            f"No cron job {job!r}{hint} in cron.job. Scheduled: "
            + (", ".join(names) if names else "none (did a migration call cron.schedule?)")
        )
    run = tuple_rows(
        conn, "select jobid, runid, status, return_message from cron.supaseed_run_job(%s)", [row[0]]
    ).fetchone()
    assert run is not None  # the function returns one row
    return CronRun(int(run[0]), int(run[1]), str(run[2]), str(run[3]))


class ExtensionDoubles:
    """The doubles as methods of an object with a ``conn`` (the ``supaseed`` fixture object).

    ``supaseed.http_requests()``, ``supaseed.http_calls()``, ``supaseed.http_responses[url] = ...``
    and ``supaseed.run_cron_job(name)`` act on the test's own connection and transaction.
    """

    conn: Conn

    def http_requests(self) -> list[HttpRequest]:
        """The requests pg_net queued in the test's database (see :func:`http_requests`)."""
        return http_requests(self.conn)

    def http_calls(self) -> list[HttpCall]:
        """The calls the ``http`` extension answered (see :func:`http_calls`)."""
        return http_calls(self.conn)

    @property
    def http_responses(self) -> HttpResponses:
        """``http_responses[url] = response`` registers an answer of the ``http`` extension."""
        return HttpResponses(self.conn)

    def run_cron_job(self, job: str | int) -> CronRun:
        """Run a pg_cron job now (see :func:`run_cron_job`)."""
        return run_cron_job(self.conn, job)
