"""Format edge cases: frontmatter variants, CSV rows and headers, schemas on CSV, image checks."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from pytest_supaseed.assets import AssetPoolConfig, load_pool


def load(root: Path, **settings: object) -> object:
    return load_pool("p", AssetPoolConfig.model_validate({"cache": False, **settings}), root)


def test_frontmatter_variants(tmp_path: Path) -> None:
    (tmp_path / "plain.md").write_text("No frontmatter at all.\n")
    (tmp_path / "open.md").write_text("---\ntitle: never closed\nbody\n")
    (tmp_path / "toml-bad.md").write_text('+++\ntitle = "x\n+++\nbody\n')
    (tmp_path / "list.md").write_text("---\n- a\n- b\n---\nbody\n")
    (tmp_path / "latin1.md").write_bytes("---\ntitle: caf\xe9\n---\n".encode("latin-1"))
    (tmp_path / "bom.md").write_text("\ufeff---\ntitle: BOM\n---\nText here.\n")
    pool = load(tmp_path, type="markdown", path="*.md")

    by_name = {a.name: a for a in pool.loaded}
    assert sorted(by_name) == ["bom.md", "plain.md"]
    assert by_name["plain.md"].fields == {}
    assert by_name["plain.md"].word_count == 4
    assert by_name["bom.md"].fields == {"title": "BOM"}
    reasons = {p.file: p.reason for p in pool.errors}
    assert "never closed" in reasons["open.md"]
    assert "bad TOML frontmatter" in reasons["toml-bad.md"]
    assert "frontmatter is a list" in reasons["list.md"]
    assert "not utf-8 text" in reasons["latin1.md"]

    latin = load(tmp_path, type="markdown", path="latin1.md", encoding="latin-1")
    assert latin.loaded[0].fields == {"title": "café"}


def test_csv_header_and_row_problems(tmp_path: Path) -> None:
    (tmp_path / "no-sku.csv").write_text("name,price\nLamp,3\n")
    (tmp_path / "rows.csv").write_text(
        "sku;price;qty\nA;1.5;2\n\nB;2.5\nC;;1\nD;4;many\n", encoding="utf-8"
    )
    (tmp_path / "empty.csv").write_text("")
    pool = load(
        tmp_path,
        type="csv",
        path="*.csv",
        delimiter=";",
        required={"sku": "str", "price": "float"},
        optional={"qty": "int"},
    )
    assert [(a.get("sku"), a.get("price"), a.get("qty")) for a in pool.loaded] == [("A", 1.5, 2)]
    found = {(p.file, p.line, p.field): p.reason for p in pool.errors}
    assert found[("no-sku.csv", 1, "sku")] == "header lacks required column 'sku'"
    assert found[("rows.csv", 4, None)] == "2 cells, the header has 3"
    assert found[("rows.csv", 5, "price")] == "required 'price' is empty"
    assert "expected int, got 'many'" in found[("rows.csv", 6, "qty")]
    assert "empty file" in found[("empty.csv", None, None)]


def test_json_schema_applies_to_csv_rows(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"price": {"type": "number", "maximum": 100}}}
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    (tmp_path / "p.csv").write_text("sku,price\nA,10\nB,1000\n")
    pool = load(
        tmp_path, type="csv", path="*.csv", optional={"price": "float"}, json_schema="schema.json"
    )
    assert [a.get("sku") for a in pool.loaded] == ["A"]
    (problem,) = pool.errors
    assert (problem.line, problem.field) == (3, "price")
    assert "1000.0 is greater than the maximum of 100" in problem.reason


def test_json_non_objects_are_reported(tmp_path: Path) -> None:
    (tmp_path / "n.json").write_text("42")
    (tmp_path / "l.json").write_text('[{"a": 1}, "x"]')
    pool = load(tmp_path, type="json", path="*.json")
    assert [a.label for a in pool.loaded] == ["l.json"]
    assert {p.file: p.reason for p in pool.errors} == {
        "l.json[1]": "expected a JSON object, got str",
        "n.json": "expected a JSON object, got int",
    }


def test_verify_images_decodes_pixels(tmp_path: Path) -> None:
    # A BMP has no end marker: only decoding finds that its pixel data is cut short.
    Image.new("RGB", (64, 64), "white").save(tmp_path / "full.bmp")
    data = (tmp_path / "full.bmp").read_bytes()
    (tmp_path / "cut.bmp").write_bytes(data[: len(data) - 500])

    header_only = load(tmp_path, type="image", path="*.bmp")
    assert sorted(a.name for a in header_only.loaded) == ["cut.bmp", "full.bmp"]

    decoded = load(tmp_path, type="image", path="*.bmp", verify_images=True)
    assert [a.name for a in decoded.loaded] == ["full.bmp"]
    (problem,) = decoded.errors
    assert problem.file == "cut.bmp"
    assert "truncated" in problem.reason


def test_an_impossible_date_in_frontmatter_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: x\ndate: 2024-13-45\n---\nbody\n")
    (tmp_path / "b.md").write_text("---\ntitle: y\nwhen: [2024-02-30]\n---\nbody\n")
    (tmp_path / "c.md").write_text("---\ntitle: z\n---\nbody\n")
    pool = load_pool("p", AssetPoolConfig(type="markdown", path="*.md", cache=False), tmp_path)
    assert [a.name for a in pool.loaded] == ["c.md"]
    reasons = {p.file: p.reason for p in pool.errors}
    assert reasons == {
        "a.md": "bad YAML frontmatter: month must be in 1..12",
        "b.md": "bad YAML frontmatter: day is out of range for month",
    }
