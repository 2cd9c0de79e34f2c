"""Tests for policies.frontmatter; js-yaml and gray-matter (through tests/js/bridge.js) are the oracle."""

from __future__ import annotations

import base64
import json
import math
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from policies.codec import _yaml12
from policies.codec.frontmatter import Document, FrontmatterError, Limits, dump, load, parse, render, same
from tests.data import ROOT, SEED

BRIDGE = ROOT / "tests" / "js" / "bridge.js"
FIXTURES = ROOT / "tests" / "fixtures" / "frontmatter"
# A copy of shared/corpus/public, so the suite runs wherever the repository is cloned.
CORPUS = ROOT / "tests" / "fixtures" / "corpus"


# --- the JavaScript oracle ------------------------------------------------------------------------------


def to_js(value: Any) -> Any:
    """A Python value in the bridge's tagged encoding (how js-yaml would hold it)."""
    if value is None or type(value) in (bool, str):
        return value
    if type(value) is int:
        return {"$int": str(value)}
    if type(value) is float:
        return {"$float": "-0" if value == 0 and math.copysign(1, value) < 0 else _yaml12.js_number(value)}
    if type(value) is date:
        return {"$date": f"{value.isoformat()}T00:00:00.000Z"}
    if type(value) is datetime:
        utc = value.astimezone(UTC)
        return {"$date": f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"}
    if type(value) is bytes:
        return {"$bin": base64.b64encode(value).decode()}
    if type(value) is list:
        return [to_js(item) for item in value]
    if type(value) is dict:
        return {"$map": [[key, to_js(item)] for key, item in value.items()]}
    raise TypeError(type(value))


def untyped(encoded: Any) -> Any:
    """Forget int/float: js-yaml 3 (gray-matter) has numbers only."""
    if isinstance(encoded, list):
        return [untyped(item) for item in encoded]
    if isinstance(encoded, dict):
        if "$int" in encoded:
            return {"$float": _yaml12.js_number(float(encoded["$int"]))}
        if "$map" in encoded:
            return {"$map": [[key, untyped(item)] for key, item in encoded["$map"]]}
    return encoded


class Bridge:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            ["node", str(BRIDGE)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env={**os.environ, "TZ": "UTC"},
        )

    def ask(self, **request: Any) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer: dict[str, Any] = json.loads(self.process.stdout.readline())
        return answer

    def batch(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = self.ask(op="batch", items=requests)["results"]
        return results

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def bridge() -> Iterator[Bridge]:
    if shutil.which("node") is None or not (BRIDGE.parent / "node_modules" / "js-yaml").is_dir():
        message = "js-yaml oracle not installed: run `npm ci --prefix tests/js` (make setup does)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must compare the codec with js-yaml, not skip it")
        pytest.skip(message)
    oracle = Bridge()
    yield oracle
    oracle.close()


def file(name: str) -> str:
    return (FIXTURES / name).read_bytes().decode("utf-8")


# --- parse: delimiters ------------------------------------------------------------------------------------


def test_parse_splits_frontmatter_and_keeps_text_and_body_exactly() -> None:
    text = "---\ntitle: A\n---\n\n# Body\n---\nmore\n"
    document = parse(text)
    assert document == Document(text=text, data={"title": "A"}, body="\n# Body\n---\nmore\n")


def test_parse_accepts_bom_and_crlf_like_gray_matter(bridge: Bridge) -> None:
    text = "\ufeff---\r\ntitle: A\r\nlist:\r\n  - x\r\n---\r\nbody\r\n"
    document = parse(text)
    assert document.data == {"title": "A", "list": ["x"]}
    assert document.body == "body\r\n"
    answer = bridge.ask(op="matter", text=text)
    assert answer["data"] == to_js(document.data)
    assert answer["content"] == document.body


def test_parse_accepts_spaces_after_the_opening_delimiter() -> None:
    assert parse("---  \na: 1\n---\n").data == {"a": 1}


def test_parse_reads_an_empty_or_comment_only_frontmatter_as_an_empty_mapping() -> None:
    assert parse("---\n---\nbody").data == {}
    assert parse("---\n# just a comment\n\n---\n").data == {}


def test_parse_allows_a_closing_delimiter_without_final_newline() -> None:
    document = parse("---\na: 1\n---")
    assert document.body == ""


def test_parse_accepts_a_yaml_document_end_marker_before_the_closing_delimiter() -> None:
    assert parse("---\na: 1\n...\n---\n").data == {"a": 1}


@pytest.mark.parametrize(
    ("text", "fragment", "line"),
    [
        ("title: A\n", "missing frontmatter", 1),
        ("----\na: 1\n---\n", "missing frontmatter", 1),
        ("---\na: 1\n", "unterminated frontmatter", 1),
        ("---", "missing frontmatter", 1),
        ("---\na: 1\n--- # not a delimiter\n---\n", "must be exactly '---'", 3),
        ("---\na: 1\n---x\n", "must be exactly '---'", 3),
        ("---\n- a\n- b\n---\n", "must be a mapping, not list", 2),
        ("---\n~\n---\n", "must be a mapping, not NoneType", 2),
    ],
)
def test_parse_refuses_files_without_a_proper_frontmatter_block(text: str, fragment: str, line: int) -> None:
    with pytest.raises(FrontmatterError, match=fragment) as caught:
        parse(text)
    assert caught.value.line == line


# --- parse: errors located in the whole file ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fragment", "line"),
    [("duplicate-key.md", "duplicate key 'title'", 3), ("python-tag.md", "unknown tag !<tag:yaml.org,2002:python", 2)],
)
def test_hostile_fixture_files_are_refused(name: str, fragment: str, line: int) -> None:
    with pytest.raises(FrontmatterError, match=fragment) as caught:
        parse(file(name))
    assert caught.value.line == line


