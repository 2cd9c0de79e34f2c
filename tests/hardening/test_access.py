"""Nobody gets in: every URL refuses anonymous visitors and staff without permissions and changes nothing;
every state change needs POST with a CSRF token; editors cannot manage users or raise their own permissions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from accounts.models import AccessChange
from accounts.tokens import issue_token
from policies.models import FileSnapshot, ImportConflict, Policy
from reviews.models import ReviewEvent
from tests.factories import approve, edit, make_policy, make_user

pytestmark = pytest.mark.django_db

SECRET = "Confidential draft 7f3a9"
SECRET_ID = "secret-record-7f3a9"
# Pages meant for everyone: they describe the API and hold no record.
PUBLIC = {"/api/docs/", "/api/schema/", "/health/"}
PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>|\(\?P<(?P<group>\w+)>[^)]*\)")
POSTED = {"title": "Changed by an intruder", "action": "approve", "comment": "x", "expected_version": "1"}


def _text(pattern: Any) -> str:
    return str(pattern).removeprefix("^").removesuffix("$").removesuffix(r"\Z")


def routes(patterns: list | None = None, prefix: str = "") -> Iterator[str]:
    """Every URL pattern of the project, resolvers walked, as one route string each."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, prefix + _text(pattern.pattern))
        else:
            yield prefix + _text(pattern.pattern)


@pytest.fixture
def world(editor, reviewer, other_editor):
    """One object of every model the admin shows, with the record's history and events, and its URLs filled in."""
    policy = make_policy(user=editor, title=SECRET, policy_id=SECRET_ID)
    approve(policy, reviewer)
    edit(policy, user=other_editor, title=SECRET + " (edited)")
    objects: dict[str, Any] = {"policies.policy": policy, "auth.user": editor, "auth.group": Group.objects.first()}
    objects["reviews.reviewevent"] = ReviewEvent.objects.first()
    objects["policies.importconflict"] = file_conflict(policy)
    for model in admin.site._registry:
        label = model._meta.label_lower
        if label not in objects:
            objects[label] = model._default_manager.first()
    history_id = policy.history.order_by("history_id").first().history_id
    content_type = ContentType.objects.get_for_model(Policy)

    def fill(route: str) -> str:
        model_label = ".".join(route.split("/")[1:3]) if route.startswith("admin/") else ""
        target = objects.get(model_label) or policy

        def value(match: re.Match) -> str:
            name = match["name"] or match["group"]
            if name == "object_id":
                return str(getattr(target, "pk", 999999))
            if name in ("history_id", "version_id"):
                return str(history_id)
            if name == "app_label":
                return "policies"
            if name == "content_type_id":
                return str(content_type.pk)
            if name == "url":
                return "nowhere/"
            if match["converter"] == "int" or name.endswith("id") or name == "pk":
                return str(policy.pk)
            return policy.policy_id

        return "/" + PARAMETER.sub(value, route).replace("\\", "")

    urls = sorted({fill(route) for route in routes()})
    return {"policy": policy, "urls": urls}


def file_conflict(policy: Policy) -> ImportConflict:
    """An open import conflict of the record's title, as the import files one."""
    text = f"---\nid: {SECRET_ID}\ntitle: {SECRET} (from the file)\n---\n"
    return ImportConflict.objects.create(
        policy=policy,
        source=f"{SECRET_ID}.md",
        file=FileSnapshot.for_text(text),
        file_sha256="0" * 64,
        base="version 1",
        version=policy.version,
        fields=[{"field": "title", "base": SECRET, "ours": policy.title, "theirs": f"{SECRET} (from the file)"}],
    )


def state() -> tuple:
    """What no refused request may change."""
    user_model = get_user_model()
    return (
        list(Policy.objects.order_by("pk").values_list("pk", "version", "state", "title")),
        Policy.history.count(),
        ReviewEvent.objects.count(),
        list(user_model.objects.order_by("pk").values_list("pk", "is_staff", "is_superuser", "password")),
        list(user_model.groups.through.objects.order_by("pk").values_list("user_id", "group_id")),
        list(user_model.user_permissions.through.objects.order_by("pk").values_list("user_id", "permission_id")),
        list(Group.permissions.through.objects.order_by("pk").values_list("group_id", "permission_id")),
        AccessChange.objects.count(),
        list(ImportConflict.objects.order_by("pk").values_list("pk", "resolved_at")),
        [model._default_manager.count() for model in apps.get_app_config("policies").get_models()],
    )


