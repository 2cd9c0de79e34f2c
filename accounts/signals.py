"""Record changes to access that did not come through `accounts.access`.

The app changes access only through `change_access` and its siblings, which record what they do themselves. But
Django's own `createsuperuser`, `manage.py shell`, a data migration or another app change groups, permissions and
statuses with the ORM directly, and the record must hold those too: these signals are the only place Django
reports such changes. The receivers change nothing but the record, and stay silent while `accounts.access` is at
work. Who made such a change is not known; it is recorded as made via "orm". `QuerySet.update()` and raw SQL send
no signal and so escape even this.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from . import access
from .models import AccessAspect

User = get_user_model()
STATUSES = {"is_staff": AccessAspect.STAFF, "is_superuser": AccessAspect.SUPERUSER}


@receiver(pre_save, sender=User, dispatch_uid="accounts_remember_statuses")
def remember_statuses(sender: Any, instance: Any, raw: bool = False, update_fields: Any = None, **kwargs: Any) -> None:
    if raw or access.is_recorded_here():
        return
    if update_fields is not None and not STATUSES.keys() & set(update_fields):
        return
    stored = None
    if not instance._state.adding:
        stored = sender._default_manager.filter(pk=instance.pk).values(*STATUSES).first()
    instance._access_statuses_before = stored or dict.fromkeys(STATUSES, False)


@receiver(post_save, sender=User, dispatch_uid="accounts_record_statuses")
def record_statuses(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    before = instance.__dict__.pop("_access_statuses_before", None)
    if raw or before is None:
        return
    for name, what in STATUSES.items():
        if getattr(instance, name) != before[name]:
            access.record(what, before[name], getattr(instance, name), user=instance, by=None, via=access.VIA_ORM)


def _track(model: type[Model], attribute: str, what: AccessAspect) -> None:
    """Record each change to the many-to-many `model.attribute`, made from either side of the relation."""
    through = getattr(model, attribute).through
    remembered = f"_access_{through._meta.model_name}_before"

    def names(owner: Any) -> list[str]:
        related = getattr(owner, attribute).all()
        if what == AccessAspect.GROUPS:
            return sorted(related.values_list("name", flat=True))
        return sorted(access.permission_names(related))

    def owners(instance: Any, reverse: bool, pk_set: set | None) -> list[Any]:
        if not reverse:
            return [instance]
        if pk_set is not None:
            return list(model._default_manager.filter(pk__in=pk_set))
        return list(model._default_manager.filter(**{attribute: instance}))

    def record(sender: Any, instance: Any, action: str, reverse: bool, pk_set: set | None, **kwargs: Any) -> None:
        if access.is_recorded_here():
            return
        if action.startswith("pre_"):
            setattr(instance, remembered, [(owner, names(owner)) for owner in owners(instance, reverse, pk_set)])
            return
        for owner, before in instance.__dict__.pop(remembered, []):
            after = names(owner)
            if after != before:
                whose = {"group": owner} if model is Group else {"user": owner}
                access.record(what, before, after, by=None, via=access.VIA_ORM, **whose)

    m2m_changed.connect(record, sender=through, weak=False, dispatch_uid=f"accounts_record_{through._meta.model_name}")


_track(User, "groups", AccessAspect.GROUPS)
_track(User, "user_permissions", AccessAspect.PERMISSIONS)
_track(Group, "permissions", AccessAspect.PERMISSIONS)
