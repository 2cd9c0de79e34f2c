"""Keep the review state honest when records are saved outside the workflow.

`policies` never imports `reviews`, so the store cannot call the workflow; these receivers watch its saves
instead. A state change that did not come from `reviews.workflow` is refused, and a content change to a verified
record puts it back to Human Audit Pending with an "edited" event. Records waiting for changes (or rejected) keep
their state when edited: an editor resubmits them when done, a reviewer reopens them.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from policies.models import Policy, ReviewState

from .models import ReviewAction, ReviewEvent
from .workflow import TransitionNotAllowed, content_fields


def _content_changed(instance: Policy, stored: dict[str, Any]) -> bool:
    for name in content_fields():
        field = Policy._meta.get_field(name)
        try:
            if field.to_python(getattr(instance, name)) != field.to_python(stored[name]):
                return True
        except ValidationError:
            return True
    return False


@receiver(pre_save, sender=Policy, dispatch_uid="reviews_guard_review_state")
def guard_review_state(sender: type[Policy], instance: Policy, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance._state.adding or instance.pk is None:
        return
    stored = Policy.objects.filter(pk=instance.pk).values("state", *content_fields()).first()
    if stored is None:
        return
    if getattr(instance, "_review_action", None) is not None:
        return
    if instance.state != stored["state"]:
        raise TransitionNotAllowed(
            f"{instance.policy_id}: the review state changes only through the review workflow "
            f"({stored['state']} -> {instance.state} refused)."
        )
    if stored["state"] == ReviewState.VERIFIED and _content_changed(instance, stored):
        instance.state = ReviewState.PENDING
        instance._review_edited_from = ReviewState.VERIFIED  # type: ignore[attr-defined]


@receiver(post_save, sender=Policy, dispatch_uid="reviews_record_edit")
def record_edit(sender: type[Policy], instance: Policy, raw: bool = False, **kwargs: Any) -> None:
    from_state = instance.__dict__.pop("_review_edited_from", None)
    if raw or from_state is None:
        return
    # simple-history's own post_save receiver ran first (it connects when the model class is prepared).
    row = instance.history.order_by("-history_id").first()
    ReviewEvent.objects.create(
        policy=instance,
        action=ReviewAction.EDIT,
        version=instance.version - 1,
        from_state=from_state,
        to_state=instance.state,
        actor_id=row.history_user_id if row else None,
        comment=(row.history_change_reason or "") if row else "",
        history_id=row.history_id if row else None,
    )
