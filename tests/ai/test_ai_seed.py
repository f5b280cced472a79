"""AI-written columns seeded into a real Postgres, answered by local model servers (conftest)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import psycopg
import pytest
from ai_servers import FakeModel

from pytest_supaseed.ai.engine import GIVE_UP_AFTER
from pytest_supaseed.config import SeedPlan
from pytest_supaseed.errors import ConfigError
from pytest_supaseed.seed import seed


def ai_plan(url: str, cache: Path, fields: dict[str, Any], **ai: Any) -> dict[str, Any]:
    return {
        "tables": {"authors": {"count": 3}, "posts": {"count": 10}},
        "ai": {
            "provider": "ollama",
            "base_url": url,
            "cache_dir": str(cache),
            "fields": {"posts": fields},
            **ai,
        },
    }


def rows(dsn: str, query: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(query).fetchall()


def test_prompts_are_filled_from_the_row_and_answers_stored(
    blog_db: str, ollama: FakeModel, tmp_path: Path
) -> None:
    ollama.answer = lambda prompt: f"About {prompt.split('|')[1]}."
    plan = ai_plan(
        ollama.url,
        tmp_path,
        {"summary": {"prompt": "Summarise|{title}|by author {author_id}", "context": ["body"]}},
    )
    result = seed(plan, blog_db, progress=False)

    stored = rows(blog_db, "select title, author_id, body, summary from posts order by id")
    assert len(ollama.requests) == 10
    sent = sorted(ollama.prompts)
    expected = sorted(
        f"Summarise|{t}|by author {a}\n\nContext:\nbody: {b or ''}" for t, a, b, _ in stored
    )
    assert sent == expected
    assert all(s == f"About {t}." for t, _, _, s in stored)
    assert ollama.requests[0]["stream"] is False
    assert ollama.requests[0]["options"] == {"seed": 0, "temperature": 0.0}
    assert result.ai is not None
    usage = result.ai.fields["public.posts.summary"]
    assert (usage.requests, usage.written, usage.fallback_count) == (10, 10, 0)
    assert "ai ollama/llama3.2: 10 requests, 0 cache hits, 0 fallbacks" in result.summary()


def test_answers_are_fitted_to_numeric_boolean_json_and_enum_columns(
    blog_db: str, ollama: FakeModel, tmp_path: Path
) -> None:
    def answer(prompt: str) -> str:
        return {
            "rate": "I would rate it 4.",
            "feature": "Yes.",
            "meta": '```json\n{"tags": ["a", "b"]}\n```',
            "status": '"Published"',
        }[prompt.split()[0]]

    ollama.answer = answer
    plan = ai_plan(
        ollama.url,
        tmp_path,
        {
            "rating": {"prompt": "rate {title}"},
            "featured": {"prompt": "feature {title}?"},
            "meta": {"prompt": "meta for {title}"},
            "status": {"prompt": "status of {title}"},
        },
    )
    seed(plan, blog_db, progress=False)
    got = rows(blog_db, "select rating, featured, meta, status::text from posts")
    assert got == [(4, True, {"tags": ["a", "b"]}, "published")] * 10


def test_openai_compatible_provider_key_from_env_and_token_cost(
    blog_db: str, openai_server: FakeModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPASEED_TEST_KEY", "sk-test-123")
    openai_server.answer = lambda prompt: "Short summary."
    plan = ai_plan(
        openai_server.url,
        tmp_path,
        {"summary": {"prompt": "Summarise {title}"}},
        provider="openai",
        model="gpt-test",
        api_key_env="SUPASEED_TEST_KEY",
        temperature=0.2,
        budget={"cost_per_1m_input_tokens": 1.0, "cost_per_1m_output_tokens": 2.0},
    )
    result = seed(plan, blog_db, progress=False)

    assert rows(blog_db, "select distinct summary from posts") == [("Short summary.",)]
    assert len(openai_server.requests) == 10
    body = openai_server.requests[0]
    assert body["model"] == "gpt-test"
    assert body["seed"] == 0
    assert body["temperature"] == 0.2
    assert openai_server.headers[0]["Authorization"] == "Bearer sk-test-123"
    assert result.ai is not None
    # 1000 prompt and 500 answer tokens per request (the server's usage) at $1 / $2 per million
    assert result.ai.cost == pytest.approx(10 * (1000 * 1.0 + 500 * 2.0) / 1e6)


def test_a_second_seed_of_the_same_plan_makes_no_request_and_gives_the_same_rows(
    blog_db: str, ollama: FakeModel, tmp_path: Path
) -> None:
    plan = ai_plan(ollama.url, tmp_path, {"summary": {"prompt": "Summarise {title}"}})
    first = seed(plan, blog_db, progress=False)
    before = rows(blog_db, "select * from posts order by id")
    with psycopg.connect(blog_db, autocommit=True) as conn:
        conn.execute("truncate posts, authors")
    second = seed(plan, blog_db, progress=False)

    assert len(ollama.requests) == 10  # the first seed only
    assert first.ai is not None
    assert second.ai is not None
    assert (first.ai.requests, first.ai.cache_hits) == (10, 0)
    assert (second.ai.requests, second.ai.cache_hits) == (0, 10)
    assert rows(blog_db, "select * from posts order by id") == before


def test_a_changed_prompt_changes_the_template_hash(tmp_path: Path) -> None:
    from pytest_supaseed.config import plan_hash, resolve_plan

    def digest(prompt: str, **ai: Any) -> tuple[str, str]:
        plan = ai_plan("http://127.0.0.1:1", tmp_path, {"summary": {"prompt": prompt}}, **ai)
        resolved = resolve_plan(plan, rootdir=tmp_path)
        return plan_hash(resolved), resolved.plan.ai.fingerprint()

    same = digest("Summarise {title}")
    assert digest("Summarise {title}") == same
    assert digest("Summarise {title}", timeout=5, concurrency=1)[1] == same[1]  # not answers
    for changed in (
        digest("Summarise {title} in French"),
        digest("Summarise {title}", model="qwen"),
        digest("Summarise {title}", temperature=0.7),
    ):
        assert changed[0] != same[0]
        assert changed[1] != same[1]


def test_max_requests_three_over_ten_rows(blog_db: str, ollama: FakeModel, tmp_path: Path) -> None:
    plan = ai_plan(
        ollama.url,
        tmp_path,
        {"summary": {"prompt": "Summarise {title}"}},
        budget={"max_requests": 3},
    )
    result = seed(plan, blog_db, progress=False)

    assert len(ollama.requests) == 3
    written = rows(blog_db, "select count(*) filter (where summary like 'AI says:%') from posts")
    assert written == [(3,)]
    assert result.ai is not None
    usage = result.ai.fields["public.posts.summary"]
    assert usage.fallbacks == {"over budget": 7}
    assert "public.posts.summary [medium]: 3 written (3 requests, 0 cached), 7 fallback faker " in (
        result.summary()
    )
    assert "(7 over budget)" in result.summary()
    assert [w for w in result.warnings if "AI budget" in w] == [
        "AI budget 50% reached: 3 of 3 requests; further requests fall back",
        "AI budget 80% reached: 3 of 3 requests; further requests fall back",
        "AI budget 95% reached: 3 of 3 requests; further requests fall back",
    ]


def test_warnings_at_each_threshold_as_the_budget_is_spent(
    blog_db: str, ollama: FakeModel, tmp_path: Path
) -> None:
    plan = ai_plan(
        ollama.url,
        tmp_path,
        {"summary": {"prompt": "Summary of {title}"}, "body": {"prompt": "Body of {title}"}},
        budget={"max_requests": 20},
    )
    plan["tables"] = {"authors": {"count": 10}, "posts": {"count": 6}}
    plan["ai"]["fields"]["authors"] = {"name": {"prompt": "A name from {city}"}}
    # authors.name: 10 requests (50%); posts.summary: 6 (80%); posts.body: 4 of 6 (95%, 100%)
    result = seed(plan, blog_db, progress=False)

    assert len(ollama.requests) == 20
    assert [w for w in result.warnings if "AI budget" in w] == [
        "AI budget 50% reached: 10 of 20 requests",
        "AI budget 80% reached: 16 of 20 requests",
        "AI budget 95% reached: 20 of 20 requests; further requests fall back",
    ]
    assert result.ai is not None
    assert result.ai.fields["public.posts.body"].fallbacks == {"over budget": 2}


def test_high_priority_fields_get_the_budget_first(
    blog_db: str, ollama: FakeModel, tmp_path: Path
) -> None:
    plan = ai_plan(
        ollama.url,
        tmp_path,
        {
            "body": {"prompt": "Body for {title}", "priority": "low"},
            "summary": {"prompt": "Summary of {title}", "priority": "high"},
        },
        budget={"max_requests": 12},
    )
    # authors come first in insert order, but their low field waits for the posts' high field
    plan["ai"]["fields"]["authors"] = {"name": {"prompt": "Name from {city}", "priority": "low"}}
    result = seed(plan, blog_db, progress=False)

    assert result.ai is not None
    fields = result.ai.fields
    assert fields["public.posts.summary"].requests == 10
    assert fields["public.authors.name"].requests + fields["public.posts.body"].requests == 2
    assert fields["public.authors.name"].requests == 2  # seeded first, left 2 over the reserve
    assert fields["public.posts.body"].fallbacks == {"over budget": 10}
    summaries = rows(blog_db, "select count(*) from posts where summary like 'AI says:%'")
    assert summaries == [(10,)]


def test_server_down_seeding_completes_with_one_notice(
    blog_db: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    down = FakeModel("ollama")
    url = down.url
    down.close()  # nothing listens there any more
    plan = ai_plan(
        url,
        tmp_path,
        {"summary": {"prompt": "Summarise {title}"}, "body": {"prompt": "Body of {title}"}},
    )
    with caplog.at_level(logging.INFO, logger="pytest_supaseed.ai"):
        result = seed(plan, blog_db, progress=False)

    assert rows(blog_db, "select count(*) from posts") == [(10,)]
    assert result.ai is not None
    assert len(result.ai.notices) == 1
    assert "unreachable" in result.ai.notices[0]
    assert result.ai.fields["public.posts.summary"].fallbacks == {"unreachable": 10}
    assert result.ai.fields["public.posts.body"].fallbacks == {"unreachable": 10}
    notices = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len([r for r in notices if "rest of this run" in r.getMessage()]) == 1
    assert all(r.levelno == logging.INFO for r in notices)
    # the faker fallback: the values the column gets without AI
    without = rows(blog_db, "select summary from posts order by id")
    assert all(s is None or not s.startswith("AI says") for (s,) in without)


def test_a_slow_provider_times_out_and_falls_back(
    blog_db: str, ollama: FakeModel, tmp_path: Path
) -> None:
    ollama.delay = 3.0
    plan = ai_plan(
        ollama.url,
        tmp_path,
        {"summary": {"prompt": "Summarise {title}", "fallback": "empty"}},
        timeout=0.3,
        concurrency=2,
    )
    result = seed(plan, blog_db, progress=False)

    assert result.ai is not None
    assert result.ai.fields["public.posts.summary"].fallbacks == {"timeout": 10}
    assert len(ollama.requests) <= 2  # the first wave; then the provider is not asked again
    assert rows(blog_db, "select distinct summary from posts") == [("",)]
    assert len(result.ai.notices) == 1
    assert "within 0.3 s" in result.ai.notices[0]


def test_too_long_and_wrong_type_answers_fall_back(
    blog_db: str, ollama: FakeModel, tmp_path: Path
) -> None:
    ollama.answer = lambda prompt: (
        "word " * 50 if prompt.startswith("title") else "great, really great"
    )
    plan = ai_plan(
        ollama.url,
        tmp_path,
        {
            "title": {"prompt": "title for {id}"},
            "rating": {"prompt": "rating for {id}", "fallback": "empty"},
        },
    )
    result = seed(plan, blog_db, progress=False)

    assert result.ai is not None
    assert result.ai.fields["public.posts.title"].fallbacks == {"too long": 10}
    assert result.ai.fields["public.posts.rating"].fallbacks == {"not a number": 10}
    assert rows(blog_db, "select count(*) from posts where title like 'word%'") == [(0,)]
    assert rows(blog_db, "select distinct rating from posts") == [(None,)]


def test_a_slightly_long_answer_is_cut_at_a_word_and_short_columns_keep_one_line(
    blog_db: str, ollama: FakeModel, tmp_path: Path
) -> None:
    ollama.answer = lambda prompt: '"A walk along the quiet northern ridge at dawn"\nSecond line'
    plan = ai_plan(ollama.url, tmp_path, {})
    plan["ai"]["fields"] = {"authors": {"city": {"prompt": "a city for {name}"}}}
    seed(plan, blog_db, progress=False)
    assert rows(blog_db, "select distinct city from authors") == [
        ("A walk along the quiet northern ridge at",)
    ]


def test_asset_pool_fallback(blog_db: str, tmp_path: Path) -> None:
    (tmp_path / "quotes.json").write_text(
        '[{"text": "Walk softly."}, {"text": "Leave no trace."}, {"text": "Pack it out."}]'
    )
    plan = ai_plan(
        "http://127.0.0.1:9",
        tmp_path / "cache",
        {"summary": {"prompt": "Summarise {title}", "fallback": "asset_pool:quotes.json.text"}},
    )
    plan["asset_pools"] = {"quotes": {"type": "json", "path": "quotes.json"}}
    result = seed(plan, blog_db, progress=False, rootdir=tmp_path)
    got = {s for (s,) in rows(blog_db, "select summary from posts")}
    assert got <= {"Walk softly.", "Leave no trace.", "Pack it out."}
    assert len(got) > 1
    assert result.ai is not None
    assert result.ai.fields["public.posts.summary"].fallback_count == 10


def test_an_asset_pool_fallback_without_fitting_values_fails_before_any_table_is_written(
    blog_db: str, tmp_path: Path
) -> None:
    (tmp_path / "quotes.json").write_text('[{"text": "Walk softly."}, {"text": "Pack it out."}]')
    plan = ai_plan(
        "http://127.0.0.1:9",
        tmp_path / "cache",
        {"summary": {"prompt": "Summarise {title}", "fallback": "asset_pool:quotes.txt"}},
    )
    plan["asset_pools"] = {"quotes": {"type": "json", "path": "quotes.json"}}
    with pytest.raises(ConfigError) as info:
        seed(plan, blog_db, progress=False, rootdir=tmp_path)
    assert "no asset of pool 'quotes' has a value at 'txt'" in str(info.value)
    assert info.value.key_path == "ai.fields.posts.summary.fallback"
    # authors come before posts in insert order: none of them is written either
    assert rows(blog_db, "select count(*) from authors") == [(0,)]


@pytest.mark.parametrize(
    ("columns", "fields", "message"),
    [
        (
            {"summary": "{{ default }}"},
            {"summary": {"prompt": "x {title}"}},
            "left to the database",
        ),
        ({"body": "{{ default }}"}, {"summary": {"prompt": "x {body}"}}, "reads body, which the"),
    ],
)
def test_a_field_left_to_the_database_fails_before_any_table_is_written(
    blog_db: str, tmp_path: Path, columns: dict[str, str], fields: dict[str, Any], message: str
) -> None:
    plan = ai_plan("http://127.0.0.1:9", tmp_path, fields)
    plan["tables"]["posts"]["columns"] = columns
    with pytest.raises(ConfigError) as info:
        seed(plan, blog_db, progress=False)
    assert message in str(info.value)
    assert info.value.key_path == f"ai.fields.posts.{next(iter(fields))}"
    assert rows(blog_db, "select count(*) from authors") == [(0,)]


def test_a_prompt_may_read_another_ai_field(
    blog_db: str, ollama: FakeModel, tmp_path: Path
) -> None:
    ollama.answer = lambda prompt: prompt.upper()
    plan = ai_plan(
        ollama.url,
        tmp_path,
        {
            "summary": {"prompt": "short {body}"},
            "body": {"prompt": "body of {title}", "priority": "low"},
        },
    )
    seed(plan, blog_db, progress=False)
    for title, body, summary in rows(blog_db, "select title, body, summary from posts"):
        assert body == f"BODY OF {title.upper()}"
        assert summary == f"SHORT {body}"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"sumary": {"prompt": "x"}}, "no column 'sumary' (did you mean 'summary'?)"),
        ({"summary": {"prompt": "x {tilte}"}}, "{tilte} names no column of the table (did you"),
        ({"summary": {"prompt": "x", "context": ["bdy"]}}, "context column 'bdy'"),
        ({"author_id": {"prompt": "x"}}, "foreign-key column"),
        ({"summary": {"prompt": "x", "fallback": "asset_pool:nope"}}, "'nope' is not defined"),
    ],
)
def test_plan_mistakes_are_one_clear_error(
    blog_db: str, tmp_path: Path, fields: dict[str, Any], message: str
) -> None:
    plan = ai_plan("http://127.0.0.1:9", tmp_path, fields)
    with pytest.raises(ConfigError, match=None) as info:
        seed(plan, blog_db, progress=False)
    assert message in str(info.value)
    assert info.value.key_path is not None
    assert info.value.key_path.startswith("ai.fields.posts")
    assert rows(blog_db, "select count(*) from authors") == [(0,)]  # nothing written


def test_typos_in_ai_keys_get_a_did_you_mean(tmp_path: Path) -> None:
    from pytest_supaseed.config import load_plan

    path = tmp_path / "supaseed.toml"
    path.write_text(
        textwrap.dedent(
            """
            [ai]
            provider = "ollama"
            [ai.budget]
            max_request = 3
            [ai.fields.posts.summary]
            promt = "x"
            """
        )
    )
    with pytest.raises(ConfigError) as info:
        load_plan(path, rootdir=tmp_path)
    text = str(info.value)
    assert "did you mean 'max_requests'?" in text or "did you mean 'prompt'?" in text


def test_max_cost_needs_a_price(blog_db: str, tmp_path: Path) -> None:
    plan = ai_plan("http://127.0.0.1:9", tmp_path, {"summary": {"prompt": "x"}})
    plan["ai"]["budget"] = {"max_cost": 1.0}
    with pytest.raises(ConfigError, match="max_cost needs a price") as info:
        seed(plan, blog_db, progress=False)
    assert info.value.key_path == "ai.budget.max_cost"
    SeedPlan.model_validate({"ai": {"budget": {"max_cost": 1.0}}})  # valid while AI is off


def test_max_cost_stops_requests_at_the_price(
    blog_db: str, ollama: FakeModel, tmp_path: Path
) -> None:
    plan = ai_plan(
        ollama.url,
        tmp_path,
        {"summary": {"prompt": "Summarise {title}"}},
        budget={"max_cost": 0.05, "cost_per_request": 0.01},
    )
    result = seed(plan, blog_db, progress=False)
    assert len(ollama.requests) == 5
    assert result.ai is not None
    assert result.ai.cost == pytest.approx(0.05)
    assert result.ai.fields["public.posts.summary"].fallbacks == {"over budget": 5}
    assert "AI budget 95% reached: $0.0500 of $0.0500; further requests fall back" in (
        result.warnings
    )


def test_provider_unset_changes_nothing_and_imports_no_httpx(blog_db: str) -> None:
    # the engine imports the AI modules at its top (no function-level imports in the library);
    # httpx, the optional [ai] extra, waits until a plan turns AI on
    script = textwrap.dedent(
        f"""
        import sys
        from pytest_supaseed.seed import seed
        plan = {{"tables": {{"authors": {{"count": 3}}, "posts": {{"count": 10}}}},
                 "ai": {{"fields": {{"posts": {{"summary": {{"prompt": "x {{title}}"}}}}}}}}}}
        result = seed(plan, {blog_db!r}, progress=False)
        assert result.ai is None, result.ai
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("httpx", "httpcore"))
        print(loaded)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=dict(os.environ)
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
    with_ai_section = rows(blog_db, "select * from posts order by id")
    with psycopg.connect(blog_db, autocommit=True) as conn:
        conn.execute("truncate posts, authors")
    seed({"tables": {"authors": {"count": 3}, "posts": {"count": 10}}}, blog_db, progress=False)
    assert rows(blog_db, "select * from posts order by id") == with_ai_section


