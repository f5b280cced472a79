"""The ``docker`` backend: a ``supabase/postgres`` (or any Postgres) container via testcontainers."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ..errors import DockerUnavailableError, MissingDependencyError
from .base import MAINTENANCE_DB, ServerHandle, replace_dbname

PROBE_TIMEOUT = 3

#: How the engine is reached; tests replace it with a fake client (there is no engine here).
ClientFactory = Callable[[], Any]


def _default_client() -> Any:
    try:
        import docker
    except ImportError:
        raise MissingDependencyError(
            "The docker backend needs testcontainers and docker: pip install 'pytest-supaseed[docker]'."
        ) from None
    return docker.from_env(timeout=PROBE_TIMEOUT)


def probe_docker(client_factory: ClientFactory | None = None) -> str | None:
    """None when a Docker engine answers a ping, else a one-line reason why not."""
    try:
        client = (client_factory or _default_client)()
        if not client.ping():
            return "Docker engine did not answer a ping"
    except MissingDependencyError as exc:
        return str(exc)
    except Exception as exc:  # docker raises many types (DockerException, requests, OSError)
        text = " ".join(str(exc).split()) or type(exc).__name__
        return f"no Docker engine answers ({text[:160]})"
    return None


def docker_required_in_ci(backend: str) -> bool:
    """True when a missing engine must be an error: ``--supaseed-backend docker`` and env ``CI`` set."""
    return backend == "docker" and bool(os.environ.get("CI"))


def unavailable_error(reason: str) -> DockerUnavailableError:
    """The error (CI) / skip reason (elsewhere) for a missing engine, naming the alternatives."""
    return DockerUnavailableError(
        f"docker backend: {reason}. Start Docker, or use --supaseed-backend embedded (the default)."
    )


def _container_class() -> Any:
    try:
        from testcontainers.community.postgres import PostgresContainer
    except ImportError:
        try:
            from testcontainers.postgres import PostgresContainer
        except ImportError:
            raise MissingDependencyError(
                "The docker backend needs testcontainers: pip install 'pytest-supaseed[docker]'."
            ) from None
    return PostgresContainer


def container_for(image: str, container_class: Any = None) -> Any:
    """A (not started) PostgresContainer for ``image``; user ``postgres``, as supabase/postgres needs."""
    cls = container_class or _container_class()
    # supabase/postgres creates its roles from init scripts that assume the superuser 'postgres'.
    return cls(
        image=image, username="postgres", password="postgres", dbname=MAINTENANCE_DB, driver=None
    )


def start_docker(
    image: str,
    *,
    client_factory: ClientFactory | None = None,
    container_class: Any = None,
) -> ServerHandle:
    """Start a container from ``image`` and return a handle that removes it on stop.

    Raises :class:`DockerUnavailableError` with a one-line reason when no engine answers.
    """
    reason = probe_docker(client_factory)
    if reason is not None:
        raise unavailable_error(reason)
    container = container_for(image, container_class)
    container.start()
    url = str(container.get_connection_url(driver=None))
    dsn = replace_dbname(url, MAINTENANCE_DB)
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        version_num = int(conn.info.server_version)

    def stop(keep: bool) -> None:
        if not keep:
            container.stop()

    return ServerHandle(
        dsn=dsn,
        backend="docker",
        version_num=version_num,
        details={"image": image},
        _stopper=stop,
    )
