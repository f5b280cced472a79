"""``supaseed ai status | test | cache`` against the local model servers, and the seed CLI's report."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from ai_servers import FakeModel

from pytest_supaseed.cli import main


def write_plan(root: Path, url: str, provider: str = "ollama") -> None:
    (root / "supaseed.toml").write_text(
        textwrap.dedent(
            f"""
            [tables.authors]
            count = 3
            [tables.posts]
            count = 4
            [ai]
            provider = "{provider}"
            base_url = "{url}"
            model = "llama3.2"
            [ai.fields.posts.summary]
            prompt = "Summarise {{title}}"
            """
        )
    )


def test_status_lists_the_models_of_a_reachable_ollama(
    tmp_path: Path, ollama: FakeModel, capsys: pytest.CaptureFixture[str]
) -> None:
    write_plan(tmp_path, ollama.url)
    assert main(["ai", "status", "--rootdir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"ollama at {ollama.url}: reachable" in out
    assert "models: llama3.2:latest, qwen" in out
    assert "not among them" not in out
    assert "1 AI field(s)" in out


def test_status_of_an_openai_endpoint_and_an_unknown_model(
    tmp_path: Path, openai_server: FakeModel, capsys: pytest.CaptureFixture[str]
) -> None:
    write_plan(tmp_path, openai_server.url, provider="openai")
    assert main(["ai", "status", "--rootdir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "models: gpt-test" in out
    assert "model 'llama3.2' is not among them" in out


def test_status_of_an_unreachable_provider_is_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    down = FakeModel("ollama")
    url = down.url
    down.close()
    code = main(
        ["ai", "status", "--rootdir", str(tmp_path), "--provider", "ollama", "--base-url", url]
    )
    assert code == 1
    out = capsys.readouterr().out
    assert f"ollama at {url}: unreachable" in out
    assert "seeding still works: AI fields use their fallbacks" in out


def test_ollama_host_is_the_default_base_url(
    tmp_path: Path,
    ollama: FakeModel,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", ollama.url.removeprefix("http://"))
    assert main(["ai", "status", "--rootdir", str(tmp_path), "--provider", "ollama"]) == 0
    assert f"ollama at {ollama.url}: reachable" in capsys.readouterr().out


def test_test_sends_one_prompt_and_prints_the_answer(
    tmp_path: Path, ollama: FakeModel, capsys: pytest.CaptureFixture[str]
) -> None:
    ollama.answer = lambda prompt: f"echo: {prompt}"
    write_plan(tmp_path, ollama.url)
    assert main(["ai", "test", "Name a trail", "--rootdir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("echo: Name a trail\n")
    assert "10 prompt + 5 answer tokens" in out
    assert ollama.prompts == ["Name a trail"]


def test_seed_prints_the_usage_and_cache_stats_and_clear(
    tmp_path: Path,
    ollama: FakeModel,
    blog_db: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_plan(tmp_path, ollama.url)
    monkeypatch.chdir(tmp_path)
    assert main(["seed", "--dsn", blog_db, "--rootdir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "ai ollama/llama3.2: 4 requests, 0 cache hits, 0 fallbacks" in out
    assert "public.posts.summary [medium]: 4 written (4 requests, 0 cached)" in out
    assert (tmp_path / ".supaseed" / "ai-cache" / "answers.sqlite3").is_file()

    assert main(["ai", "cache", "stats", "--rootdir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "ai cache: 4 answer(s)" in out
    assert "ollama/llama3.2: 4" in out
    assert main(["ai", "cache", "clear", "--rootdir", str(tmp_path)]) == 0
    assert "4 answer(s) deleted" in capsys.readouterr().out
    assert main(["ai", "cache", "stats", "--rootdir", str(tmp_path)]) == 0
    assert "ai cache: 0 answer(s)" in capsys.readouterr().out
