"""Property tests: generated seed-shaped records full of hostile strings."""

from __future__ import annotations

import math
import os
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies.codec import _yaml12
from policies.codec.frontmatter import dump, load, parse, render, same
from tests.policies.codec.test_frontmatter import Bridge, bridge, to_js, untyped  # noqa: F401 - bridge is a fixture

pytestmark = pytest.mark.slow

PROPERTY = settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# fmt: off
HOSTILE = [
    "yes", "NO", "on", "0x1F", "1:20", "2024-10-01", "#", ": ", "- ", "'", '"', "*a", "&a", "!tag", "%", "@", "`",
    " lead", "trail ", "a\nb", "trailing\n", "keep\n\n", "\r", "a\tb", "😀", "\u2028", "\x85", "\ufeff", "",
    "null", "~", "x" * 3000, "a: b", "a #b", "- x", "? x", "[a]", "{a}", "|", ">", "012", "1e3", ".inf", "<<",
    "true", "False", "\n", "  indented\nblock", "巴黎协定 (A6.4ERs)", "1103-2", "3.0", "-0", "y", "=",
]
# fmt: on
# Strings gray-matter's js-yaml 3 reads as numbers, which our dump quotes and js-yaml 4 does not.
V3_NUMBERS = ["1_000", "0b1_0", "1e400"]

hostile_text = st.one_of(
    st.sampled_from(HOSTILE + V3_NUMBERS),
    st.text(
        alphabet=st.sampled_from(list("ab :#-'\"\n\t\r!&*%@`[]{},|>?~0123456789_.é😀\u2028\x85\ufeff ")), max_size=12
    ),
    st.text(max_size=8).filter(lambda s: not any(0xD800 <= ord(c) <= 0xDFFF for c in s)),
)
js_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(
        alphabet=st.sampled_from(list("ab :#-'\"\n\t\r!&*%@`[]{},|>?~0123456789.é😀\u2028\x85\ufeff ")), max_size=12
    ),
)
facility_id = st.one_of(st.integers(1, 1500).map(str), st.integers(1, 1500).map(lambda n: f"{n}-2"))
safe_float = st.floats(allow_nan=True, allow_infinity=True)
non_integral_float = st.floats(allow_nan=True, allow_infinity=True).filter(
    lambda f: not math.isfinite(f) or f != int(f) or (f == 0 and math.copysign(1, f) < 0)
)
moment = st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 1, 1), timezones=st.just(UTC)).map(
    lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000)
)


def scalars(text: st.SearchStrategy[str], floats: st.SearchStrategy[float], dates: bool) -> st.SearchStrategy[Any]:
    options = [text, st.integers(-(2**53), 2**53), floats, st.booleans(), st.none()]
    if dates:
        options += [st.dates(min_value=date(1000, 1, 1)), moment, st.binary(min_size=1, max_size=10)]
    return st.one_of(*options)


def records(text: st.SearchStrategy[str], floats: st.SearchStrategy[float], dates: bool) -> st.SearchStrategy[Any]:
    scalar = scalars(text, floats, dates)
    key = st.one_of(st.sampled_from(["id", "title", "score", "yes", "1", "a b", ""]), text)
    extra = st.recursive(
        scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(key, inner, max_size=3), max_leaves=8
    )
    section = st.fixed_dictionaries({"score": st.integers(0, 100), "label": text, "evidence": text, "citation": text})
    return st.fixed_dictionaries(
        {
            "id": text,
            "year": st.integers(1990, 2030),
            "pubDate": st.sampled_from(["2024-10-01", "2024-1-1"]) | text,
            "sectors": st.lists(text, max_size=3),
            "analysis": st.dictionaries(st.sampled_from(["market", "mrv", "statutory"]), section, max_size=3),
            "relatedFacilities": st.lists(facility_id, max_size=20),
            "description": st.lists(text, max_size=4).map("\n".join),
        },
        optional={"extra": st.dictionaries(key, extra, max_size=4), "flag": scalar},
    )


python_records = records(hostile_text, safe_float, dates=True)
js_records = records(js_text, non_integral_float, dates=False)
bodies = st.sampled_from(["", "body\n", "\n---\nnot a delimiter\n", "no final newline", "---\n"])


def expected(data: Any) -> Any:
    """The data as a JS object holds it: integer-like keys first."""
    if type(data) is dict:
        return {key: expected(value) for key, value in _yaml12.js_key_order(data).items()}
    if type(data) is list:
        return [expected(item) for item in data]
    return data


@PROPERTY
@given(python_records)
def test_load_of_dump_gives_back_the_same_data(data: dict[str, Any]) -> None:
    assert same(load(dump(data)), expected(data))


@PROPERTY
@given(python_records, bodies)
def test_a_new_file_parses_back_to_its_data_and_body(data: dict[str, Any], body: str) -> None:
    document = parse(render(None, data, body))
    assert same(document.data, expected(data))
    assert document.body == body


@st.composite
def edits(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    original = expected(draw(python_records))
    edited = dict(original)
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["set", "delete", "nested", "add"]))
        keys = list(edited)
        if action == "set" and keys:
            edited[draw(st.sampled_from(keys))] = draw(scalars(hostile_text, safe_float, True))
        elif action == "delete" and keys:
            del edited[draw(st.sampled_from(keys))]
        elif action == "nested" and isinstance(edited.get("analysis"), dict) and edited["analysis"]:
            analysis = dict(edited["analysis"])
            name = draw(st.sampled_from(list(analysis)))
            analysis[name] = dict(analysis[name], score=draw(st.integers(0, 100)), label=draw(hostile_text))
            edited["analysis"] = analysis
        else:
            edited[draw(st.sampled_from(["newKey", "zz", "a b", "tags"]))] = draw(st.lists(hostile_text, max_size=3))
    return original, expected(edited)


@PROPERTY
@given(edits(), bodies)
def test_editing_a_collection_style_file_equals_dumping_the_edited_data(
    change: tuple[dict[str, Any], dict[str, Any]], body: str
) -> None:
    original, edited = change
    document = parse("---\n" + dump(original) + "---\n" + body)
    rendered = render(document, edited, body)
    assert rendered == "---\n" + dump(edited) + "---\n" + body
    assert same(parse(rendered).data, edited)


@PROPERTY
@given(js_records)
def test_our_dump_equals_js_yaml_dump_and_both_readers_agree(bridge: Bridge, data: dict[str, Any]) -> None:  # noqa: F811
    text = dump(data)
    answer = bridge.ask(op="dump", value=to_js(data))
    assert answer["ok"], answer
    assert text == answer["text"]
    assert bridge.ask(op="load", text=text)["value"] == to_js(expected(data))
    assert untyped(bridge.ask(op="load3", text=text)["value"]) == untyped(to_js(expected(data)))
