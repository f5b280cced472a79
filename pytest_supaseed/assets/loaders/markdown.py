"""Markdown with YAML (``---``) or TOML (``+++``) frontmatter."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import yaml
from frontmatter.default_handlers import BaseHandler, YAMLHandler

from ..fields import check_fields
from ..model import AssetProblem
from .base import LoadContext, Parsed, Record, encoding_problem

__all__ = ["parse_markdown"]

# yaml.CSafeLoader (libyaml) parses ~5x faster than the pure-Python SafeLoader; the PyYAML wheels
# ship it, but fall back rather than fail where they do not.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _TomlHandler(BaseHandler):
    # python-frontmatter's own TOMLHandler exists only with the third-party ``toml`` package;
    # Python 3.11's tomllib reads the same documents.
    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)

    def load(self, fm: str, **kwargs: object) -> Any:
        return tomllib.loads(fm)


_YAML = YAMLHandler()
_TOML = _TomlHandler()

# --- a fast path for flat frontmatter ----------------------------------------------------------
# Most frontmatter is ``key: scalar`` lines and ``key: [a, b]`` lists. PyYAML spends ~45 µs a file
# building nodes even with libyaml; this path reads that subset in a few µs and resolves every
# plain scalar with PyYAML's own implicit resolvers and SafeConstructor, so values are exactly what
# yaml.load gives (tests/assets/test_frontmatter_fast.py checks it with Hypothesis). Anything
# outside the subset (indentation, comments, anchors, escapes, block scalars ...) returns None and
# goes to yaml.load, which also reports the errors.

_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?:[ ]+(.*?))?[ ]*")
# Characters YAML does not print, or treats as line breaks or whitespace we do not handle here.
_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ufeff\u2028\u2029\ud800-\udfff\ufffe\uffff]")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_BAD = re.compile(r"[:#\[\]{}\"']")
_IMPLICIT = yaml.resolver.Resolver.yaml_implicit_resolvers
_STR = "tag:yaml.org,2002:str"
_SCALARS = {
    tag: constructor
    for tag, constructor in yaml.constructor.SafeConstructor.yaml_constructors.items()
    if tag
    in (
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:timestamp",
    )
}
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_NO = object()  # "not in the subset": the caller falls back to yaml.load
_RESOLVERS: dict[str, list[tuple[str, re.Pattern[str]]]] = {}  # by first character
_STR_KEYS: dict[str, bool] = {}  # key text -> resolves to a str (keys repeat across files)


def _plain(value: str) -> Any:
    """A plain scalar as PyYAML resolves and constructs it, or ``_NO``."""
    if value and (
        (value[0] in _INDICATORS and not (value[0] == "-" and value[1:2] not in ("", " ")))
        or "#" in value
        or ": " in value
        or value[-1] == ":"
    ):
        return _NO
    first = value[:1]
    resolvers = _RESOLVERS.get(first)
    if resolvers is None:
        resolvers = _RESOLVERS[first] = _IMPLICIT.get(first, []) + _IMPLICIT.get(None, [])
    for tag, regexp in resolvers:
        if regexp.match(value):
            if tag == _STR:
                return value
            construct = _SCALARS.get(tag)
            if construct is None:
                return _NO  # merge '<<', value '=': leave to PyYAML
            return construct(_CONSTRUCTOR, yaml.ScalarNode(tag, value))
    return value


def _value(text: str | None) -> Any:
    if not text:
        return None
    first = text[0]
    if first == '"':
        inner = text[1:-1]
        ok = len(text) > 1 and text[-1] == '"' and '"' not in inner and "\\" not in inner
        return inner if ok else _NO
    if first == "'":
        inner = text[1:-1]
        return inner if len(text) > 1 and text[-1] == "'" and "'" not in inner else _NO
    if first == "[":
        if text[-1] != "]":
            return _NO
        inner = text[1:-1].strip()
        if not inner:
            return []
        out = []
        for part in inner.split(","):
            item = part.strip()
            if not item or _FLOW_BAD.search(item):
                return _NO
            value = _plain(item)
            if value is _NO:
                return _NO
            out.append(value)
        return out
    return _plain(text)


def _flat_frontmatter(fm: str) -> dict[str, Any] | None:
    """``fm`` as yaml.load reads it when it is flat ``key: value`` lines; else None."""
    if "\r" in fm:
        fm = fm.replace("\r\n", "\n")  # CRLF is one line break to YAML; a lone CR is left to it
    if _UNSAFE.search(fm):
        return None
    meta: dict[str, Any] = {}
    for line in fm.split("\n"):
        if not line or line.isspace():
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            return None
        key = match.group(1)
        plain_key = _STR_KEYS.get(key)
        if plain_key is None:
            if len(_STR_KEYS) > 4096:
                _STR_KEYS.clear()
            plain_key = _STR_KEYS[key] = isinstance(_plain(key), str)
        if not plain_key:
            return None  # 'on:', 'null:' ... are not string keys in YAML 1.1
        value = _value(match.group(2))
        if value is _NO:
            return None
        meta[key] = value
    return meta


def parse_markdown(data: bytes, rel: str, ctx: LoadContext) -> Parsed:
    """Frontmatter, body and word count of one markdown file."""
    try:
        text = data.decode(ctx.config.encoding)
    except UnicodeDecodeError as exc:
        return [], [AssetProblem(rel, encoding_problem(ctx.config.encoding, exc))]
    text = text.removeprefix("\ufeff")
    meta: Any = {}
    body = text
    if _YAML.detect(text):
        try:
            fm, body = _YAML.split(text)
        except ValueError:
            return [], [AssetProblem(rel, "frontmatter opened with '---' is never closed", 1)]
        try:
            meta = _flat_frontmatter(fm)
            if meta is None:
                meta = yaml.load(fm, Loader=_LOADER)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 2 if mark is not None else None  # +1 for the '---', +1 1-based
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            return [], [AssetProblem(rel, f"bad YAML frontmatter: {problem}", line)]
        except (ValueError, OverflowError) as exc:
            # A scalar that looks like a date or number but is not one (2024-13-45): PyYAML's
            # constructor raises plain Python errors, which must not stop the pool either.
            return [], [AssetProblem(rel, f"bad YAML frontmatter: {exc}")]
    elif _TOML.detect(text):
        try:
            fm, body = _TOML.split(text)
        except ValueError:
            return [], [AssetProblem(rel, "frontmatter opened with '+++' is never closed", 1)]
        try:
            meta = tomllib.loads(fm)
        except tomllib.TOMLDecodeError as exc:
            return [], [AssetProblem(rel, f"bad TOML frontmatter: {exc}")]
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return [], [
            AssetProblem(rel, f"frontmatter is a {type(meta).__name__}, expected key: value pairs")
        ]
    problems = check_fields(meta, ctx.required, ctx.optional)
    if problems:
        return [], [AssetProblem(rel, reason, field=name) for name, reason in problems]
    body = body.lstrip("\n")
    # str.split() counts whitespace-separated words like \S+ would, ~10x faster than a regex.
    return [Record(meta, body, len(body.split()))], []
