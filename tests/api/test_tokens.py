"""Tokens authenticate API requests as their owner, sent as `Authorization: Token <key>`, until revoked."""

from __future__ import annotations

import pytest

from accounts.tokens import issue_token, revoke_tokens
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_token_authenticates_as_its_owner(client):
    script = make_user("script", groups=("Editor",))
    _, key = issue_token(script, by=script)

    response = client.get("/api/policies/", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 200
    assert response.wsgi_request.user == script


def test_a_revoked_token_no_longer_authenticates(client):
    script = make_user("script", groups=("Editor",))
    token, key = issue_token(script, by=script)
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"}
    assert client.get("/api/policies/", **headers).status_code == 200

    revoke_tokens([token], by=script)

    assert client.get("/api/policies/", **headers).status_code == 401


def test_a_key_that_differs_from_an_issued_one_after_its_lookup_prefix_is_refused(client):
    script = make_user("script", groups=("Editor",))
    _, key = issue_token(script, by=script)
    forged = key[:-1] + ("0" if key[-1] != "0" else "1")

    assert client.get("/api/policies/", HTTP_AUTHORIZATION=f"Token {forged}").status_code == 401