def test_duplicate_keys_are_refused_with_file_line_column_and_field() -> None:
    text = "---\ntitle: A\nanalysis:\n  market:\n    score: 1\n    score: 2\n---\n"
    with pytest.raises(FrontmatterError) as caught:
        parse(text)
    error = caught.value
    assert (error.line, error.column, error.field) == (6, 5, "analysis.market")
    assert str(error) == "line 6, column 5, field analysis.market: duplicate key 'score'"


def test_duplicate_keys_after_js_string_conversion_are_refused_like_js_yaml(bridge: Bridge) -> None:
    text = "1: a\n'1': b\n"
    assert not bridge.ask(op="load", text=text)["ok"]
    with pytest.raises(FrontmatterError, match="duplicate key '1'"):
        load(text)


def test_syntax_errors_point_into_the_whole_file_with_the_field_being_read() -> None:
    text = "\ufeff---\r\ntitle: A\r\nlist: [1, 2\r\nnext: 3\r\n---\r\n"
    with pytest.raises(FrontmatterError) as caught:
        parse(text)
    assert caught.value.line == 4
    assert caught.value.field is not None and caught.value.field.startswith("list")


def test_error_field_names_sequence_items_by_index() -> None:
    with pytest.raises(FrontmatterError) as caught:
        parse("---\nitems:\n  - a\n  - !custom b\n---\n")
    assert caught.value.field == "items[1]"
    assert "unknown tag !<!custom>" in caught.value.message


def test_frontmatter_error_str_omits_unknown_parts() -> None:
    assert str(FrontmatterError("bad")) == "bad"
    assert str(FrontmatterError("bad", line=3)) == "line 3: bad"


@pytest.mark.parametrize(
    "yaml_text",
    [
        "a: !!python/object:os.system {}\n",
        "a: !!python/name:os.system\n",
        "a: !foo bar\n",
        "a: !<tag:example.com,2000:x> 1\n",
        "a: !!str [1]\n",
        "a: !!map x\n",
        "a: !!int abc\n",
        "a: !!set {x: 1}\n",
        "a: !!omap [1, 2]\n",
    ],
)
def test_tags_js_yaml_does_not_know_are_refused(bridge: Bridge, yaml_text: str) -> None:
    assert not bridge.ask(op="load", text=yaml_text)["ok"]
    with pytest.raises(FrontmatterError):
        load(yaml_text)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("a: \x00\n", "unacceptable character #x0000"),
        ("a: b\x07\n", "unacceptable character #x0007"),
        ("a: \ud800\n", "unencodable character"),
        ("a: [1\n", "did not find expected"),
    ],
)
def test_control_characters_and_broken_yaml_raise_frontmatter_errors_only(text: str, fragment: str) -> None:
    with pytest.raises(FrontmatterError, match=fragment):
        parse("---\n" + text + "---\n")


def test_alias_bombs_are_refused_before_they_cost_memory_or_time() -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, 10):
        previous = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([previous] * 10)}]")
    started = time.perf_counter()
    with pytest.raises(FrontmatterError, match="more than 200000 nodes"):
        parse("---\n" + "\n".join(lines) + "\n---\n")
    assert time.perf_counter() - started < 1.0


