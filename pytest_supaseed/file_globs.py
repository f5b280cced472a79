"""Find a pool's files: glob patterns with ``**``, excludes, sorted deterministically.

``os.scandir`` walks only below the fixed part of each pattern and hands back each file's ``stat``
(size and mtime, the cache key) without a second system call per file where the OS allows it.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from .project_dirs import PROJECT_DIR

__all__ = ["FoundFile", "expand_braces", "find_files", "glob_regex"]

_MAGIC = re.compile(r"[*?\[]")


class FoundFile(NamedTuple):
    """A matched file: its path relative to the base directory, its key, size and mtime."""

    rel: str
    key: str
    size: int
    mtime_ns: int


@lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """Compile a ``/``-separated glob: ``**`` spans directories, ``*`` and ``?`` do not."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[":
            end = pattern.find("]", i + 2)
            if end == -1:
                out.append(re.escape(char))
                i += 1
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end + 1
        else:
            out.append(re.escape(char))
            i += 1
    return re.compile("".join(out) + r"\Z")


def expand_braces(pattern: str) -> list[str]:
    """Expand shell-style braces: ``*.{jpg,png}`` -> ``["*.jpg", "*.png"]`` (nested braces too).

    A ``{`` without its ``}`` (or without a comma inside) is kept as a literal character.
    """
    depth = 0
    start = -1
    commas: list[int] = []
    for index, char in enumerate(pattern):
        if char == "{":
            if depth == 0:
                start, commas = index, []
            depth += 1
        elif char == "}" and depth:
            depth -= 1
            if depth == 0:
                if not commas:
                    continue
                head, tail = pattern[:start], pattern[index + 1 :]
                bounds = [start, *commas, index]
                options = [pattern[a + 1 : b] for a, b in itertools.pairwise(bounds)]
                return [
                    expanded
                    for option in options
                    for expanded in expand_braces(head + option + tail)
                ]
        elif char == "," and depth == 1:
            commas.append(index)
    return [pattern]


def _split(pattern: str) -> tuple[str, str]:
    """Split a pattern into its fixed directory prefix and the globbing rest."""
    parts = pattern.split("/")
    fixed: list[str] = []
    for index, part in enumerate(parts):
        if _MAGIC.search(part) or index == len(parts) - 1:
            return "/".join(fixed), "/".join(parts[index:])
        fixed.append(part)
    return "/".join(fixed), ""


def _normal(pattern: str) -> str:
    normal = pattern.replace(os.sep, "/")
    while normal.startswith("./"):
        normal = normal[2:]
    return normal


def _walk(root: str, recursive: bool, depth: int) -> Iterable[tuple[str, os.DirEntry[str]]]:
    """Yield ``(path relative to root, entry)`` for files below ``root``."""
    stack: list[tuple[str, str, int]] = [(root or ".", "", 0)]
    seen_links: set[tuple[int, int]] = set()
    while stack:
        directory, prefix, level = stack.pop()
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    if entry.is_dir():
                        if entry.name.startswith(".") and entry.name in (".git", PROJECT_DIR.name):
                            continue
                        if not (recursive or level + 1 < depth):
                            continue
                        if entry.is_symlink():
                            # A link back to an ancestor would make '**' walk forever.
                            target = os.stat(entry.path)
                            if (target.st_dev, target.st_ino) in seen_links:
                                continue
                            seen_links.add((target.st_dev, target.st_ino))
                        stack.append((entry.path, f"{prefix}{entry.name}/", level + 1))
                    elif entry.is_file():
                        yield prefix + entry.name, entry
        except OSError:
            continue  # missing, not a directory or unreadable: the pattern just matches less


def _anchors(root: str) -> list[str]:
    """Prefixes that turn a path below ``root`` into a path relative to ``root`` and to each of
    its ancestors, then into the absolute path: ``["", "posts/", "content/posts/", ...,
    "/site/content/posts/"]``.

    A plan's ``path`` patterns reach the loader made absolute while ``exclude`` patterns stay as
    written (relative to the plan's directory, which is one of these ancestors), and the base
    directory may be another folder (pytest's rootdir): matching an exclude against each of these
    forms excludes what the user meant wherever the plan lives; an absolute exclude matches the
    last one.
    """
    drive, tail = os.path.splitdrive(os.path.abspath(root))
    parts = [p for p in tail.replace(os.sep, "/").split("/") if p and p != "."]
    out = [""] + ["/".join(parts[i:]) + "/" for i in range(len(parts) - 1, -1, -1)]
    out.append(f"{drive}/" + "".join(f"{p}/" for p in parts))
    return out


def _useful(exclude: str, anchors: list[str]) -> list[str]:
    """The anchors an exclude can match after (one regex match per file and anchor is costly).

    ``**/...`` matches any suffix, so the absolute path (the longest form) decides alone; an exclude
    with a fixed folder prefix (``content/drafts/*.md``) can only match after an anchor that agrees
    with that prefix.
    """
    if os.path.isabs(exclude) or exclude.startswith("**"):
        return anchors[-1:]
    fixed, _ = _split(exclude)
    if not fixed:
        return anchors
    fixed += "/"
    return [a for a in anchors if a.startswith(fixed) or fixed.startswith(a)]


def find_files(
    base_dir: Path, patterns: Iterable[str], exclude: Iterable[str] = ()
) -> tuple[list[FoundFile], dict[str, int]]:
    """Files matching any pattern and no exclude, sorted by relative path.

    Returns the files and, per pattern, how many files it matched (a pattern matching nothing is
    worth telling the user about). Patterns are relative to ``base_dir`` unless absolute. An
    exclude matches a file's path relative to the pattern's folder, to any folder above it (so
    one written relative to the plan's directory works whatever ``base_dir`` is), or its absolute
    path.
    """
    base = str(base_dir)
    excludes = [(_normal(e), glob_regex(_normal(e))) for p in exclude for e in expand_braces(p)]
    found: dict[str, FoundFile] = {}
    counts: dict[str, int] = {}
    expanded = [(pattern, one) for pattern in patterns for one in expand_braces(pattern)]
    for pattern, one in expanded:
        fixed, rest = _split(_normal(one))
        root = fixed if os.path.isabs(fixed) else os.path.join(base, fixed) if fixed else base
        # rel = prefix + key: one relpath per pattern, not one per file (relpath costs ~15 µs).
        prefix = os.path.relpath(root, base).replace(os.sep, "/") + "/"
        prefix = "" if prefix == "./" else prefix
        matcher = glob_regex(rest)
        recursive = "**" in rest
        depth = rest.count("/") + 1
        anchors = _anchors(root) if excludes else []
        checks = [(rx, _useful(text, anchors)) for text, rx in excludes]
        # Below base_dir, rel is one of anchor + key already; outside it ('../') it is its own form.
        outside = prefix.startswith("../")
        matched = 0
        for key, entry in _walk(root, recursive, depth):
            if not matcher.match(key):
                continue
            rel = prefix + key
            if checks and any(
                (outside and rx.match(rel)) or any(rx.match(a + key) for a in useful)
                for rx, useful in checks
            ):
                continue
            matched += 1
            if rel not in found:
                stat = entry.stat()
                found[rel] = FoundFile(rel, key, stat.st_size, stat.st_mtime_ns)
        counts[pattern] = counts.get(pattern, 0) + matched
    return [found[rel] for rel in sorted(found)], counts
