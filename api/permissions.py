"""Who may read and write through the API: Django's own permissions, as the admin checks them.

Review decisions need only the right to see the record here; `reviews.workflow` decides who may make each move.
"""

from django.utils.text import format_lazy
from django.utils.translation import ngettext_lazy
from rest_framework.permissions import BasePermission


def requires(*permissions: str) -> type[BasePermission]:
    """A DRF permission class: the user is signed in and holds every one of `permissions`."""

    class Requires(BasePermission):
        # Lazy: DRF reads it while answering, in the language of the request.
        message = format_lazy(
            ngettext_lazy("You need the permission {names}.", "You need the permissions {names}.", len(permissions)),
            names=", ".join(permissions),
        )

        def has_permission(self, request, view) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and user.has_perms(permissions))

    Requires.__name__ = Requires.__qualname__ = f"Requires({', '.join(permissions)})"
    return Requires


CanView = requires("policies.view_policy")
CanEdit = requires("policies.view_policy", "policies.change_policy")
CanViewHistory = requires("policies.view_policy", "policies.view_historicalpolicy")
CanViewReviews = requires("policies.view_policy", "reviews.view_reviewevent", "reviews.view_dimensionverdict")
