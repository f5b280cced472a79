"""CSV files with a header row; cells typed by the pool's declared fields."""

from __future__ import annotations

import csv
import io
from typing import Any

from ..fields import parse_text
from ..model import AssetProblem
from .base import LoadContext, Parsed, Record, encoding_problem

__all__ = ["parse_csv"]


def parse_csv(data: bytes, rel: str, ctx: LoadContext) -> Parsed:
    """One record per data row; a bad row is reported with its line and the others kept."""
    try:
        text = data.decode(ctx.config.encoding).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        return [], [AssetProblem(rel, encoding_problem(ctx.config.encoding, exc))]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=ctx.config.delimiter)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        return [], [AssetProblem(rel, "empty file: expected a header row")]
    except csv.Error as exc:
        return [], [AssetProblem(rel, f"bad CSV: {exc}", 1)]
    missing = [name for name in ctx.required if name not in header]
    if missing:
        return [], [
            AssetProblem(rel, f"header lacks required column '{name}'", 1, name) for name in missing
        ]
    types = {**ctx.optional, **ctx.required}
    records: list[Record] = []
    problems: list[AssetProblem] = []
    index = 0
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(AssetProblem(rel, f"bad CSV: {exc}", line))
            continue
        if not cells or all(not cell.strip() for cell in cells):
            continue  # blank lines are layout, not data
        if len(cells) != len(header):
            problems.append(
                AssetProblem(rel, f"{len(cells)} cells, the header has {len(header)}", line)
            )
            continue
        row: dict[str, Any] = {}
        bad: list[AssetProblem] = []
        for name, cell in zip(header, cells):
            type_name = types.get(name, "str")
            if not cell.strip() and type_name != "str":
                if name in ctx.required:
                    bad.append(AssetProblem(rel, f"required '{name}' is empty", line, name))
                row[name] = None
                continue
            if not cell and name in ctx.required:
                bad.append(AssetProblem(rel, f"required '{name}' is empty", line, name))
                continue
            try:
                row[name] = parse_text(cell, type_name)
            except ValueError as exc:
                bad.append(AssetProblem(rel, str(exc), line, name))
        if not bad and ctx.validator is not None:
            bad = [
                AssetProblem(rel, reason, line, name or None) for name, reason in ctx.validator(row)
            ]
        if bad:
            problems += bad
        else:
            records.append(Record(row, position=index, line=line))
        index += 1
    return records, problems