def test_prompts_read_values_mapped_from_an_asset_pool(
    blog_db: str, ollama: FakeModel, tmp_path: Path
) -> None:
    posts = tmp_path / "content"
    posts.mkdir()
    titles = ["Ridge walk at dawn", "Crossing the fjord", "A night at the hut"]
    for i, title in enumerate(titles):
        (posts / f"p{i}.md").write_text(f"---\ntitle: {title}\n---\nBody {i}.\n")
    plan = ai_plan(ollama.url, tmp_path / "cache", {"summary": {"prompt": "Sum up: {title}"}})
    del plan["tables"]["posts"]
    plan["asset_pools"] = {"posts": {"type": "markdown", "path": "content/*.md"}}
    plan["mappings"] = {
        "blog": {"pool": "posts", "table": "posts", "fields": {"title": "frontmatter.title"}}
    }
    seed(plan, blog_db, progress=False, rootdir=tmp_path)
    assert sorted(ollama.prompts) == sorted(f"Sum up: {t}" for t in titles)
    stored = rows(blog_db, "select title, summary from posts")
    assert sorted(stored) == sorted((t, f"AI says: Sum up: {t}") for t in titles)


def test_same_plan_same_rows_without_a_cache_and_requests_in_row_order(
    blog_db: str, ollama: FakeModel, tmp_path: Path
) -> None:
    ollama.answer = lambda prompt: prompt[::-1]  # a repeatable model
    plan = ai_plan(
        ollama.url,
        tmp_path,
        {"summary": {"prompt": "Summarise {title}"}},
        concurrency=1,
    )
    plan["ai"]["cache"] = False
    seed(plan, blog_db, progress=False)
    first = rows(blog_db, "select * from posts order by id")
    assert ollama.prompts == [f"Summarise {t}" for (_, _, t, *_) in first]  # row order
    assert not (tmp_path / "answers.sqlite3").exists()
    with psycopg.connect(blog_db, autocommit=True) as conn:
        conn.execute("truncate posts, authors")
    plan["ai"]["concurrency"] = 4
    seed(plan, blog_db, progress=False)
    assert rows(blog_db, "select * from posts order by id") == first
    assert len(ollama.requests) == 20


