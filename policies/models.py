"""Policy records as the collection's files describe them, and the files they were read from."""

import hashlib
import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

ANALYSIS_DIMENSIONS = ("market", "mrv", "statutory", "strategic", "incentive")
ANALYSIS_PARTS = ("score", "label", "evidence", "citation")
HUMAN_AUDIT_PENDING = "Human Audit Pending"

# Windows device names are refused too: the collection is checked out on every platform.
_RESERVED_NAMES = {"con", "prn", "aux", "nul"} | {f"{p}{n}" for p in ("com", "lpt") for n in range(1, 10)}
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


def validate_policy_id(value: str) -> None:
    """An id names the record's file (`<id>.md`), so it must be a safe, portable file name."""
    if not isinstance(value, str) or not value:
        raise ValidationError("The id is empty.", code="empty")
    if not _SAFE_ID.match(value) or value.endswith(".") or ".." in value:
        raise ValidationError(
            "%(value)r is not a safe file name: use letters, digits, '.', '_' and '-', starting with a letter or "
            "digit, at most 200 characters.",
            code="unsafe",
            params={"value": value},
        )
    if value.split(".")[0].lower() in _RESERVED_NAMES:
        raise ValidationError("%(value)r is a reserved file name.", code="reserved", params={"value": value})


class ReviewState(models.TextChoices):
    PENDING = "pending", HUMAN_AUDIT_PENDING
    CHANGES_REQUESTED = "changes_requested", "Changes Requested"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"


class PolicyQuerySet(models.QuerySet):
    def in_state(self, state: str) -> "PolicyQuerySet":
        return self.filter(state=state)

    def pending(self) -> "PolicyQuerySet":
        return self.in_state(ReviewState.PENDING)

    def verified(self) -> "PolicyQuerySet":
        return self.in_state(ReviewState.VERIFIED)


def _score_field(dimension: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        f"{dimension} score",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="0-100.",
    )


