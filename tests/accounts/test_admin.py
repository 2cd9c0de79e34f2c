"""User and group administration: only superusers hand out superuser and staff status, the Admin group and the
power to manage users; nobody else touches a superuser; every change is recorded and shown; a member of a role
group signs in."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.accounts.helpers import group, permission, user_form
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def change_user(client, user, **changes):
    return client.post(reverse("admin:auth_user_change", args=[user.pk]), user_form(client, user, **changes))


def group_names(user) -> set[str]:
    return set(get_user_model().objects.get(pk=user.pk).groups.values_list("name", flat=True))


def access(user) -> tuple:
    fresh = get_user_model().objects.get(pk=user.pk)
    return (
        fresh.is_staff,
        fresh.is_superuser,
        sorted(fresh.groups.values_list("name", flat=True)),
        sorted(fresh.user_permissions.values_list("codename", flat=True)),
    )


def test_an_admin_cannot_make_themselves_superuser_by_a_forged_post(admin_member, client):
    client.force_login(admin_member)
    before = access(admin_member)

    response = change_user(client, admin_member, is_superuser="on", is_staff="on")

    assert response.status_code == 403
    assert access(admin_member) == before


def test_an_admin_cannot_give_anyone_staff_status_by_a_forged_post(admin_member, client):
    outsider = make_user("outsider", is_staff=False)
    client.force_login(admin_member)

    response = change_user(client, outsider, is_staff="on")

    assert response.status_code == 403
    assert not get_user_model().objects.get(pk=outsider.pk).is_staff


def test_an_admin_cannot_add_a_superuser_by_a_forged_post(admin_member, client):
    client.force_login(admin_member)
    password = "Mallory-pw-2026!"

    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "mallory",
            "usable_password": "true",
            "password1": password,
            "password2": password,
            "is_superuser": "on",
            "is_staff": "on",
        },
    )

    assert response.status_code == 403
    assert not get_user_model().objects.filter(username="mallory").exists()


def test_an_admin_cannot_put_anyone_in_the_admin_group_even_by_a_forged_post(admin_member, editor, client):
    client.force_login(admin_member)
    before = access(editor)

    response = change_user(client, editor, groups=[group("Editor").pk, group("Admin").pk])

    assert response.status_code in (200, 403)
    assert access(editor) == before


def test_an_admin_cannot_take_another_admin_out_of_the_admin_group(admin_member, client):
    other_admin = make_user("other_admin", groups=("Admin",))
    client.force_login(admin_member)

    change_user(client, other_admin, groups=[])

    assert group_names(other_admin) == {"Admin"}


def test_an_admin_cannot_give_themselves_a_permission_they_do_not_hold(admin_member, client):
    client.force_login(admin_member)
    foreign = permission("contenttypes.change_contenttype")
    assert not admin_member.has_perm("contenttypes.change_contenttype")

    change_user(client, admin_member, user_permissions=[foreign.pk])

    assert access(admin_member)[3] == []


def test_an_admin_cannot_hand_out_the_power_to_manage_users(admin_member, editor, client):
    client.force_login(admin_member)

    change_user(client, editor, user_permissions=[permission("auth.change_user").pk])

    assert access(editor)[3] == []


def test_an_admin_is_offered_no_field_for_superuser_or_staff_status_and_only_the_groups_they_may_grant(
    admin_member, editor, client
):
    client.force_login(admin_member)

    form = client.get(reverse("admin:auth_user_change", args=[editor.pk])).context["adminform"].form

    assert "is_superuser" not in form.fields and "is_staff" not in form.fields
    assert set(form.fields["groups"].queryset.values_list("name", flat=True)) == {"Editor", "Reviewer"}
    offered = {f"{p.content_type.app_label}.{p.codename}" for p in form.fields["user_permissions"].queryset}
    assert "policies.change_policy" in offered
    assert not {name for name in offered if name.split(".")[0] in ("auth", "accounts", "contenttypes")}


def test_an_admin_cannot_change_delete_or_reset_the_password_of_a_superuser(admin_member, superuser, client):
    client.force_login(admin_member)
    password = superuser.password

    assert change_user(client, superuser, first_name="Mallory").status_code == 403
    password_url = reverse("admin:auth_user_password_change", args=[superuser.pk])
    assert client.post(password_url, {"password1": "Mallory-1234!", "password2": "Mallory-1234!"}).status_code == 403
    assert client.post(reverse("admin:auth_user_delete", args=[superuser.pk]), {"post": "yes"}).status_code == 403
    client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [superuser.pk], "post": "yes"},
    )

    fresh = get_user_model().objects.get(pk=superuser.pk)
    assert (fresh.first_name, fresh.password, fresh.is_superuser) == ("", password, True)


def test_an_admin_cannot_change_the_admin_group_or_give_a_group_what_they_may_not_grant(admin_member, client):
    client.force_login(admin_member)
    admin_group, editor_group = group("Admin"), group("Editor")
    admin_permissions = set(admin_group.permissions.values_list("pk", flat=True))
    editor_permissions = set(editor_group.permissions.values_list("pk", flat=True))
    manage_users = permission("auth.change_user").pk

    response = client.post(
        reverse("admin:auth_group_change", args=[admin_group.pk]),
        {"name": "Admin", "permissions": [*admin_permissions, permission("contenttypes.change_contenttype").pk]},
    )
    assert response.status_code == 403
    client.post(
        reverse("admin:auth_group_change", args=[editor_group.pk]),
        {"name": "Editor", "permissions": [*editor_permissions, manage_users]},
    )
    client.post(reverse("admin:auth_group_add"), {"name": "Helpers", "permissions": [manage_users]})

    assert set(group("Admin").permissions.values_list("pk", flat=True)) == admin_permissions
    assert set(group("Editor").permissions.values_list("pk", flat=True)) == editor_permissions
    assert not Group.objects.filter(permissions=manage_users).exclude(name="Admin").exists()


def test_a_superuser_grants_superuser_and_staff_status_and_the_admin_group(superuser, client):
    colleague = make_user("colleague", is_staff=False)
    client.force_login(superuser)

    response = change_user(client, colleague, is_superuser="on", is_staff="on", groups=[group("Admin").pk])

    assert response.status_code == 302, response.content
    assert access(colleague)[:3] == (True, True, ["Admin"])


def test_an_admin_adds_a_colleague_to_reviewer_and_the_change_is_recorded_and_shown(admin_member, superuser, client):
    colleague = make_user("colleague", groups=("Editor",))
    client.force_login(admin_member)

    response = change_user(client, colleague, groups=[group("Editor").pk, group("Reviewer").pk])

    assert response.status_code == 302, response.content
    assert group_names(colleague) == {"Editor", "Reviewer"}
    client.force_login(superuser)
    page = client.get(reverse("admin:accounts_accesschange_changelist"), {"user__id__exact": colleague.pk})
    assert page.status_code == 200
    change = page.context["cl"].result_list[0]
    assert (change.actor, change.user, change.what) == (admin_member, colleague, "groups")
    assert (change.before, change.after) == (["Editor"], ["Editor", "Reviewer"])
    assert change.via == "admin"
    body = page.content.decode()
    assert "admin_member" in body and "Reviewer" in body


def test_a_user_added_to_reviewer_through_the_admin_can_sign_in(admin_member, client):
    client.force_login(admin_member)
    added = client.post(
        reverse("admin:auth_user_add"),
        {"username": "rosa", "usable_password": "true", "password1": "Rosa-pw-2026!", "password2": "Rosa-pw-2026!"},
    )
    assert added.status_code == 302, added.content
    rosa = get_user_model().objects.get(username="rosa")
    assert change_user(client, rosa, groups=[group("Reviewer").pk]).status_code == 302
    client.logout()

    signed_in = client.post(reverse("admin:login"), {"username": "rosa", "password": "Rosa-pw-2026!"})

    assert signed_in.status_code == 302, signed_in.content
    assert client.get(reverse("admin:policies_policy_review_queue")).status_code == 200


def test_taking_someone_out_of_their_last_role_group_takes_away_staff_status(admin_member, client):
    colleague = make_user("colleague", groups=("Reviewer",))
    client.force_login(admin_member)

    change_user(client, colleague, groups=[])

    assert access(colleague)[:3] == (False, False, [])
