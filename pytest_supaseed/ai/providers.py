"""Model providers: Ollama's ``/api/generate`` and an OpenAI-compatible ``/v1/chat/completions``.

Both speak JSON over ``httpx`` with a timeout per request; errors become one of three exceptions
(:class:`ProviderUnreachable`, :class:`ProviderTimeout`, :class:`ProviderFailed`) that the engine
turns into fallbacks. A provider is safe to call from several threads (one ``httpx.Client``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

from ..config.models import AIConfig
from ..errors import ConfigError

if TYPE_CHECKING:
    import httpx

__all__ = [
    "Answer",
    "OllamaProvider",
    "OpenAIProvider",
    "Provider",
    "ProviderError",
    "ProviderFailed",
    "ProviderStatus",
    "ProviderTimeout",
    "ProviderUnreachable",
    "make_provider",
    "request_options",
    "require_httpx",
    "resolved_base_url",
]

OLLAMA_DEFAULT = "http://localhost:11434"
OPENAI_DEFAULT = "https://api.openai.com/v1"


class ProviderError(Exception):
    """A request did not produce an answer; ``reason`` is the fallback reason it reports."""

    reason = "failed"


class ProviderUnreachable(ProviderError):
    """No connection to the provider (refused, DNS, reset)."""

    reason = "unreachable"


class ProviderTimeout(ProviderError):
    """The provider did not answer within ``ai.timeout`` seconds."""

    reason = "timeout"


class ProviderFailed(ProviderError):
    """The provider answered with an error status or a body without an answer. ``permanent``:
    a client error (4xx but 408/429: an unknown model, a missing key) that asking again will not
    cure."""

    reason = "provider error"

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Answer:
    """A model's answer and the token counts the provider reported (0 when it did not)."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass
class ProviderStatus:
    """What ``supaseed ai status`` shows: reachable?, the models the provider lists, or why not."""

    provider: str
    base_url: str
    reachable: bool
    models: list[str] = field(default_factory=list)
    error: str | None = None


class Provider(Protocol):
    """What the engine needs of a provider."""

    name: str
    base_url: str

    def generate(self, prompt: str) -> Answer:
        """The model's answer to ``prompt`` (with the plan's system prompt and options)."""

    def status(self) -> ProviderStatus:
        """Whether the provider answers, and which models it offers."""

    def close(self) -> None:
        """Release connections."""


def resolved_base_url(config: AIConfig) -> str:
    """The endpoint: the plan's ``base_url``, else ``$OLLAMA_HOST`` (ollama), else the default."""
    if config.base_url:
        url = config.base_url
    elif config.provider == "ollama":
        url = os.environ.get("OLLAMA_HOST") or OLLAMA_DEFAULT
        if "://" not in url:  # OLLAMA_HOST is often host:port
            url = "http://" + url
    else:
        url = OPENAI_DEFAULT
    return url.rstrip("/")


def request_options(config: AIConfig, seed: int) -> dict[str, Any]:
    """The generation options sent with every request (they enter the cache key): ``seed`` (the
    plan's ``ai.seed``, else the run's) and ``temperature``, and the answer's token limit
    (``num_predict`` for Ollama, ``max_tokens`` for OpenAI-compatible endpoints)."""
    opts: dict[str, Any] = {
        "seed": config.seed if config.seed is not None else seed,
        "temperature": config.temperature,
    }
    if config.max_tokens is not None:
        opts["num_predict" if config.provider == "ollama" else "max_tokens"] = config.max_tokens
    return opts


def require_httpx() -> ModuleType:
    """The ``httpx`` module, or the plan's error when the optional ``[ai]`` extra is missing.

    Imported here, when a plan turns AI on, not at the top of this module: the seeding engine
    imports the AI modules with it, and a plan without AI must not pay for (or need) httpx.
    """
    try:
        import httpx as module
    except ModuleNotFoundError:  # the optional extra is not installed
        raise ConfigError(
            "AI-written columns need httpx: pip install 'pytest-supaseed[ai]' (or set "
            'ai.provider = "disabled")',
            key_path="ai.provider",
        ) from None
    return module


