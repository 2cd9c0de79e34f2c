"""The collection's codec behind python-frontmatter's API, for scripts that reach for `frontmatter.load`.

Two ways in:

- `loads(text)` / `load(path)` give a `frontmatter.Post` that remembers its file: `frontmatter.dumps(post)` then
  writes what the export writes, the file byte for byte while nothing changed, and only the changed keys' lines
  after an edit (js-yaml 4's `dump` style). `post.content` is the body exactly as written.
- `frontmatter.load(path, handler=CollectionHandler())`, python-frontmatter's own entry, reads the metadata as
  js-yaml 4 reads it (dates, numbers, duplicate keys and all), but python-frontmatter strips the text and the
  body before any handler sees them, so such a post is written back as a new file in the collection's style.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import frontmatter as python_frontmatter
from frontmatter.default_handlers import BaseHandler

from policies.codec import frontmatter as codec


class CollectionHandler(BaseHandler):
    """python-frontmatter's handler for the collection's files: `---` delimited YAML, as js-yaml 4 has it."""

    FM_BOUNDARY = re.compile(r"^-{3,}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "---"

    def __init__(self, document: codec.Document | None = None) -> None:
        super().__init__()
        self.document = document  # the file a post was read from, to write it back as the export does

    def detect(self, text: str) -> bool:
        return text.lstrip("\ufeff").startswith("---")

    def split(self, text: str) -> tuple[str, str]:
        # As the import divides a file (a byte order mark, gray-matter's closing line). python-frontmatter reads
        # a ValueError here as "no frontmatter", as it does for its own handlers.
        return codec.split(text)

    def load(self, fm: str) -> dict[str, Any]:  # type: ignore[override]
        data = codec.load(fm)
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise codec.FrontmatterError("the frontmatter must be a YAML mapping")
        return data

    def export(self, metadata: dict[str, object], **kwargs: object) -> str:
        return codec.dump(metadata).rstrip("\n")

    def format(self, post: python_frontmatter.Post, **kwargs: object) -> str:
        return codec.render(self.document, dict(post.metadata), post.content)


def loads(text: str) -> python_frontmatter.Post:
    """A post of the file `text`, read as the import reads it (raises `codec.FrontmatterError` as it does)."""
    document = codec.parse(text)
    return python_frontmatter.Post(document.body, CollectionHandler(document), **document.data)


def load(path: str | Path) -> python_frontmatter.Post:
    """`loads` of a file's text (UTF-8, line endings as they are)."""
    return loads(Path(path).read_bytes().decode("utf-8"))
