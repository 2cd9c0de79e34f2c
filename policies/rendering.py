"""Markdown as the published site shows it. The one place the app turns editors' text into HTML."""

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe


def render_markdown(text: str) -> SafeString:
    """Markdown rendered to HTML, then sanitized: no scripts, event handlers, `javascript:` links or iframes.

    nh3 (ammonia) keeps an allow-list of tags, attributes and URL schemes, so whatever the Markdown lets through
    (it passes raw HTML on) is cut down to plain formatting before anything marks it safe.
    """
    return mark_safe(nh3.clean(markdown.markdown(text, extensions=["extra", "sane_lists"])))
