"""Markdown with YAML (``---``) or TOML (``+++``) frontmatter."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import yaml
from frontmatter.default_handlers import BaseHandler, YAMLHandler

from ..fields import check_fields
from ..model import AssetProblem
from .base import LoadContext, Parsed, Record

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


def parse_markdown(data: bytes, rel: str, ctx: LoadContext) -> Parsed:
    """Frontmatter, body and word count of one markdown file."""
    try:
        text = data.decode(ctx.config.encoding)
    except UnicodeDecodeError as exc:
        return [], [AssetProblem(rel, f"not {ctx.config.encoding} text ({exc.reason})")]
    text = text.removeprefix("\ufeff")
    meta: Any = {}
    body = text
    if _YAML.detect(text):
        try:
            fm, body = _YAML.split(text)
        except ValueError:
            return [], [AssetProblem(rel, "frontmatter opened with '---' is never closed", 1)]
        try:
            meta = yaml.load(fm, Loader=_LOADER)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 2 if mark is not None else None  # +1 for the '---', +1 1-based
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            return [], [AssetProblem(rel, f"bad YAML frontmatter: {problem}", line)]
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