def test_a_small_limit_bounds_alias_expansion() -> None:
    text = "a: &a [1, 2, 3]\nb: [*a, *a]\n"
    assert load(text) == {"a": [1, 2, 3], "b": [[1, 2, 3], [1, 2, 3]]}
    with pytest.raises(FrontmatterError, match="more than 10 nodes"):
        load(text, limits=Limits(max_nodes=10))


def test_a_long_text_repeated_by_aliases_is_refused_where_it_passes_the_limit() -> None:
    # A 1.5 MB file (1.7 KB zipped) that would read as 600 MB of text.
    text = "---\nid: bomb\nlong: &long " + "x" * 1_500_000 + "\ntags: [" + ", ".join(["*long"] * 400) + "]\n---\n"
    with pytest.raises(FrontmatterError) as refused:
        parse(text)
    assert (refused.value.line, refused.value.column, refused.value.field) == (4, 8, "tags[0]")
    assert refused.value.message == "aliases expand the text to more than 2,097,152 characters, the limit"


def test_an_alias_counts_all_the_text_its_anchor_holds_keys_and_aliases_within_it_included() -> None:
    # a: 1 + 20 characters; b: 1 + 42 (k, l and twice the text of a); c: 1 + 42 + 42. 149 in all.
    text = "a: &a [xxxxxxxxxx, yyyyyyyyyy]\nb: &b {k: *a, l: *a}\nc: [*b, *b]\n"
    assert load(text, limits=Limits(max_text=149))["c"][1] == {
        "k": ["xxxxxxxxxx", "yyyyyyyyyy"],
        "l": ["xxxxxxxxxx", "yyyyyyyyyy"],
    }
    with pytest.raises(FrontmatterError, match="more than 148 characters") as refused:
        load(text, limits=Limits(max_text=148))
    assert (refused.value.line, refused.value.column, refused.value.field) == (3, 9, "c[1]")


def test_merge_keys_count_the_text_their_aliases_bring() -> None:
    # base: 4 + 44 characters; one: 3 + 2 + 44; two: 3 + 2 + 44 + 44. 190 in all.
    text = "base: &base {note: " + "n" * 40 + "}\none:\n  <<: *base\ntwo:\n  <<: [*base, *base]\n"
    assert load(text, limits=Limits(max_text=190))["two"] == {"note": "n" * 40}
    with pytest.raises(FrontmatterError, match="more than 189 characters") as refused:
        load(text, limits=Limits(max_text=189))
    assert (refused.value.line, refused.value.column, refused.value.field) == (5, 15, "two.<<[1]")


def test_a_document_is_never_refused_for_text_it_spells_out_itself() -> None:
    # Only aliases can take the text past the limit; what the file holds is bounded by the file size limit.
    assert load("a: " + "x" * 500 + "\n", limits=Limits(max_text=100)) == {"a": "x" * 500}


def test_aliases_are_expanded_into_independent_copies() -> None:
    data = load("a: &a {x: [1]}\nb: *a\n")
    data["b"]["x"].append(2)
    assert data["a"] == {"x": [1]}


def test_recursive_and_unknown_aliases_are_refused() -> None:
    with pytest.raises(FrontmatterError, match="recursive alias"):
        load("a: &a [*a]\n")
    with pytest.raises(FrontmatterError, match="unidentified alias"):
        load("a: *nope\n")


@pytest.mark.parametrize("depth", [65, 100_000])
def test_deep_nesting_is_refused_without_recursion_error(depth: int) -> None:
    started = time.perf_counter()
    with pytest.raises(FrontmatterError, match="nest"):
        parse("---\na: " + "[" * depth + "]" * depth + "\n---\n")
    assert time.perf_counter() - started < 1.0


def test_nesting_up_to_the_limit_is_read() -> None:
    assert load("[" * 64 + "]" * 64) is not None


def test_more_than_one_yaml_document_is_refused(bridge: Bridge) -> None:
    assert not bridge.ask(op="load", text="a: 1\n---\nb: 2\n")["ok"]
    with pytest.raises(FrontmatterError, match="single document"):
        load("a: 1\n---\nb: 2\n")


# --- resolution: js-yaml 4's default schema -------------------------------------------------------------

