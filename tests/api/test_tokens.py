"""API tokens are issued and revoked in the admin, by administrators only."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from tests.factories import make_user

pytestmark = pytest.mark.django_db

TOKENS = "/admin/authtoken/tokenproxy/"


def test_an_admin_group_member_can_issue_a_token_in_the_admin(client):
    admin = make_user("admin", groups=("Admin",))
    site = make_user("publishing-site", groups=("Reviewer",), is_staff=False)
    client.force_login(admin)
    assert client.get(TOKENS).status_code == 200
    response = client.post(f"{TOKENS}add/", {"user": site.pk})
    assert response.status_code == 302, response.content
    assert Token.objects.filter(user=site).exists()


@pytest.mark.parametrize("groups", [("Editor",), ("Reviewer",), ()])
def test_editors_reviewers_and_other_staff_cannot_see_tokens(groups, client):
    client.force_login(make_user("someone", groups=groups))
    assert client.get(TOKENS).status_code == 403


def test_a_revoked_token_no_longer_authenticates(client):
    token = Token.objects.create(user=make_user("script", groups=("Editor",)))
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert client.get("/api/policies/", **headers).status_code == 200
    token.delete()
    assert client.get("/api/policies/", **headers).status_code == 401
