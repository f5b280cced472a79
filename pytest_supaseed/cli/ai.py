"""``supaseed ai``: is the model reachable, what does it answer, what is cached.

    supaseed ai status                     # reachable? which models? (the plan's [ai] settings)
    supaseed ai test "Name a hiking trail" # one prompt, the answer, tokens and seconds (no cache)
    supaseed ai cache stats                # entries and size of .supaseed/ai-cache
    supaseed ai cache clear                # delete them

``--provider``, ``--model`` and ``--base-url`` override the plan (useful before ``[ai]`` is set).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ..ai.cache import AICache, cache_dir
from ..ai.providers import ProviderError, make_provider
from ..config.loader import find_plan_file
from ..config.models import AIConfig, SeedPlan
from ..config.resolve import resolve_plan

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``supaseed ai`` to the ``supaseed`` command."""
    parser = subparsers.add_parser(
        "ai",
        help="AI-written columns: provider status, a test prompt, the answer cache",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.set_defaults(func=lambda args: _help(parser))
    actions = parser.add_subparsers(dest="ai_command", metavar="ACTION")
    status = actions.add_parser("status", help="is the provider reachable, which models it has")
    _common(status)
    status.set_defaults(func=_cmd_status)
    test = actions.add_parser("test", help="send one prompt and print the answer (no cache)")
    test.add_argument("prompt", help="the prompt")
    _common(test)
    test.set_defaults(func=_cmd_test)
    cache = actions.add_parser("cache", help="the answer cache: stats | clear")
    cache.add_argument("action", choices=["stats", "clear"])
    _common(cache)
    cache.set_defaults(func=_cmd_cache)


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plan", metavar="FILE", help="plan file (default: the project's)")
    parser.add_argument("--rootdir", default=".", help="project root (default: current directory)")
    parser.add_argument("--provider", choices=["ollama", "openai"], help="override ai.provider")
    parser.add_argument("--model", help="override ai.model")
    parser.add_argument("--base-url", dest="base_url", help="override ai.base_url")


def _config(args: argparse.Namespace) -> tuple[AIConfig, int, Path]:
    root = Path(args.rootdir).resolve()
    if args.plan:
        plan = resolve_plan(Path(args.plan), rootdir=root).plan
    elif find_plan_file(root) is not None:
        plan = resolve_plan(None, rootdir=root).plan
    else:
        plan = SeedPlan()
    update = {k: getattr(args, k) for k in ("provider", "model", "base_url") if getattr(args, k)}
    return plan.ai.model_copy(update=update), plan.seed, root


def _cmd_status(args: argparse.Namespace) -> int:
    config, seed, _ = _config(args)
    if config.provider == "disabled":
        print('ai: off (ai.provider = "disabled"); set it in the plan or pass --provider')
        return 1
    provider = make_provider(config, seed)
    try:
        status = provider.status()
    finally:
        provider.close()
    if not status.reachable:
        print(f"ai: {status.provider} at {status.base_url}: unreachable ({status.error})")
        print("  seeding still works: AI fields use their fallbacks")
        return 1
    print(f"ai: {status.provider} at {status.base_url}: reachable")
    print(f"  models: {', '.join(status.models) or '(none listed)'}")
    known = {m.split(":")[0] for m in status.models} | set(status.models)
    if config.model not in known:
        print(f"  model '{config.model}' is not among them (pull it, or set ai.model)")
    fields = sum(len(c) for c in config.fields.values())
    print(f"  plan: model {config.model}, {fields} AI field(s)")
    if config.provider == "openai" and not getattr(provider, "has_key", True):
        print(f"  no API key in ${config.api_key_env}")
    return 0


def _cmd_test(args: argparse.Namespace) -> int:
    config, seed, _ = _config(args)
    if config.provider == "disabled":
        print('ai: off (ai.provider = "disabled"); set it in the plan or pass --provider')
        return 1
    provider = make_provider(config, seed)
    started = time.perf_counter()
    try:
        answer = provider.generate(args.prompt)
    except ProviderError as exc:
        print(f"ai: {exc}")
        return 1
    finally:
        provider.close()
    print(answer.text)
    print(
        f"-- {config.provider}/{config.model}: {answer.prompt_tokens} prompt + "
        f"{answer.completion_tokens} answer tokens in {time.perf_counter() - started:.2f} s"
    )
    return 0


def _cmd_cache(args: argparse.Namespace) -> int:
    config, _, root = _config(args)
    cache = AICache(cache_dir(config, root))
    if args.action == "clear":
        count = cache.clear()
        print(f"ai cache: {count} answer(s) deleted from {cache.directory}")
        return 0
    stats = cache.stats()
    cache.close()
    print(f"ai cache: {stats.entries} answer(s), {stats.bytes / 1024:.1f} KiB in {stats.path}")
    for name, count in stats.by_model.items():
        print(f"  {name}: {count}")
    return 0
