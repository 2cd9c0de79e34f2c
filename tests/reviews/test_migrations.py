import pytest

pytestmark = pytest.mark.django_db


def test_the_groups_hold_the_workflow_permissions(editor, reviewer, admin_member, staff):
    assert editor.has_perms(["policies.change_policy", "reviews.resubmit_policy"])
    assert not editor.has_perm("reviews.review_policy")
    assert reviewer.has_perms(["policies.view_policy", "reviews.review_policy"])
    assert not reviewer.has_perm("policies.change_policy")
    assert admin_member.has_perms(["reviews.review_policy", "reviews.resubmit_policy", "policies.delete_policy"])
    assert admin_member.has_perms(["auth.add_user", "auth.change_user", "auth.add_group", "auth.change_group"])
    assert not staff.has_perm("policies.view_policy")


def test_editors_and_admins_settle_import_conflicts_and_reviewers_view_them(editor, reviewer, admin_member):
    settle = ["policies.view_importconflict", "policies.change_importconflict"]
    assert editor.has_perms(settle)
    assert admin_member.has_perms(settle)
    assert reviewer.has_perm("policies.view_importconflict")
    assert not reviewer.has_perm("policies.change_importconflict")
