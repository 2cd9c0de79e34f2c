"""Request bodies: JSON only."""

from django.utils.translation import gettext
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            # Python's decoder gives up on deep nesting with a RecursionError, which DRF lets through as a 500.
            raise ParseError(gettext("JSON parse error - the document is nested too deeply.")) from None
