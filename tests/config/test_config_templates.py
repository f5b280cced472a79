"""Templates: built-ins round trip, extends chains, merge rules, provenance, errors, plan_hash."""

from __future__ import annotations

import shutil
import textwrap
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pytest_supaseed.config import (
    IntRange,
    list_templates,
    load_plan,
    plan_hash,
    plan_json_schema,
    resolve_plan,
)
from pytest_supaseed.config.catalog import BUILTIN_DIR
from pytest_supaseed.demo_schemas import path as demo_schema_path
from pytest_supaseed.errors import ConfigError

BUILTINS = ("blog-platform", "e-commerce", "makerkit-saas", "outdoor-platform")
OUTDOOR = BUILTIN_DIR / "outdoor-platform"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def test_builtins_are_listed_with_descriptions(tmp_path: Path) -> None:
    found = {t.name: t for t in list_templates(tmp_path)}
    assert tuple(sorted(found)) == BUILTINS
    for template in found.values():
        assert template.builtin
        assert template.description, template.name
        assert "\n" not in template.description


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_round_trip(name: str, tmp_path: Path) -> None:
    template_file = BUILTIN_DIR / name / "template.toml"
    data = tomllib.loads(template_file.read_text(encoding="utf-8"))
    # The exported JSON Schema accepts the very file the loader accepts...
    jsonschema.Draft202012Validator(plan_json_schema()).validate(data)
    resolved = resolve_plan(name, rootdir=tmp_path)
    assert resolved.chain_names[-1] == name
    # ...and the resolved plan, dumped, is itself a valid plan for both the schema and the models.
    dumped = resolved.plan.model_dump(mode="json", by_alias=True, exclude_none=True)
    jsonschema.Draft202012Validator(plan_json_schema()).validate(dumped)
    assert type(resolved.plan).model_validate(dumped) == resolved.plan
    # Every demo schema file and asset file it names exists.
    assert resolved.demo_schema
    assert all(p.is_file() and p.suffix == ".sql" for p in resolved.demo_schema)
    for pool in resolved.plan.asset_pools.values():
        assert pool.path, name
    assert all(p.is_file() for p in resolved.asset_files())


def test_builtin_contents_match_the_documented_ones(tmp_path: Path) -> None:
    saas = resolve_plan("makerkit-saas", rootdir=tmp_path)
    assert saas.plan.users.count == 10
    assert saas.plan.users.makerkit_test_users is True
    assert saas.plan.accounts.personal is True
    assert saas.plan.accounts.teams > 0
    assert saas.demo_schema == (demo_schema_path("makerkit_v2"),)

    outdoor = resolve_plan("outdoor-platform", rootdir=tmp_path)
    assert outdoor.chain_names == ("makerkit-saas", "outdoor-platform")
    assert outdoor.demo_schema[0] == demo_schema_path("makerkit_v2")
    gear = outdoor.plan.associations["gear_to_setups"]
    assert (gear.items, gear.targets, gear.fk_column) == (
        "public.setup_gear",
        "public.setups",
        "setup_id",
    )
    assert (gear.constraints.min_per_target, gear.constraints.max_per_target) == (3, 15)
    files = outdoor.asset_files()
    assert len([f for f in files if f.suffix == ".jpg"]) == 6
    assert all(f.stat().st_size < 8_000 for f in files)

    blog = resolve_plan("blog-platform", rootdir=tmp_path)
    posts = blog.plan.associations["posts_to_authors"]
    assert (posts.items, posts.targets, posts.fk_column) == (
        "public.posts",
        "public.authors",
        "author_id",
    )
    assert posts.strategy == "weighted_random"
    assert (posts.constraints.min_per_target, posts.constraints.max_per_target) == (1, 10)
    assert len([f for f in blog.asset_files() if f.suffix == ".md"]) == 8

    shop = resolve_plan("e-commerce", rootdir=tmp_path)
    assert shop.chain_names == ("e-commerce",)
    assert set(shop.plan.tables) == {
        "public.products",
        "public.orders",
        "public.order_items",
        "public.reviews",
    }


