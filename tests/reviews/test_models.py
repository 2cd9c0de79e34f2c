import pytest
from django.db.models import ProtectedError

from reviews import workflow
from reviews.models import AppendOnlyError, DimensionVerdict, ReviewEvent
from tests.factories import approve

pytestmark = pytest.mark.django_db


def test_events_cannot_be_changed_or_deleted(policy, reviewer):
    event = approve(policy, reviewer)
    event.comment = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        ReviewEvent.objects.filter(pk=event.pk).update(comment="rewritten")
    with pytest.raises(AppendOnlyError):
        ReviewEvent.objects.all().delete()
    verdict = event.verdicts.first()
    with pytest.raises(AppendOnlyError):
        verdict.delete()
    with pytest.raises(AppendOnlyError):
        DimensionVerdict.objects.update(note="x")
    assert ReviewEvent.objects.get(pk=event.pk).comment == ""


def test_a_reviewed_record_cannot_be_deleted(policy, reviewer):
    workflow.reject(policy, user=reviewer, comment="Out of scope.")
    with pytest.raises(ProtectedError):
        policy.delete()
