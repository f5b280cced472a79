"""Find the line of a key path in a TOML or YAML plan file, for error messages.

TOML parsers return plain dicts without positions, so TOML is scanned line by line: table headers
(``[tables.posts]``) and dotted keys (``posts.count = 3``) are resolved to full key paths. YAML keeps
positions in its node tree, so YAML uses ``yaml.compose``. Both answer "best effort": the line of the
key itself, else of its closest enclosing key, else ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import yaml

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_HEADER = re.compile(r"^\s*\[\[?(?P<key>[^\]]*)\]\]?\s*(#.*)?$")


def _parse_key(text: str) -> tuple[list[str], str] | None:
    """Parse a dotted TOML key at the start of ``text``; return (parts, rest) or None."""
    parts: list[str] = []
    pos = 0
    while True:
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos >= len(text):
            return None
        char = text[pos]
        if char in "\"'":
            end = text.find(char, pos + 1)
            while char == '"' and end > 0 and text[end - 1] == "\\":
                end = text.find(char, end + 1)
            if end < 0:
                return None
            parts.append(text[pos + 1 : end])
            pos = end + 1
        else:
            match = _BARE.match(text, pos)
            if not match:
                return None
            parts.append(match.group())
            pos = match.end()
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos < len(text) and text[pos] == ".":
            pos += 1
            continue
        return parts, text[pos:]


def toml_line(text: str, path: Sequence[str], prefix: Sequence[str] = ()) -> int | None:
    """1-based line of key ``path`` (below table ``prefix``, e.g. ``tool.supaseed``) in TOML ``text``."""
    target = [*prefix, *path]
    best: tuple[int, int] | None = None  # (length of matched prefix, line)
    # A key written only through deeper headers (``[asset_pool.posts]``) is located there.
    first_descendant: int | None = None
    table: list[str] = []
    in_string: str | None = None  # the delimiter of an open multi-line string
    for number, line in enumerate(text.splitlines(), 1):
        if in_string is not None:
            # Lines inside a multi-line string may look like keys; they are text.
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        for delimiter in ('"""', "'''"):
            if line.count(delimiter) % 2 == 1:
                in_string = delimiter
                break
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        header = _HEADER.match(line)
        if header:
            parsed = _parse_key(header["key"])
            table = parsed[0] if parsed else []
            full = table
        else:
            parsed = _parse_key(line)
            if not parsed or not parsed[1].lstrip().startswith("="):
                continue
            full = [*table, *parsed[0]]
            # An inline table (``posts = { countt = 3 }``) holds deeper keys on the same line.
            rest = parsed[1]
            if full == target[: len(full)] and "{" in rest:
                deeper = target[len(full) :]
                if deeper and re.search(rf"(^|[{{,\s\"']){re.escape(deeper[-1])}[\"']?\s*=", rest):
                    return number
        if full == target:
            return number
        if first_descendant is None and full[: len(target)] == target:
            first_descendant = number
        if full == target[: len(full)] and (best is None or len(full) > best[0]):
            best = (len(full), number)
    if first_descendant is not None:
        return first_descendant
    if best is not None and best[0] > len(prefix):
        return best[1]
    return None


def yaml_line(text: str, path: Sequence[str | int]) -> int | None:
    """1-based line of key ``path`` in YAML ``text`` (the closest enclosing key when not found)."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line: int | None = None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    line = key.start_mark.line + 1
                    node = value
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line
