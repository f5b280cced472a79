"""Prompts filled from the row being written: ``{column}`` placeholders and ``context`` lines.

``"One sentence about {title}"`` names column ``title`` of the same row; ``{{`` and ``}}`` are
literal braces. The values are the row's values as they will be inserted (synthetic, from a
mapping's assets, or from a plan override); ``None`` becomes an empty string. ``context`` columns
follow the prompt as ``column: value`` lines.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError, did_you_mean

__all__ = ["Prompt", "compile_prompt", "render_value"]


@dataclass(frozen=True)
class Prompt:
    """A parsed prompt: literal pieces and the column each placeholder names."""

    pieces: tuple[tuple[str, str | None], ...]
    context: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the prompt reads (placeholders, then context), without repeats."""
        named = [c for _, c in self.pieces if c is not None]
        return tuple(dict.fromkeys([*named, *self.context]))

    def fill(self, row: Mapping[str, Any]) -> str:
        """The prompt text for one row."""
        return self.fill_batch({c: [row.get(c)] for c in self.columns}, 1)[0]

    def fill_batch(self, batch: Mapping[str, Sequence[Any]], n: int) -> list[str]:
        """The prompt texts of the ``n`` rows of a column-wise batch."""
        columns = self.columns
        index = {c: i for i, c in enumerate(columns)}
        parts: list[tuple[str, int | None]] = [
            (text, index[col] if col is not None else None) for text, col in self.pieces
        ]
        if self.context:
            parts.append(("\n\nContext:", None))
            parts += [(f"\n{col}: ", index[col]) for col in self.context]
        if not columns:
            return ["".join(t for t, _ in parts)] * n
        rendered = [[render_value(v) for v in batch[c][:n]] for c in columns]
        return [
            "".join(t + values[i] if i is not None else t for t, i in parts)
            for values in zip(*rendered, strict=True)
        ]


def render_value(value: Any) -> str:
    """How a row value reads in a prompt: text as is, JSON as JSON, NULL as nothing."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def compile_prompt(
    template: str, context: Sequence[str], columns: Sequence[str], *, where: str
) -> Prompt:
    """Parse ``template``; a placeholder or context entry naming no column of the table is a
    :class:`ConfigError` at ``where`` with a did-you-mean."""
    pieces: list[tuple[str, str | None]] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ConfigError(
            f"prompt is not a valid template ({exc}); write {{column}} for a value of the row "
            "and {{ or }} for a literal brace",
            key_path=f"{where}.prompt",
        ) from None
    for text, name, spec, conversion in parsed:
        if name is None:
            pieces.append((text, None))
            continue
        if spec or conversion or not name:
            raise ConfigError(
                f"placeholder {{{name}{'!' + conversion if conversion else ''}"
                f"{':' + spec if spec else ''}}} is not a plain column name; write {{column}}",
                key_path=f"{where}.prompt",
            )
        if name not in columns:
            raise ConfigError(
                f"placeholder {{{name}}} names no column of the table{did_you_mean(name, columns)}",
                key_path=f"{where}.prompt",
            )
        pieces.append((text, name))
    for i, name in enumerate(context):
        if name not in columns:
            raise ConfigError(
                f"context column '{name}' is not a column of the table"
                f"{did_you_mean(name, columns)}",
                key_path=f"{where}.context[{i}]",
            )
    return Prompt(tuple(pieces), tuple(context))
