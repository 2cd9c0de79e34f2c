"""Who may do what: the one door for changing a user's groups, permissions, staff and superuser status, and a
group's permissions.

The admin, the commands and any code call `change_access`, `change_group_permissions` or `delete_group`. Each
checks who is asking, applies the change with the rule that membership of a role group brings staff status, and
records what changed, all in one transaction. Only superusers hand out superuser and staff status, the Admin group
and the permissions that manage users and groups (`RESERVED_APPS`); nobody else changes a superuser at all, and a
non-superuser grants only what they hold themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import AccessAspect, AccessChange

# The groups made by reviews/migrations/0002_review_groups.py. Their members work in the admin.
ROLE_GROUPS = frozenset({"Editor", "Reviewer", "Admin"})
ADMIN_GROUP = "Admin"
# Managing users, groups and tokens is what makes someone an administrator: only superusers hand it out.
RESERVED_APPS = frozenset({"auth", "accounts"})

VIA_ADMIN = "admin"
# Changes the receivers in accounts.signals find: made with the ORM outside these functions.
VIA_ORM = "orm"

STAFF_FOLLOWS_GROUPS = gettext_lazy(
    "Members of Editor, Reviewer or Admin have staff status: take them out of the group instead."
)

_recorded_here: ContextVar[bool] = ContextVar("accounts_recorded_here", default=False)


class AccessNotAllowed(PermissionDenied):
    """The person asking may not make this change."""


@dataclass(frozen=True)
class Access:
    """What a user may do, by name: groups, permissions ('app_label.codename') and the two statuses."""

    groups: frozenset[str]
    permissions: frozenset[str]
    is_staff: bool
    is_superuser: bool

    @classmethod
    def of(cls, user: Any) -> Access:
        return cls(
            groups=frozenset(user.groups.values_list("name", flat=True)),
            permissions=frozenset(permission_names(user.user_permissions.all())),
            is_staff=user.is_staff,
            is_superuser=user.is_superuser,
        )


def permission_names(permissions: Iterable[Permission]) -> list[str]:
    return [f"{p.content_type.app_label}.{p.codename}" for p in _with_content_types(permissions)]


def _with_content_types(permissions: Iterable[Permission]) -> Iterable[Permission]:
    if isinstance(permissions, QuerySet):
        return permissions.select_related("content_type")
    return permissions


def is_recorded_here() -> bool:
    """True while one of this module's functions is changing access (and recording it itself)."""
    return _recorded_here.get()


@contextmanager
def _recording_here() -> Iterator[None]:
    token = _recorded_here.set(True)
    try:
        yield
    finally:
        _recorded_here.reset(token)


def grantable_permissions(actor: Any | None) -> QuerySet[Permission]:
    """The permissions `actor` may grant and take away: all for a superuser or a command (None), else those they
    hold themselves outside `RESERVED_APPS`."""
    permissions = Permission.objects.select_related("content_type")
    if actor is None or actor.is_superuser:
        return permissions
    held = actor.get_all_permissions()
    allowed = [
        p.pk
        for p in permissions
        if f"{p.content_type.app_label}.{p.codename}" in held and p.content_type.app_label not in RESERVED_APPS
    ]
    return permissions.filter(pk__in=allowed)


def grantable_groups(actor: Any | None) -> QuerySet[Group]:
    """The groups `actor` may put people in and take them out of: all for a superuser or a command (None), else
    those other than Admin whose every permission they may grant."""
    groups = Group.objects.order_by("name")
    if actor is None or actor.is_superuser:
        return groups
    withheld = Permission.objects.exclude(pk__in=grantable_permissions(actor).values("pk"))
    return groups.exclude(name=ADMIN_GROUP).exclude(permissions__in=withheld)


def may_manage(actor: Any | None, user: Any) -> bool:
    """Whether `actor` may change `user`'s account at all: never a superuser's, unless a superuser."""
    if actor is None or actor.is_superuser:
        return True
    return actor.is_active and actor.has_perm("auth.change_user") and not user.is_superuser