# fmt: off
HOSTILE_SCALARS = [
    "yes", "Yes", "YES", "no", "NO", "on", "off", "y", "n", "~", "null", "Null", "NULL", "nUll", "true", "True",
    "TRUE", "tRue", "false", "FALSE", "012", "08", "0o17", "0O17", "0o8", "0x1F", "0X1F", "0xg", "0b101", "0b2",
    "-0x1F", "+0b1", "1_000", "1__0", "_1", "1:20", "-1:20", "1:20.5", "190:20:30", "0", "-0", "+0", "00",
    "-0.0", "0.0", "1.0", "1.", ".5", "-.5", "+.5", "1e3", "1E3", "1e+3", "1.5e-3", "1e", "e1", "1.2.3",
    ".inf", "-.inf", "+.inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN", "-.nan", "1e400", "-1e400",
    "99999999999999999999", "12345678901234567891", "9007199254740993", "0x1FFFFFFFFFFFFF1", "0x" + "F" * 300,
    "9" * 400, "2024-10-01", "2024-1-1", "2024-02-30", "0099-01-01", "0000-01-01", "2024-13-01", "2024-00-00",
    "2024-01-01T10:00:00Z", "2024-01-01 10:00:00", "2024-01-01t10:00:00.123456+02:30", "2024-01-01T10:00:00 -5",
    "2024-01-01T25:61:61Z", "2024-01-01T10:00:00.", "2024-01-01   1:02:03 Z", "<<", "=", "1_0.5", "0b1_0",
    "0x_1", "0.1_0", "+12", "-12", "+", ".", "0o", "0b", "0x", "1103-2", "487-2", "A6.4ERs", "COP29",
    "Infinity", "NaN", "0.1", "3.14159", "-7", "1e-7", "123456789012345678901234",
]
# fmt: on


@pytest.mark.parametrize("context", ["v: {}\n", "- {}\n", "v: [{}]\n", "{}: key\n"])
def test_load_resolves_plain_scalars_exactly_like_js_yaml(bridge: Bridge, context: str) -> None:
    texts = [context.replace("{}", scalar) for scalar in HOSTILE_SCALARS]
    # Keys are String(number); the tagged schema's BigInt would print big ints differently, so use the plain one.
    op = "loadPlain" if context.startswith("{}") else "load"
    answers = bridge.batch([{"op": op, "text": text} for text in texts])
    for text, answer in zip(texts, answers, strict=True):
        if not answer["ok"]:
            with pytest.raises(FrontmatterError):
                load(text)
            continue
        try:
            ours = to_js(load(text))
        except FrontmatterError as error:
            # Deviation: a timestamp key would become String(Date), which depends on the reader's time zone.
            assert "keys must be scalars, not date" in str(error), text
            continue
        assert (untyped(ours) if op == "loadPlain" else ours) == answer["value"], text


def test_load_reads_yaml_1_1_forms_as_strings_and_1_2_forms_as_numbers() -> None:
    assert load("[yes, NO, on, 1_000, 1:20, 0O17]") == ["yes", "NO", "on", "1_000", "1:20", "0O17"]
    assert load("[012, 0o17, 0x1F, 0b101, -0, 1.0, .5]") == [12, 15, 31, 5, 0, 1.0, 0.5]
    assert type(load("1.0")) is float and type(load("-0")) is int
    assert load("~") is None and load("") is None


def test_load_reads_timestamps_as_js_yaml_does_including_its_date_rollover() -> None:
    assert load("2024-10-01") == date(2024, 10, 1)
    assert load("2024-02-30") == date(2024, 3, 1)
    assert load("0099-01-01") == date(1999, 1, 1)
    assert load("2024-01-01t10:00:00.123456+02:30") == datetime(2024, 1, 1, 7, 30, 0, 123000, tzinfo=UTC)
    with pytest.raises(FrontmatterError, match="out of the range"):
        load("9999-12-32")