@pytest.fixture
def three_levels(tmp_path: Path) -> Path:
    """A project with template my-project -> outdoor-platform -> makerkit-saas and its own plan."""
    write(
        tmp_path / "supaseed" / "templates" / "my-project.toml",
        """
        description = "Our outdoor app"
        extends = "outdoor-platform"
        seed = 7

        [users]
        "roles+" = ["viewer"]

        # Only the path changes; the pool's type comes from outdoor-platform.
        [asset_pools.setup_images]
        path = "images/*.jpg"

        [customizations.tables."public.setups"]
        count_per_parent = { account_id = 2 }
        """,
    )
    images = tmp_path / "supaseed" / "templates" / "images"
    images.mkdir()
    shutil.copy(OUTDOOR / "assets" / "setups" / "lake-shore.jpg", images / "one.jpg")
    write(
        tmp_path / "supaseed.toml",
        """
        extends = "my-project"

        [accounts]
        teams = 5

        [customizations.users]
        count = 50
        """,
    )
    return tmp_path


def test_three_level_chain_merges_as_documented(three_levels: Path) -> None:
    resolved = resolve_plan(rootdir=three_levels, customizations={"seed": 99})
    plan = resolved.plan
    assert resolved.chain_names == ("makerkit-saas", "outdoor-platform", "my-project")
    # Scalars: the latest layer wins.
    assert plan.seed == 99
    assert plan.users.count == 50
    assert plan.accounts.teams == 5
    assert plan.users.makerkit_test_users is True  # untouched since makerkit-saas
    assert plan.accounts.members_per_team == IntRange(min=2, max=4)
    # Lists replace, unless the key is written with '+': then they append.
    assert plan.users.roles == ["owner", "member", "viewer"]
    # Tables merge by key: my-project swapped setups to a count per account (which drops
    # outdoor-platform's fixed count); trips are as inherited.
    assert plan.tables["public.setups"].count is None
    assert plan.tables["public.setups"].count_per_parent == {"account_id": IntRange(min=2, max=2)}
    assert plan.tables["public.setup_gear"].count == 96
    assert plan.tables["public.trips"].count_per_parent == {"account_id": IntRange(min=0, max=2)}
    # Dicts merge recursively: the pool keeps its type, with a path relative to my-project.toml.
    pool = plan.asset_pools["setup_images"]
    assert pool.type == "image"
    assert pool.path == [str(three_levels / "supaseed" / "templates" / "images" / "*.jpg")]
    assert [p.name for p in resolved.asset_files() if p.suffix == ".jpg"] == ["one.jpg"]
    assert plan.asset_pools["gear_catalog"].path[0].startswith(str(OUTDOOR))
    # Demo schemas accumulate along the chain, base first.
    assert [p.name for p in resolved.demo_schema] == ["makerkit_v2.sql", "0001_outdoor.sql"]
    assert plan.description == "Our outdoor app"


def test_three_level_chain_records_where_each_value_came_from(three_levels: Path) -> None:
    resolved = resolve_plan(rootdir=three_levels, customizations={"seed": 99})
    assert resolved.source_of("seed") == "customizations argument"
    assert resolved.source_of("users.count") == "supaseed.toml (customizations)"
    assert resolved.source_of("accounts.teams") == "supaseed.toml"
    assert (
        resolved.source_of("users.roles")
        == "built-in template 'makerkit-saas' + template 'my-project'"
    )
    assert (
        resolved.source_of(("tables", "public.setups", "count_per_parent", "account_id", "min"))
        == "template 'my-project' (customizations)"
    )
    assert resolved.source_of(
        ("tables", "public.trips", "count_per_parent", "account_id", "max")
    ) == ("built-in template 'outdoor-platform'")
    assert resolved.source_of("asset_pools.setup_images.path") == "template 'my-project'"
    assert (
        resolved.source_of("asset_pools.setup_images.type")
        == "built-in template 'outdoor-platform'"
    )
    assert resolved.source_of("users.email_domain") == "default"
    explained = {key: source for key, _, source in resolved.explain()}
    assert explained["users.makerkit_test_users"] == "built-in template 'makerkit-saas'"


