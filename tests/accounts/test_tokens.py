"""API tokens: everyone issues and revokes their own, the key is shown once and stored only as a hash, and
administrators revoke anyone's without ever reading it."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from accounts.models import APIToken
from tests.factories import make_user

pytestmark = pytest.mark.django_db

TOKENS = "/admin/accounts/apitoken/"
POLICIES = "/api/policies/"


def issue(client) -> str:
    """Issue a token on the admin page as whoever is signed in, and read its key off the page."""
    response = client.post(f"{TOKENS}add/")
    assert response.status_code == 200, response.content
    assert "no-store" in response["Cache-Control"]
    return re.search(r'<code id="api-token">([^<]+)</code>', response.content.decode())[1]


def api(client, key: str):
    return client.get(POLICIES, HTTP_AUTHORIZATION=f"Token {key}")


def revoke(client, *tokens: APIToken):
    return client.post(TOKENS, {"action": "revoke_selected", "_selected_action": [t.pk for t in tokens]})


def every_stored_text() -> str:
    """Every value of every table, as text."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            values.extend(map(str, cursor.fetchall()))
    return "\n".join(values)


def test_a_user_issues_a_token_for_themselves_and_its_key_is_shown_once(editor, client):
    client.force_login(editor)

    key = issue(client)

    assert api(client, key).status_code == 200
    assert APIToken.objects.get().user == editor
    listing = client.get(TOKENS)
    assert listing.status_code == 200
    assert "My API tokens" in listing.content.decode() and key not in listing.content.decode()


def test_a_token_is_stored_only_as_a_hash(editor, client):
    client.force_login(editor)

    key = issue(client)

    assert key not in every_stored_text()


def test_nobody_reads_a_token_after_it_is_issued_the_superusers_included(superuser, admin_member, client):
    client.force_login(superuser)
    key = issue(client)
    token = APIToken.objects.get(user=superuser)

    for viewer in (superuser, admin_member):
        client.force_login(viewer)
        for url in (
            reverse("admin:index"),
            reverse("admin:accounts_apitoken_changelist"),
            reverse("admin:accounts_apitoken_change", args=[token.pk]),
            reverse("admin:accounts_apitoken_history", args=[token.pk]),
            reverse("admin:auth_user_change", args=[superuser.pk]),
        ):
            response = client.get(url, follow=True)
            assert response.status_code == 200, url
            assert key not in response.content.decode(), url


def test_an_admin_cannot_issue_a_token_in_someone_elses_name(superuser, admin_member, client):
    client.force_login(admin_member)

    issue_for_superuser = client.post(f"{TOKENS}add/", {"user": superuser.pk})

    assert issue_for_superuser.status_code == 200
    assert not APIToken.objects.filter(user=superuser).exists()
    assert APIToken.objects.get().user == admin_member


def test_a_user_revokes_their_own_token_and_it_no_longer_authenticates(editor, client):
    client.force_login(editor)
    key = issue(client)

    assert revoke(client, APIToken.objects.get()).status_code == 302

    assert not APIToken.objects.exists()
    assert api(client, key).status_code == 401


def test_a_user_neither_sees_nor_revokes_someone_elses_token(editor, reviewer, client):
    client.force_login(reviewer)
    issue(client)
    token = APIToken.objects.get()
    client.force_login(editor)

    assert "reviewer" not in client.get(TOKENS).content.decode()
    revoke(client, token)
    client.post(reverse("admin:accounts_apitoken_delete", args=[token.pk]), {"post": "yes"})

    assert APIToken.objects.filter(pk=token.pk).exists()


def test_an_admin_revokes_anyones_token_the_superusers_included(superuser, admin_member, client):
    client.force_login(superuser)
    key = issue(client)
    client.force_login(admin_member)
    assert "root" in client.get(TOKENS).content.decode()

    revoke(client, APIToken.objects.get(user=superuser))

    assert not APIToken.objects.exists()
    assert api(client, key).status_code == 401


@pytest.mark.parametrize("groups", [("Editor",), ("Reviewer",), ()])
def test_only_administrators_see_other_peoples_tokens(groups, superuser, client):
    client.force_login(superuser)
    issue(client)
    client.force_login(make_user("someone", groups=groups))

    listing = client.get(TOKENS)

    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == []


def test_the_issue_token_command_prints_a_key_for_an_account_that_does_not_sign_in():
    site = make_user("publishing-site", groups=(), is_staff=False)
    out = io.StringIO()

    call_command("issue_token", "publishing-site", stdout=out)

    key = out.getvalue().strip()
    assert APIToken.objects.get().user == site
    assert key not in every_stored_text()
