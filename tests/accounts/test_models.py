import pytest

from accounts.access import change_access
from accounts.models import AccessChange
from reviews.models import AppendOnlyError
from tests.accounts.helpers import group
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_access_changes_cannot_be_changed_or_deleted():
    change = change_access(make_user("person"), by=None, via="test", groups=[group("Editor")])[0]

    with pytest.raises(AppendOnlyError):
        change.save()
    with pytest.raises(AppendOnlyError):
        change.delete()
    with pytest.raises(AppendOnlyError):
        AccessChange.objects.update(via="forged")
    with pytest.raises(AppendOnlyError):
        AccessChange.objects.all().delete()


def test_a_change_keeps_the_names_when_the_accounts_are_deleted(admin_member):
    person = make_user("person")
    change_access(person, by=admin_member, via="admin", groups=[group("Editor")])

    person.delete()
    admin_member.delete()

    change = AccessChange.objects.get(via="admin")
    assert (change.user, change.actor, change.user_name, change.actor_name) == (None, None, "person", "admin_member")