def test_resolving_the_template_by_name_skips_the_project_plan(three_levels: Path) -> None:
    resolved = resolve_plan("my-project", rootdir=three_levels)
    assert resolved.plan.users.count == 10
    assert resolved.plan.seed == 7


def test_a_partial_plan_is_only_valid_resolved(three_levels: Path) -> None:
    write(
        three_levels / "supaseed.toml",
        'extends = "outdoor-platform"\n[asset_pools.setup_images]\npath = "x/*.jpg"\n',
    )
    with pytest.raises(ConfigError, match="use resolve_plan"):
        load_plan(rootdir=three_levels)
    assert resolve_plan(rootdir=three_levels).plan.asset_pools["setup_images"].type == "image"


def test_lists_replace_without_the_marker(tmp_path: Path) -> None:
    resolved = resolve_plan(
        {"extends": "makerkit-saas", "users": {"roles": ["admin"]}}, rootdir=tmp_path
    )
    assert resolved.plan.users.roles == ["admin"]


def test_append_to_a_list_no_layer_set_appends_to_the_default(tmp_path: Path) -> None:
    resolved = resolve_plan({"users": {"roles+": ["billing"]}}, rootdir=tmp_path)
    assert resolved.plan.users.roles == ["owner", "member", "billing"]
    assert resolved.source_of("users.roles") == "default + plan dict"


def test_count_per_parent_replaces_count_and_as_a_whole(tmp_path: Path) -> None:
    tables = {
        "public.setups": {"count_per_parent": {"account_id": 2}},
        "public.trips": {"count_per_parent": {"setup_id": 1}},
        "public.setup_gear": {"count_per_parent": {"setup_id": {"min": 3, "max": 5}}},
    }
    resolved = resolve_plan({"extends": "outdoor-platform", "tables": tables}, rootdir=tmp_path)
    plan = resolved.plan
    assert plan.tables["public.setups"].count is None  # was 12 in outdoor-platform
    assert resolved.source_of(("tables", "public.setups", "count")) == "default"
    # Not merged with outdoor-platform's {account_id = 0..2}: replaced as a whole.
    assert plan.tables["public.trips"].count_per_parent == {"setup_id": IntRange(min=1, max=1)}
    assert plan.tables["public.setup_gear"].count_per_parent == {"setup_id": IntRange(min=3, max=5)}
    back = resolve_plan(
        {"extends": "outdoor-platform", "tables": {"public.trips": {"count": 9}}}, rootdir=tmp_path
    ).plan
    assert back.tables["public.trips"].count == 9
    assert back.tables["public.trips"].count_per_parent is None


def test_a_cycle_is_one_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "supaseed" / "templates"
    write(folder / "a.toml", 'extends = "b"\n')
    b = write(folder / "b.toml", 'description = "b"\nextends = "c"\n')
    write(folder / "c.toml", 'extends = ["makerkit-saas", "a"]\n')
    with pytest.raises(ConfigError) as info:
        resolve_plan("a", rootdir=tmp_path)
    assert "template cycle: a -> b -> c -> a" in str(info.value)
    assert info.value.file == str(folder / "c.toml")
    assert info.value.key_path == "extends"
    assert info.value.line == 1
    assert "more problem" not in str(info.value)
    del b


def test_unknown_template_in_a_plan_file_names_file_line_and_suggestion(tmp_path: Path) -> None:
    plan = write(tmp_path / "supaseed.toml", 'seed = 1\nextends = "outdoor-platfrom"\n')
    with pytest.raises(ConfigError) as info:
        resolve_plan(rootdir=tmp_path)
    error = info.value
    assert (error.file, error.key_path, error.line) == (str(plan), "extends", 2)
    assert "unknown template 'outdoor-platfrom' (did you mean 'outdoor-platform'?)" in str(error)


