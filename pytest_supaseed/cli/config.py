"""``supaseed templates``, ``supaseed templates show``, ``supaseed plan`` and ``supaseed schema``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..config.catalog import find_template, list_templates
from ..config.loader import plan_json_schema
from ..config.resolve import ResolvedPlan, plan_hash, resolve_plan
from ..errors import ConfigError, SupaseedError
from ..plancheck.check import check_plan
from .common import add_migrations_option, migrations_option
from .update import live_schema
from .update import register as register_update

__all__ = ["format_resolved", "register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the plan and template commands to the ``supaseed`` command."""
    templates = subparsers.add_parser(
        "templates",
        help="list seed-plan templates (built-in and the project's)",
        description="List the templates a plan can extend, with a one-line description each.",
    )
    _rootdir_option(templates)
    templates.set_defaults(func=_cmd_list)
    actions = templates.add_subparsers(dest="templates_command", metavar="ACTION")
    show = actions.add_parser(
        "show",
        help="print a template (with --resolved: merged, with where each value came from)",
    )
    show.add_argument("name", help="template name, e.g. outdoor-platform")
    show.add_argument(
        "--resolved",
        action="store_true",
        help="print the plan after extends and customizations are merged, each value annotated "
        "with the template that set it",
    )
    show.add_argument(
        "--defaults", action="store_true", help="with --resolved: also list default values"
    )
    _rootdir_option(show)
    show.set_defaults(func=_cmd_show)

    plan = subparsers.add_parser(
        "plan",
        help="validate the project's seed plan and print it resolved",
        description="Find the seed plan under ROOTDIR (supaseed.toml, supaseed.yaml or "
        "[tool.supaseed] in pyproject.toml), resolve its templates and print it with sources.",
    )
    plan.add_argument("file", nargs="?", help="a plan file instead of the discovered one")
    plan.add_argument("--defaults", action="store_true", help="also list default values")
    plan.add_argument(
        "--check",
        action="store_true",
        help="compile the plan against the live schema (after migrations): every key naming a "
        "table or column, constants, expressions, mappings, associations, AI fields, storage; "
        "exit 1 on errors",
    )
    plan.add_argument(
        "--dsn",
        help="with --check: read this database as it is; default: build the project's database "
        "(Supabase layer + migrations) on the embedded server",
    )
    plan.add_argument(
        "--format", choices=("text", "json"), default="text", help="with --check: output format"
    )
    add_migrations_option(plan)
    _rootdir_option(plan)
    plan.set_defaults(func=_cmd_plan)

    register_update(subparsers)

    schema = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of seed-plan files",
        description="Print the JSON Schema of a seed plan, for editor completion: "
        "supaseed schema > supaseed.plan.schema.json",
    )
    schema.set_defaults(func=_cmd_schema)


def _rootdir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rootdir",
        type=Path,
        default=Path.cwd(),
        help="project root holding the plan and supaseed/templates/ (default: the current directory)",
    )


def _cmd_list(args: argparse.Namespace) -> int:
    found = list_templates(args.rootdir)
    width = max((len(t.name) for t in found), default=0)
    for template in found:
        where = "built-in" if template.builtin else str(template.path)
        try:
            description = template.description or "(no description)"
        except SupaseedError as exc:
            # One broken project template should not hide the others.
            description = f"(cannot read: {exc})"
        print(f"{template.name:<{width}}  {description}  [{where}]")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    if not args.resolved:
        template = find_template(args.name, args.rootdir)
        print(f"# {template.path}")
        print(template.path.read_text(encoding="utf-8"), end="")
        return 0
    resolved = resolve_plan(args.name, rootdir=args.rootdir)
    print(format_resolved(resolved, defaults=args.defaults))
    return 0


def _cmd_plan(args: argparse.Namespace) -> int:
    source = Path(args.file) if args.file else None
    migrations = migrations_option(args)
    if migrations is not None and not args.check:
        raise ConfigError(
            f"--migrations {args.migrations} is read by --check (which builds the project's "
            "database); add --check, or drop --migrations"
        )
    resolved = resolve_plan(source, rootdir=args.rootdir)
    if args.check:
        with live_schema(resolved, args.dsn, migrations=migrations) as (schema, conn):
            report = check_plan(resolved, schema, conn)
        if args.format == "json":
            print(json.dumps([p.to_dict() for p in report.problems], indent=2))
        else:
            print(report.render())
        return 0 if report.ok else 1
    print(format_resolved(resolved, defaults=args.defaults))
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(plan_json_schema(), indent=2))
    return 0


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def format_resolved(resolved: ResolvedPlan, *, defaults: bool = False) -> str:
    """The resolved plan as ``key.path = value  # source`` lines, headed by its chain and hash."""
    chain = " -> ".join([*reversed(resolved.chain_names)]) or "(no templates)"
    lines = [
        f"# plan: {resolved.source_label}",
        f"# templates (most specific first): {chain}",
        f"# plan hash: {plan_hash(resolved)}",
    ]
    if resolved.demo_schema:
        lines.append("# demo schema (applied when the project has no migrations):")
        lines += [f"#   {path}" for path in resolved.demo_schema]
    rows = [
        (key, _value(value), source)
        for key, value, source in resolved.explain()
        if defaults or source != "default"
    ]
    width = min(max((len(k) + len(v) + 3 for k, v, _ in rows), default=0), 56)
    for key, value, source in rows:
        assignment = f"{key} = {value}"
        lines.append(f"{assignment:<{width}}  # {source}")
    return "\n".join(lines)