@pytest.mark.parametrize(
    "yaml_text",
    [
        "<<: {a: 1}\na: 2\n",
        "a: 1\n<<: {a: 3, b: 4}\n",
        "base: &b {x: 1, y: 2}\nthing:\n  <<: *b\n  y: 3\n",
        "b1: &b1 {x: 1}\nb2: &b2 {x: 2, z: 3}\nm:\n  <<: [*b1, *b2]\n",
        "<<: [[x, y]]\n",
        "'<<': literal\n",
        "s: !!set {a, b}\n",
        "o: !!omap [a: 1, b: 2]\n",
        "p: !!pairs [a: 1, a: 2]\n",
        "b: !!binary YQ==\nc: !!binary |\n  aGVsbG8g\n  d29ybGQ=\n",
        "n: !!null\ne: !!str\nq: !!seq\nm: !!map\n",
        "k: ! 12\nx: !!float 1\ni: !!int '0x10'\nt: !!timestamp 2024-01-01\n",
        "%YAML 1.2\n---\na: 1\n",
        't: "\\N\\L\\P\\_\\x41\\u00e9\\U0001F600"\n',
        "a:\tb\n",
        "k: &a x\n*a : y\n",
        "? |\n  long\n: v\n",
        "1: a\nb: c\n0: d\n",
        "a: b\x85c\nd: e\u2028f\ng: h\u2029\n",
        "a: b\x85\n  c\n",
        "a: \ufeffb\n",
        "null: 1\ntrue: 2\n1.5: 3\n.inf: 4\n",
        "a: 'it''s'\nb: \"q\\\"\"\nc: >\n  folded\n  text\n\n  para\nd: |+\n  keep\n\n",
    ],
)
def test_load_matches_js_yaml_on_merge_keys_tags_and_odd_syntax(bridge: Bridge, yaml_text: str) -> None:
    answer = bridge.ask(op="load", text=yaml_text)
    assert answer["ok"], answer
    assert to_js(load(yaml_text)) == answer["value"]


def test_load_maps_js_yaml_shapes_to_python_types() -> None:
    data = load("s: !!set {a}\no: !!omap [a: 1]\np: !!pairs [a: 1]\nb: !!binary YQ==\n")
    assert data == {"s": {"a": None}, "o": [{"a": 1}], "p": [["a", 1]], "b": b"a"}


def test_mapping_keys_that_are_collections_are_refused_although_js_yaml_stringifies_them(bridge: Bridge) -> None:
    assert bridge.ask(op="load", text="created: {{date}}\n")["value"] == {
        "$map": [["created", {"$map": [["[object Object]", None]]}]]
    }
    with pytest.raises(FrontmatterError, match="mapping keys must be scalars"):
        load("created: {{date}}\n")


# --- dump: js-yaml 4 dump(data, {lineWidth: -1}) ---------------------------------------------------------

DUMP_CASES: list[Any] = [
    {"a": "plain", "b": "two words", "c": "", "d": " lead", "e": "trail ", "f": "a: b", "g": "a #b", "h": "a#b"},
    {"q": "'", "dq": '"', "both": 'it\'s "x"', "colon": "x:", "dash": "- x", "qm": "? x", "amp": "&a", "star": "*a"},
    {"bang": "!tag", "pct": "%", "at": "@", "tick": "`x`", "brace": "{a}", "bracket": "[a]", "comma": "a, b"},
    {"pipe": "|", "gt": ">", "eq": "=", "hash": "#", "tilde": "~", "null": "null", "tab": "a\tb", "cr": "a\rb"},
    {"nl": "a\nb", "trailing": "a\n", "keep": "a\n\n", "only": "\n", "lead": "\nx", "indent": "  x\ny", "nn": "\n\n"},
    {"uni": "巴黎协定 é", "emoji": "😀 ok", "ls": "a\u2028b", "nel": "a\x85b", "bom": "\ufeffx", "nbsp": "a\xa0b"},
    {"ctrl": "\x00\x07\x1b\x7f\x9f", "astral_escape": "\U0001f600\x01", "ws": " ", "long": "word " * 100},
    {"numbers": [0, -1, 12, 2**53, 1.5, -0.25, 1e-7, 1e21, 1.5e300, -0.0, math.inf, -math.inf, 0.1]},
    {"bools": [True, False, None], "empty_list": [], "empty_map": {}, "nested": [[1, [2]], [], {}, {"a": []}]},
    {"seq_of_maps": [{"a": 1, "b": [1, 2]}, {"c": {"d": "x\ny"}}], "multi_in_seq": ["a\nb", "c"]},
    {"10": "index keys", "b": 1, "2": "go first in JS", "01": "not an index"},
    {"date": datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC), "bin": b"\x00\xffhello"},
    {"key with spaces": 1, "key: colon": 2, "'quoted'": 3, "": 4, "yes": 5, "1": 6, "-": 7, "k\ny": 8},
    ["top", "level", "list"],
    "top level string",
    "multi\nline top\n",
    {"k" * 1100: "very long key"},
]


