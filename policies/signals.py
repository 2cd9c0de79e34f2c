"""Keep the stored record warnings (`PolicyWarning`) in step with the records, whichever code saves them."""

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from policies import checks
from policies.models import Policy


def _values(instance: Policy) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in checks.CHECKED_FIELDS}


@receiver(pre_save, sender=Policy, dispatch_uid="policies_remember_checked_values")
def remember_checked_values(sender: type[Policy], instance: Policy, raw: bool = False, **kwargs: Any) -> None:
    # The values before the save: records that shared an old text or named an old id must be checked again.
    if not raw and not instance._state.adding:
        instance._checked_before = checks.stored_values(instance.pk)  # type: ignore[attr-defined]


@receiver(post_save, sender=Policy, dispatch_uid="policies_refresh_warnings")
def refresh_warnings(sender: type[Policy], instance: Policy, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    before = instance.__dict__.pop("_checked_before", None)
    checks.refresh_after_save(before, _values(instance))


@receiver(post_delete, sender=Policy, dispatch_uid="policies_refresh_warnings_after_delete")
def refresh_warnings_after_delete(sender: type[Policy], instance: Policy, **kwargs: Any) -> None:
    checks.refresh_after_save(_values(instance), None)
