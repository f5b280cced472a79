"""``supaseed update``: bring the plan in line with the live schema, one question per change.

The flow: resolve the plan, read the live schema, compare it with the last snapshot
(:func:`~pytest_supaseed.plancheck.impact.analyze`), print the impacts, then ask per error, warning
and suggestion (numbered choices, the default in brackets): the suggested generator, another
generator, an asset pool path, leave null, AI (when ``[ai]`` has a provider), drop the broken key,
or skip. Each answer is validated (the generator must compile, the pool path must match files) and
asked again when it is not valid. The plan file is then rewritten keeping its comments and order
(:class:`~.edit.PlanEditor`), the old text saved to ``.supaseed/backups/<file>.<YYYYmmdd-HHMMSS>``,
the snapshot refreshed, and the plan checked against the live schema once more.

``--yes`` takes every default (the suggestion, else "drop the broken key"); ``--dry-run`` takes
the defaults too, prints the plan diff and writes nothing.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import tomllib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg
import yaml
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from ..config.edit import PlanEditor
from ..config.loader import format_key_path
from ..config.resolve import ResolvedPlan, resolve_plan
from ..config.suggest import Edit, Suggestion, mapping_of, table_key
from ..errors import AssetError, ConfigError
from ..file_globs import find_files
from ..generate.overrides import expression_generator
from ..lifecycle.base import project_database
from ..lifecycle.databases import clone_database, drop_database
from ..lifecycle.migrations import apply_sql_paths
from ..plancheck.check import check_plan
from ..plancheck.impact import Impact, analyze
from ..project_dirs import BACKUP_DIR  # where backups go, under the plan file's directory
from ..schema.introspect import introspect
from ..schema.model import Schema, Table
from ..schema.snapshot import DEFAULT_SNAPSHOT_FILE, load_snapshot, write_snapshot
from .common import add_migrations_option, migrations_option

__all__ = [
    "BACKUP_DIR",
    "live_schema",
    "register",
    "run_update",
]

Ask = Callable[[str], str]

_IMAGE_EXT = {"jpg", "jpeg", "png", "gif", "webp"}
_TYPES_BY_EXT = {"md": "markdown", "markdown": "markdown", "json": "json", "csv": "csv"}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``supaseed update`` to the ``supaseed`` command."""
    parser = subparsers.add_parser(
        "update",
        help="update the seed plan after schema changes (interactive; --yes for CI)",
        description="Compare the live schema with the last snapshot, show what the changes do to "
        "the plan, ask what to do about each (numbered choices, default in brackets), rewrite "
        "the plan keeping its comments (backup in .supaseed/backups/), refresh the snapshot and "
        "check the plan again.",
    )
    parser.add_argument(
        "--plan", metavar="FILE", help="the plan file (default: the discovered one)"
    )
    parser.add_argument(
        "--snapshot",
        metavar="FILE",
        help=f"the last snapshot (default: {DEFAULT_SNAPSHOT_FILE} in ROOTDIR)",
    )
    parser.add_argument(
        "--dsn",
        help="read this database as it is; default: build the project's database on the "
        "embedded server",
    )
    parser.add_argument("--rootdir", type=Path, default=Path.cwd(), help="project root")
    add_migrations_option(parser)
    parser.add_argument("--yes", action="store_true", help="take every default without asking")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="take every default, print the plan diff and write nothing",
    )
    parser.set_defaults(func=_cmd_update)


def _cmd_update(args: argparse.Namespace) -> int:
    root = Path(args.rootdir).resolve()
    snapshot_path = Path(args.snapshot) if args.snapshot else root / DEFAULT_SNAPSHOT_FILE
    return run_update(
        root,
        plan=Path(args.plan) if args.plan else None,
        snapshot_path=snapshot_path,
        dsn=args.dsn,
        yes=args.yes,
        dry_run=args.dry_run,
        migrations=migrations_option(args),
    )


@dataclass(frozen=True)
class _Choice:
    label: str
    edits: tuple[Edit, ...] = ()
    prompt: str | None = None  # asks for a value (a generator, a pool path) when chosen