def test_an_unknown_model_stops_the_requests_after_the_first_error(
    blog_db: str, ollama: FakeModel, tmp_path: Path
) -> None:
    plan = ai_plan(
        ollama.url, tmp_path, {"summary": {"prompt": "Summarise {title}"}}, concurrency=1
    )
    plan["ai"]["base_url"] = ollama.url + "/nowhere"  # every POST answers 404
    result = seed(plan, blog_db, progress=False)
    assert len(ollama.requests) == 1
    assert result.ai is not None
    assert result.ai.fields["public.posts.summary"].fallbacks == {"provider error": 10}
    assert len(result.ai.notices) == 1
    assert "answered 404" in result.ai.notices[0]


def test_a_provider_failing_with_5xx_is_given_up_after_a_few_errors_in_a_row(
    blog_db: str, ollama: FakeModel, tmp_path: Path
) -> None:
    plan = ai_plan(
        ollama.url, tmp_path, {"summary": {"prompt": "Summarise {title}"}}, concurrency=1
    )
    ollama.fail_with = 503
    result = seed(plan, blog_db, progress=False)
    assert len(ollama.requests) == GIVE_UP_AFTER  # not one request per row
    assert result.ai is not None
    assert result.ai.fields["public.posts.summary"].fallbacks == {"provider error": 10}
    assert len(result.ai.notices) == 1
    assert "answered 503" in result.ai.notices[0]
    assert f"({GIVE_UP_AFTER} errors in a row)" in result.ai.notices[0]
    assert rows(blog_db, "select count(*) from posts") == [(10,)]


