"""One plan, five spellings: TOML, YAML, pyproject, a dict and a marker's arguments mean the same
thing; merging is override-by-layer for every scalar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_supaseed.config import load_plan, resolve_plan
from pytest_supaseed.config.models import UsersConfig

TOML = """
extends = "makerkit-saas"
seed = 5
[users]
count = 3
"roles+" = ["billing"]
[tables."public.posts"]
count_per_parent = { account_id = { min = 1, max = 2 } }
columns = { title = "{{ faker.sentence() }}", status = "draft" }
"""

YAML = """
extends: makerkit-saas
seed: 5
users:
  count: 3
  roles+: [billing]
tables:
  public.posts:
    count_per_parent: {account_id: {min: 1, max: 2}}
    columns: {title: "{{ faker.sentence() }}", status: draft}
"""

DICT: dict[str, Any] = {
    "extends": "makerkit-saas",
    "seed": 5,
    "users": {"count": 3, "roles+": ["billing"]},
    "tables": {
        "public.posts": {
            "count_per_parent": {"account_id": {"min": 1, "max": 2}},
            "columns": {"title": "{{ faker.sentence() }}", "status": "draft"},
        }
    },
}


def test_every_spelling_gives_the_same_plan(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "supaseed.toml").write_text(TOML)
    (tmp_path / "y").mkdir()
    (tmp_path / "y" / "supaseed.yaml").write_text(YAML)
    (tmp_path / "p").mkdir()
    pyproject = TOML.replace("[users]", "[tool.supaseed.users]").replace(
        '[tables."public.posts"]', '[tool.supaseed.tables."public.posts"]'
    )
    head, _, rest = pyproject.partition("[tool.supaseed.users]")
    (tmp_path / "p" / "pyproject.toml").write_text(
        f"[tool.supaseed]{head}[tool.supaseed.users]{rest}"
    )

    plans = [load_plan(rootdir=tmp_path / d) for d in ("t", "y", "p")] + [
        load_plan(DICT, rootdir=tmp_path)
    ]
    assert all(plan == plans[0] for plan in plans)
    resolved = [resolve_plan(rootdir=tmp_path / d).plan for d in ("t", "y", "p")] + [
        resolve_plan(DICT, rootdir=tmp_path).plan
    ]
    assert all(plan == resolved[0] for plan in resolved)
    assert resolved[0].users.roles == ["owner", "member", "billing"]
    # A marker, @pytest.mark.supaseed("makerkit-saas", seed=5, users=..., tables=...), resolves
    # its plan-section arguments as customizations of the named template (SeedSession.resolve);
    # its seed= argument is the seed the plan is seeded with
    from_marker = resolve_plan(
        "makerkit-saas",
        rootdir=tmp_path,
        customizations={k: v for k, v in DICT.items() if k not in ("extends", "seed")},
    ).plan
    assert from_marker.model_copy(update={"seed": 5}) == resolved[0]
    assert resolved[0].users.makerkit_test_users is True


users_layer = st.fixed_dictionaries(
    {},
    optional={
        "count": st.integers(0, 1000),
        "makerkit_test_users": st.booleans(),
        "password": st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=12),
        "email_domain": st.sampled_from(["example.com", "test.dev", "corp.io"]),
    },
)


@settings(
    max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(template=users_layer, plan=users_layer, custom=users_layer)
def test_each_scalar_comes_from_the_last_layer_that_sets_it(
    tmp_path: Path, template: dict[str, Any], plan: dict[str, Any], custom: dict[str, Any]
) -> None:
    folder = tmp_path / "supaseed" / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["[users]"] + [f"{k} = {_toml(v)}" for k, v in template.items()]
    (folder / "base.toml").write_text("\n".join(lines) + "\n")
    resolved = resolve_plan(
        {"extends": "base", "users": plan}, rootdir=tmp_path, customizations={"users": custom}
    )
    defaults = UsersConfig()
    for key in ("count", "makerkit_test_users", "password", "email_domain"):
        expected = custom.get(key, plan.get(key, template.get(key, getattr(defaults, key))))
        assert getattr(resolved.plan.users, key) == expected
        source = (
            "customizations argument"
            if key in custom
            else "plan dict"
            if key in plan
            else "template 'base'"
            if key in template
            else "default"
        )
        assert resolved.source_of(("users", key)) == source


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value + '"'
    return str(value)