def run_update(
    rootdir: Path,
    *,
    plan: Path | None = None,
    snapshot_path: Path,
    dsn: str | None = None,
    yes: bool = False,
    dry_run: bool = False,
    migrations: Path | None = None,
    ask: Ask | None = None,
    say: Callable[[str], None] = print,
    now: datetime | None = None,
) -> int:
    """The whole ``supaseed update`` flow (module docstring); returns the exit code.

    ``ask`` reads one answer (default: :func:`input`); ``say`` prints a line.
    """
    reader = ask or _read_line
    yes = yes or dry_run  # a dry run previews the defaults: nothing to ask
    resolved = resolve_plan(plan, rootdir=rootdir)
    source = resolved.sources.get(resolved.source_label)
    if source is None or source.file is None:
        raise ConfigError(
            "no plan file to update; create supaseed.toml (or pass --plan FILE)",
            file=str(rootdir),
        )
    plan_file = Path(source.file)
    old = load_snapshot(snapshot_path)
    with live_schema(resolved, dsn, migrations=migrations) as (schema, conn):
        report = check_plan(resolved, schema, conn)
        impacts = analyze(old, schema, resolved, report)
        if not impacts:
            say("No schema changes since the snapshot and no plan problems: nothing to update.")
            return 0
        say(impacts.render())
        editor = PlanEditor(plan_file)
        items = impacts.actionable
        for number, impact in enumerate(items, 1):
            choices = _choices(impact, resolved, schema)
            if not choices:
                continue
            say("")
            say(f"[{number}/{len(items)}] {impact.severity}: {impact.kind} {impact.subject}")
            say(f"  {impact.message}")
            if impact.plan_key and impact.where:
                say(f"  plan key: {impact.plan_key} ({impact.where})")
            for index, choice in enumerate(choices, 1):
                say(f"  {index}) {choice.label}{' [default]' if index == 1 else ''}")
            edits = (
                choices[0].edits
                if yes
                else _ask_choice(choices, impact, resolved, schema, reader, say)
            )
            for edit in edits:
                _apply(editor, edit, resolved, say)
        new_text = editor.text()
        diff = "".join(
            difflib.unified_diff(
                editor.original.splitlines(keepends=True),
                new_text.splitlines(keepends=True),
                f"{plan_file.name} (before)",
                f"{plan_file.name} (after)",
            )
        )
        say("")
        say(diff.rstrip("\n") if diff else f"{plan_file.name}: no changes to the plan.")
        if dry_run:
            say("dry run: nothing written.")
            return 0
        if (
            diff
            and not yes
            and not _confirm(f"Write these changes to {plan_file.name}?", reader, say)
        ):
            say("Nothing written.")
            return 1
        if diff:
            staged = _stage(plan_file, new_text, rootdir)
            backup = _backup(plan_file, editor.original, now or datetime.now())
            os.replace(staged, plan_file)
            say(f"wrote {plan_file} (backup: {backup})")
        write_snapshot(schema, snapshot_path)
        say(f"refreshed {snapshot_path}")
        after = check_plan(resolve_plan(plan, rootdir=rootdir), schema, conn)
        say("supaseed plan --check: " + after.render())
        return 0 if after.ok else 1


@contextmanager
def live_schema(
    resolved: ResolvedPlan,
    dsn: str | None = None,
    *,
    schemas: Sequence[str] | None = None,
    migrations: Path | None = None,
) -> Iterator[tuple[Schema, psycopg.Connection]]:
    """The live schema (and an open connection to it) the plan seeds.

    With ``dsn``: that database as it is. Without: the project's database as the plugin builds
    it (Supabase layer + migrations, and the plan's own schema SQL when it names one) on the
    embedded server, in a scratch copy dropped afterwards. ``migrations`` is the migrations
    directory instead of ``supabase/migrations`` (``--migrations``, as ``supaseed seed`` reads it).
    """
    if dsn:
        with psycopg.connect(dsn, autocommit=True) as conn:
            yield introspect(dsn, list(schemas) if schemas else None), conn
        return
    root = resolved.rootdir
    choice = resolved.migrations(root, migrations)
    with project_database(root, None, migrations) as base_dsn:
        if choice.kind not in ("demo", "explicit"):
            with psycopg.connect(base_dsn, autocommit=True) as conn:
                yield introspect(base_dsn, list(schemas) if schemas else None), conn
            return
        admin = make_conninfo(base_dsn, dbname="postgres")
        base_name = str(conninfo_to_dict(base_dsn)["dbname"])
        scratch_name = f"supaseed_check_{os.getpid()}"  # two runs at once do not collide
        scratch = clone_database(admin, base_name, scratch_name)
        try:
            with psycopg.connect(scratch, autocommit=True) as conn:
                apply_sql_paths(conn, choice.paths, Path(root))
                yield introspect(scratch, list(schemas) if schemas else None), conn
        finally:
            drop_database(admin, scratch_name)


