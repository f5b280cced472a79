"""Every number of docs/production/performance.md, measured side by side with its anchor in one run.

Run: ``.venv/bin/python bench/run_all.py [--quick] [--only SECTION ...] [--out PATH]``

Writes markdown tables (default ``bench/results/latest.md``) and prints them. Each section measures
pytest-supaseed and its anchor interleaved in the same run, so machine noise hits both alike; the
tables give medians, the ratio, the goal, and the load average (1 minute) before and after the
section: this machine is shared, read ratios, not absolute times.

Sections (``--only``):

- ``startup``: a one-test file that never seeds, in a venv with pytest-supaseed and only its
  required dependencies, against the same run with ``-p no:supaseed``, and in a venv of the code
  before #18 (Faker, Hypothesis and pytest-asyncio were required) with and without their plugins;
- ``example``: ``pytest`` on the notes app, warm and cold (empty ``SUPASEED_CACHE_DIR``): now on
  examples/notes against the code before #18 on its own example_project (the same app; its own venv
  and cache), with the extras the project needs, with PYTHONDONTWRITEBYTECODE=1 and with bytecode
  caching allowed; today's example_project (outdoor platform) warm and cold for information;
- ``previous``: the notes app warm and cold, this checkout against an earlier commit
  (``--previous``, default :data:`PREVIOUS`), each side with its own code, venv and cache;
- ``cli``: ``supaseed seed`` twice on an unchanged plan (example_project): the second run, which
  reuses the template database, against a first run that builds it and one from an empty cache;
- ``xdist``: 200 ``supaseed_db`` tests running a ~9 ms query each, ``-n 2`` against ``-n 0``,
  and ``-n 2`` without recorded plan resolutions (each worker resolves its plan);
- ``per_test``: a marker-seeded ``supaseed_db`` test against a hand-written session connection
  with BEGIN/ROLLBACK per test, pytest-postgresql's ``postgresql`` (a clone per test) and a plain
  test (pytest's own setup + call + teardown time per test);
- ``users``: 10,000 login-capable users (auth.users + auth.identities + the rows MakerKit's
  trigger makes) against a raw binary COPY of the same rows into the same tables;
- ``seeding``: ``seed()`` of a one-table plan, 10,000 rows against 1,000,000 rows (rows/s), and
  100,000 rows against raw binary COPY of pre-built rows and Faker + ``executemany``.

The venvs (``startup``, ``example``, ``cli``, ``xdist``) are made once under ``--venvs`` (default
``~/.cache/supaseed-bench``) with ``pip``; pytest-supaseed itself is reinstalled from this checkout
(not editable: as users install it) on every run. The sections ``per_test``, ``users`` and
``seeding`` run in this interpreter (the dev venv: they need pytest-postgresql and Faker).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
#: The last commit before issue #18's work: "today" in the issue's goals.
BEFORE = "fbcf6a5"
#: The commit section ``previous`` compares with by default (``--previous``): the last one of the
#: session before this page's numbers were taken.
PREVIOUS = "e83e888"

sys.path.insert(0, str(BENCH))


# -- helpers ---------------------------------------------------------------------------------------


def load1() -> float:
    return os.getloadavg()[0]


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float], unit: float = 1.0, fmt: str = "{:.2f}") -> str:
    return f"{fmt.format(median(values) * unit)} ({fmt.format(min(values) * unit)}-{fmt.format(max(values) * unit)})"


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


class Report:
    """Collects markdown; every section notes its load average before and after."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)
        for line in lines:
            print(line, flush=True)

    @contextmanager
    def section(self, title: str, command: str) -> Iterator[None]:
        before = load1()
        started = time.perf_counter()
        self.add("", f"## {title}", "", f"Command: `{command}`", "")
        try:
            yield
        except (Exception, SystemExit) as exc:  # one failed section must not lose the others
            self.add(f"**Section failed**: {str(exc)[-2000:]}")
        self.add(
            "",
            f"Load average (1 min) before / after: {before:.2f} / {load1():.2f} on "
            f"{os.cpu_count()} cores; section took {time.perf_counter() - started:.0f} s.",
        )


