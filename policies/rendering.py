"""Markdown as the published site shows it. The one place the app turns editors' text into HTML."""

import nh3
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from markdown_it import MarkdownIt

# CommonMark with GitHub's tables and strikethrough, raw HTML passed on (and then sanitized, below). markdown-it
# replaced Python-Markdown, which took 57 s for a text of 20,000 "[" (quadratic in nested brackets); markdown-it
# takes 0.5 s for it, and caps list and quote nesting instead of recursing without end.
_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
# Longer texts are shown as they are written, not rendered: no text, however it is written, keeps a page (the
# change form, the review screen, the live preview) from answering within seconds. At this length the worst
# shapes found take about 2 s (a run of "["); real records are far shorter.
RENDERED_MAX_CHARACTERS = 100_000


def render_markdown(text: str) -> SafeString:
    """Markdown rendered to HTML, then sanitized: no scripts, event handlers, `javascript:` links or iframes.

    nh3 (ammonia) keeps an allow-list of tags, attributes and URL schemes, so whatever the Markdown lets through
    (it passes raw HTML on) is cut down to plain formatting before anything marks it safe.
    """
    if len(text) > RENDERED_MAX_CHARACTERS:
        note = gettext(
            "This text has %(length)s characters, more than a preview renders (%(limit)s): shown as written."
        )
        limits = {"length": f"{len(text):,}", "limit": f"{RENDERED_MAX_CHARACTERS:,}"}
        return format_html('<p class="preview-too-long">{}</p><pre>{}</pre>', note % limits, text)
    return mark_safe(nh3.clean(_MARKDOWN.render(text)))
