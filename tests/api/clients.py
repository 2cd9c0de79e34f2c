"""How the API tests call the API: as each role, with a token, sending the record's ETag back."""

from __future__ import annotations

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from policies.models import Policy

ROLES = ["anonymous", "staff", "editor", "reviewer", "admin"]


def client_for(user) -> APIClient:
    """A client that sends `user`'s token with every request (none for None: an anonymous visitor)."""
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def etag_of(policy: Policy) -> str:
    """The ETag of the record's current version, as the API sends it and expects it back in If-Match."""
    policy.refresh_from_db()
    return f'"{policy.policy_id}@{policy.version}"'
