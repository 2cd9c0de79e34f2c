"""Error pages in the admin's look, with a way back and only links the viewer may follow; never DEBUG's pages.
A failure is logged to stderr with its traceback.

pytest-django runs every test with DEBUG off, as a deployment runs. This module is also the URLconf of its tests
(`pytest.mark.urls`): the app's own, with a page that fails.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import path, reverse

from config import urls as site
from tests.data import ROOT
from tests.factories import make_user


def fail(request):
    raise RuntimeError("a bug with a secret in its message")


urlpatterns = [path("fail/", fail), *site.urlpatterns]
handler400, handler403, handler404, handler500 = site.handler400, site.handler403, site.handler404, site.handler500

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

ADMIN_HOME = 'href="/admin/"'


def assert_in_the_admins_look(response, status: int, title: str) -> str:
    body = response.content.decode()
    assert response.status_code == status
    assert "admin/css/base" in body, "the admin's stylesheet"
    assert '<div id="site-name"><a href="/admin/">Policy Review Desk</a></div>' in body
    assert f"<h1>{title}</h1>" in body
    assert ADMIN_HOME in body, "a way back to the admin's home page"
    for debug_page in ("Traceback", "Using the URLconf", "DEBUG = True", "Request information"):
        assert debug_page not in body
    return body


def links(body: str) -> list[str]:
    return [href for href in re.findall(r'href="([^"#]+)"', body) if href.startswith("/")]


@pytest.fixture
def reviewer():
    return make_user("rita", groups=("Reviewer",))


@pytest.mark.parametrize("who", ["visitor", "reviewer"])
def test_an_unknown_address_gets_the_404_page_with_a_link_to_the_admins_home(client, reviewer, who):
    if who == "reviewer":
        client.force_login(reviewer)

    response = client.get("/no-such-page/")

    assert_in_the_admins_look(response, 404, "Page not found")


def test_an_unknown_admin_address_gets_the_same_404_page(client, reviewer):
    client.force_login(reviewer)

    response = client.get("/admin/policies/no-such-page/")

    assert_in_the_admins_look(response, 404, "Page not found")


def test_a_forbidden_admin_page_gets_the_403_page_without_links_to_what_the_viewer_may_not_open(client):
    client.force_login(make_user("stan"))
    forbidden = reverse("admin:policies_policy_changelist")

    response = client.get(forbidden)

    body = assert_in_the_admins_look(response, 403, "Permission denied")
    assert "ask an administrator" in body
    assert forbidden not in body


def test_a_filter_the_list_does_not_offer_gets_the_400_page_naming_it(client, reviewer):
    client.force_login(reviewer)

    response = client.get(reverse("admin:policies_policy_changelist"), {"title__regex": "^x"})

    body = assert_in_the_admins_look(response, 400, "Bad request")
    assert "This list is not filtered by title__regex: use the filters it offers." in body
    assert reverse("admin:policies_policy_changelist") in links(body), "the sidebar's way back to the list"


def test_an_address_holding_a_nul_gets_the_400_page_in_the_admins_look(client, reviewer):
    client.force_login(reviewer)

    response = client.get(reverse("admin:policies_policy_changelist"), {"country": "\x00"})

    body = assert_in_the_admins_look(response, 400, "Bad request")
    assert "could not be understood" in body


def test_a_failure_gets_the_500_page_never_the_debug_page_or_the_error(reviewer):
    client = Client(raise_request_exception=False)
    client.force_login(reviewer)

    response = client.get("/fail/")

    body = assert_in_the_admins_look(response, 500, "Server error")
    assert "secret" not in body and "RuntimeError" not in body


# Asks for the failing page with the production settings, as a deployment's process would, this module the URLconf.
FAIL_IN_PRODUCTION = f"""
import django
from django.test import Client
from django.test.utils import override_settings

django.setup()
# Static files as development finds them: the 500 page links the admin's stylesheet, which is not collected here.
storage = {{"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(ROOT_URLCONF="{__name__}", STORAGES={{"default": storage, "staticfiles": storage}}):
    response = Client(raise_request_exception=False).get("/fail/", secure=True, HTTP_HOST="reviews.example.org")
print(response.status_code)
"""


def test_a_failure_is_logged_to_stderr_with_its_traceback_when_debug_is_off(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "reviews.example.org",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }

    done = subprocess.run(
        [sys.executable, "-c", FAIL_IN_PRODUCTION], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert (done.returncode, done.stdout.strip()) == (0, "500"), done.stderr
    logged = done.stderr[done.stderr.index("[ERROR] django.request: Internal Server Error: /fail/") :]
    assert "Traceback (most recent call last):" in logged
    assert 'raise RuntimeError("a bug with a secret in its message")' in logged
    assert logged.rstrip().endswith("RuntimeError: a bug with a secret in its message")


def test_a_post_without_a_csrf_token_gets_a_page_saying_to_reload_the_form_and_allow_cookies():
    client = Client(enforce_csrf_checks=True)
    login = reverse("admin:login")

    response = client.post(login, {"username": "rita", "password": "x"}, HTTP_REFERER=f"http://testserver{login}")

    body = assert_in_the_admins_look(response, 403, "The form could not be sent")
    assert "Reload the form" in body
    assert "cookies" in body
    assert f'href="http://testserver{login}"' in body, "a link back to the form"


def test_the_csrf_page_never_links_to_another_site():
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("admin:login"), {}, HTTP_REFERER="https://attacker.example/form/")

    assert response.status_code == 403
    assert "attacker.example" not in response.content.decode()


@pytest.mark.parametrize("who", ["visitor", "staff without permissions", "reviewer", "editor"])
def test_every_link_on_an_error_page_opens_for_its_viewer(who):
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)
    if who != "visitor":
        groups = {"reviewer": ("Reviewer",), "editor": ("Editor",)}.get(who, ())
        client.force_login(make_user(who.split()[0], groups=groups))
    pages = [
        client.get("/no-such-page/"),
        client.get("/fail/"),
        client.post(reverse("admin:login"), {}),
        client.get(reverse("admin:index"), {"q": "\x00"}),
    ]
    if who != "visitor":
        pages.append(client.get(reverse("admin:auth_user_changelist")))
    expected = [404, 500, 403, 400] + ([403] if who != "visitor" else [])
    assert sorted(page.status_code for page in pages) == sorted(expected)

    followed = {
        href: client.get(href, follow=True).status_code for page in pages for href in links(page.content.decode())
    }

    assert followed, "the pages link somewhere"
    assert {href: status for href, status in followed.items() if status != 200} == {}
