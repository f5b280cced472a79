"""Small model servers for the AI tests (used by conftest.py and the tests): stdlib
``http.server`` in a thread on 127.0.0.1.

``FakeModel`` speaks either Ollama's API (``/api/generate``, ``/api/tags``) or the OpenAI-compatible
one (``/v1/chat/completions``, ``/v1/models``). ``answer(prompt)`` decides each reply; every request
body is recorded, so a test sees exactly the prompts the engine sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeModel:
    """A model server; ``kind`` is ``"ollama"`` or ``"openai"``."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.answer: Callable[[str], str] = lambda prompt: f"AI says: {prompt[:30]}"
        self.delay = 0.0
        #: answer POSTs with this HTTP status (and an error body) while it is set, e.g. 503
        self.fail_with: int | None = None
        self.lock = threading.Lock()
        model = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, data: Any) -> None:
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if model.kind == "ollama" and self.path == "/api/tags":
                    self._reply(200, {"models": [{"name": "llama3.2:latest"}, {"name": "qwen"}]})
                elif model.kind == "openai" and self.path == "/v1/models":
                    self._reply(200, {"data": [{"id": "gpt-test"}]})
                else:
                    self._reply(404, {"error": "not found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                with model.lock:
                    model.requests.append(body)
                    model.headers.append(dict(self.headers))
                if model.delay:
                    time.sleep(model.delay)
                if model.fail_with is not None:
                    self._reply(model.fail_with, {"error": "model overloaded"})
                    return
                if model.kind == "ollama" and self.path == "/api/generate":
                    text = model.answer(body["prompt"])
                    self._reply(
                        200,
                        {"response": text, "done": True, "prompt_eval_count": 10, "eval_count": 5},
                    )
                elif model.kind == "openai" and self.path == "/v1/chat/completions":
                    text = model.answer(body["messages"][-1]["content"])
                    self._reply(
                        200,
                        {
                            "choices": [{"message": {"role": "assistant", "content": text}}],
                            "usage": {"prompt_tokens": 1000, "completion_tokens": 500},
                        },
                    )
                else:
                    self._reply(404, {"error": f"no route {self.path}"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        base = f"http://{host}:{port}"
        return base if self.kind == "ollama" else base + "/v1"

    @property
    def prompts(self) -> list[str]:
        if self.kind == "ollama":
            return [r["prompt"] for r in self.requests]
        return [r["messages"][-1]["content"] for r in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


BLOG_SQL = """
create type post_status as enum ('draft', 'published');
create table authors (
  id bigint primary key,
  name text not null,
  city varchar(40) not null
);
create table posts (
  id bigint primary key,
  author_id bigint not null references authors(id),
  title varchar(60) not null,
  summary text,
  body text,
  rating integer check (rating between 1 and 5),
  featured boolean,
  meta jsonb,
  status post_status not null default 'draft'
);
"""