def _read_line(prompt: str) -> str:
    try:
        return input(prompt)
    except EOFError:
        raise ConfigError(
            "supaseed update: input ended before every question was answered; "
            "nothing written (use --yes to take every default)"
        ) from None


def _ask_choice(
    choices: Sequence[_Choice],
    impact: Impact,
    resolved: ResolvedPlan,
    schema: Schema,
    ask: Ask,
    say: Callable[[str], None],
) -> tuple[Edit, ...]:
    while True:
        answer = ask("  choice [1]: ").strip()
        if not answer:
            index = 1
        elif answer.isdigit() and 1 <= int(answer) <= len(choices):
            index = int(answer)
        else:
            say(f"  please answer a number from 1 to {len(choices)} (empty for the default)")
            continue
        choice = choices[index - 1]
        if choice.prompt is None:
            return choice.edits
        return _ask_value(choice, impact, resolved, schema, ask, say)


def _ask_value(
    choice: _Choice,
    impact: Impact,
    resolved: ResolvedPlan,
    schema: Schema,
    ask: Ask,
    say: Callable[[str], None],
) -> tuple[Edit, ...]:
    assert impact.table is not None
    assert impact.column is not None
    while True:
        answer = ask(f"  {choice.prompt}: ").strip()
        if not answer:
            say("  an answer is needed")
            continue
        try:
            if choice.prompt and choice.prompt.startswith("generator"):
                return _generator_edits(answer, impact, resolved)
            return _pool_edits(answer, impact, resolved)
        except (ConfigError, AssetError) as exc:
            say(f"  {exc}; try again")


def _generator_edits(answer: str, impact: Impact, resolved: ResolvedPlan) -> tuple[Edit, ...]:
    """A ``faker.<method>(...)`` answer, checked by compiling it the way seeding will."""
    source = answer.strip().removeprefix("{{").removesuffix("}}").strip()
    assert impact.table is not None
    assert impact.column is not None
    key = table_key(resolved.plan.tables, impact.table)
    path = ("tables", key, "columns", impact.column)
    expression_generator(source, where=format_key_path(path))
    return (Edit("set", path, "{{ " + source + " }}"),)


def _pool_edits(answer: str, impact: Impact, resolved: ResolvedPlan) -> tuple[Edit, ...]:
    """An asset pool path answer: it must match files; the pool is added and mapped."""
    assert impact.table is not None
    assert impact.column is not None
    found, _ = find_files(resolved.rootdir, [answer])
    if not found:
        raise ConfigError(f"'{answer}' matches no files under {resolved.rootdir}")
    ext = answer.rsplit(".", 1)[-1].lower() if "." in answer.rsplit("/", 1)[-1] else ""
    kinds = {f.rel.rsplit(".", 1)[-1].lower() for f in found}
    if ext in _IMAGE_EXT or kinds <= _IMAGE_EXT:
        kind = "image"
    elif len(kinds) == 1 and next(iter(kinds)) in _TYPES_BY_EXT:
        kind = _TYPES_BY_EXT[next(iter(kinds))]
    else:
        raise ConfigError(
            f"'{answer}' matches files of several kinds ({', '.join(sorted(kinds))}); "
            "use a pattern of one kind (e.g. assets/avatars/*.jpg)"
        )
    mapping = mapping_of(resolved.plan.mappings, impact.table)
    assert mapping is not None
    name = re.sub(r"[^a-z0-9_]", "_", impact.column.lower())
    pool = name
    taken = set(resolved.plan.asset_pools)
    suffix = 2
    while pool in taken:
        pool, suffix = f"{name}_{suffix}", suffix + 1
    return (
        Edit("set", ("asset_pools", pool), {"type": kind, "path": answer}),
        Edit("set", ("mappings", mapping, "fields", impact.column), f"random({pool})"),
    )


def _confirm(question: str, ask: Ask, say: Callable[[str], None]) -> bool:
    while True:
        answer = ask(f"{question} [Y/n]: ").strip().lower()
        if answer in ("", "y", "yes"):
            return True
        if answer in ("n", "no"):
            return False
        say("please answer y or n")