class _HttpProvider:
    name = "?"

    def __init__(self, config: AIConfig, seed: int, headers: dict[str, str] | None = None) -> None:
        self.config = config
        self.seed = config.seed if config.seed is not None else seed
        self.base_url = resolved_base_url(config)
        self.http = http = require_httpx()
        self.client: httpx.Client = http.Client(
            base_url=self.base_url,
            timeout=http.Timeout(config.timeout, connect=min(config.timeout, 5.0)),
            headers=headers or {},
            limits=http.Limits(max_connections=config.concurrency),
        )

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        http = self.http
        try:
            response = self.client.post(path, json=body)
        except http.TimeoutException as exc:
            raise ProviderTimeout(
                f"no answer from {self.base_url} within {self.config.timeout:g} s"
            ) from exc
        except http.TransportError as exc:
            raise ProviderUnreachable(f"{self.base_url} is unreachable: {exc}") from exc
        if response.status_code != 200:
            code = response.status_code
            raise ProviderFailed(
                f"{self.base_url}{path} answered {code}: {response.text[:200]}",
                permanent=400 <= code < 500 and code not in (408, 429),
            )
        try:
            data = response.json()
        except ValueError as exc:
            raise ProviderFailed(f"{self.base_url}{path} answered with non-JSON") from exc
        if not isinstance(data, dict):
            raise ProviderFailed(f"{self.base_url}{path} answered with unexpected JSON")
        return data

    def _get(self, path: str) -> dict[str, Any]:
        http = self.http
        try:
            response = self.client.get(path)
            response.raise_for_status()
            data = response.json()
        except http.TimeoutException as exc:
            raise ProviderTimeout(f"no answer from {self.base_url}{path}") from exc
        except http.TransportError as exc:
            raise ProviderUnreachable(f"{self.base_url} is unreachable: {exc}") from exc
        except (http.HTTPStatusError, ValueError) as exc:
            raise ProviderFailed(f"{self.base_url}{path}: {exc}") from exc
        return data if isinstance(data, dict) else {}

    def close(self) -> None:
        """Release connections."""
        self.client.close()


class OllamaProvider(_HttpProvider):
    """Ollama: ``POST /api/generate`` (``stream: false``), ``GET /api/tags``.

    ``options`` carry ``seed`` and ``temperature`` (and ``num_predict`` for ``max_tokens``) so the
    same prompt gives the same answer.
    """

    name = "ollama"

    def options(self) -> dict[str, Any]:
        """The generation options sent with every request (:func:`request_options`)."""
        return request_options(self.config, self.seed)

    def generate(self, prompt: str) -> Answer:
        """The model's answer to ``prompt``."""
        body: dict[str, Any] = {
            "model": self.config.model,
            "prompt": prompt,
            "stream": False,
            "options": self.options(),
        }
        if self.config.system:
            body["system"] = self.config.system
        data = self._post("/api/generate", body)
        text = data.get("response")
        if not isinstance(text, str):
            raise ProviderFailed(f"{self.base_url}/api/generate: no 'response' in the answer")
        return Answer(text, _int(data.get("prompt_eval_count")), _int(data.get("eval_count")))

    def status(self) -> ProviderStatus:
        """Reachable?, and the models ``/api/tags`` lists."""
        try:
            data = self._get("/api/tags")
        except ProviderError as exc:
            return ProviderStatus(self.name, self.base_url, False, error=str(exc))
        models = [str(m.get("name")) for m in data.get("models", []) if isinstance(m, dict)]
        return ProviderStatus(self.name, self.base_url, True, sorted(models))


class OpenAIProvider(_HttpProvider):
    """An OpenAI-compatible endpoint: ``POST {base_url}/chat/completions``, ``GET {base_url}/models``.

    ``base_url`` includes the version (``https://api.openai.com/v1``, ``http://host:8000/v1``).
    The key is read from the environment variable ``api_key_env`` names, never from the plan.
    """

    name = "openai"

    def __init__(self, config: AIConfig, seed: int) -> None:
        key = os.environ.get(config.api_key_env, "")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        super().__init__(config, seed, headers)
        self.has_key = bool(key)

    def options(self) -> dict[str, Any]:
        """The generation options sent with every request (:func:`request_options`)."""
        return request_options(self.config, self.seed)

    def generate(self, prompt: str) -> Answer:
        """The model's answer to ``prompt``."""
        messages = []
        if self.config.system:
            messages.append({"role": "system", "content": self.config.system})
        messages.append({"role": "user", "content": prompt})
        data = self._post(
            "/chat/completions",
            {"model": self.config.model, "messages": messages, **self.options()},
        )
        try:
            text = data["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise ProviderFailed(
                f"{self.base_url}/chat/completions: no choices in the answer"
            ) from None
        if not isinstance(text, str):
            raise ProviderFailed(f"{self.base_url}/chat/completions: the answer has no text")
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        assert isinstance(usage, dict)
        return Answer(text, _int(usage.get("prompt_tokens")), _int(usage.get("completion_tokens")))

    def status(self) -> ProviderStatus:
        """Reachable?, and the models ``/models`` lists."""
        try:
            data = self._get("/models")
        except ProviderError as exc:
            return ProviderStatus(self.name, self.base_url, False, error=str(exc))
        models = [str(m.get("id")) for m in data.get("data", []) if isinstance(m, dict)]
        return ProviderStatus(self.name, self.base_url, True, sorted(models))


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def make_provider(config: AIConfig, seed: int) -> OllamaProvider | OpenAIProvider:
    """The provider ``config`` names; a ConfigError for ``disabled``."""
    if config.provider == "ollama":
        return OllamaProvider(config, seed)
    if config.provider == "openai":
        return OpenAIProvider(config, seed)
    raise ConfigError(
        'no AI provider is configured; set ai.provider = "ollama" or "openai"',
        key_path="ai.provider",
    )