def may_change_group(actor: Any | None, group: Group) -> bool:
    """Whether `actor` may change `group`: not the Admin group, nor one holding what they may not grant."""
    if actor is None or actor.is_superuser:
        return True
    return actor.is_active and grantable_groups(actor).filter(pk=group.pk).exists()


def change_access(
    user: Any,
    *,
    by: Any | None,
    via: str,
    groups: Iterable[Group] | None = None,
    permissions: Iterable[Permission] | None = None,
    is_staff: bool | None = None,
    is_superuser: bool | None = None,
) -> list[AccessChange]:
    """Give `user` exactly these groups, permissions and statuses (None leaves one as it is), as `by` asks.

    `by` is the person asking, or None for a command or code run on the server, which may do anything. Membership
    of a role group brings staff status; leaving the last one takes it away, unless `is_staff` or superuser status
    keeps it. Raises `AccessNotAllowed` when `by` may not make the change, `ValidationError` when `is_staff` is
    False for a member of a role group. Returns the recorded changes.
    """
    with transaction.atomic():
        locked = type(user)._default_manager.select_for_update().get(pk=user.pk)
        before = Access.of(locked)
        group_list = None if groups is None else list(groups)
        permission_list = None if permissions is None else list(permissions)
        wanted_groups = before.groups if group_list is None else frozenset(g.name for g in group_list)
        wanted_permissions = (
            before.permissions if permission_list is None else frozenset(permission_names(permission_list))
        )
        wanted_superuser = before.is_superuser if is_superuser is None else is_superuser
        _check_user_change(by, locked, before, wanted_groups, wanted_permissions, wanted_superuser, is_staff)
        after = Access(
            groups=wanted_groups,
            permissions=wanted_permissions,
            is_staff=_staff_status(before, wanted_groups, wanted_superuser, is_staff),
            is_superuser=wanted_superuser,
        )
        with _recording_here():
            if group_list is not None and after.groups != before.groups:
                locked.groups.set(group_list)
            if permission_list is not None and after.permissions != before.permissions:
                locked.user_permissions.set(permission_list)
            if (after.is_staff, after.is_superuser) != (before.is_staff, before.is_superuser):
                locked.is_staff, locked.is_superuser = after.is_staff, after.is_superuser
                locked.save(update_fields=["is_staff", "is_superuser"])
        user.is_staff, user.is_superuser = after.is_staff, after.is_superuser
        return record_user_change(locked, before, after, by=by, via=via)


def _check_user_change(
    by: Any | None,
    user: Any,
    before: Access,
    groups: frozenset[str],
    permissions: frozenset[str],
    is_superuser: bool,
    is_staff: bool | None,
) -> None:
    if by is None or by.is_superuser:
        return
    if not (by.is_active and by.has_perm("auth.change_user")):
        raise AccessNotAllowed(_("You may not change what users may do."))
    if before.is_superuser:
        raise AccessNotAllowed(_("Only a superuser changes a superuser's account."))
    if is_superuser != before.is_superuser:
        raise AccessNotAllowed(_("Only a superuser grants or removes superuser status."))
    if is_staff is not None and is_staff != before.is_staff:
        raise AccessNotAllowed(
            _("Only a superuser grants or removes staff status; the Editor, Reviewer and Admin groups bring it.")
        )
    refused = (groups ^ before.groups) - set(grantable_groups(by).values_list("name", flat=True))
    if refused:
        groups_named = {"groups": ", ".join(sorted(refused))}
        raise AccessNotAllowed(_("Only a superuser puts people in or takes them out of: %(groups)s.") % groups_named)
    refused = (permissions ^ before.permissions) - set(permission_names(grantable_permissions(by)))
    if refused:
        raise AccessNotAllowed(
            _("Only a superuser grants or takes away: %(permissions)s.") % {"permissions": ", ".join(sorted(refused))}
        )


