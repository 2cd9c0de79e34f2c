"""The project's own pages: the health check, and the error pages (templates/400.html, 403.html, 404.html,
500.html, 403_csrf.html) in the admin's look.

Django's own handlers render these templates without the admin site's context: the header would read "Django
administration" and the page could not tell which links its viewer may follow. These give them that context (the
site's name, the user's links, the sidebar of the models the viewer may open), so that the pages link only where
their viewer may go. With DEBUG on Django shows its own pages instead, except for the CSRF failure.
"""

from django.contrib import admin
from django.db import connection
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe


@require_safe
def health(request: HttpRequest) -> HttpResponse:
    """200 once the app answers and reaches its database (config/healthcheck.py asks, over plain HTTP)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok\n", content_type="text/plain")


def _admin_context(request: HttpRequest, title: str) -> dict:
    if not hasattr(request, "user"):
        # Refused before AuthenticationMiddleware ran (CommonMiddleware's DISALLOWED_USER_AGENTS): nobody to show.
        return {"title": title, "site_header": admin.site.site_header, "site_title": admin.site.site_title}
    return {**admin.site.each_context(request), "title": title}


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    context = _admin_context(request, _("Bad request"))
    return HttpResponseBadRequest(loader.render_to_string("400.html", context, request))


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    context = _admin_context(request, _("Page not found"))
    return HttpResponseNotFound(loader.render_to_string("404.html", context, request))


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    context = {**_admin_context(request, _("Permission denied")), "exception": str(exception)}
    return HttpResponseForbidden(loader.render_to_string("403.html", context, request))


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    # Nothing that might have failed runs again here: no database, no user, no context processor.
    context = {"title": _("Server error"), "site_header": admin.site.site_header, "site_title": admin.site.site_title}
    return HttpResponseServerError(loader.render_to_string("500.html", context))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: a way back to the form (the page it was sent from, if on this site)."""
    form_url = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(form_url, {request.get_host()}, require_https=request.is_secure()):
        form_url = ""
    context = {**_admin_context(request, _("The form could not be sent")), "form_url": form_url}
    return HttpResponseForbidden(loader.render_to_string("403_csrf.html", context, request))
