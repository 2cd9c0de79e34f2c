"""Readable differences between two versions of a text, for reviewers.

Chinese (and other CJK) text has no spaces, so a word-level diff would mark a whole paragraph as changed: CJK
characters are compared one by one, everything else word by word.
"""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_CJK = (
    "\u2e80-\u2fdf"  # radicals
    "\u3000-\u303f"  # CJK punctuation
    "\u3040-\u30ff"  # kana
    "\u3400-\u4dbf"  # extension A
    "\u4e00-\u9fff"  # unified ideographs
    "\uf900-\ufaff"  # compatibility ideographs
    "\uff00-\uffef"  # full-width forms
    "\u2018-\u201f"  # curly quotes, used as CJK punctuation in the collection
)
_TOKEN = re.compile(rf"[{_CJK}]|\s+|[^\s{_CJK}]+")


def tokenize(text: str) -> list[str]:
    """Split into CJK characters, runs of whitespace and words; joining the tokens gives the text back."""
    return _TOKEN.findall(text)


@dataclass(frozen=True)
class Chunk:
    kind: str  # "equal", "delete" or "insert"
    text: str


def diff_text(old: str, new: str) -> list[Chunk]:
    """The edit from `old` to `new` as equal, deleted and inserted chunks, in reading order."""
    a, b = tokenize(old), tokenize(new)
    chunks: list[Chunk] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            chunks.append(Chunk("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            chunks.append(Chunk("delete", "".join(a[i1:i2])))
        if j2 > j1:
            chunks.append(Chunk("insert", "".join(b[j1:j2])))
    return chunks


def diff_html(old: str, new: str) -> SafeString:
    """The edit as HTML: deletions in <del>, insertions in <ins>, all text escaped."""
    tags = {"delete": "del", "insert": "ins"}
    parts = []
    for chunk in diff_text(old, new):
        text = escape(chunk.text)
        parts.append(f"<{tags[chunk.kind]}>{text}</{tags[chunk.kind]}>" if chunk.kind in tags else text)
    return mark_safe("".join(parts))