@pytest.mark.parametrize("data", DUMP_CASES, ids=range(len(DUMP_CASES)))
def test_dump_is_byte_identical_to_js_yaml(bridge: Bridge, data: Any) -> None:
    answer = bridge.ask(op="dump", value=to_js(data))
    assert answer["ok"], answer
    assert dump(data) == answer["text"]


@pytest.mark.parametrize("data", DUMP_CASES, ids=range(len(DUMP_CASES)))
def test_dump_reads_back_as_the_same_data_for_us_js_yaml_and_gray_matter(bridge: Bridge, data: Any) -> None:
    text = dump(data)
    expected = _yaml12.js_key_order(data) if type(data) is dict else data
    assert same(load(text), expected)
    assert bridge.ask(op="load", text=text)["value"] == to_js(expected)
    assert untyped(bridge.ask(op="load3", text=text)["value"]) == untyped(to_js(expected))


def test_dump_keeps_integral_floats_as_floats_unlike_js_yaml(bridge: Bridge) -> None:
    data = {"a": 1.0, "b": -3.0, "c": 1e20, "d": 0.0}
    assert bridge.ask(op="dump", value=to_js(data))["text"] == "a: 1\nb: -3\nc: 100000000000000000000\nd: 0\n"
    assert dump(data) == "a: 1.0\nb: -3.0\nc: 100000000000000000000.0\nd: 0.0\n"
    assert same(load(dump(data)), data)


def test_dump_writes_a_date_as_a_date_unlike_js_yaml(bridge: Bridge) -> None:
    assert bridge.ask(op="dump", value=to_js({"d": date(2024, 10, 1)}))["text"] == "d: 2024-10-01T00:00:00.000Z\n"
    assert dump({"d": date(2024, 10, 1)}) == "d: 2024-10-01\n"