def test_unknown_template_by_name_suggests(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"unknown template 'blog' \(did you mean 'blog-platform'\?\)"
    ):
        resolve_plan("blog", rootdir=tmp_path)
    with pytest.raises(
        ConfigError,
        match="unknown built-in template 'makerkit-sass' \\(did you mean 'makerkit-saas'",
    ):
        resolve_plan("builtin:makerkit-sass", rootdir=tmp_path)


def test_a_project_template_shadows_a_builtin_and_can_extend_it(tmp_path: Path) -> None:
    write(
        tmp_path / "supaseed" / "templates" / "makerkit-saas.toml",
        'description = "ours"\nextends = "makerkit-saas"\n[users]\ncount = 2\n',
    )
    listed = {t.name: t for t in list_templates(tmp_path)}
    assert not listed["makerkit-saas"].builtin
    resolved = resolve_plan("outdoor-platform", rootdir=tmp_path)
    assert [t.qualified_name for t in resolved.chain] == [
        "builtin:makerkit-saas",
        "makerkit-saas",
        "builtin:outdoor-platform",
    ]
    assert resolved.plan.users.count == 2
    assert resolved.plan.users.makerkit_test_users is True


def test_typos_in_a_template_name_the_template_file(tmp_path: Path) -> None:
    bad = write(
        tmp_path / "supaseed" / "templates" / "mine.toml",
        'extends = "makerkit-saas"\n\n[tables.posts]\ncountt = 1\n',
    )
    with pytest.raises(ConfigError) as info:
        resolve_plan({"extends": "mine"}, rootdir=tmp_path)
    assert (info.value.file, info.value.key_path, info.value.line) == (
        str(bad),
        "tables.posts.countt",
        4,
    )


def test_a_merged_error_is_blamed_on_the_layer_that_wrote_it(tmp_path: Path) -> None:
    plan = write(
        tmp_path / "supaseed.toml",
        'extends = "blog-platform"\n\n[asset_pools.posts]\noptional = { tags = "list[strr]" }\n',
    )
    with pytest.raises(ConfigError) as info:
        resolve_plan(rootdir=tmp_path)
    assert info.value.file == str(plan)
    assert info.value.line == 4
    assert "unknown type 'list[strr]'" in str(info.value)


def test_explicit_migrations_win_then_the_project_then_the_demo_schema(tmp_path: Path) -> None:
    resolved = resolve_plan("outdoor-platform", rootdir=tmp_path)
    choice = resolved.migrations()
    assert choice.kind == "demo"
    assert choice.paths == resolved.demo_schema
    write(tmp_path / "supabase" / "migrations" / "0001_init.sql", "select 1;\n")
    assert resolved.migrations().kind == "project"
    assert resolved.migrations().paths == (tmp_path.resolve() / "supabase" / "migrations",)
    explicit = resolve_plan(
        {"extends": "outdoor-platform", "migrations": {"paths": ["db/schema"]}}, rootdir=tmp_path
    )
    assert explicit.migrations().kind == "explicit"
    assert explicit.migrations().paths == (tmp_path.resolve() / "db" / "schema",)
    assert resolve_plan({}, rootdir=tmp_path / "supabase").migrations().kind == "none"


def test_plan_hash_is_stable_and_follows_content(tmp_path: Path) -> None:
    def project(root: Path, seed: int = 1) -> Path:
        write(
            root / "supaseed.toml",
            f'extends = "outdoor-platform"\nseed = {seed}\n[asset_pools.setup_images]\npath = "img/*.jpg"\n',
        )
        (root / "img").mkdir(exist_ok=True)
        shutil.copy(OUTDOOR / "assets" / "setups" / "winter-tent.jpg", root / "img" / "a.jpg")
        return root

    first = project(tmp_path / "one")
    same = plan_hash(resolve_plan(rootdir=first))
    assert same == plan_hash(resolve_plan(rootdir=first))
    # The checkout location does not matter...
    assert same == plan_hash(resolve_plan(rootdir=project(tmp_path / "two")))
    # ...the plan does...
    assert same != plan_hash(resolve_plan(rootdir=project(tmp_path / "three", seed=2)))
    # ...and so does the content of the assets the pools point to.
    shutil.copy(OUTDOOR / "assets" / "setups" / "lake-shore.jpg", first / "img" / "a.jpg")
    assert same != plan_hash(resolve_plan(rootdir=first))