def test_an_answer_between_transient_errors_resets_the_count(
    blog_db: str, ollama: FakeModel, tmp_path: Path
) -> None:
    plan = ai_plan(
        ollama.url, tmp_path, {"summary": {"prompt": "Summarise {title}"}}, concurrency=1
    )
    calls = {"n": 0}
    original = ollama.requests

    class Alternating(list[dict[str, object]]):
        def append(self, item: dict[str, object]) -> None:
            super().append(item)
            calls["n"] += 1
            # the 1st, 3rd, 5th... request fails with 502: never GIVE_UP_AFTER in a row
            ollama.fail_with = 502 if calls["n"] % 2 == 1 else None

    ollama.requests = Alternating(original)
    result = seed(plan, blog_db, progress=False)
    assert len(ollama.requests) == 10  # every row was asked: the provider was never given up
    assert result.ai is not None
    usage = result.ai.fields["public.posts.summary"]
    assert usage.fallbacks == {"provider error": 5}
    assert usage.written == 5
    assert result.ai.notices == []


def test_without_httpx_an_ai_plan_is_one_clear_error(blog_db: str, tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        sys.modules["httpx"] = None  # as if the [ai] extra were not installed
        from pytest_supaseed.errors import ConfigError
        from pytest_supaseed.seed import seed
        plan = {{"tables": {{"authors": {{"count": 1}}, "posts": {{"count": 1}}}},
                 "ai": {{"provider": "ollama", "cache_dir": {str(tmp_path)!r},
                        "fields": {{"posts": {{"summary": {{"prompt": "x"}}}}}}}}}}
        try:
            seed(plan, {blog_db!r}, progress=False)
        except ConfigError as exc:
            print(exc)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "need httpx: pip install 'pytest-supaseed[ai]'" in out.stdout
    assert "at 'ai.provider'" in out.stdout


def test_a_changed_prompt_rebuilds_the_template_database_and_its_report_keeps_the_usage(
    pg_superuser_dsn: str, ollama: FakeModel, tmp_path: Path
) -> None:
    from ai_servers import BLOG_SQL
    from psycopg.conninfo import make_conninfo

    from pytest_supaseed.config import resolve_plan
    from pytest_supaseed.lifecycle.databases import drop_database
    from pytest_supaseed.lifecycle.template_build import ensure_template_db

    base = f"supaseed_aibase_{os.getpid()}_{tmp_path.name[-8:]}".lower().replace("-", "_")
    with psycopg.connect(pg_superuser_dsn, autocommit=True) as conn:
        conn.execute(f'create database "{base}"')
    with psycopg.connect(make_conninfo(pg_superuser_dsn, dbname=base), autocommit=True) as conn:
        conn.execute(BLOG_SQL)
    made = []

    def template(prompt: str) -> Any:
        plan = ai_plan(ollama.url, tmp_path / "cache", {"summary": {"prompt": prompt}})
        resolved = resolve_plan(plan, rootdir=tmp_path)
        db = ensure_template_db(
            pg_superuser_dsn, base, resolved, project_root=tmp_path, seed=0, label="ai"
        )
        made.append(db.name)
        return db

    try:
        first = template("Summarise {title}")
        again = template("Summarise {title}")
        changed = template("Summarise {title} in one line")
    finally:
        for name in {*made, base}:
            drop_database(pg_superuser_dsn, name)
    assert not first.cache_hit
    assert again.cache_hit  # reused: no seed, no request
    assert again.name == first.name
    assert again.result.ai == first.result.ai  # the usage travels with the template database
    assert not changed.cache_hit
    assert changed.name != first.name
    assert len(ollama.requests) == 20
    assert ollama.prompts[-1].endswith(" in one line")
