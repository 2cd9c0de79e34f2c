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