def _choices(impact: Impact, resolved: ResolvedPlan, schema: Schema) -> list[_Choice]:
    """The numbered choices for one impact; the first is the default (what ``--yes`` takes)."""
    choices: list[_Choice] = []
    sug: Suggestion | None = impact.suggestion
    table: Table | None = schema.tables.get(impact.table) if impact.table else None
    column = (
        table.column(impact.column)
        if table is not None and impact.column and table.has_column(impact.column)
        else None
    )
    if sug is not None:
        choices.append(_Choice(f"{sug.reason}: {sug.describe()}", sug.edits))
    elif impact.path and impact.severity == "error":
        drop = (Edit("delete", impact.path),)
        choices.append(_Choice(f"drop the broken key: remove {impact.plan_key}", drop))
    if impact.kind == "table_added" or column is None or table is None:
        if choices:
            choices.append(_Choice("skip (leave the plan as it is)"))
        return choices
    # a column the plan may fill: a generator, a pool, null, AI, or drop the broken key
    skip_first = not choices
    if skip_first:
        choices.append(_Choice("skip (the generic generator fills it)"))
    choices.append(_Choice("another generator", prompt="generator, e.g. faker.word()"))
    if mapping_of(resolved.plan.mappings, table.qualified_name) is not None:
        choices.append(
            _Choice("an asset pool path", prompt="pool path (a glob, e.g. assets/*.jpg)")
        )
    key = table_key(resolved.plan.tables, table.qualified_name)
    col_path = ("tables", key, "columns", column.name)
    if column.nullable:
        choices.append(_Choice("leave null", (Edit("set", col_path, "{{ null }}"),)))
    if resolved.plan.ai.provider != "disabled":
        prompt = f"Write a realistic {column.name.replace('_', ' ')} for a {table.name} row."
        choices.append(
            _Choice(
                f"AI ({resolved.plan.ai.model})",
                (Edit("set", ("ai", "fields", key, column.name), {"prompt": prompt}),),
            )
        )
    if (
        impact.path
        and impact.severity == "error"
        and sug is not None
        and sug.edits[0].op != "delete"
    ):
        choices.append(
            _Choice(
                f"drop the broken key: remove {impact.plan_key}", (Edit("delete", impact.path),)
            )
        )
    if not skip_first:
        choices.append(_Choice("skip (leave the plan as it is)"))
    return choices


def _apply(
    editor: PlanEditor, edit: Edit, resolved: ResolvedPlan, say: Callable[[str], None]
) -> None:
    if edit.op == "set":
        editor.set(edit.path, edit.value)
        return
    for path in (edit.path, ("customizations", *edit.path)):
        if editor.delete(path):
            return
    say(
        f"  cannot remove {format_key_path(edit.path)}: {editor.path.name} does not write it "
        f"(it comes from {resolved.source_of(edit.path)}); change it there"
    )


def _stage(plan_file: Path, text: str, rootdir: Path) -> Path:
    """Check that ``text`` is a valid plan, write it next to the plan file and return that file;
    the caller renames it into place (the plan is never half-written, never made invalid)."""
    try:
        if plan_file.suffix.lower() == ".toml":
            data = tomllib.loads(text)
            if plan_file.name == "pyproject.toml":
                data = data["tool"]["supaseed"]
        else:
            data = yaml.safe_load(text) or {}
        resolve_plan(data, rootdir=rootdir if plan_file.parent == rootdir else plan_file.parent)
    except (ConfigError, tomllib.TOMLDecodeError, yaml.YAMLError, KeyError) as exc:
        raise ConfigError(
            f"the updated plan would not be valid, so nothing was written: {exc}",
            file=str(plan_file),
        ) from None
    staged = plan_file.with_name(f".{plan_file.name}.supaseed-update")
    staged.write_text(text, encoding="utf-8")
    return staged


def _backup(plan_file: Path, text: str, when: datetime) -> Path:
    folder = plan_file.parent / BACKUP_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stamp = when.strftime("%Y%m%d-%H%M%S")
    target = folder / f"{plan_file.name}.{stamp}"
    count = 1
    while target.exists():
        count += 1
        target = folder / f"{plan_file.name}.{stamp}-{count}"
    target.write_text(text, encoding="utf-8")
    return target
