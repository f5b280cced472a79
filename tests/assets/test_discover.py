"""Finding files: glob semantics, excludes, absolute patterns, deterministic order."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_supaseed.file_globs import find_files, glob_regex


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("*.md", "a.md", True),
        ("*.md", "x/a.md", False),
        ("**/*.md", "a.md", True),
        ("**/*.md", "x/y/a.md", True),
        ("x/**/a.md", "x/a.md", True),
        ("x/**/a.md", "x/1/2/a.md", True),
        ("post-?.md", "post-1.md", True),
        ("post-?.md", "post-10.md", False),
        ("post-[0-4].md", "post-3.md", True),
        ("post-[!0-4].md", "post-7.md", True),
        ("post-[!0-4].md", "post-3.md", False),
        ("a.b", "axb", False),
    ],
)
def test_glob_semantics(pattern: str, path: str, matches: bool) -> None:
    assert bool(glob_regex(pattern).match(path)) is matches


def make(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name)


def test_sorted_by_path_with_keys_sizes_and_counts(tmp_path: Path) -> None:
    make(tmp_path, "c/z.md", "c/a/b.md", "c/a.md", "c/skip/x.md", "other.txt")
    found, counts = find_files(tmp_path, ["c/**/*.md", "./c/*.md", "none/*.md"], ["c/skip/**"])

    assert [f.rel for f in found] == ["c/a.md", "c/a/b.md", "c/z.md"]
    assert [f.key for f in found] == ["a.md", "a/b.md", "z.md"]
    assert found[0].size == len("c/a.md")
    assert found[0].mtime_ns == (tmp_path / "c/a.md").stat().st_mtime_ns
    assert counts == {"c/**/*.md": 3, "./c/*.md": 2, "none/*.md": 0}


def test_absolute_patterns_and_cache_folder_is_skipped(tmp_path: Path) -> None:
    make(tmp_path, "data/a.json", ".supaseed/cache/b.json")
    found, _ = find_files(tmp_path / "elsewhere", [f"{tmp_path}/**/*.json"])
    assert [f.key for f in found] == ["data/a.json"]
    assert found[0].rel == "../data/a.json"


def test_a_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    make(tmp_path, "root/a.md", "root/sub/b.md")
    (tmp_path / "root/sub/loop").symlink_to(tmp_path / "root", target_is_directory=True)
    found, _ = find_files(tmp_path, ["root/**/*.md"])
    keys = [f.key for f in found]
    assert keys[:2] == ["a.md", "sub/b.md"]
    assert len(keys) <= 4  # the linked tree is walked at most once


def test_plan_relative_excludes_hold_when_the_plan_is_not_in_the_base_dir(tmp_path: Path) -> None:
    # A resolved plan carries absolute ``path`` patterns but ``exclude`` as written (relative to
    # the plan's folder); the engine loads pools against pytest's rootdir, here the plan's parent.
    from pytest_supaseed.assets import load_pool
    from pytest_supaseed.config.resolve import resolve_plan

    make(tmp_path, "site/content/posts/a.md", "site/content/drafts/b.md", "site/content/_c.md")
    (tmp_path / "site/supaseed.toml").write_text(
        '[asset_pools.posts]\ntype = "markdown"\npath = "content/**/*.md"\n'
        'exclude = ["content/drafts/*.md", "**/_*.md"]\n'
    )
    config = resolve_plan(tmp_path / "site/supaseed.toml", rootdir=tmp_path).plan.asset_pools[
        "posts"
    ]
    assert Path(config.path[0]).is_absolute()
    assert config.exclude == ["content/drafts/*.md", "**/_*.md"]
    for base in (tmp_path, tmp_path / "site", tmp_path / "elsewhere"):
        base.mkdir(exist_ok=True)
        pool = load_pool("posts", config, base, cache_dir=tmp_path / "cache")
        assert [a.key for a in pool.loaded] == ["posts/a.md"], base


def test_absolute_and_relative_excludes(tmp_path: Path) -> None:
    make(tmp_path, "c/keep.md", "c/drafts/x.md", "c/old/y.md")
    found, _ = find_files(
        tmp_path / "other", [f"{tmp_path}/c/**/*.md"], [f"{tmp_path}/c/drafts/*.md", "old/*.md"]
    )
    assert [f.key for f in found] == ["keep.md"]
    # An exclude that names a folder the pattern does not reach excludes nothing.
    found, _ = find_files(tmp_path, ["c/**/*.md"], ["d/drafts/*.md"])
    assert len(found) == 3


def test_excludes_with_a_relative_base_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make(tmp_path, "site/c/keep.md", "site/c/drafts/x.md", "site/c/old/y.md")
    monkeypatch.chdir(tmp_path)
    found, _ = find_files(
        Path("site"), ["c/**/*.md"], [f"{tmp_path}/site/c/drafts/*.md", "site/c/old/*.md"]
    )
    assert [f.rel for f in found] == ["c/keep.md"]


@pytest.mark.parametrize(
    ("exclude", "kept"),
    [
        ("**/_*.md", ["c/a/b.md", "c/drafts/x.md", "c/keep.md"]),
        ("**/drafts/*.md", ["c/_skip.md", "c/a/b.md", "c/keep.md"]),
        ("*/drafts/*.md", ["c/_skip.md", "c/a/b.md", "c/keep.md"]),  # 'c/drafts/x.md'
        ("*.md", ["c/a/b.md", "c/drafts/x.md"]),  # the pattern's folder: 'keep.md', '_skip.md'
        ("c/*/*.md", ["c/_skip.md", "c/keep.md"]),
        ("drafts/*.md", ["c/_skip.md", "c/a/b.md", "c/keep.md"]),  # relative to the folder
        ("a/*.md", ["c/_skip.md", "c/drafts/x.md", "c/keep.md"]),
        ("d/drafts/*.md", ["c/_skip.md", "c/a/b.md", "c/drafts/x.md", "c/keep.md"]),
    ],
)
def test_exclude_forms(tmp_path: Path, exclude: str, kept: list[str]) -> None:
    make(tmp_path, "c/keep.md", "c/_skip.md", "c/drafts/x.md", "c/a/b.md")
    for base in (tmp_path, tmp_path / "c", tmp_path / "other"):
        found, _ = find_files(base, [f"{tmp_path}/c/**/*.md"], [exclude])
        assert sorted(f"c/{f.key}" for f in found) == kept, base