def _staff_status(before: Access, groups: frozenset[str], is_superuser: bool, requested: bool | None) -> bool:
    if groups & ROLE_GROUPS:
        if requested is False:
            raise ValidationError(STAFF_FOLLOWS_GROUPS, code="staff_follows_groups")
        return True
    if requested is not None:
        return requested
    if before.groups & ROLE_GROUPS and not is_superuser:
        return False
    return before.is_staff


def change_group_permissions(
    group: Group, *, by: Any | None, via: str, permissions: Iterable[Permission]
) -> list[AccessChange]:
    """Give `group` exactly `permissions`, as `by` asks (None: a command or code on the server), and record it.

    Raises `AccessNotAllowed` unless `by` may change the group and grant or take away each permission changed.
    """
    with transaction.atomic():
        locked = Group.objects.select_for_update().get(pk=group.pk)
        permission_list = list(permissions)
        before = frozenset(permission_names(locked.permissions.all()))
        after = frozenset(permission_names(permission_list))
        if by is not None and not by.is_superuser:
            if not (by.has_perm("auth.change_group") and may_change_group(by, locked)):
                raise AccessNotAllowed(_("Only a superuser changes the group %(group)s.") % {"group": locked.name})
            refused = (after ^ before) - set(permission_names(grantable_permissions(by)))
            if refused:
                raise AccessNotAllowed(
                    _("Only a superuser grants or takes away: %(permissions)s.")
                    % {"permissions": ", ".join(sorted(refused))}
                )
        if after == before:
            return []
        with _recording_here():
            locked.permissions.set(permission_list)
        return [record(AccessAspect.PERMISSIONS, sorted(before), sorted(after), group=locked, by=by, via=via)]


def delete_group(group: Group, *, by: Any | None, via: str) -> None:
    """Take everyone out of `group` through `change_access`, record that it held nothing, then delete it."""
    with transaction.atomic():
        if by is not None and not (by.has_perm("auth.delete_group") and may_change_group(by, group)):
            raise AccessNotAllowed(_("Only a superuser deletes the group %(group)s.") % {"group": group.name})
        for member in get_user_model()._default_manager.filter(groups=group):
            change_access(member, by=by, via=via, groups=member.groups.exclude(pk=group.pk))
        before = sorted(permission_names(group.permissions.all()))
        if before:
            record(AccessAspect.PERMISSIONS, before, [], group=group, by=by, via=via)
        with _recording_here():
            group.delete()


def record_user_change(user: Any, before: Access, after: Access, *, by: Any | None, via: str) -> list[AccessChange]:
    """Record each of the user's aspects that differ between `before` and `after`, all at one time."""
    now = timezone.now()
    return [
        record(what, old, new, user=user, by=by, via=via, at=now)
        for what, old, new in (
            (AccessAspect.GROUPS, sorted(before.groups), sorted(after.groups)),
            (AccessAspect.PERMISSIONS, sorted(before.permissions), sorted(after.permissions)),
            (AccessAspect.STAFF, before.is_staff, after.is_staff),
            (AccessAspect.SUPERUSER, before.is_superuser, after.is_superuser),
        )
        if old != new
    ]


def record(
    what: AccessAspect,
    before: Any,
    after: Any,
    *,
    by: Any | None,
    via: str,
    user: Any | None = None,
    group: Group | None = None,
    at: Any = None,
) -> AccessChange:
    """Write one access change of `user`, or of `group`'s permissions."""
    change = AccessChange(
        created_at=at or timezone.now(),
        actor=by,
        actor_name=by.get_username() if by is not None else "",
        user=user,
        user_name=user.get_username() if user is not None else "",
        group=group,
        group_name=group.name if group is not None else "",
        what=what,
        before=before,
        after=after,
        via=via,
    )
    change.save()
    return change
