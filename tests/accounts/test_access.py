"""`change_access` and its siblings: the same rules for the admin, commands and code, and every change recorded."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command

from accounts.access import (
    AccessNotAllowed,
    change_access,
    change_group_permissions,
    delete_group,
    grantable_groups,
)
from accounts.models import AccessChange
from tests.accounts.helpers import group, permission
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def recorded(user) -> list[tuple]:
    return list(
        AccessChange.objects.filter(user=user)
        .order_by("id")
        .values_list("actor_name", "what", "before", "after", "via")
    )


def test_code_gets_the_same_refusals_as_the_admin(admin_member, editor, superuser):
    for attempt in (
        {"is_superuser": True},
        {"is_staff": False},
        {"groups": [group("Editor"), group("Admin")]},
        {"permissions": [permission("auth.change_user")]},
        {"permissions": [permission("contenttypes.change_contenttype")]},
    ):
        with pytest.raises(AccessNotAllowed):
            change_access(editor, by=admin_member, via="test", **attempt)
    with pytest.raises(AccessNotAllowed):
        change_access(superuser, by=admin_member, via="test", groups=[group("Editor")])
    with pytest.raises(AccessNotAllowed):
        change_access(admin_member, by=admin_member, via="test", is_superuser=True)
    with pytest.raises(AccessNotAllowed):
        change_access(make_user("plain"), by=editor, via="test", groups=[group("Editor")])

    assert not AccessChange.objects.filter(via="test").exists()


def test_an_admin_grants_what_they_hold_and_every_change_says_who_what_before_and_after(admin_member):
    colleague = make_user("colleague", is_staff=False)

    changes = change_access(
        colleague,
        by=admin_member,
        via="admin",
        groups=[group("Reviewer")],
        permissions=[permission("policies.change_policy")],
    )

    assert [(c.actor, c.user, c.what, c.before, c.after, c.via) for c in changes] == [
        (admin_member, colleague, "groups", [], ["Reviewer"], "admin"),
        (admin_member, colleague, "permissions", [], ["policies.change_policy"], "admin"),
        (admin_member, colleague, "is_staff", False, True, "admin"),
    ]
    assert len({c.created_at for c in changes}) == 1
    colleague.refresh_from_db()
    assert colleague.is_staff and colleague.has_perm("reviews.review_policy")


def test_a_role_group_brings_staff_status_and_leaving_the_last_one_takes_it_away():
    person = make_user("person", is_staff=False)

    change_access(person, by=None, via="test", groups=[group("Editor")])
    assert get_user_model().objects.get(pk=person.pk).is_staff
    change_access(person, by=None, via="test", groups=[group("Editor"), group("Reviewer")])
    change_access(person, by=None, via="test", groups=[group("Reviewer")])
    assert get_user_model().objects.get(pk=person.pk).is_staff
    change_access(person, by=None, via="test", groups=[])

    assert not get_user_model().objects.get(pk=person.pk).is_staff


def test_a_superuser_leaving_every_group_keeps_staff_status():
    root = make_user("root", is_superuser=True, groups=("Admin",))

    change_access(root, by=root, via="test", groups=[])

    assert get_user_model().objects.get(pk=root.pk).is_staff


def test_staff_status_cannot_be_taken_from_a_member_of_a_role_group(superuser, reviewer):
    with pytest.raises(ValidationError) as refused:
        change_access(reviewer, by=superuser, via="test", is_staff=False)

    assert refused.value.code == "staff_follows_groups"
    assert get_user_model().objects.get(pk=reviewer.pk).is_staff


def test_changes_made_with_the_orm_outside_change_access_are_recorded_too():
    person = make_user("person", is_staff=False)
    assert recorded(person) == []  # creating a user without a status changes no access

    person.groups.add(group("Editor"))
    group("Reviewer").user_set.add(person)
    person.user_permissions.add(permission("policies.view_policy"))
    person.is_superuser = True
    person.save()
    person.groups.clear()

    assert recorded(person) == [
        ("", "groups", [], ["Editor"], "orm"),
        ("", "groups", ["Editor"], ["Editor", "Reviewer"], "orm"),
        ("", "permissions", [], ["policies.view_policy"], "orm"),
        ("", "is_superuser", False, True, "orm"),
        ("", "groups", ["Editor", "Reviewer"], [], "orm"),
    ]


def test_createsuperuser_is_recorded():
    call_command("createsuperuser", username="boss", email="", interactive=False, stdout=io.StringIO())

    assert sorted(recorded(get_user_model().objects.get(username="boss"))) == [
        ("", "is_staff", False, True, "orm"),
        ("", "is_superuser", False, True, "orm"),
    ]


def test_changes_through_change_access_are_recorded_once():
    person = make_user("person", is_staff=False)

    change_access(person, by=None, via="manage.py something", groups=[group("Editor")])

    assert recorded(person) == [
        ("", "groups", [], ["Editor"], "manage.py something"),
        ("", "is_staff", False, True, "manage.py something"),
    ]


def test_group_permissions_change_only_within_what_the_admin_may_grant_and_are_recorded(admin_member):
    editors = group("Editor")
    before = sorted(f"policies.{p.codename}" for p in editors.permissions.filter(content_type__app_label="policies"))

    with pytest.raises(AccessNotAllowed):
        change_group_permissions(group("Admin"), by=admin_member, via="test", permissions=[])
    with pytest.raises(AccessNotAllowed):
        change_group_permissions(
            editors, by=admin_member, via="test", permissions=[*editors.permissions.all(), permission("auth.add_user")]
        )
    change_group_permissions(
        editors,
        by=admin_member,
        via="admin",
        permissions=[*editors.permissions.all(), permission("policies.delete_policy")],
    )

    change = AccessChange.objects.get(group=editors, via="admin")
    assert (change.actor, change.group_name, change.what) == (admin_member, "Editor", "permissions")
    assert set(change.after) - set(change.before) == {"policies.delete_policy"}
    assert set(before) <= set(change.before)


def test_deleting_a_group_takes_everyone_out_of_it_on_the_record(admin_member):
    helpers = Group.objects.create(name="Helpers")
    change_group_permissions(helpers, by=admin_member, via="admin", permissions=[permission("policies.view_policy")])
    member = make_user("member", is_staff=False)
    change_access(member, by=admin_member, via="admin", groups=[helpers])

    delete_group(helpers, by=admin_member, via="admin")

    assert not Group.objects.filter(name="Helpers").exists()
    assert recorded(member)[-1] == ("admin_member", "groups", ["Helpers"], [], "admin")
    assert AccessChange.objects.filter(group_name="Helpers", after=[]).exists()


def test_an_admin_may_not_grant_a_group_holding_what_they_do_not_hold(admin_member):
    helpers = Group.objects.create(name="Helpers")
    helpers.permissions.add(permission("contenttypes.change_contenttype"))

    assert "Helpers" not in set(grantable_groups(admin_member).values_list("name", flat=True))
    with pytest.raises(AccessNotAllowed):
        change_access(make_user("someone"), by=admin_member, via="test", groups=[helpers])


def test_the_demo_accounts_get_their_groups_and_staff_status_on_the_record():
    call_command("create_demo_users", stdout=io.StringIO())

    reviewer = get_user_model().objects.get(username="reviewer")
    assert reviewer.is_staff
    assert recorded(reviewer) == [
        ("", "groups", [], ["Reviewer"], "manage.py create_demo_users"),
        ("", "is_staff", False, True, "manage.py create_demo_users"),
    ]
