"""Who may do what: the append-only record of every change to it, and API tokens as people see them.

Names are copied into each change, so that it still says who and whom after an account is deleted.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from reviews.models import AppendOnlyModel


class AccessAspect(models.TextChoices):
    GROUPS = "groups", _("groups")
    PERMISSIONS = "permissions", _("permissions")
    STAFF = "is_staff", _("staff status")
    SUPERUSER = "is_superuser", _("superuser status")


class AccessChange(AppendOnlyModel):
    """One change to a user's groups, permissions, staff or superuser status, or to a group's permissions."""

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
        help_text=_("Empty when a command, a migration or code outside the admin made the change."),
    )
    actor_name = models.CharField(_("changed by (username)"), max_length=150, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_changes",
        verbose_name=_("user"),
    )
    user_name = models.CharField(_("user (username)"), max_length=150, blank=True)
    group = models.ForeignKey(
        "auth.Group", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("group")
    )
    group_name = models.CharField(_("group (name)"), max_length=150, blank=True)
    what = models.CharField(_("what"), max_length=20, choices=AccessAspect)
    before = models.JSONField(_("before"), help_text=_("Names, sorted, or true/false for a status."))
    after = models.JSONField(_("after"))
    via = models.CharField(
        _("via"),
        max_length=100,
        help_text=_(
            "Where the change was made: “admin”, “manage.py <command>”, “migration <name>”, or “orm” for code that "
            "changed it directly, outside the app's access rules (who ran it is not known)."
        ),
    )

    class Meta:
        verbose_name = _("access change")
        verbose_name_plural = _("access changes")
        ordering = ["-created_at", "-id"]
        # Written only by accounts.access and its receivers: adding, changing or deleting one by hand means nothing.
        default_permissions = ("view",)
        constraints = [
            models.CheckConstraint(condition=models.Q(what__in=AccessAspect.values), name="accesschange_what_valid"),
            models.CheckConstraint(
                condition=(~models.Q(user_name="") & models.Q(group_name=""))
                | (models.Q(user_name="") & ~models.Q(group_name="") & models.Q(what=AccessAspect.PERMISSIONS)),
                name="accesschange_of_a_user_or_a_groups_permissions",
            ),
        ]
        indexes = [models.Index(fields=["user", "-created_at"]), models.Index(fields=["group", "-created_at"])]

    def __str__(self) -> str:
        whom = self.user_name or self.group_name
        return f"{whom}: {self.get_what_display()}"


class APIToken(AuthToken):
    """django-rest-knox's token as the admin shows it: its owner and dates; the key itself is stored as a hash only."""

    class Meta:
        proxy = True
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        # Everyone issues and revokes their own; these let administrators see and revoke everyone's.
        default_permissions = ("view", "delete")

    def __str__(self) -> str:
        return _("%(user)s's token of %(created)s") % {
            "user": self.user.get_username(),
            "created": timezone.localtime(self.created).strftime("%Y-%m-%d %H:%M"),
        }


class LanguagePreference(models.Model):
    """The language a person chose to read the desk in, on every device they sign in from."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="language_preference"
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("language preference")
        verbose_name_plural = _("language preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.language}"