def test_the_json_schema_rejects_what_the_loader_rejects(tmp_path: Path) -> None:
    validator = jsonschema.Draft202012Validator(plan_json_schema())
    goods: list[dict[str, Any]] = [
        {"extends": "makerkit-saas", "users": {"count": 3, "roles+": ["x"]}},
        {"tables": {"t": {"count_per_parent": {"a": 2, "b": {"min": 0, "max": 4}}}}},
        {"accounts": {"members_per_team": 3}, "customizations": {"users": {"count": 1}}},
    ]
    for good in goods:
        assert not list(validator.iter_errors(good)), good
        load_plan(good, rootdir=tmp_path)
    bads: list[dict[str, Any]] = [
        {"asset_pool": {}},
        {"tables": {"posts": {"countt": 5}}},
        {"users": {"count": -1}},
        {"accounts": {"members_per_team": {"min": 1}}},
        {"customizations": {"users": {"cont": 1}}},
    ]
    for bad in bads:
        assert list(validator.iter_errors(bad)), bad
        with pytest.raises(ConfigError):
            load_plan(bad, rootdir=tmp_path)


def test_an_empty_table_changes_nothing_inherited(tmp_path: Path) -> None:
    resolved = resolve_plan(
        {"extends": "makerkit-saas", "users": {}, "tables": {"public.logs": {}}}, rootdir=tmp_path
    )
    assert resolved.plan.users.count == 10
    assert resolved.source_of("users.count") == "built-in template 'makerkit-saas'"
    assert resolved.plan.tables["public.logs"].count is None
    assert resolved.source_of(("tables", "public.logs", "count")) == "default"


def test_asset_files_follow_the_pools_path_and_exclude(tmp_path: Path) -> None:
    posts = tmp_path / "content"
    write(posts / "a.md", "---\ntitle: A\n---\nbody\n")
    write(posts / "_draft.md", "---\ntitle: D\n---\nbody\n")
    write(posts / "deep" / "b.md", "---\ntitle: B\n---\nbody\n")
    plan = {
        "asset_pools": {
            "posts": {"type": "markdown", "path": "content/**/*.md", "exclude": "**/_*.md"}
        }
    }
    resolved = resolve_plan(plan, rootdir=tmp_path)
    root = tmp_path.resolve()
    assert resolved.asset_files() == (root / "content" / "a.md", root / "content" / "deep" / "b.md")
    before = plan_hash(resolved)
    write(posts / "_draft.md", "---\ntitle: changed\n---\n")
    assert plan_hash(resolve_plan(plan, rootdir=tmp_path)) == before
    write(posts / "deep" / "b.md", "---\ntitle: changed\n---\n")
    assert plan_hash(resolve_plan(plan, rootdir=tmp_path)) != before


def test_a_file_name_given_as_str_gets_a_hint(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"pass pathlib\.Path\('supaseed\.yaml'\) for a plan file"
    ):
        resolve_plan("supaseed.yaml", rootdir=tmp_path)


def test_extends_inside_customizations_is_refused(tmp_path: Path) -> None:
    plan = write(tmp_path / "supaseed.toml", '[customizations]\nextends = "makerkit-saas"\n')
    with pytest.raises(ConfigError) as info:
        resolve_plan(rootdir=tmp_path)
    assert (info.value.file, info.value.key_path, info.value.line) == (
        str(plan),
        "customizations.extends",
        2,
    )
    with pytest.raises(ConfigError, match="cannot contain extends"):
        resolve_plan({}, rootdir=tmp_path, customizations={"extends": "e-commerce"})
