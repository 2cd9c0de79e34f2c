"""The language each person reads the desk in: the one they chose in the header, kept with their account, so that it
follows them to every device. Without a choice, Django's LocaleMiddleware decides (the language cookie, the
browser's languages, then LANGUAGE_CODE)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils import translation
from django.views import i18n

from accounts.models import LanguagePreference

# The chosen language, read from the database once a session (every page would otherwise cost a query).
SESSION_KEY = "desk_language"


def preferred_language(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Middleware, after the user is known: speak the language the signed-in person chose, if they chose one."""

    def middleware(request: HttpRequest) -> HttpResponse:
        language = _chosen(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return get_response(request)

    return middleware


def _chosen(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    if SESSION_KEY not in request.session:
        chosen = LanguagePreference.objects.filter(user=user).values_list("language", flat=True).first()
        request.session[SESSION_KEY] = chosen or ""
    return request.session[SESSION_KEY]


def set_language(request: HttpRequest) -> HttpResponse:
    """The header's language switch: Django's own (the cookie, then back to the page), and for a signed-in person
    their choice kept with their account."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    response = i18n.set_language(request)
    language = request.POST.get(i18n.LANGUAGE_QUERY_PARAMETER, "")
    if language in dict(settings.LANGUAGES) and request.user.is_authenticated:
        LanguagePreference.objects.update_or_create(user=request.user, defaults={"language": language})
        request.session[SESSION_KEY] = language
    return response