def timed_run(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(
            f"failed ({' '.join(cmd)} in {cwd}):\n{done.stdout[-4000:]}\n{done.stderr[-3000:]}"
        )
    return elapsed


def interleave(variants: dict[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, run in variants.items():
            times[name].append(run())
    return times


# -- venvs -----------------------------------------------------------------------------------------


def pip(venv: Path, *args: str) -> None:
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def make_venv(root: Path, name: str, install: list[str]) -> Path:
    """A venv ``root/name`` with ``install`` (made once; see the module docstring)."""
    venv = root / name
    ready = venv / ".ready"
    # remade when what it installs, or this checkout's dependencies, change
    stamp = (
        " ".join(install) + " " + hashlib.sha256((REPO / "pyproject.toml").read_bytes()).hexdigest()
    )
    if not ready.exists() or ready.read_text() != stamp:
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip(venv, *install)
        ready.write_text(stamp)
    return venv


def venvs(root: Path, which: set[str]) -> dict[str, Path]:
    """``now``: pytest-supaseed + pytest-xdist; ``now_extras``: with the extras example_project
    needs (``faker`` for its plan's Faker overrides, ``hypothesis``, ``asyncio``); ``now_notes``:
    with the extras examples/notes needs (``hypothesis``, ``asyncio``: it has no Faker overrides);
    ``before``: the code of :data:`BEFORE` (Faker and Hypothesis required) + pytest-xdist."""
    made: dict[str, Path] = {}
    root.mkdir(parents=True, exist_ok=True)
    if "now" in which:
        made["now"] = make_venv(root, "now", [str(REPO), "pytest-xdist"])
    if "now_extras" in which:
        made["now_extras"] = make_venv(
            root, "now_extras", [f"{REPO}[faker,hypothesis,asyncio]", "pytest-xdist"]
        )
    if "now_notes" in which:
        made["now_notes"] = make_venv(
            root, "now_notes", [f"{REPO}[hypothesis,asyncio]", "pytest-xdist"]
        )
    for name in ("now", "now_extras", "now_notes"):
        if name in made:  # this checkout's code, as users install it (not editable)
            pip(made[name], "--no-deps", "--force-reinstall", str(REPO))
    if "before" in which:
        source = commit_source(root, BEFORE)
        made["before"] = make_venv(root, f"before-{BEFORE}", [str(source), "pytest-xdist"])
    return made


def commit_source(root: Path, commit: str) -> Path:
    """``commit``'s files (``git archive``), extracted once under ``root``."""
    source = root / f"source-{commit}"
    if not source.exists():
        source.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", commit], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    return source


def cache_dir(name: str) -> Path:
    """A ``SUPASEED_CACHE_DIR`` of its own per side, on tmpfs like the plugin's default (the
    server runs as ``nobody`` when we are root: the path must be world-traversable)."""
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
    path = base / "supaseed-bench" / name
    path.mkdir(parents=True, exist_ok=True)
    for folder in (path.parent, path):
        folder.chmod(0o777)
    return path


def py(venv: Path) -> str:
    return str(venv / "bin" / "python")


# -- sections --------------------------------------------------------------------------------------

PLAIN_TEST = "def test_one():\n    assert 1 + 1 == 2\n"
#: Every pytest plugin an install of the code before #18 brought along.
NO_PLUGINS_BEFORE = (
    "-p",
    "no:supaseed",
    "-p",
    "no:asyncio",
    "-p",
    "no:faker",
    "-p",
    "no:hypothesispytest",
)


def section_startup(report: Report, env_root: Path, rounds: int) -> None:
    made = venvs(env_root, {"now", "before"})
    with tempfile.TemporaryDirectory(prefix="supaseed-plain-") as tmp:
        folder = Path(tmp)
        (folder / "test_one.py").write_text(PLAIN_TEST)
        env = dict(os.environ)
        base = ["-m", "pytest", "-q", "-p", "no:cacheprovider", "test_one.py"]

        def run(venv: Path, *extra: str) -> Callable[[], float]:
            return lambda: timed_run([py(venv), *base, *extra], folder, env)

        variants = {
            "plugin": run(made["now"]),
            "no_supaseed": run(made["now"], "-p", "no:supaseed"),
            "before": run(made["before"]),
            "before_none": run(made["before"], *NO_PLUGINS_BEFORE),
        }
        for run_once in variants.values():  # warm the page cache and any bytecode caches
            run_once()
        times = interleave(variants, rounds)
    m = {k: median(v) for k, v in times.items()}
    ratio = m["plugin"] / m["no_supaseed"]
    report.add(
        f"A one-test file that never touches a database; whole `python -m pytest` process, median of "
        f"{rounds} interleaved runs (min-max), seconds. PYTHONDONTWRITEBYTECODE="
        f"{os.environ.get('PYTHONDONTWRITEBYTECODE', '(unset)')}.",
        "",
        "| run | venv | wall s | ratio to `-p no:supaseed` |",
        "| --- | --- | ---: | ---: |",
        f"| plugin installed | now: pytest-supaseed (required deps) + pytest-xdist | {spread(times['plugin'])} | **{ratio:.2f}** |",
        f"| `-p no:supaseed` | same | {spread(times['no_supaseed'])} | 1.00 |",
        f"| before #18: plugin installed (Faker, Hypothesis, pytest-asyncio required) | before | {spread(times['before'])} | {m['before'] / m['no_supaseed']:.2f} |",
        f"| before #18: `{' '.join(NO_PLUGINS_BEFORE)}` | before | {spread(times['before_none'])} | {m['before_none'] / m['no_supaseed']:.2f} |",
        "",
        f"Goal: plugin installed <= 1.1x `-p no:supaseed`: {ratio:.2f}x, {verdict(ratio <= 1.1)}. "
        f"Before #18, installing pytest-supaseed made this run {m['before'] / m['before_none']:.2f}x "
        "as long as with none of the plugins it brought.",
    )


def purge_rewritten(*roots: Path) -> None:
    """Delete pytest's cached rewritten modules (``*-pytest-*.pyc``) under ``roots``: a run with
    PYTHONDONTWRITEBYTECODE=1 would otherwise read the ones an earlier run wrote."""
    for root in roots:
        for pyc in root.rglob("*-pytest-*.pyc"):
            pyc.unlink(missing_ok=True)


def count_tests(project: Path, python: str = sys.executable) -> int:
    """How many tests ``project`` collects with ``python``'s pytest (default: the dev venv's)."""
    done = subprocess.run(
        [python, "-m", "pytest", "-q", "--collect-only", "-p", "no:randomly"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    lines = [ln for ln in done.stdout.splitlines() if "::" in ln]
    return len(lines)


def section_example(report: Report, env_root: Path, rounds: int) -> None:
    made = venvs(env_root, {"now_extras", "now_notes", "before"})
    cmd = ["-m", "pytest", "-q", "-p", "no:cacheprovider"]
    # Each app in a venv with what it needs: the notes app has no Faker overrides, so since #18 its
    # venv has no Faker (before #18 Faker was required); "now_faker" is the notes app with Faker
    # installed all the same (Faker's pytest plugin then loads on every run).
    venv_of = {
        "now": made["now_notes"],
        "now_faker": made["now_extras"],
        "outdoor": made["now_extras"],
        "before": made["before"],
    }
    # Like for like: the notes app before #18 (that commit's example_project) against the same app
    # now (examples/notes: its imports follow the redesign); today's example_project (the outdoor
    # platform, other tests and Faker overrides) is measured too, for information.
    projects = {
        "now": REPO / "examples" / "notes",
        "now_faker": REPO / "examples" / "notes",
        "before": env_root / f"source-{BEFORE}" / "example_project",
        "outdoor": REPO / "example_project",
    }

    def run(
        side: str, cache: Path, bytecode: bool = False, extra: tuple[str, ...] = ()
    ) -> Callable[[], float]:
        env = {**os.environ, "SUPASEED_CACHE_DIR": str(cache)}
        if bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
        else:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        return lambda: timed_run([py(venv_of[side]), *cmd, *extra], projects[side], env)

    def cold(side: str) -> Callable[[], float]:
        def once() -> float:
            with tempfile.TemporaryDirectory(prefix="cold-", dir=cache_dir("")) as tmp:
                Path(tmp).chmod(0o777)
                return run(side, Path(tmp))()

        return once

    purge_rewritten(*projects.values(), *set(venv_of.values()))
    caches = {
        side: cache_dir(f"example-{'now' if side == 'now_faker' else side}") for side in projects
    }
    warm = {side: run(side, caches[side]) for side in projects}
    for run_once in warm.values():  # build each side's templates: what "warm" means
        run_once()
    times = interleave({**warm, "cold": cold("now"), "outdoor_cold": cold("outdoor")}, rounds)
    # The same, letting Python and pytest cache bytecode (a developer machine's default): the
    # first run of each side writes the caches, the measured ones read them.
    cached = {
        f"{side}_bytecode": run(side, caches[side], bytecode=True) for side in ("now", "before")
    }
    for run_once in cached.values():
        run_once()
    times.update(interleave(cached, rounds))
    # With no assertion rewriting at all (not a setting to recommend): what the app's imports and
    # tests cost whatever a plugin does, the floor under the warm goal.
    plain = {
        f"{side}_plain": run(side, caches[side], extra=("--assert=plain",))
        for side in ("now", "before")
    }
    times.update(interleave(plain, rounds))
    purge_rewritten(*projects.values(), *set(venv_of.values()))
    m = {k: median(v) for k, v in times.items()}
    ratio = m["now"] / m["before"]
    cold_ratio = m["cold"] / m["now"]
    cached_ratio = m["now_bytecode"] / m["before_bytecode"]
    report.add(
        "`python -m pytest -q -p no:cacheprovider`, whole process, median of "
        f"{rounds} interleaved runs (min-max), seconds. Like for like: the notes app, before #18 "
        f"(that commit's example_project, {count_tests(projects['before'], py(venv_of['before']))} tests, its code) "
        f"against now (examples/notes, {count_tests(projects['now'], py(venv_of['now']))} tests: the same app, its "
        "imports following the redesign; this checkout's code). Today's example_project (the "
        f"outdoor platform, {count_tests(projects['outdoor'], py(venv_of['outdoor']))} tests, Faker overrides) is shown "
        "for information (no goal). Each side has its own venv (pytest-supaseed installed from "
        "source, not editable, with the extras its project needs: `hypothesis` and `asyncio` for "
        "the notes app, `faker` too for the outdoor platform; before #18 all three were required; "
        "+ pytest-xdist) and its own `SUPASEED_CACHE_DIR`; cold = an empty cache dir "
        "(initdb, cluster, base database, templates). PYTHONDONTWRITEBYTECODE=1 (as on this "
        "machine and in many CI images): pytest then re-rewrites the asserts of every module of "
        "every package with a pytest plugin (and of the test files) on every run; the bytecode "
        "rows let Python and pytest cache bytecode.",
        "",
        "| run | wall s | ratio |",
        "| --- | ---: | ---: |",
        f"| notes app, before #18, warm | {spread(times['before'])} | 1.00 |",
        f"| notes app, now, warm | {spread(times['now'])} | **{ratio:.2f}** |",
        f"| notes app, now, warm, Faker installed too (its plugin loads; no goal) | {spread(times['now_faker'])} | {m['now_faker'] / m['before']:.2f} |",
        f"| notes app, now, cold | {spread(times['cold'])} | {m['cold'] / m['before']:.2f} ({cold_ratio:.2f}x warm) |",
        f"| notes app, before #18, warm, bytecode cached | {spread(times['before_bytecode'])} | {m['before_bytecode'] / m['before']:.2f} |",
        f"| notes app, now, warm, bytecode cached | {spread(times['now_bytecode'])} | {m['now_bytecode'] / m['before']:.2f} ({cached_ratio:.2f}x before, cached) |",
        f"| notes app, before #18, warm, `--assert=plain` (no assertion rewriting at all) | {spread(times['before_plain'])} | {m['before_plain'] / m['before']:.2f} |",
        f"| notes app, now, warm, `--assert=plain` | {spread(times['now_plain'])} | {m['now_plain'] / m['before']:.2f} ({m['now_plain'] / m['before_plain']:.2f}x before, plain) |",
        f"| outdoor example_project, now, warm (no goal) | {spread(times['outdoor'])} | {m['outdoor'] / m['before']:.2f} |",
        f"| outdoor example_project, now, cold (no goal) | {spread(times['outdoor_cold'])} | {m['outdoor_cold'] / m['before']:.2f} ({m['outdoor_cold'] / m['outdoor']:.2f}x its warm) |",
        "",
        f"Goals (notes app): warm <= 0.5x of before: {ratio:.2f}x, {verdict(ratio <= 0.5)} (with "
        f"bytecode cached on both sides: {cached_ratio:.2f}x); cold <= 1.5x warm: "
        f"{cold_ratio:.2f}x, {verdict(cold_ratio <= 1.5)}. Without assertion rewriting (`--assert=plain`: "
        "pytest then rewrites neither the test modules nor Hypothesis, whose pytest plugin makes it "
        "rewrite every Hypothesis module on every run under PYTHONDONTWRITEBYTECODE=1) this run "
        f"would take {m['now_plain'] / m['before']:.2f}x of before #18's default run: what is left "
        "is the app's own imports and tests.",
    )


def section_previous(report: Report, env_root: Path, rounds: int, commit: str) -> None:
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", commit],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    old_source = commit_source(env_root, commit)
    old_venv = make_venv(
        env_root, f"notes-{commit}", [f"{old_source}[hypothesis,asyncio]", "pytest-xdist"]
    )
    sides = {
        commit: (old_venv, old_source / "examples" / "notes"),
        "now": (venvs(env_root, {"now_notes"})["now_notes"], REPO / "examples" / "notes"),
    }
    cmd = ["-m", "pytest", "-q", "-p", "no:cacheprovider"]

    def run(side: str, cache: Path) -> float:
        venv, project = sides[side]
        env = {**os.environ, "SUPASEED_CACHE_DIR": str(cache), "PYTHONDONTWRITEBYTECODE": "1"}
        return timed_run([py(venv), *cmd], project, env)

    def warm(side: str) -> Callable[[], float]:
        cache = cache_dir(f"previous-{'old' if side == commit else 'now'}")
        return lambda: run(side, cache)

    def cold(side: str) -> Callable[[], float]:
        def once() -> float:
            with tempfile.TemporaryDirectory(prefix="cold-", dir=cache_dir("")) as tmp:
                Path(tmp).chmod(0o777)
                return run(side, Path(tmp))

        return once

    variants: dict[str, Callable[[], float]] = {}
    for side in sides:
        variants[f"{side} warm"] = warm(side)
        variants[f"{side} cold"] = cold(side)
        variants[f"{side} warm"]()  # fills the side's cache: what "warm" means
    times = interleave(variants, rounds)
    rows = []
    for kind, what in (
        ("warm", "warm"),
        ("cold", "cold (empty cache: initdb, cluster, base database, template databases)"),
    ):
        old, new = times[f"{commit} {kind}"], times[f"now {kind}"]
        rows.append(
            f"| {what} | {spread(old)} | {spread(new)} | **{median(new) / median(old):.2f}** |"
        )
    old_ratio = median(times[f"{commit} cold"]) / median(times[f"{commit} warm"])
    new_ratio = median(times["now cold"]) / median(times["now warm"])
    report.add(
        f"The notes app (each side's own `examples/notes`) run by `python -m pytest -q -p "
        f"no:cacheprovider` in a venv of each side's code (`[hypothesis,asyncio]` + "
        f"pytest-xdist), PYTHONDONTWRITEBYTECODE=1, {rounds} interleaved rounds of (warm, cold) "
        f"per side, seconds, median (min-max). Warm = the side's cache filled by a run before; "
        "cold = an empty cache. No goal: what this checkout changed against that commit.",
        "",
        f"| run | {commit} | now | now / {commit} |",
        "| --- | ---: | ---: | ---: |",
        *rows,
        f"| cold / warm | {old_ratio:.2f} | {new_ratio:.2f} | |",
    )


def section_cli(report: Report, env_root: Path, rounds: int) -> None:
    """``supaseed seed`` twice on an unchanged plan (example_project): the second run reuses the
    template database; against a first run that builds it (cluster and base database already
    there: a new ``--seed`` each round) and against a first run from an empty cache."""
    venv = venvs(env_root, {"now_extras"})["now_extras"]
    project = REPO / "example_project"
    supaseed = str(venv / "bin" / "supaseed")
    # a cache of its own per bench run (a seed's template database from an earlier run would be
    # reused by the "first" run); the warm-up run below makes its cluster and base database
    warm_cache = Path(tempfile.mkdtemp(prefix="cli-warm-", dir=cache_dir("")))
    warm_cache.chmod(0o777)
    seeds = iter(range(1000, 100_000))

    def env_for(cache: Path, bytecode: bool) -> dict[str, str]:
        env = {**os.environ, "SUPASEED_CACHE_DIR": str(cache)}
        if bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
        else:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env

    def pair(bytecode: bool) -> tuple[float, float]:
        seed = str(next(seeds))
        env = env_for(warm_cache, bytecode)
        first = timed_run([supaseed, "seed", "--seed", seed], project, env)
        second = timed_run([supaseed, "seed", "--seed", seed], project, env)
        return first, second

    def cold(bytecode: bool) -> float:
        with tempfile.TemporaryDirectory(prefix="cold-", dir=cache_dir("")) as tmp:
            Path(tmp).chmod(0o777)
            return timed_run([supaseed, "seed"], project, env_for(Path(tmp), bytecode))

    timed_run([supaseed, "seed"], project, env_for(warm_cache, True))  # cluster, base, bytecode
    times: dict[str, list[float]] = {k: [] for k in ("first", "second", "cold")}
    times.update({f"{k}_bytecode": [] for k in ("first", "second", "cold")})
    for _ in range(rounds):
        for bytecode, suffix in ((False, ""), (True, "_bytecode")):
            first, second = pair(bytecode)
            times["first" + suffix].append(first)
            times["second" + suffix].append(second)
            times["cold" + suffix].append(cold(bytecode))
    shutil.rmtree(warm_cache, ignore_errors=True)  # each run stopped its server
    m = {k: median(v) for k, v in times.items()}
    rows = []
    for suffix, label in (("", "PYTHONDONTWRITEBYTECODE=1"), ("_bytecode", "bytecode cached")):
        second = m["second" + suffix]
        rows += [
            f"| {label}: first run, builds the template database (cluster and base database "
            f"exist) | {spread(times['first' + suffix])} | 1.00 |",
            f"| {label}: first run from an empty cache (initdb, cluster, base database, template "
            f"database) | {spread(times['cold' + suffix])} | "
            f"{m['cold' + suffix] / m['first' + suffix]:.2f} |",
            f"| {label}: second run, same plan and seed (reuses the template database) | "
            f"{spread(times['second' + suffix])} | **{second / m['first' + suffix]:.2f}** "
            f"({second / m['cold' + suffix]:.2f}x the empty-cache run) |",
        ]
    ratio = m["second"] / m["first"]
    cached = m["second_bytecode"] / m["first_bytecode"]
    report.add(
        "`supaseed seed --seed N` in example_project (the outdoor platform plan: users, MakerKit "
        "accounts, assets, associations) on its embedded server, whole process (start, seed or "
        "reuse, stop), median of "
        f"{rounds} interleaved rounds (min-max), seconds; venv `now_extras`. Each round takes a "
        "new N: the first run builds that template database, the second reuses it.",
        "",
        "| run | wall s | ratio to the first run |",
        "| --- | ---: | ---: |",
        *rows,
        "",
        f"Goal: the second run < 0.5x the first: {ratio:.2f}x with PYTHONDONTWRITEBYTECODE=1, "
        f"{cached:.2f}x with bytecode cached; {verdict(max(ratio, cached) < 0.5)} against a first "
        "run that builds only the template database.",
    )


XDIST_TESTS = """\
import pytest

@pytest.mark.supaseed("bench")
@pytest.mark.parametrize("i", range({count}))
def test_query(supaseed_db, i):
    supaseed_db.execute("select pg_sleep(0.009)")
"""


def bench_project(root: Path, rows: int) -> None:
    from surface_overhead import make_project

    make_project(root, rows)


def section_xdist(report: Report, env_root: Path, rounds: int, count: int) -> None:
    made = venvs(env_root, {"now"})
    with tempfile.TemporaryDirectory(prefix="supaseed-xdist-") as tmp:
        root = Path(tmp)
        bench_project(root, 1000)
        (root / "conftest.py").unlink()  # pytest-postgresql's part is not needed here
        (root / "test_bench.py").write_text(XDIST_TESTS.format(count=count))
        cache = cache_dir("xdist")
        env = {**os.environ, "SUPASEED_CACHE_DIR": str(cache)}
        cmd = [py(made["now"]), "-m", "pytest", "-q", "-p", "no:cacheprovider"]

        def unrecorded() -> float:
            # as after a change to the plan's inputs: each worker resolves the plan again
            shutil.rmtree(cache / "plans", ignore_errors=True)
            return timed_run([*cmd, "-n", "2"], root, env)

        variants = {
            "n0": lambda: timed_run([*cmd, "-n", "0"], root, env),
            "n2": lambda: timed_run([*cmd, "-n", "2"], root, env),
            "n2_unrecorded": unrecorded,
        }
        variants["n0"]()  # builds the template once (warm runs below)
        times = interleave(variants, rounds)
    ratio = median(times["n2"]) / median(times["n0"])
    unrecorded_ratio = median(times["n2_unrecorded"]) / median(times["n0"])
    report.add(
        f"{count} tests, each `supaseed_db.execute('select pg_sleep(0.009)')` on a marker-seeded "
        f"template; whole `python -m pytest` process (warm), median of {rounds} interleaved runs "
        "(min-max), seconds; venv `now`. The last row empties the recorded plan resolutions "
        "(`$SUPASEED_CACHE_DIR/plans`) before each run, as a change to the plan's inputs does: "
        "each worker then resolves the plan (imports the plan models) to name its template.",
        "",
        "| run | wall s | ratio |",
        "| --- | ---: | ---: |",
        f"| `-n 0` | {spread(times['n0'])} | 1.00 |",
        f"| `-n 2` | {spread(times['n2'])} | **{ratio:.2f}** |",
        f"| `-n 2`, no recorded resolution | {spread(times['n2_unrecorded'])} | "
        f"{unrecorded_ratio:.2f} |",
        "",
        f"Goal: `-n 2` <= 0.8x `-n 0`: {ratio:.2f}x, {verdict(ratio <= 0.8)}.",
    )


HAND_FIXTURE = """

import pytest as _pytest


@_pytest.fixture(scope="session")
def _hand_connection():
    # What a project writes by hand: one session connection to a database on the same server.
    admin = (
        f"host={os.environ['BENCH_HOST']} port={os.environ['BENCH_PORT']} user=postgres"
        f" password={os.environ['BENCH_PASSWORD']}"
    )
    with psycopg.connect(admin + " dbname=postgres", autocommit=True) as conn:
        conn.execute("drop database if exists bench_hand with (force)")
        conn.execute("create database bench_hand")
    conn = psycopg.connect(admin + " dbname=bench_hand", autocommit=True)
    yield conn
    conn.close()


@_pytest.fixture
def hand_db(_hand_connection):
    # BEGIN before, ROLLBACK after: two round trips, nothing else
    _hand_connection.execute("begin")
    yield _hand_connection
    _hand_connection.execute("rollback")
"""

HAND_TESTS = """

@pytest.mark.parametrize("i", range(N))
def test_hand(hand_db, i):
    assert hand_db.execute("select 1").fetchone() == (1,)
"""


def section_per_test(report: Report, rounds: int, count: int) -> None:
    import surface_overhead as so

    from pytest_supaseed.backends.embedded import start_embedded

    with tempfile.TemporaryDirectory(prefix="supaseed-pertest-") as tmp:
        root = Path(tmp)
        so.make_project(root, 10_000)
        with (root / "conftest.py").open("a") as f:
            f.write(HAND_FIXTURE)
        with (root / "test_bench.py").open("a") as f:
            f.write(HAND_TESTS)
        server = start_embedded(None, root)
        try:
            info = server.details
            env = {
                **os.environ,
                **so.bench_env(str(server.dsn)),
                "BENCH_HOST": str(info.get("host", "127.0.0.1")),
                "BENCH_PORT": str(info.get("port")),
                "SUPASEED_BACKEND": "external",
                "SUPASEED_DATABASE_URL": str(server.dsn),
            }
            so.run(root, env, 1, "-k", "test_seeded_content")  # builds both templates
            kinds = ["supaseed", "hand", "peer", "plain"]
            per_test: dict[str, list[float]] = {k: [] for k in kinds}
            for _ in range(rounds):
                for kind in kinds:
                    per_test[kind].append(so.test_times(root, env, count, kind)[0])
        finally:
            server.stop()
    m = {k: median(v) for k, v in per_test.items()}
    net = {k: m[k] - m["plain"] for k in kinds}
    ratio = net["supaseed"] / max(net["hand"], 1e-6)
    report.add(
        f"Per test = pytest's own setup + call + teardown time (`select 1` body), median over "
        f"{count} tests of a run, then median of {rounds} interleaved runs (min-max), ms; "
        "one embedded server; template of 10,000 rows of an 8-column table + 20 users.",
        "",
        "| fixture | per test, gross ms | net of a plain test, ms | ratio (net) to hand-written |",
        "| --- | ---: | ---: | ---: |",
        f"| plain test | {spread(per_test['plain'])} | - | |",
        f"| hand-written session connection, BEGIN/ROLLBACK per test | {spread(per_test['hand'])} | {net['hand']:.2f} | 1.00 |",
        f"| `@pytest.mark.supaseed('bench')` + `supaseed_db` | {spread(per_test['supaseed'])} | {net['supaseed']:.2f} | **{ratio:.2f}** |",
        f"| pytest-postgresql `postgresql` (clone per test) | {spread(per_test['peer'])} | {net['peer']:.2f} | {net['peer'] / max(net['hand'], 1e-6):.1f} |",
        "",
        f"Goal: marker-seeded `supaseed_db` <= 1.1x the hand-written fixture (net): {ratio:.2f}x, "
        f"{verdict(ratio <= 1.1)}. pytest-postgresql / supaseed (net): "
        f"{net['peer'] / max(net['supaseed'], 1e-6):.0f}x.",
    )


@contextmanager
def embedded_server() -> Iterator[str]:
    from pytest_supaseed.backends.embedded import start_embedded

    with tempfile.TemporaryDirectory(prefix="supaseed-bench-") as project:
        handle = start_embedded(rootdir=Path(project))
        try:
            yield str(handle.dsn)
        finally:
            handle.stop()


def section_users(report: Report, admin_dsn: str, rounds: int, count: int) -> None:
    import psycopg
    import users as users_bench

    from pytest_supaseed.seed import auth_users as users_module
    from pytest_supaseed.seed.auth_users import UserSpec, create_auth_users

    kit = users_bench.fresh_database(admin_dsn, "supaseed_bench_users_mk", makerkit=True)
    specs = [
        UserSpec(f"user{i}@example.com", "password", id=users_module.user_id_for_email(str(i)))
        for i in range(count)
    ]
    tables_sql = (
        "select format('%I.%I', schemaname, relname) from pg_stat_user_tables "
        "where schemaname in ('auth', 'public') order by 1"
    )

    def counts(conn: psycopg.Connection[Any]) -> dict[str, int]:
        names = [r[0] for r in conn.execute(tables_sql).fetchall()]
        out = {}
        for name in names:
            row = conn.execute(f"select count(*) from {name}").fetchone()
            out[name] = int(row[0]) if row else 0
        return out

    # What supaseed writes (directly and through MakerKit's trigger), kept as binary COPY data.
    users_module._HASH_CACHE.clear()
    users_bench.empty(kit)
    with psycopg.connect(kit, autocommit=True) as conn:
        empty_counts = counts(conn)
    users_bench.run_supaseed(kit, specs)
    users_module._HASH_CACHE.clear()
    with psycopg.connect(kit, autocommit=True) as conn:
        written = {t: n for t, n in counts(conn).items() if n != empty_counts[t]}
        assert all(empty_counts[t] == 0 for t in written), empty_counts
        dumps: dict[str, bytes] = {}
        for table in written:
            data = bytearray()
            with conn.cursor().copy(f"copy {table} to stdout (format binary)") as copy:
                for block in copy:
                    data += block
            dumps[table] = bytes(data)

    #: What supaseed writes itself; the other tables' rows are made by the kit's trigger.
    direct = {t: dumps[t] for t in ("auth.users", "auth.identities") if t in dumps}

    def raw_copy() -> float:
        users_bench.empty(kit)
        with psycopg.connect(kit) as conn:
            started = time.perf_counter()
            # The rows the kit's trigger made are given too: user triggers off, foreign-key
            # checks (internal triggers) and GoTrue's indexes on, as for supaseed.
            for table in dumps:
                conn.execute(f"alter table {table} disable trigger user")
            for table, data in sorted(dumps.items(), key=lambda kv: kv[0] != "auth.users"):
                with conn.cursor().copy(f"copy {table} from stdin (format binary)") as copy:
                    copy.write(data)
            for table in dumps:
                conn.execute(f"alter table {table} enable trigger user")
            conn.commit()
            return time.perf_counter() - started

    def raw_copy_triggers_on() -> float:
        # Only what supaseed writes itself (auth.users, auth.identities), triggers on: the kit's
        # trigger makes its rows as it does under supaseed, so the difference to supaseed is ours.
        users_bench.empty(kit)
        with psycopg.connect(kit) as conn:
            started = time.perf_counter()
            for table, data in sorted(direct.items(), key=lambda kv: kv[0] != "auth.users"):
                with conn.cursor().copy(f"copy {table} from stdin (format binary)") as copy:
                    copy.write(data)
            conn.commit()
            return time.perf_counter() - started

    def supaseed() -> float:
        # the one bcrypt hash is cached per process (what building a second template costs);
        # the first run below, with an empty cache, includes it
        users_bench.empty(kit)
        with psycopg.connect(kit) as conn:
            started = time.perf_counter()
            create_auth_users(conn, specs, seed=1)
            conn.commit()
            return time.perf_counter() - started

    try:
        first = supaseed()
        times = interleave(
            {"supaseed": supaseed, "raw": raw_copy, "raw_triggers": raw_copy_triggers_on}, rounds
        )
        with psycopg.connect(kit) as conn:  # the last run (triggers on) made every row
            assert counts(conn) == {**empty_counts, **written}
        with psycopg.connect(kit) as conn:
            indexes = conn.execute(
                "select count(*) from pg_indexes where schemaname = 'auth' "
                "and tablename in ('users', 'identities')"
            ).fetchone()
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute('drop database if exists "supaseed_bench_users_mk" with (force)')
    ratio = median(times["raw"]) / median(times["supaseed"])
    report.add(
        f"{count:,} users with one password (bcrypt cost 10, hashed once), into a database with "
        f"the Supabase layer and MakerKit v2 (its trigger makes a personal account per user); "
        f"rows written: {', '.join(f'{t} {n:,}' for t, n in written.items())}; "
        f"{indexes[0] if indexes else '?'} indexes on auth.users and auth.identities (GoTrue's). "
        f"Raw COPY = the same rows, dumped after a supaseed run, COPied back in binary with "
        f"user triggers off, foreign-key checks on (the ceiling). Commit included; median of {rounds} interleaved runs "
        "(min-max), seconds; embedded server.",
        "",
        "| run | s | users/s | speed relative to raw COPY |",
        "| --- | ---: | ---: | ---: |",
        f"| raw binary COPY of the same rows | {spread(times['raw'], fmt='{:.3f}')} | {count / median(times['raw']):,.0f} | 1.00 |",
        f"| supaseed `create_auth_users` (password hash cached in the process) | {spread(times['supaseed'], fmt='{:.3f}')} | {count / median(times['supaseed']):,.0f} | **{ratio:.2f}** |",
        f"| supaseed, first run of the process (one bcrypt hash at cost 10 included) | {first:.3f} | {count / first:,.0f} | {median(times['raw']) / first:.2f} |",
        f"| raw binary COPY of {' and '.join(direct)} only, triggers on (the kit's trigger makes its rows; no goal) | {spread(times['raw_triggers'], fmt='{:.3f}')} | {count / median(times['raw_triggers']):,.0f} | {median(times['raw']) / median(times['raw_triggers']):.2f} |",
        "",
        f"Goal: >= 0.8x the raw COPY ceiling: {ratio:.2f}x, {verdict(ratio >= 0.8)}. "
        f"Against raw COPY with the trigger on (the project's own trigger runs in both): "
        f"{median(times['raw_triggers']) / median(times['supaseed']):.2f}x; of supaseed's "
        f"{median(times['supaseed']):.3f} s, {median(times['raw_triggers']) - median(times['raw']):.3f} s "
        f"is the trigger (raw COPY with it on minus off) and "
        f"{median(times['supaseed']) - median(times['raw_triggers']):.3f} s supaseed's own work.",
    )


def section_seeding(
    report: Report, admin_dsn: str, rounds: int, big: int, anchor_rows: int
) -> None:
    import psycopg
    import seed_throughput as st
    from psycopg.conninfo import make_conninfo

    from pytest_supaseed.seed import seed

    base = st.fresh_database(admin_dsn, "supaseed_bench_seed_base")
    serial = iter(range(10**6))

    def clone() -> str:
        name = f"supaseed_bench_seed_{next(serial)}"
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'create database "{name}" template "supaseed_bench_seed_base"')
        return make_conninfo(admin_dsn, dbname=name)

    def drop(dsn: str) -> None:
        name = psycopg.conninfo.conninfo_to_dict(dsn)["dbname"]
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')

    def seeded(rows: int) -> float:
        dsn = clone()  # as the plugin builds a template: a fresh clone of the base database
        try:
            started = time.perf_counter()
            seed({"seed": 1, "tables": {"bench_items": {"count": rows}}}, dsn, progress=False)
            return time.perf_counter() - started
        finally:
            drop(dsn)

    try:
        first = seeded(10_000)  # first seed of the process: introspection, imports, warm-up
        small = [seeded(10_000) for _ in range(max(rounds, 3))]
        large = seeded(big)
        small += [seeded(10_000) for _ in range(max(rounds, 3))]
        prebuilt = st.prebuilt_rows(anchor_rows)

        def fresh(run: Callable[[str], float]) -> Callable[[], float]:
            def once() -> float:
                dsn = clone()
                try:
                    return run(dsn)
                finally:
                    drop(dsn)

            return once

        three = interleave(
            {
                "supaseed": fresh(lambda dsn: st.run_supaseed(dsn, anchor_rows)),
                "raw": fresh(lambda dsn: st.run_raw_copy(dsn, prebuilt)),
                "faker": fresh(lambda dsn: st.run_faker_executemany(dsn, anchor_rows // 5)),
            },
            rounds,
        )
    finally:
        drop(base)
    small_rate = 10_000 / median(small)
    large_rate = big / large
    ratio = small_rate / large_rate
    rate = {
        "supaseed": anchor_rows / median(three["supaseed"]),
        "raw": anchor_rows / median(three["raw"]),
        "faker": anchor_rows // 5 / median(three["faker"]),
    }
    report.add(
        "One 8-column table (`uuid` key, two texts, `timestamptz`, `integer`, `jsonb`, `boolean`, "
        "`text[]`); every seed goes into a fresh clone of the base database (what template "
        "building does), commit included; embedded server.",
        "",
        "| `seed()` of a one-table plan | s | rows/s | ratio to 1M rows/s |",
        "| --- | ---: | ---: | ---: |",
        f"| {big:,} rows (once) | {large:.2f} | {large_rate:,.0f} | 1.00 |",
        f"| 10,000 rows, median of {len(small)} (min-max) | {spread(small, fmt='{:.3f}')} | {small_rate:,.0f} | **{ratio:.2f}** |",
        f"| 10,000 rows, the first seed of the process | {first:.3f} | {10_000 / first:,.0f} | {10_000 / first / large_rate:.2f} |",
        "",
        f"Goal: 10,000 rows >= 0.5x the rows/s of {big:,}: {ratio:.2f}x, {verdict(ratio >= 0.5)}.",
        "",
        f"Same table, median of {rounds} interleaved runs (min-max):",
        "",
        "| way | rows | s | rows/s | supaseed is |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| supaseed `seed()` end to end | {anchor_rows:,} | {spread(three['supaseed'])} | {rate['supaseed']:,.0f} | |",
        f"| raw binary COPY of pre-built rows (ceiling) | {anchor_rows:,} | {spread(three['raw'])} | {rate['raw']:,.0f} | {rate['supaseed'] / rate['raw']:.2f}x its speed |",
        f"| Faker per value + `executemany` | {anchor_rows // 5:,} | {spread(three['faker'])} | {rate['faker']:,.0f} | {rate['supaseed'] / rate['faker']:.1f}x faster |",
    )


SECTIONS = ["startup", "example", "previous", "cli", "xdist", "per_test", "users", "seeding"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=SECTIONS, default=SECTIONS)
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    parser.add_argument("--venvs", type=Path, default=Path.home() / ".cache" / "supaseed-bench")
    parser.add_argument("--out", type=Path, default=BENCH / "results" / "latest.md")
    parser.add_argument(
        "--previous", default=PREVIOUS, help="the commit section `previous` compares with"
    )
    args = parser.parse_args()
    rounds = 2 if args.quick else 5
    report = Report()
    head = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    report.add(
        "# bench/run_all.py results",
        "",
        f"Commit {head} (+ working tree), {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, load average at start "
        f"{' / '.join(f'{x:.2f}' for x in os.getloadavg())} (1/5/15 min).",
    )
    sel = set(args.only)
    command = ".venv/bin/python bench/run_all.py --only"
    if "startup" in sel:
        with report.section("Start-up of a pytest run that never seeds", f"{command} startup"):
            section_startup(report, args.venvs, 3 if args.quick else 9)
    if "example" in sel:
        with report.section("example_project, warm and cold", f"{command} example"):
            section_example(report, args.venvs, rounds if args.quick else 3)
    if "previous" in sel:
        with report.section(
            "The notes app against an earlier commit",
            f"{command} previous --previous {args.previous}",
        ):
            section_previous(report, args.venvs, rounds, args.previous)
    if "cli" in sel:
        with report.section("supaseed seed twice", f"{command} cli"):
            section_cli(report, args.venvs, rounds)
    if "xdist" in sel:
        with report.section("xdist: -n 2 against -n 0", f"{command} xdist"):
            section_xdist(report, args.venvs, rounds if args.quick else 3, 200)
    if "per_test" in sel:
        with report.section("Per test", f"{command} per_test"):
            section_per_test(report, rounds if args.quick else 3, 100 if args.quick else 300)
    if sel & {"users", "seeding"}:
        with embedded_server() as admin:
            if "users" in sel:
                with report.section("Users", f"{command} users"):
                    section_users(report, admin, rounds, 10_000)
            if "seeding" in sel:
                with report.section("Seeding throughput", f"{command} seeding"):
                    section_seeding(
                        report,
                        admin,
                        rounds if args.quick else 3,
                        200_000 if args.quick else 1_000_000,
                        20_000 if args.quick else 100_000,
                    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(report.lines) + "\n")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
