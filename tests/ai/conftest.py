"""Fixtures of the AI tests: model servers (see ai_servers.py) and a blog database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from ai_servers import BLOG_SQL, FakeModel


@pytest.fixture
def ollama() -> Iterator[FakeModel]:
    """A fake Ollama server."""
    model = FakeModel("ollama")
    yield model
    model.close()


@pytest.fixture
def openai_server() -> Iterator[FakeModel]:
    """A fake OpenAI-compatible server."""
    model = FakeModel("openai")
    yield model
    model.close()


@pytest.fixture
def blog_db(fresh_conn: psycopg.Connection[Any], fresh_db: str) -> str:
    """A database with authors and posts (an empty one per test)."""
    fresh_conn.execute(BLOG_SQL)
    return fresh_db
