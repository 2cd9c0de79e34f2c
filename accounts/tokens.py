"""API tokens: issued by their owner and shown once, stored as a hash (django-rest-knox), revoked by their owner
or an administrator.

Nobody issues a token in someone else's name from the admin: a token acts as its owner, so an administrator who
could issue one for a superuser could act as the superuser. Accounts that cannot sign in (a publishing site) get
theirs from `manage.py issue_token`, run by whoever runs the server.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from .access import AccessNotAllowed
from .models import APIToken

REVOKE_ANY = "accounts.delete_apitoken"


def issue_token(user: Any, *, by: Any | None) -> tuple[APIToken, str]:
    """A new token for `user`, and its key: the only time anyone sees it. `by` is `user` themselves, or None for
    a command run on the server."""
    if by is not None and (by.pk != user.pk or not by.is_active):
        raise AccessNotAllowed(_("You may issue API tokens for yourself only."))
    token, key = APIToken.objects.create(user=user, expiry=None)
    return token, key


def may_revoke(actor: Any | None, token: APIToken) -> bool:
    if actor is None:
        return True
    return actor.is_active and (token.user_id == actor.pk or actor.has_perm(REVOKE_ANY))


def revoke_tokens(tokens: Iterable[APIToken], *, by: Any | None) -> int:
    """Delete `tokens`, all or none: `by` (None: a command) must be each one's owner or hold `REVOKE_ANY`."""
    tokens = list(tokens)
    refused = [token for token in tokens if not may_revoke(by, token)]
    if refused:
        raise AccessNotAllowed(_("You may revoke only your own API tokens."))
    with transaction.atomic():
        for token in tokens:
            token.delete()
    return len(tokens)
