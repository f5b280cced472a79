"""What every parser receives and returns."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from ...config.asset_sections import AssetPoolConfig
from ...errors import AssetError
from ...imports import import_object
from ..model import AssetProblem

__all__ = ["LoadContext", "Parsed", "Record", "Validator", "encoding_problem"]


def encoding_problem(encoding: str, exc: UnicodeDecodeError) -> str:
    """Why bytes are not ``encoding`` text, with the pool option that fixes it."""
    guess = "latin-1" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else "utf-8"
    return (
        f"not {encoding} text ({exc.reason} at byte {exc.start}); if the file is in another "
        f'encoding, set encoding = "{guess}" (or the right one) on the pool'
    )


class Record(NamedTuple):
    """One asset as a parser produces it (plain data, cheap to pickle)."""

    fields: dict[str, Any]
    body: str | None = None
    word_count: int = 0
    position: int = 0
    line: int | None = None


#: A parser's result: the good records and the problems of the bad ones.
Parsed = tuple[list[Record], list[AssetProblem]]

#: Checks one object; returns ``(field path or None, reason)`` for each violation.
Validator = Callable[[Any], list[tuple[str | None, str]]]


@dataclass(frozen=True)
class LoadContext:
    """A pool's settings, resolved once for all its files."""

    config: AssetPoolConfig
    validator: Validator | None = None
    required: dict[str, str] = field(default_factory=dict)
    optional: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, config: AssetPoolConfig, base_dir: Path, pool: str) -> LoadContext:
        """Resolve the JSON Schema file and pydantic model of ``config`` (errors name the pool)."""
        validators: list[Validator] = []
        if config.json_schema:
            validators.append(_schema_validator(base_dir / config.json_schema, pool))
        if config.model:
            validators.append(_model_validator(config.model, pool))
        validator: Validator | None = None
        if len(validators) == 1:
            validator = validators[0]
        elif validators:

            def validator(obj: Any) -> list[tuple[str | None, str]]:
                return [problem for check in validators for problem in check(obj)]

        return cls(config, validator, dict(config.required), dict(config.optional))


def _schema_validator(path: Path, pool: str) -> Validator:
    import jsonschema
    from jsonschema.exceptions import SchemaError

    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AssetError(
            f"pool '{pool}': json_schema file {path} does not exist; fix the path (it is "
            "relative to the plan's directory)"
        ) from None
    except json.JSONDecodeError as exc:
        raise AssetError(
            f"pool '{pool}': json_schema file {path} is not valid JSON: {exc}"
        ) from None
    cls = jsonschema.validators.validator_for(schema)
    try:
        cls.check_schema(schema)
    except SchemaError as exc:
        raise AssetError(
            f"pool '{pool}': {path} is not a valid JSON Schema: {exc.message}"
        ) from None
    checker = cls(schema, format_checker=cls.FORMAT_CHECKER)

    def validate(obj: Any) -> list[tuple[str | None, str]]:
        out: list[tuple[str | None, str]] = []
        for error in sorted(checker.iter_errors(obj), key=lambda e: list(map(str, e.path))):
            where = ".".join(str(part) for part in error.absolute_path) or None
            out.append((where, f"fails schema {path.name}: {error.message}"))
        return out

    return validate


def _model_validator(ref: str, pool: str) -> Validator:
    from pydantic import BaseModel, ValidationError

    target = import_object(ref, f"pool '{pool}': model", AssetError)
    if not (isinstance(target, type) and issubclass(target, BaseModel)):
        raise AssetError(f"pool '{pool}': model '{ref}' is not a pydantic BaseModel subclass")
    model: type[BaseModel] = target

    def validate(obj: Any) -> list[tuple[str | None, str]]:
        try:
            model.model_validate(obj)
        except ValidationError as exc:
            return [
                (
                    ".".join(str(part) for part in err["loc"]) or None,
                    f"fails model {model.__name__}: {err['msg']}",
                )
                for err in exc.errors()
            ]
        return []

    return validate
