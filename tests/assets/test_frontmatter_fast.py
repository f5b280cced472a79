"""The flat-frontmatter fast path reads exactly what yaml.load reads, or steps aside."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pytest_supaseed.assets.loaders.markdown import _LOADER, _flat_frontmatter

# Plain scalars YAML 1.1 resolves to other types, look-alikes that stay strings, and text that is
# not plain YAML at all (indicators, comments, escapes, anchors, tags, block scalars ...).
TOKENS = [
    "hello", "hello world", "Trail light", "x y z", "é café", "C#", "a # b", "a#b", "a: b", "a:",
    "yes", "No", "TRUE", "off", "On", "y", "n", "null", "Null", "~", "", "nan", ".nan", ".inf",
    "-.inf", "1", "-5", "+7", "007", "0o17", "0x1F", "0b101", "1_000", "1,000", "12:30", "190:20:30",
    "1.5", "-2.5e3", "1e3", "6.8523015e+5", "2024-01-01", "2024-1-1", "2024-01-01 10:00:00",
    "2024-01-01T10:00:00Z", "2001-12-14t21:59:43.10-05:00", "-x", "- x", "-", "--", "?x", ":x",
    "@x", "`x", "%x", "&a x", "*a", "!!str 1", "!x y", "| x", "> y", "{a: 1}", "[a", "a]", "=",
    "<<", "'q'", "'it''s'", '"dq"', '"a\\"b"', '"a\\nb"', '"#x"', "'#x'", '"', "'", "[]", "[ ]",
    "[a, b]", "[1, yes, ~]", "[a, [b]]", "[a,]", "[a, 'b']", "[x: 1]", "[2024-01-01, 1.5]",
    "[ spaced , items ]", "a\tb", "x\x85y", "x\u2028y", "x\x07y",
]  # fmt: skip
KEYS = ["title", "date", "tags", "a-b", "_x", "on", "yes", "null", "1", "Title", "k k", "ké"]
LINES = st.one_of(
    st.builds(
        lambda k, sep, v, tail: f"{k}:{sep}{v}{tail}",
        st.sampled_from(KEYS),
        st.sampled_from([" ", "  ", "", "\t"]),
        st.sampled_from(TOKENS),
        st.sampled_from(["", " ", "  # note"]),
    ),
    st.sampled_from(["", "   ", "# comment", "  - item", "- item", "  nested: 1", "...", "---"]),
)


def shape(value: Any) -> Any:
    """Values with their types (True == 1 and 1.0 == 1 in Python, not in YAML)."""
    if isinstance(value, dict):
        return [(shape(k), shape(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [shape(v) for v in value]
    return (type(value).__name__, repr(value))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(LINES, max_size=6), crlf=st.booleans())
@example(lines=['title: "Post 0: Trail light"', "date: 2024-01-01", "tags: [a, b]"], crlf=False)
def test_fast_path_agrees_with_yaml_load(lines: list[str], crlf: bool) -> None:
    fm = ("\r\n" if crlf else "\n").join(["", *lines, ""])
    fast = _flat_frontmatter(fm)
    if fast is None:
        return  # stepped aside: yaml.load decides (and reports any error)
    slow = yaml.load(fm, Loader=_LOADER)
    assert shape(fast) == shape(slow or {})


def test_the_common_shapes_take_the_fast_path() -> None:
    fm = (
        '\ntitle: "Post 1: A #1 day"\ndate: 2024-01-01\ntags: [light, pass, map]\n'
        "difficulty: medium\ndistance_km: 7.8\ndraft: true\nsubtitle: 'quoted'\nempty:\n"
    )
    fast = _flat_frontmatter(fm)
    assert fast is not None
    assert shape(fast) == shape(yaml.load(fm, Loader=_LOADER))
    assert _flat_frontmatter("\ntags:\n  - a\n") is None  # a block list: PyYAML's job
    assert _flat_frontmatter("\non: 1\n") is None  # 'on' is a bool key in YAML 1.1


def test_every_key_and_token_alone_agrees_with_yaml_load() -> None:
    fast_count = 0
    for key in KEYS:
        for token in TOKENS:
            for sep in (" ", "  "):
                for inside in ("{}", "[{}]", "[x, {}]"):
                    fm = f"\n{key}:{sep}{inside.format(token)}\n"
                    fast = _flat_frontmatter(fm)
                    if fast is None:
                        continue
                    fast_count += 1
                    assert shape(fast) == shape(yaml.load(fm, Loader=_LOADER)), fm
    assert fast_count > 1000  # most keys with most plain tokens do take the fast path
