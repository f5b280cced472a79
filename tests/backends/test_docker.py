"""The docker backend: configuration and the skip/error paths, with a fake engine client.

There is no Docker engine on the build machine; the one test that needs a real one is skipped
with the probe's reason.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from pytest_supaseed.backends.docker import (
    container_for,
    docker_required_in_ci,
    probe_docker,
    start_docker,
)
from pytest_supaseed.errors import DockerUnavailableError
from pytest_supaseed.options import Settings


class FakeClient:
    def __init__(self, answer: bool = True, error: Exception | None = None) -> None:
        self.answer = answer
        self.error = error

    def ping(self) -> bool:
        if self.error:
            raise self.error
        return self.answer


class FakeContainer:
    instances: ClassVar[list[FakeContainer]] = []

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        FakeContainer.instances.append(self)


def test_probe_reports_a_one_line_reason() -> None:
    reason = probe_docker(
        lambda: FakeClient(error=ConnectionError("Error while fetching\nserver API version"))
    )
    assert reason is not None
    assert "\n" not in reason
    assert "no Docker engine answers" in reason
    assert probe_docker(lambda: FakeClient(answer=False)) == "Docker engine did not answer a ping"
    assert probe_docker(lambda: FakeClient()) is None


def test_start_without_engine_raises_unavailable() -> None:
    with pytest.raises(DockerUnavailableError, match="--supaseed-backend embedded"):
        start_docker(
            "supabase/postgres:15", client_factory=lambda: FakeClient(error=OSError("nope"))
        )


def test_container_uses_image_and_postgres_user() -> None:
    container = container_for("supabase/postgres:17.6.1.011", FakeContainer)
    assert container.kwargs["image"] == "supabase/postgres:17.6.1.011"
    assert container.kwargs["username"] == "postgres"
    assert container.kwargs["dbname"] == "postgres"
    assert container.kwargs["driver"] is None


def test_default_image_is_supabase_postgres() -> None:
    assert Settings().image.startswith("supabase/postgres:")


def test_ci_turns_skip_into_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    assert docker_required_in_ci("docker")
    assert not docker_required_in_ci("embedded")
    monkeypatch.delenv("CI")
    assert not docker_required_in_ci("docker")


def test_real_container_when_an_engine_answers() -> None:
    reason = probe_docker()
    if reason is not None:
        pytest.skip(reason)
    handle = start_docker("postgres:17-alpine")
    try:
        import psycopg

        with psycopg.connect(handle.dsn) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
    finally:
        handle.stop()


def test_started_container_gives_a_handle_that_stops_it(pg_superuser_dsn: str) -> None:
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(pg_superuser_dsn)
    secret = f":{params['password']}" if params.get("password") else ""  # the embedded one's
    url = f"postgresql://postgres{secret}@{params['host']}:{params['port']}/postgres"

    class RunningContainer(FakeContainer):
        """Stands in for the container: its 'published port' is this suite's own server."""

        started = stopped = False

        def start(self) -> None:
            self.started = True

        def get_connection_url(self, driver: str | None = "psycopg2") -> str:
            assert driver is None, "a plain postgresql:// URL, not a SQLAlchemy one"
            return url

        def stop(self) -> None:
            self.stopped = True

    handle = start_docker(
        "supabase/postgres:17.6.1.011",
        client_factory=lambda: FakeClient(),
        container_class=RunningContainer,
    )
    container = FakeContainer.instances[-1]
    assert isinstance(container, RunningContainer)
    assert container.started
    assert handle.backend == "docker"
    assert handle.version_num >= 150000
    assert conninfo_to_dict(handle.dsn_for("supaseed_x"))["dbname"] == "supaseed_x"
    assert handle.owned
    handle.stop(keep=True)
    assert not container.stopped, "--supaseed-keep leaves the container running"
    handle2 = start_docker(
        "img", client_factory=lambda: FakeClient(), container_class=RunningContainer
    )
    handle2.stop()
    assert FakeContainer.instances[-1].stopped  # type: ignore[attr-defined]
