"""Markdown previews: what any text, however it is written, comes to on the change form, the review screen and the
live preview."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.urls import reverse

from policies.rendering import RENDERED_MAX_CHARACTERS, render_markdown

pytestmark = pytest.mark.django_db

N = RENDERED_MAX_CHARACTERS
# Texts that made a Markdown renderer work in quadratic time or recurse without end, at the longest length rendered.
HOSTILE = {
    "a run of [": "[" * N,
    "[a repeated": "[a" * (N // 2),
    "nested brackets": "[" * (N // 2) + "]" * (N // 2),
    "links never closed": "[a](" * (N // 4),
    "emphasis never closed": "*a" * (N // 2),
    "underscores never closed": "_a" * (N // 2),
    "HTML tags never closed": "<div>" * (N // 5),
    "lists nested 1,000 deep": "".join("  " * depth + "- x\n" for depth in range(1000))[:N],
    "quotes nested 1,000 deep": "".join(">" * depth + " x\n" for depth in range(1000))[:N],
}


@contextmanager
def no_hang(seconds: int) -> Iterator[None]:
    """Fail, rather than wait for ever, if the block runs past `seconds` (far beyond what any shape here needs: the
    worker timeout a request must stay under is 30 s)."""

    def hung(signum, frame):
        raise AssertionError(f"still rendering after {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.slow
@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_no_text_keeps_the_preview_from_answering(text, client, editor):
    client.force_login(editor)
    with no_hang(20):
        response = client.post(reverse("admin:policies_policy_preview"), {"text": text})
    assert response.status_code == 200


def test_a_text_longer_than_a_preview_renders_is_shown_as_written_with_a_note():
    text = "# Title\n" + "<b>x</b>" * N
    html = render_markdown(text)
    assert "more than a preview renders" in html
    assert "<h1>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_tables_and_strikethrough_render_as_the_site_shows_them():
    html = render_markdown("| a | b |\n| - | - |\n| 1 | 2 |\n\n~~gone~~")
    assert "<table>" in html and "<td>2</td>" in html and "<s>gone</s>" in html