def assert_refused(response, url: str, *, anonymous: bool) -> None:
    """Refused, or redirected (followed) to a page without any record on it: for visitors, the login page."""
    status = response.status_code
    where = f"{response.request['REQUEST_METHOD']} {url} -> {response.request['PATH_INFO']} {status}"
    if status == 200:
        body = response.content.decode(errors="replace")
        assert SECRET not in body and SECRET_ID not in body, f"{where} shows a record"
        if anonymous and url not in PUBLIC:
            assert response.request["PATH_INFO"] == reverse("admin:login"), where
    else:
        assert status in (400, 401, 403, 404, 405), where


@pytest.mark.slow
@pytest.mark.parametrize("who", ["anonymous", "staff without permissions"])
def test_every_url_refuses_visitors_without_permissions_and_changes_nothing(who, world, client):
    staff = make_user("nobody-special") if who != "anonymous" else None
    assert len(world["urls"]) > 30
    before = state()

    for url in world["urls"]:
        for method in ("get", "post"):
            if staff is not None:
                client.force_login(staff)
            response = getattr(client, method)(url, POSTED if method == "post" else None, follow=True)
            assert_refused(response, url, anonymous=staff is None)

    assert state() == before


@pytest.mark.slow
def test_every_post_without_a_csrf_token_is_refused_even_for_a_superuser(world, superuser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    # With the CSRF cookie the pages set, as a browser has it; the API reads only JSON (a form gets 415).
    assert "csrftoken" in client.get(reverse("admin:index")).cookies
    before = state()

    for url in world["urls"]:
        client.force_login(superuser)
        if url.startswith("/api/"):
            response = client.post(url, POSTED, content_type="application/json")
        else:
            response = client.post(url, POSTED)
        assert response.status_code in (403, 404, 405), f"POST {url} -> {response.status_code}"

    assert state() == before


@pytest.mark.slow
def test_no_get_request_changes_anything_even_for_a_superuser(world, superuser, client):
    before = state()

    for url in world["urls"]:
        client.force_login(superuser)
        client.get(url)

    assert state() == before


@pytest.fixture
def superusers_token(superuser) -> str:
    """The superuser's API token, issued before `world` so that its pages are among the URLs."""
    return issue_token(superuser, by=superuser)[1]


@pytest.mark.slow
def test_no_page_shows_an_api_token_to_anyone_the_superusers_included(superusers_token, world, superuser, client):
    key = superusers_token.encode()

    for viewer in (make_user("admin_member", groups=("Admin",)), superuser):
        client.force_login(viewer)
        for url in world["urls"]:
            body = client.get(url, follow=True).content
            assert key not in body and key[:15] not in body, f"GET {url} as {viewer} shows the token"


def test_custom_admin_views_check_the_permissions_of_their_own_action(world, reviewer, other_editor, client):
    policy = world["policy"]
    history_id = policy.history.order_by("history_id").first().history_id
    before = state()

    client.force_login(reviewer)
    assert client.get(reverse("admin:policies_policy_import")).status_code == 403
    restore = reverse("admin:policies_policy_restore", args=[policy.pk, history_id])
    assert client.post(restore).status_code == 403
    client.force_login(other_editor)
    assert client.get(reverse("admin:policies_policy_review_queue")).status_code == 403
    review = reverse("admin:policies_policy_review", args=[policy.pk])
    assert client.post(review, {"action": "approve", "expected_version": policy.version}).status_code == 403
    client.force_login(reviewer)
    settle = reverse("admin:policies_importconflict_settle", args=[ImportConflict.objects.get().pk])
    assert client.get(settle).status_code == 403
    assert client.post(settle, {"expected_version": policy.version, "title-choice": "take"}).status_code == 403

    assert state() == before


@pytest.mark.parametrize(
    "url_name", ["auth_user_changelist", "auth_user_add", "auth_group_changelist", "auth_group_add"]
)
def test_an_editor_cannot_reach_user_or_group_administration(url_name, editor, client):
    client.force_login(editor)
    before = state()

    assert client.get(reverse(f"admin:{url_name}")).status_code == 403
    assert client.post(reverse(f"admin:{url_name}"), {"username": "mallory", "name": "Admins 2"}).status_code == 403
    assert state() == before


def test_an_editor_cannot_raise_their_own_permissions(editor, client):
    client.force_login(editor)
    admin_group = Group.objects.get(name="Admin")
    own = reverse("admin:auth_user_change", args=[editor.pk])
    before = state()

    assert client.get(own).status_code == 403
    response = client.post(
        own,
        {
            "username": editor.username,
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [admin_group.pk],
            "user_permissions": [],
        },
    )

    assert response.status_code == 403
    editor.refresh_from_db()
    assert not editor.is_superuser
    assert list(editor.groups.values_list("name", flat=True)) == ["Editor"]
    assert state() == before
