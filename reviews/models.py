"""The decisions taken on policy records: who moved which record where, and why.

Events are append-only. The record's content at each step lives in the record's own history
(django-simple-history); an event points at the history row its decision saved.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policies.models import ANALYSIS_DIMENSIONS, Policy, ReviewState
from policies.schema import DIMENSION_LABELS


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a review event or verdict."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.verbose_name_plural} cannot be changed.")

    def delete(self):
        raise AppendOnlyError(f"{self.model._meta.verbose_name_plural} cannot be deleted.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"This {self._meta.verbose_name} is already recorded and cannot be changed.")
        # force_insert: a hand-set primary key must never overwrite an existing row.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"This {self._meta.verbose_name} cannot be deleted.")


class ReviewAction(models.TextChoices):
    APPROVE = "approve", _("Approved")
    REQUEST_CHANGES = "request_changes", _("Changes requested")
    RESUBMIT = "resubmit", _("Resubmitted")
    REJECT = "reject", _("Rejected")
    REOPEN = "reopen", _("Reopened")
    WITHDRAW = "withdraw", _("Withdrawn")
    RESTORE = "restore", _("Restored an earlier version")
    EDIT = "edit", _("Edited after verification")


class Verdict(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WRONG = "wrong", _("Wrong")
    # Offered while reviewers could edit; kept so that the verdicts given then still read.
    CORRECTED = "corrected", _("Corrected")


# What a reviewer may say of a dimension now: reviewers do not edit, so a wrong value goes back to its editors.
OFFERED_VERDICTS = (Verdict.CONFIRMED, Verdict.WRONG)


class ReviewEvent(AppendOnlyModel):
    """One move of a record through the review workflow, as it happened."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="review_events", verbose_name=_("record"))
    action = models.CharField(_("action"), max_length=20, choices=ReviewAction)
    version = models.PositiveIntegerField(
        _("version"), help_text=_("The version of the record the decision was taken on.")
    )
    from_state = models.CharField(_("from state"), max_length=20, choices=ReviewState)
    to_state = models.CharField(_("to state"), max_length=20, choices=ReviewState)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_events",
        verbose_name=_("actor"),
        help_text=_("Empty when a command made the move."),
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    comment = models.TextField(_("comment"), blank=True)
    history_id = models.PositiveBigIntegerField(
        _("history row"),
        null=True,
        blank=True,
        help_text=_("The record's history row saved by this move: what the record looked like after it."),
    )

    class Meta:
        verbose_name = _("review event")
        verbose_name_plural = _("review events")
        ordering = ["-created_at", "-id"]
        # Events are only ever written by the workflow: adding, changing or deleting them by hand means nothing.
        default_permissions = ("view",)
        permissions = [
            ("review_policy", _("Can approve, request changes to, reject and reopen policies")),
            ("resubmit_policy", _("Can resubmit a policy for review after changes were requested")),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(action__in=ReviewAction.values), name="reviewevent_action_valid"),
            models.CheckConstraint(
                condition=models.Q(from_state__in=ReviewState.values, to_state__in=ReviewState.values),
                name="reviewevent_states_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(action__in=[ReviewAction.REQUEST_CHANGES, ReviewAction.REJECT])
                | ~models.Q(comment=""),
                name="reviewevent_refusal_has_comment",
            ),
            models.CheckConstraint(
                condition=~models.Q(action=ReviewAction.APPROVE) | models.Q(to_state=ReviewState.VERIFIED),
                name="reviewevent_approval_verifies",
            ),
        ]
        indexes = [
            models.Index(fields=["policy", "-created_at"]),
            # The review queue asks, per version a reviewer saved, whether a state-only move saved it.
            models.Index(fields=["history_id"], name="reviewevent_history_id"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.policy.policy_id} v{self.version}"


class DimensionVerdict(AppendOnlyModel):
    """What the reviewer found for one analysis dimension of the version they approved."""

    event = models.ForeignKey(
        ReviewEvent, on_delete=models.PROTECT, related_name="verdicts", verbose_name=_("review event")
    )
    dimension = models.CharField(_("dimension"), max_length=20, choices=list(DIMENSION_LABELS.items()))
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("dimension verdict")
        verbose_name_plural = _("dimension verdicts")
        ordering = ["event", "id"]
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(fields=["event", "dimension"], name="dimensionverdict_once_per_event"),
            models.CheckConstraint(
                condition=models.Q(dimension__in=ANALYSIS_DIMENSIONS), name="dimensionverdict_dimension_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(verdict__in=Verdict.values), name="dimensionverdict_verdict_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}: {self.verdict}"
