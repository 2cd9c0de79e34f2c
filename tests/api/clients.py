"""How the API tests call the API: as each role, with a token, sending the record's ETag back."""

from __future__ import annotations

from rest_framework.test import APIClient

from accounts.tokens import issue_token
from policies.models import Policy

ROLES = ["anonymous", "staff", "editor", "reviewer", "admin"]


def client_for(user) -> APIClient:
    """A client that sends `user`'s token with every request (none for None: an anonymous visitor)."""
    client = APIClient()
    if user is not None:
        _, key = issue_token(user, by=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def etag_of(policy: Policy) -> str:
    """The ETag of the record's current version, as the API sends it and expects it back in If-Match."""
    policy.refresh_from_db()
    return f'"{policy.policy_id}@{policy.version}"'
