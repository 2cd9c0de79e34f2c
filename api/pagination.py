"""Lists of records page by cursor: stable while records are edited, and cheap however deep a script reads."""

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class PolicyCursorPagination(CursorPagination):
    ordering = "policy_id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request):
        # DRF answers a malformed cursor with 404; it is a bad parameter, not a missing page.
        try:
            return super().decode_cursor(request)
        except NotFound as error:
            raise ValidationError({self.cursor_query_param: [str(error.detail)]}) from None
