"""Middleware of the site's own."""

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext


def refuse_nul_in_query(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Answer 400 to a page address whose query holds a NUL character (`?country=%00`).

    The admin's list filters hand their values to the database unchecked: PostgreSQL refuses a NUL in text (a
    500) where SQLite finds nothing, so the same address had two answers. The API checks its parameters itself
    and answers with JSON naming the parameter, so it is left to do so.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith("/api/") and any(
            "\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values
        ):
            raise BadRequest(gettext("The address holds a NUL character (%(code)s).") % {"code": "%00"})
        return get_response(request)

    return middleware
