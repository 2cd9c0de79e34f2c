"""The one response that is not JSON: a record's file, exactly as the export writes it."""

from rest_framework import renderers


class MarkdownRenderer(renderers.BaseRenderer):
    media_type = "text/markdown"
    format = "md"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return data.encode(self.charset)
