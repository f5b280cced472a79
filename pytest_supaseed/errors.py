"""The exceptions pytest-supaseed raises.

A tiny hierarchy: catch :class:`SupaseedError` for everything. Every message says what went wrong,
where (file, key path, table.column), and what to do about it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from difflib import get_close_matches


class SupaseedError(Exception):
    """Base class of every error pytest-supaseed raises on purpose."""


class ConfigError(SupaseedError):
    """A seed plan, template or option is wrong.

    ``file``, ``key_path`` and ``line`` locate the problem when they are known.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        key_path: str | None = None,
        line: int | None = None,
    ) -> None:
        self.file = file
        self.key_path = key_path
        self.line = line
        where = []
        if file:
            where.append(f"{file}:{line}" if line else file)
        if key_path:
            where.append(f"at '{key_path}'")
        prefix = (" ".join(where) + ": ") if where else ""
        super().__init__(prefix + message)


class SeedDataError(ConfigError):
    """The database refused a row the plan asked for; names table.column, the plan key, the fix.

    ``table`` and ``columns`` locate the refused value; ``key_path`` is the plan key that wrote it
    (or the table's entry when supaseed generated it).
    """

    def __init__(
        self,
        message: str,
        *,
        key_path: str | None = None,
        table: str | None = None,
        columns: Sequence[str] = (),
    ) -> None:
        self.table = table
        self.columns = tuple(columns)
        super().__init__(message, key_path=key_path)


class BackendError(SupaseedError):
    """A PostgreSQL server could not be started, reached or used."""


class BinariesNotFoundError(BackendError):
    """No PostgreSQL server binaries were found; the message lists every place tried."""

    def __init__(self, tried: Sequence[str], remedies: Sequence[str]) -> None:
        self.tried = list(tried)
        self.remedies = list(remedies)
        first = f" (first tried: {tried[0]}; fix: {remedies[0]})" if tried and remedies else ""
        lines = [
            f"No PostgreSQL server binaries (initdb, postgres) were found{first}. Tried, in order:"
        ]
        lines += [f"  - {place}" for place in tried]
        lines.append("Remedies:")
        lines += [f"  {i}. {remedy}" for i, remedy in enumerate(remedies, 1)]
        super().__init__("\n".join(lines))


class DockerUnavailableError(BackendError):
    """The docker backend was asked for but no Docker engine answers."""


class UnsafeDatabaseError(BackendError):
    """An operation would touch a database or host the plugin does not own."""


class MissingExtensionsError(BackendError):
    """The project's SQL creates extensions the server cannot provide; raised before any SQL runs.

    ``missing`` maps each extension name to the ``file:line`` places that create it.
    """

    def __init__(self, missing: dict[str, list[str]], server: str, remedies: Sequence[str]) -> None:
        self.missing = dict(missing)
        self.server = server
        self.remedies = list(remedies)
        lines = [
            f"The project's migrations and seed files create {len(missing)} extension(s) that "
            f"{server} does not have; nothing was applied:"
        ]
        lines += [
            f"  - {name} (created at {', '.join(places)})" for name, places in missing.items()
        ]
        lines.append("Remedies:")
        lines += [f"  {i}. {remedy}" for i, remedy in enumerate(remedies, 1)]
        super().__init__("\n".join(lines))


class CacheTransferError(SupaseedError):
    """``supaseed cache export/import`` refused or failed: a mismatch, a tampered file, a tool."""


class MigrationError(SupaseedError):
    """A migration or seed SQL file failed; names the file and the line."""

    def __init__(self, message: str, *, file: str, line: int | None = None) -> None:
        self.file = file
        self.line = line
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")


class SchemaError(SupaseedError):
    """The database schema is not what an operation needs (missing table, bad reference)."""


class UnknownTableError(ConfigError, SchemaError):
    """A plan names a table the database does not have (a :class:`SchemaError` that also says
    which plan key named it)."""


class AssetError(SupaseedError):
    """An asset pool could not be loaded, selected or mapped."""


class GenerationError(SupaseedError):
    """A value for a column could not be generated; says which generator to configure."""


class ConstraintError(SupaseedError):
    """Association constraints cannot be met (strict mode), with the arithmetic that shows why."""


class DatabaseFault(SupaseedError):
    """A database operation failed; :func:`pytest_supaseed.faults.classify` says which kind.

    ``sqlstate`` is the server's error code when it sent one (``None`` for a lost connection).
    """

    transient = False

    def __init__(self, message: str, *, sqlstate: str | None = None) -> None:
        self.sqlstate = sqlstate
        super().__init__(message)


class TransientDatabaseError(DatabaseFault):
    """A fault that may pass on its own (connection refused/reset/lost, server shutting down,
    serialization failure, deadlock, too many connections, lock timeout): retried with backoff.
    Raised when the retries ran out; the message says how many and the last error."""

    transient = True


class PermanentDatabaseError(DatabaseFault):
    """A fault that retrying cannot fix (a constraint, a missing table, a bad value): fails at once."""


class MissingDependencyError(SupaseedError, ImportError):
    """An optional dependency is needed for this feature; says what to install."""


class SupaseedWarning(UserWarning):
    """Something that worked but may not be what was meant (a glob matching nothing, a skipped
    file). ``supaseed`` prints it as ``warning: ...``; ``--strict`` makes it an error."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest of ``choices``, or ``""``."""
    matches = get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""