def test_dump_quotes_strings_gray_matters_js_yaml_3_would_read_as_numbers(bridge: Bridge) -> None:
    values = ["1_000", "0b1_0", "0x_1", "1_0.5", "1e400", "9" * 400]
    for value in values:
        assert bridge.ask(op="dump", value=to_js(value))["text"] == value + "\n"
        assert untyped(bridge.ask(op="load3", text=value)["value"]) != value
        assert dump(value) == f"'{value}'\n"
        assert untyped(bridge.ask(op="load3", text=dump(value))["value"]) == value


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"a": datetime(2024, 1, 1)}, ValueError),
        ({"a": datetime(2024, 1, 1, 0, 0, 0, 1, tzinfo=UTC)}, ValueError),
        ({"a": 2**53 + 1}, ValueError),
        ({1: "a"}, TypeError),
        ({"a": b""}, ValueError),
        ({"a": {1, 2}}, TypeError),
    ],
)
def test_dump_refuses_data_that_would_not_read_back(data: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        dump(data)


def test_dump_refuses_cyclic_data() -> None:
    data: dict[str, Any] = {}
    data["self"] = data
    with pytest.raises(ValueError, match="cyclic"):
        dump(data)


# --- same --------------------------------------------------------------------------------------------------


def test_same_is_type_strict_and_order_sensitive() -> None:
    assert same({"a": [1, math.nan]}, {"a": [1, math.nan]})
    assert not same(True, 1)
    assert not same(1, 1.0)
    assert not same(0.0, -0.0)
    assert not same(date(2024, 1, 1), datetime(2024, 1, 1, tzinfo=UTC))
    assert not same({"a": 1, "b": 2}, {"b": 2, "a": 1})


# --- render ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["styles.md", "crlf-bom.md", "no-final-newline.md", "flow-root.md"])
def test_render_of_unchanged_data_returns_the_original_bytes(name: str) -> None:
    text = file(name)
    document = parse(text)
    assert render(document, document.data, document.body) == text
    assert render(document, dict(document.data), document.body) == text


def test_render_of_a_changed_body_replaces_only_the_body() -> None:
    text = file("styles.md")
    document = parse(text)
    rendered = render(document, document.data, "new body\n")
    assert rendered == text[: len(text) - len(document.body)] + "new body\n"


def test_render_edits_only_the_changed_lines_and_keeps_comments_and_styles() -> None:
    text = file("styles.md")
    document = parse(text)
    data = dict(document.data)
    data["nested"] = dict(data["nested"], score=5)
    data.pop("removed")
    data = {**{k: v for k, v in data.items() if k != "tail"}, "added": ["x", "z"], "tail": data["tail"]}
    rendered = render(document, data, document.body)
    assert rendered == file("styles.edited.md")
    assert same(parse(rendered).data, data)


def test_render_keeps_crlf_line_endings_and_the_bom_when_editing() -> None:
    text = file("crlf-bom.md")
    document = parse(text)
    data = dict(document.data, title="New title", extra={"k": "multi\nline"})
    rendered = render(document, data, document.body)
    assert rendered.startswith("\ufeff---\r\n")
    assert "\n" not in rendered.replace("\r\n", "")
    assert same(parse(rendered).data, data)
    assert "title: New title\r\n" in rendered


def test_render_compares_with_the_text_so_in_place_edits_of_document_data_count() -> None:
    document = parse("---\ntitle: old\n---\n")
    document.data["title"] = "new"
    assert render(document, document.data, document.body) == "---\ntitle: new\n---\n"


def test_render_writes_a_new_file_in_collection_style() -> None:
    assert render(None, {"title": "x", "tags": ["a"]}, "body") == "---\ntitle: x\ntags:\n  - a\n---\nbody"


def test_render_falls_back_to_a_full_rewrite_when_an_edit_would_drop_an_anchor() -> None:
    text = "---\nbase: &b {x: 1}\n# comment\nuse: *b\n---\n"
    document = parse(text)
    data = dict(document.data, base={"x": 2})
    rendered = render(document, data, document.body)
    assert rendered == "---\n" + dump(data) + "---\n"


def test_render_rewrites_a_mapping_whose_keys_were_reordered() -> None:
    document = parse("---\na: 1 # one\nb:\n  p: 1\n  q: 2\n---\n")
    data = {"a": 1, "b": {"q": 2, "p": 3}}
    assert render(document, data, document.body) == "---\na: 1 # one\nb:\n  q: 2\n  p: 3\n---\n"


def test_render_can_empty_the_frontmatter() -> None:
    document = parse("---\na: 1\n---\nbody")
    assert render(document, {}, "body") == "---\n{}\n---\nbody"
    assert parse(render(document, {}, "body")).data == {}


def test_rendered_files_read_the_same_in_js_yaml_and_gray_matter(bridge: Bridge) -> None:
    document = parse(file("styles.md"))
    data = dict(document.data, nested={"score": 1.0, "when": date(2024, 1, 1)}, added="1_000")
    rendered = render(document, data, document.body)
    answer = bridge.ask(op="matter", text=rendered)
    assert untyped(answer["data"]) == untyped(to_js(data))
    assert answer["content"] == document.body


# --- the seed ---------------------------------------------------------------------------------------------------


def test_seed_renders_unchanged_byte_for_byte() -> None:
    text = SEED.read_text(encoding="utf-8")
    document = parse(text)
    assert render(document, document.data, document.body) == text


def test_seed_dump_reproduces_its_frontmatter_exactly() -> None:
    text = SEED.read_text(encoding="utf-8")
    document = parse(text)
    assert "---\n" + dump(document.data) + "---\n" + document.body == text


def test_seed_edit_of_one_score_changes_exactly_one_line() -> None:
    text = SEED.read_text(encoding="utf-8")
    document = parse(text)
    data = json.loads(json.dumps(document.data))
    data["analysis"]["market"]["score"] = 99
    rendered = render(document, data, document.body)
    changed = [(a, b) for a, b in zip(text.split("\n"), rendered.split("\n"), strict=True) if a != b]
    assert changed == [("    score: 100", "    score: 99")]
    assert rendered == "---\n" + dump(data) + "---\n" + document.body


def test_seed_reads_the_same_in_js_yaml(bridge: Bridge) -> None:
    text = SEED.read_text(encoding="utf-8")
    assert bridge.ask(op="matter", text=text)["data"] == untyped(to_js(parse(text).data))


def test_removing_a_block_scalar_that_holds_only_spaces_removes_all_its_lines() -> None:
    # Found by the property tests: `|2` holding " \n" has a content line of spaces that is not a blank line.
    original = {"id": "a", "pubDate": " \n", "sectors": []}
    document = parse("---\n" + dump(original) + "---\n")
    assert document.text == "---\nid: a\npubDate: |2\n   \nsectors: []\n---\n"
    assert render(document, {"id": "a", "sectors": []}, "") == "---\nid: a\nsectors: []\n---\n"