class Policy(models.Model):
    """One policy record: every field of its frontmatter, its Markdown body and its review state.

    Fields the schema does not know are kept, as YAML, in `extra` (a mapping of the same shape as the
    frontmatter holding only the unknown keys), so nothing a file says is lost.
    """

    # Identity
    policy_id = models.CharField("id", max_length=200, unique=True, validators=[validate_policy_id])
    title = models.TextField()
    country = models.CharField(max_length=200, blank=True)
    year = models.IntegerField(null=True, blank=True)
    status = models.CharField(max_length=200, blank=True)
    category = models.CharField(max_length=200, blank=True)
    pub_date = models.DateField("pubDate", null=True, blank=True)
    review_status = models.CharField(
        "reviewStatus",
        max_length=100,
        blank=True,
        help_text="As written in the file; the review state below is what the app trusts.",
    )
    legal_weight = models.CharField("legalWeight", max_length=200, blank=True)
    scope = models.CharField(max_length=200, blank=True)
    sectors = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True)
    url = models.TextField(blank=True)
    source = models.TextField(blank=True)

    # analysis: five dimensions, each scored 0-100 with a label, evidence and a citation.
    market_score = _score_field("market")
    market_label = models.TextField("market label", blank=True)
    market_evidence = models.TextField("market evidence", blank=True)
    market_citation = models.TextField("market citation", blank=True)
    mrv_score = _score_field("MRV")
    mrv_label = models.TextField("MRV label", blank=True)
    mrv_evidence = models.TextField("MRV evidence", blank=True)
    mrv_citation = models.TextField("MRV citation", blank=True)
    statutory_score = _score_field("statutory")
    statutory_label = models.TextField("statutory label", blank=True)
    statutory_evidence = models.TextField("statutory evidence", blank=True)
    statutory_citation = models.TextField("statutory citation", blank=True)
    strategic_score = _score_field("strategic")
    strategic_label = models.TextField("strategic label", blank=True)
    strategic_evidence = models.TextField("strategic evidence", blank=True)
    strategic_citation = models.TextField("strategic citation", blank=True)
    incentive_score = _score_field("incentive")
    incentive_label = models.TextField("incentive label", blank=True)
    incentive_evidence = models.TextField("incentive evidence", blank=True)
    incentive_citation = models.TextField("incentive citation", blank=True)

    # impactAnalysis
    impact_economic = models.TextField("economic impact", blank=True)
    impact_technical = models.TextField("technical impact", blank=True)
    impact_environmental = models.TextField("environmental impact", blank=True)

    # evolution
    supersedes = models.JSONField(default=list, blank=True, help_text="Ids of the records this one replaces.")
    clusters = models.JSONField(default=list, blank=True)

    # implementationDetails
    implementation_authority = models.TextField("authority", blank=True)
    implementation_mechanism = models.TextField("mechanism", blank=True)
    implementation_funding_scale = models.TextField("fundingScale", blank=True)

    related_facilities = models.JSONField(
        "relatedFacilities",
        default=list,
        blank=True,
        help_text="Facility ids in the order the file lists them.",
    )

    # provenance: written by the import and the review workflow, never by hand.
    provenance_author = models.CharField("author", max_length=200, blank=True)
    provenance_reviewer = models.CharField("reviewer", max_length=200, blank=True)
    provenance_last_audit_date = models.DateField("lastAuditDate", null=True, blank=True)

    description = models.TextField(blank=True, help_text="Markdown.")
    body = models.TextField(blank=True, help_text="Markdown, after the frontmatter.")
    extra = models.TextField(
        "other frontmatter",
        blank=True,
        help_text="Keys the schema does not know, as YAML, kept and exported where the file had them.",
    )

    state = models.CharField(
        "review state",
        max_length=20,
        choices=ReviewState,
        default=ReviewState.PENDING,
        editable=False,
    )
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Goes up by one with every saved change; reviews and edits are bound to it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))
    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = "policy"
        verbose_name_plural = "policies"
        ordering = ["policy_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=ReviewState.values),
                name="policy_state_valid",
            ),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{d}_score__isnull": True})
                    | models.Q(**{f"{d}_score__gte": 0, f"{d}_score__lte": 100}),
                    name=f"policy_{d}_score_0_100",
                )
                for d in ANALYSIS_DIMENSIONS
            ),
        ]
        indexes = [
            models.Index(fields=["state", "updated_at"]),
            models.Index(fields=["country"]),
            models.Index(fields=["category"]),
            models.Index(fields=["year"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.policy_id})"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            self.version += 1
        super().save(*args, **kwargs)

    def save_as(self, *, user, reason: str) -> None:
        """Save, recording in the history who made the change and why (`user` is None for a command)."""
        self._history_user = user
        self._change_reason = reason
        self.save()


class FileSnapshot(models.Model):
    """The exact text of a policy file as it was last read or written: the template every export keeps."""

    sha256 = models.CharField(max_length=64, unique=True)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256[:12]

    @classmethod
    def for_text(cls, text: str) -> "FileSnapshot":
        """The snapshot holding `text`, stored once however many records or versions share it."""
        sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
        snapshot, _ = cls.objects.get_or_create(sha256=sha256, defaults={"text": text})
        return snapshot


class PolicyFile(models.Model):
    """Where a record lives in the collection and what was there when the app last read or wrote it.

    Kept apart from `Policy` so that bookkeeping of files never shows up as an edit in the record's history.
    """

    policy = models.OneToOneField(Policy, on_delete=models.CASCADE, related_name="file")
    path = models.CharField(max_length=500, help_text="Relative to the collection's root, '/'-separated.")
    snapshot = models.ForeignKey(FileSnapshot, on_delete=models.PROTECT, related_name="+")
    file_sha256 = models.CharField(max_length=64, db_index=True, help_text="Hash of the file's bytes.")
    content_hash = models.CharField(max_length=64, help_text="Hash of the record's content when it matched the file.")
    synced_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.path
