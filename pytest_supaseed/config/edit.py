"""Edit a plan file in place, keeping its comments, key order and formatting.

TOML (``supaseed.toml`` and ``pyproject.toml``'s ``[tool.supaseed]``) goes through ``tomlkit``,
YAML through ``ruamel.yaml``'s round-trip mode: both keep every comment and the layout of what
they do not touch. Key paths are the plan's own (``("tables", "posts", "columns", "slug")``);
for ``pyproject.toml`` they are looked up under ``tool.supaseed``.
"""

from __future__ import annotations

import io
import itertools
import json
import re
from collections.abc import Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import InlineTable

from ..errors import ConfigError, MissingDependencyError

__all__ = ["PlanEditor"]


class PlanEditor:
    """A plan file loaded for editing; :meth:`text` renders it with the edits applied."""

    def __init__(self, path: Path, text: str | None = None) -> None:
        self.path = Path(path)
        self.original = self.path.read_text(encoding="utf-8") if text is None else text
        suffix = self.path.suffix.lower()
        self.prefix: tuple[str, ...] = ()
        self._fresh: set[int] = set()  # inline tables the edits created (take the file's style)
        if suffix == ".toml":
            self.format = "toml"
            self._doc: Any = tomlkit.parse(self.original)
            if self.path.name == "pyproject.toml":
                self.prefix = ("tool", "supaseed")
            # the file's own style of inline tables: { a = 1 } or {a = 1}
            spaced = len(re.findall(r"=\s*\{ ", self.original))
            self._spaced = spaced >= len(re.findall(r"=\s*\{[^ }]", self.original))
        elif suffix in (".yaml", ".yml"):
            self.format = "yaml"
            self._yaml = _round_trip_yaml()
            loaded = self._yaml.load(self.original)
            self._doc = loaded if loaded is not None else self._yaml.map()
        else:
            raise ConfigError(
                "unsupported plan file type; use .toml, .yaml or .yml", file=str(path)
            )

    def _root(self) -> Any:
        node = self._doc
        for part in self.prefix:
            node = node[part]
        return node

    def has(self, path: Sequence[str]) -> bool:
        """The file itself writes key ``path``."""
        node = self._root()
        for part in path:
            if not isinstance(node, Mapping) or part not in node:
                return False
            node = node[part]
        return True

    def set(self, path: Sequence[str], value: Any) -> None:
        """Set key ``path`` to ``value``, creating the tables on the way."""
        if self.format == "yaml":
            node = self._root()
            for part in path[:-1]:
                if part not in node or not isinstance(node[part], MutableMapping):
                    node[part] = self._yaml.map()
                node = node[part]
            node[path[-1]] = _yaml_value(self._yaml, value)
            return
        node = self._root()
        for depth, part in enumerate(path[:-1]):
            if part not in node or not isinstance(node[part], MutableMapping):
                # the table holding the leaf is written inline: columns = { bio = "..." }
                holds_leaf = depth == len(path) - 2 and not isinstance(value, Mapping)
                if isinstance(node, InlineTable) or holds_leaf:
                    node[part] = tomlkit.inline_table()
                    self._fresh.add(id(node[part]))
                else:
                    node[part] = tomlkit.table(is_super_table=True)
            node = node[part]
        if isinstance(node, InlineTable) or not isinstance(value, Mapping):
            node[path[-1]] = value
        else:
            table = tomlkit.table()
            for key, inner in value.items():
                table[key] = _inline(inner, self._spaced)
            node[path[-1]] = table
        self._tidy_inline(path)

    def delete(self, path: Sequence[str]) -> bool:
        """Remove key ``path``; False when the file does not write it."""
        if not self.has(path):
            return False
        node = self._root()
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]
        if self.format == "toml":
            self._tidy_inline(path)
        return True

    def _tidy_inline(self, path: Sequence[str]) -> None:
        """Re-render the outermost inline table on ``path`` in the file's own style
        (``{ a = 1, b = 2 }``): tomlkit leaves stray spaces after edits inside one."""
        node = self._root()
        for part in path[:-1]:
            child = node[part]
            if isinstance(child, InlineTable):
                text = child.as_string().strip()
                fresh_or_empty = id(child) in self._fresh or text.startswith("{}")
                spaced = self._spaced if fresh_or_empty else text.startswith("{ ")
                fresh = tomlkit.parse("v = " + _render_inline(child, spaced))["v"]
                fresh.trivia.comment = child.trivia.comment
                fresh.trivia.comment_ws = child.trivia.comment_ws
                fresh.trivia.trail = child.trivia.trail
                node[part] = fresh
                return
            if not isinstance(child, MutableMapping):
                return
            node = child

    def text(self) -> str:
        """The file's text with every edit applied."""
        if self.format == "toml":
            return _blank_before_new_headers(self.original, tomlkit.dumps(self._doc))
        buffer = io.StringIO()
        self._yaml.dump(self._doc, buffer)
        return buffer.getvalue()


def _inline(value: Any, spaced: bool) -> Any:
    """``value`` as TOML, a mapping as an inline table (``{ a = 1 }`` when ``spaced``)."""
    if isinstance(value, Mapping):
        return tomlkit.parse("v = " + _render_inline(value, spaced))["v"]
    return value


def _blank_before_new_headers(original: str, text: str) -> str:
    """A blank line before each table header the edits added right after other content (the
    headers the file already wrote keep their spacing)."""
    before = original.splitlines()
    tight = {(a, b) for a, b in itertools.pairwise(before) if b.startswith("[") and a.strip()}
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    for line in lines:
        previous = out[-1] if out else ""
        if (
            line.startswith("[")
            and previous.strip()
            and (previous.rstrip("\n"), line.rstrip("\n")) not in tight
        ):
            out.append("\n")
        out.append(line)
    return "".join(out)


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _render_inline(table: Mapping[str, Any], spaced: bool) -> str:
    parts = []
    for key, value in table.items():
        name = key if _BARE_KEY.fullmatch(str(key)) else json.dumps(str(key))
        if isinstance(value, Mapping):
            text = _render_inline(value, spaced)
        elif hasattr(value, "as_string"):
            text = value.as_string().strip()
        else:
            text = tomlkit.item(value).as_string()
        parts.append(f"{name} = {text}")
    if not parts:
        return "{}"
    return ("{ " + ", ".join(parts) + " }") if spaced else ("{" + ", ".join(parts) + "}")


def _round_trip_yaml() -> Any:
    try:
        from ruamel.yaml import YAML
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise MissingDependencyError(
            "editing a YAML plan needs ruamel.yaml: pip install 'ruamel.yaml>=0.18'"
        ) from exc
    yaml = YAML()  # round-trip: comments, order and quoting survive
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml


def _yaml_value(yaml: Any, value: Any) -> Any:
    if isinstance(value, Mapping):
        out = yaml.map()
        for k, v in value.items():
            out[k] = _yaml_value(yaml, v)
        return out
    return value
