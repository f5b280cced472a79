"""The plain data an asset pool holds: :class:`Asset` and :class:`AssetProblem`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..config.asset_sections import AssetType

__all__ = [
    "FIELD_PREFIXES",
    "FILE_ATTRS",
    "MISSING",
    "Asset",
    "AssetProblem",
    "Missing",
    "lookup",
    "resolve",
]


class Missing:
    """The type of :data:`MISSING`: a path that leads nowhere (distinct from a stored ``None``)."""

    _instance: Missing | None = None

    def __new__(cls) -> Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "MISSING"


#: The value of a path that does not exist in an asset.
MISSING = Missing()


@dataclass(frozen=True, slots=True)
class Asset:
    """One piece of real content: a markdown file, a JSON object, a CSV row or an image.

    Attributes:
        kind: the pool type that produced it.
        rel: the file's path relative to the pool's base directory, with ``/`` separators.
        key: the path relative to the fixed (glob-free) part of the pattern that matched it; this
            is what ``manual`` selection and storage object names use.
        fields: the frontmatter (markdown), the object (JSON), the typed row (CSV) or the metadata
            (image: width, height, format, mode, mimetype, size, sha256, exif_date, camera).
        body: the markdown body (``None`` for other kinds).
        word_count: words in the body (0 for other kinds).
        index: position of the object in a JSON list file or of the row in a CSV file (else 0).
        line: the line where a CSV row starts (else ``None``).
        size: the file's size in bytes.
        base_dir: the directory ``rel`` is relative to.
    """

    kind: AssetType
    rel: str
    key: str
    fields: Mapping[str, Any]
    body: str | None = None
    word_count: int = 0
    index: int = 0
    line: int | None = None
    size: int = 0
    base_dir: str = "."

    @property
    def name(self) -> str:
        """The file name (``post.md``)."""
        return self.rel.rsplit("/", 1)[-1]

    @property
    def path(self) -> str:
        """The file's path on disk."""
        return f"{self.base_dir}/{self.rel}" if self.base_dir != "." else self.rel

    @property
    def label(self) -> str:
        """``rel`` plus the item position when a file holds several assets (``gear.json[2]``)."""
        if self.kind == "csv":
            return f"{self.rel}:{self.line}"
        if self.kind == "json" and self.index:
            return f"{self.rel}[{self.index}]"
        return self.rel

    def get(self, path: str) -> Any:
        """The value at a dotted ``path`` of :attr:`fields`, or :data:`MISSING`."""
        return lookup(self.fields, path)


@dataclass(frozen=True, slots=True)
class AssetProblem:
    """Why a file (or one item of it) was left out of a pool."""

    file: str
    reason: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        what = f" field '{self.field}'" if self.field else ""
        return f"{where}:{what} {self.reason}"


def lookup(data: Any, path: str) -> Any:
    """Follow a dotted ``path`` through dicts (and list indexes); :data:`MISSING` when absent."""
    current = data
    for part in path.split("."):
        if isinstance(current, Mapping):
            if part not in current:
                return MISSING
            current = current[part]
        elif isinstance(current, list | tuple) and part.lstrip("-").isdigit():
            index = int(part)
            if not -len(current) <= index < len(current):
                return MISSING
            current = current[index]
        else:
            return MISSING
    return current


#: Path prefixes naming an asset's fields, by the pool type they belong to.
FIELD_PREFIXES: dict[str, str] = {
    "frontmatter": "markdown",
    "json": "json",
    "csv": "csv",
    "image": "image",
}

#: What ``file.<attr>`` can name.
FILE_ATTRS = ("name", "stem", "ext", "path", "key", "dir", "size")


def resolve(asset: Asset, path: str) -> Any:
    """The value ``path`` names in ``asset`` (see docs/guides/assets.md, "Paths"), or :data:`MISSING`.

    ``frontmatter.x`` / ``json.x`` / ``csv.x`` / ``image.x`` and a bare ``x`` read the asset's
    fields; ``body`` and ``word_count`` the markdown body; ``file.name|stem|ext|path|key|dir|size``
    the file.
    """
    head, _, rest = path.partition(".")
    if head in FIELD_PREFIXES and rest:
        return lookup(asset.fields, rest)
    if path == "body":
        return asset.body if asset.body is not None else MISSING
    if path == "word_count":
        return asset.word_count
    if head == "file" and rest:
        name = asset.name
        if rest == "name":
            return name
        if rest == "stem":
            return name.rsplit(".", 1)[0] if "." in name else name
        if rest == "ext":
            return name.rsplit(".", 1)[1].lower() if "." in name else ""
        if rest == "path":
            return asset.rel
        if rest == "key":
            return asset.key
        if rest == "dir":
            return asset.rel.rsplit("/", 1)[0] if "/" in asset.rel else ""
        if rest == "size":
            return asset.size
        return MISSING
    return lookup(asset.fields, path)
