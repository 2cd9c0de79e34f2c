"""python-frontmatter's API over the collection's codec, tried on the real-world corpus."""

from __future__ import annotations

from pathlib import Path

import frontmatter as python_frontmatter
import pytest

from policies.codec import frontmatter as codec
from policies.codec.handler import CollectionHandler, load, loads
from tests.data import SEED
from tests.policies.codec.test_frontmatter import CORPUS
from tests.policies.codec.test_frontmatter_corpus import ACCEPTED, REFUSED, read


@pytest.mark.parametrize("path", ACCEPTED, ids=lambda path: path.name[:2])
def test_a_post_read_through_the_handler_is_written_back_byte_for_byte(path: Path) -> None:
    text = read(path)
    post = load(path)
    assert codec.same(post.metadata, codec.parse(text).data)
    assert post.content == codec.parse(text).body
    assert python_frontmatter.dumps(post) == text


@pytest.mark.parametrize("path", ACCEPTED, ids=lambda path: path.name[:2])
def test_python_frontmatters_own_load_reads_the_metadata_as_js_yaml_does(path: Path) -> None:
    post = python_frontmatter.load(path, handler=CollectionHandler())
    assert codec.same(post.metadata, codec.parse(read(path)).data)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_what_the_import_refuses_the_handler_refuses_too(name: str) -> None:
    with pytest.raises(codec.FrontmatterError):
        load(CORPUS / name)
    with pytest.raises(codec.FrontmatterError):
        python_frontmatter.load(CORPUS / name, handler=CollectionHandler())


def test_an_edited_post_changes_only_its_keys_lines_as_the_export_does() -> None:
    text = SEED.read_text(encoding="utf-8")
    post = loads(text)
    post["title"] = "第 6.4 条机制"
    post.metadata["analysis"]["market"]["score"] = 80

    written = python_frontmatter.dumps(post)

    document = codec.parse(text)
    assert written == codec.render(document, dict(post.metadata), document.body)
    changed = [(old, new) for old, new in zip(text.splitlines(), written.splitlines(), strict=True) if old != new]
    assert changed == [
        ("    score: 100", "    score: 80"),
        ("title: 《巴黎协定》第 6.4 条碳交易机制 (含 CCS/CDR 标准)", "title: 第 6.4 条机制"),
    ]


def test_a_new_post_is_written_as_the_export_writes_a_new_file() -> None:
    post = python_frontmatter.Post("Body\n", CollectionHandler(), id="new-record", year=2025, tags=["CCS"])
    assert python_frontmatter.dumps(post) == "---\nid: new-record\nyear: 2025\ntags:\n  - CCS\n---\nBody\n"
