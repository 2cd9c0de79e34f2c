"""Every error the API returns is JSON: `detail` says what happened; a 400 lists each wrong field in `errors`.

The domain's refusals keep their own messages: a reviewer who may not act gets 403, a move the record's state
does not allow gets 409, a record that would not be a valid file gets 400 naming the fields, as the import does.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from policies.records import RecordError
from policies.saving import StaleVersion
from reviews.workflow import NotAllowedToReview, TransitionNotAllowed

from .preconditions import PreconditionFailed


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "transition_not_allowed"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RecordError):
        return invalid([(".".join(filter(None, ("frontmatter", p.field))), p.message) for p in exc.problems])
    if isinstance(exc, exceptions.ValidationError):
        return invalid(list(_flatten(exc.detail, "")))
    if isinstance(exc, exceptions.ParseError):
        return invalid([("", str(exc.detail))])
    if isinstance(exc, NotAllowedToReview):
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, StaleVersion):
        exc = PreconditionFailed(str(exc), {})
    elif isinstance(exc, TransitionNotAllowed):
        exc = Conflict(str(exc))
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, PreconditionFailed):
        response.data.update(exc.facts)
    return response


def invalid(problems: list[tuple[str, str]]) -> Response:
    detail = "; ".join(
        gettext("field %(field)s: %(message)s") % {"field": field, "message": message} if field else message
        for field, message in problems
    )
    return Response(
        {"detail": detail, "errors": [{"field": field, "message": message} for field, message in problems]},
        status=status.HTTP_400_BAD_REQUEST,
    )


def _flatten(detail: Any, path: str):
    """(dotted path, message) for each message of a DRF validation error, however nested."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else str(key)
            yield from _flatten(value, f"{path}.{name}" if path and name else path or name)
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, dict | list):
                yield from _flatten(item, f"{path}[{index}]")
            else:
                yield path, str(item)
    else:
        yield path, str(detail)
