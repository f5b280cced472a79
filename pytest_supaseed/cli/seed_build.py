"""The full ``supaseed seed``: resolve the plan (the plan models), seed ``--dsn`` or build the
template database (the seeding engine). :mod:`.seed` loads this module only when a run cannot
reuse a template database by its recorded resolution.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import psycopg

from ..config.resolve import ResolvedPlan, resolve_plan
from ..errors import ConfigError
from ..lifecycle.base import ensure_base_database, project_server
from ..lifecycle.resolution_cache import PlanRecord, default_resolution_cache
from ..lifecycle.schema_check import check_resolved_plan
from ..lifecycle.template_build import ensure_template_db, own_sql_files
from ..report import collect_report, write_html
from ..seed.atomic import check_target
from ..seed.engine import seed as seed_plan
from ..seed.journal import rollback
from ..seed_result import SeedResult
from .common import migrations_option
from .seed_output import announce, print_rate, seed_request_key

__all__ = ["run"]


def run(args: argparse.Namespace) -> int:
    """``supaseed seed`` in full: resolve the plan, then seed ``--dsn`` or build (or reuse) the
    template database; the resolution is recorded for :func:`..seed.reuse`."""
    root = Path(args.rootdir).resolve()
    migrations = migrations_option(args)
    if args.dsn:
        check_target(args.dsn, allow_remote=args.allow_remote)  # before any connection
    source: Any = args.template if args.template else (Path(args.plan) if args.plan else None)
    resolving_since = time.time_ns()
    resolved = resolve_plan(source, rootdir=root)
    run_seed = resolved.plan.seed if args.seed is None else args.seed
    label = args.template or resolved.source_label
    if (args.resumable or args.resume or args.rollback) and not args.dsn:
        flag = "--resumable" if args.resumable else "--resume" if args.resume else "--rollback"
        raise ConfigError(
            f"{flag} needs --dsn: resumable runs seed an existing database (without --dsn the "
            "template database is built all or nothing and reused)"
        )
    if args.jobs is not None and args.jobs > 1 and (args.resumable or args.resume):
        raise ConfigError(
            "--jobs needs a run in one go: a resumable run commits batch by batch on one "
            "connection; drop --jobs or --resumable/--resume"
        )
    if args.rollback:
        deleted = rollback(args.dsn)
        total = sum(deleted.values())
        print(
            f"rolled back: {total} rows removed"
            + "".join(f"\n  {t}  {n}" for t, n in deleted.items())
        )
        return 0
    if args.dsn:
        started = time.perf_counter()
        result = seed_plan(
            resolved.plan,
            args.dsn,
            seed=run_seed,
            progress=args.progress,
            rootdir=root,
            strict=args.strict,
            resumable=args.resumable,
            resume=args.resume,
            jobs=1 if args.jobs is None else args.jobs,
        )
        print(result.summary())
        print_rate(result, time.perf_counter() - started)
        if args.report:
            _write_report(args.report, args.dsn, result, resolved, root, label)
        return 0
    with project_server(root, keep=args.keep) as server:
        base = ensure_base_database(server, root, migrations)
        template_db = ensure_template_db(
            server,
            base,
            resolved,
            project_root=root,
            seed=run_seed,
            label=label,
            progress=args.progress,
            migrations_dir=migrations,
            jobs=args.jobs,
            # the plan against the project's schema, as a test session checks it: every mistake
            # named (file, line, key path, fix) before anything is seeded; a reused template
            # database passed it when it was built (same base, plan and asset files)
            check=lambda: check_resolved_plan(server, base, root, resolved, migrations),
        )
        if not args.plan:
            # what the next run of this command (or a test session) finds the template database by
            cache = default_resolution_cache()
            if cache is not None:
                cache.record(
                    seed_request_key(args, root, migrations),
                    PlanRecord(
                        plan_hash=template_db.plan_hash,
                        seed=run_seed,
                        label=label,
                        own_sql=own_sql_files(resolved, root, migrations),
                    ),
                    resolved,
                    args.template,
                    since_ns=resolving_since,
                )
        announce(
            args,
            server,
            template_db,
            run_seed,
            report=lambda: (
                _write_report(
                    args.report,
                    # the template database itself, read in a transaction rolled back: left as seeded
                    server.dsn_for(template_db.name),
                    template_db.result,
                    resolved,
                    root,
                    label,
                )
                if args.report
                else None
            ),
        )
    return 0


def _write_report(
    path: str, dsn: str, result: SeedResult, resolved: ResolvedPlan, root: Path, label: str
) -> None:
    """--report PATH: the HTML seed report of the database just seeded."""
    with psycopg.connect(dsn) as conn:
        report = collect_report(conn, result, resolved.plan, root, label=label)
    written = write_html(Path(path).resolve(), [report])
    print(f"report: {written}")
