"""Real-world files (a copy of shared/corpus/public, sources in its SOURCES.tsv): exact round trips and edits."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

import pytest

from policies.codec.frontmatter import Document, FrontmatterError, parse, render, same
from tests.policies.codec.test_frontmatter import CORPUS, Bridge, bridge, to_js, untyped  # noqa: F401 - bridge is a fixture

FILES = sorted(CORPUS.glob("*.md"))

# Files we must refuse, and why.
REFUSED = {
    "11-dustincys-cn-2011-12-01-NCBIGIAGI.md": "duplicate key 'share'",
    "13-dustincys-cn-2014-12-21-ipv6.md": "duplicate key 'share'",
    # `created: {{date}}` is a template placeholder; js-yaml would read it as {"[object Object]": null}.
    "28-kepano-kepano-obsidian-Album-Template.md": "mapping keys must be scalars",
    "48-stared-jekyll-blog-pre-2022-2017-09-30-dating-for-nerds-gender-differences.md": "duplicate key 'layout'",
}
ACCEPTED = [path for path in FILES if path.name not in REFUSED]


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def test_the_corpus_is_all_there() -> None:
    assert len(FILES) == 61


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_corpus_file_is_refused_for_its_reason(name: str) -> None:
    with pytest.raises(FrontmatterError, match=re.escape(REFUSED[name])) as caught:
        parse(read(CORPUS / name))
    assert caught.value.line is not None


@pytest.mark.parametrize("path", ACCEPTED, ids=lambda path: path.name[:2])
def test_corpus_file_renders_back_byte_for_byte(path: Path) -> None:
    text = read(path)
    document = parse(text)
    assert render(document, document.data, document.body) == text


@pytest.mark.parametrize("path", ACCEPTED, ids=lambda path: path.name[:2])
def test_corpus_file_reads_as_js_yaml_reads_it(bridge: Bridge, path: Path) -> None:  # noqa: F811
    text = read(path)
    document = parse(text)
    yaml_text = text[text.index("\n") + 1 : len(text) - len(document.body)].rsplit("---", 1)[0]
    answer = bridge.ask(op="loadPlain", text=yaml_text)
    assert answer["ok"], answer
    assert untyped(to_js(document.data)) == untyped(answer["value"] or {"$map": []})


def _key_span(lines: list[str], key: str) -> range:
    """Lines of a top-level key: from its line to the next top-level key or the closing delimiter."""
    start = next(index for index, line in enumerate(lines) if index and re.match(re.escape(key) + r"\s*:", line))
    end = start + 1
    while not re.match(r"[^\s#-]|---\s*$", lines[end]):
        end += 1
    return range(start, end)


def _edit_first_scalar(document: Document) -> tuple[str, dict[str, Any]]:
    scalars = [key for key, value in document.data.items() if not isinstance(value, (dict, list)) and key.isalnum()]
    if not scalars:
        pytest.skip("no plain top-level scalar key to edit")
    return scalars[0], dict(document.data, **{scalars[0]: "edited value"})


@pytest.mark.parametrize("path", ACCEPTED, ids=lambda path: path.name[:2])
def test_corpus_file_edit_of_one_top_level_scalar_changes_only_its_lines(path: Path) -> None:
    text = read(path)
    document = parse(text)
    key, data = _edit_first_scalar(document)
    rendered = render(document, data, document.body)

    old_lines, new_lines = text.splitlines(), rendered.splitlines()
    span = _key_span(old_lines, key)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, old_start, old_end, _new_start, _new_end in matcher.get_opcodes():
        if tag != "equal":
            assert span.start <= old_start and old_end <= span.stop, (tag, old_start, old_end, span)
    assert f"{key}: edited value" in new_lines
    reread = parse(rendered)
    assert same(reread.data, data)
    assert reread.body == document.body


@pytest.mark.parametrize("path", ACCEPTED, ids=lambda path: path.name[:2])
def test_corpus_file_after_an_edit_reads_the_same_in_js_yaml_and_gray_matter(bridge: Bridge, path: Path) -> None:  # noqa: F811
    text = read(path)
    document = parse(text)
    key, data = _edit_first_scalar(document)
    rendered = render(document, data, document.body)
    # js-yaml 4 reads the edit as we do; gray-matter (js-yaml 3) reads every other key as it did before, even
    # where it disagrees with js-yaml 4 (52's `track_id: 00000011` is octal 9 there, 11 here).
    before, after = (bridge.ask(op="matter", text=version)["data"]["$map"] for version in (text, rendered))
    assert after == [[name, "edited value" if name == key else value] for name, value in before]
    yaml_text = rendered[rendered.index("\n") + 1 : len(rendered) - len(document.body)].rsplit("---", 1)[0]
    assert bridge.ask(op="load", text=yaml_text)["value"] == to_js(data)
