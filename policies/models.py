"""Policy records as the collection's files describe them, and the files they were read from."""

import datetime
import hashlib
import json
import re
import string
from typing import TYPE_CHECKING, Any, Self, TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.manager import HistoricalQuerySet, HistoryDescriptor, HistoryManager
from simple_history.models import (
    SIMPLE_HISTORY_REVERSE_ATTR_NAME,
    HistoricalChanges,
    HistoricalRecords,
    ModelChange,
    ModelDelta,
)

from policies import schema, wording

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ANALYSIS_DIMENSIONS = schema.DIMENSIONS
ANALYSIS_PARTS = schema.DIMENSION_PARTS
HUMAN_AUDIT_PENDING = "Human Audit Pending"

# Windows device names are refused too: the collection is checked out on every platform.
_RESERVED_NAMES = {"con", "prn", "aux", "nul"} | {f"{p}{n}" for p in ("com", "lpt") for n in range(1, 10)}
_ID_CHARACTERS = frozenset(string.ascii_letters + string.digits + "._-")
# The whole value must match (`fullmatch`): with `match` and `$`, "a\n" passed, as `$` also matches before a
# final line break.
_SAFE_ID = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{schema.ID_MAX_LENGTH - 1}}}")
_SHOWN_ID = 60


def validate_policy_id(value: str) -> None:
    """An id names the record's file (`<id>.md`), so it must be a safe, portable file name."""
    if not isinstance(value, str) or not value:
        raise ValidationError(_("The id is empty."), code="empty")
    if not _SAFE_ID.fullmatch(value) or value.endswith(".") or ".." in value:
        shown = value if len(value) <= _SHOWN_ID else value[: _SHOWN_ID - 1] + "…"
        raise ValidationError(
            _(
                "%(value)r is not a safe file name (%(why)s): use letters, digits, '.', '_' and '-', starting with "
                "a letter or digit, at most 200 characters."
            ),
            code="unsafe",
            params={"value": shown, "why": _why_unsafe(value)},
        )
    if value.split(".")[0].lower() in _RESERVED_NAMES:
        raise ValidationError(_("%(value)r is a reserved file name."), code="reserved", params={"value": value})


def _why_unsafe(value: str) -> str:
    """What makes an id that `_SAFE_ID` refuses unsafe, for the person who wrote it."""
    bad = next((character for character in value if character not in _ID_CHARACTERS), None)
    if bad is not None:
        return gettext("it holds %(character)r, U+%(code)04X") % {"character": bad, "code": ord(bad)}
    if len(value) > schema.ID_MAX_LENGTH:
        return gettext("it is %(length)s characters long") % {"length": f"{len(value):,}"}
    if not value[0].isalnum():
        return gettext("it starts with %(character)r") % {"character": value[0]}
    if ".." in value:
        return gettext("it holds '..'")
    return gettext("it ends with '.'")


class ReviewState(models.TextChoices):
    """Where a record is in its review, named as people say it. Files say `reviewStatus: pending` and the reviewer
    `Human Audit Pending` (the collection's own placeholder), whatever these names are."""

    PENDING = "pending", _("Awaiting review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PolicyQuerySet(models.QuerySet):
    def in_state(self, state: str) -> "PolicyQuerySet":
        return self.filter(state=state)

    def with_warnings(self) -> "PolicyQuerySet":
        return self.filter(models.Exists(PolicyWarning.objects.filter(policy=models.OuterRef("pk"))))

    def without_warnings(self) -> "PolicyQuerySet":
        return self.exclude(models.Exists(PolicyWarning.objects.filter(policy=models.OuterRef("pk"))))

    def needing_fixes(self) -> "PolicyQuerySet":
        """Records with a problem that blocks their approval."""
        return self.filter(models.Exists(PolicyWarning.objects.blocking().filter(policy=models.OuterRef("pk"))))

    def not_needing_fixes(self) -> "PolicyQuerySet":
        return self.exclude(models.Exists(PolicyWarning.objects.blocking().filter(policy=models.OuterRef("pk"))))

    def pending(self) -> "PolicyQuerySet":
        return self.in_state(ReviewState.PENDING)

    def verified(self) -> "PolicyQuerySet":
        return self.in_state(ReviewState.VERIFIED)

    def with_open_import_conflicts(self) -> "PolicyQuerySet":
        return self.filter(models.Exists(ImportConflict.objects.open().filter(policy=models.OuterRef("pk"))))


def _score_field(dimension: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        f"{dimension} score",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("0-100."),
    )


class FacilityList(models.Model):
    """A record's facility ids, stored once however many versions of however many records list them.

    A seed-sized record lists about 1,000 ids, most of its size; the history refers to the list by its hash
    instead of copying it into every version. Rows are never changed or deleted: the hash is the content.
    """

    sha256 = models.CharField(max_length=64, primary_key=True)
    ids = models.JSONField()

    class Meta:
        verbose_name = "facility list"

    def __str__(self) -> str:
        return f"{len(self.ids):,} facility ids" if isinstance(self.ids, list) else self.sha256[:12]

    @classmethod
    def for_ids(cls, ids: Any) -> Self:
        """The list holding `ids`, not yet stored."""
        canonical = json.dumps(ids, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return cls(sha256=hashlib.sha256(canonical.encode()).hexdigest(), ids=ids)

    @classmethod
    def stored(cls, ids: Any) -> Self:
        """The list holding `ids`, inserted unless it is there already (one query either way)."""
        facility_list = cls.for_ids(ids)
        cls.objects.bulk_create([facility_list], ignore_conflicts=True)
        facility_list._state.adding = False
        return facility_list


class PolicyHistoryQuerySet(HistoricalQuerySet):
    def _select_related_history_tracked_objs(self) -> "PolicyHistoryQuerySet":
        # simple-history's history page calls select_related() with no names when no tracked field is a foreign
        # key, which drops its own select_related("history_user"): one query per version listed.
        return self.select_related("facilities", "history_user")


class PolicyHistoryManager(HistoryManager):
    # Every read of a version needs its facility list: joined, so reading versions costs no query per row.
    def get_super_queryset(self):
        return super().get_super_queryset().select_related("facilities")


class _HistoryDescriptor(HistoryDescriptor):
    # simple-history builds a new manager class on every `policy.history`, once per saved version too; build it once.
    def __init__(self, model, manager, queryset) -> None:
        super().__init__(model, manager, queryset)
        self.manager_class = manager.from_queryset(queryset)

    def __get__(self, instance, owner):
        return self.manager_class(self.model, instance)


class HistoricalPolicyBase(models.Model):
    """What a history row of a `Policy` has beyond the record's fields: its facility list, by reference."""

    facilities = models.ForeignKey(
        FacilityList, on_delete=models.PROTECT, related_name="+", verbose_name="relatedFacilities"
    )

    class Meta:
        abstract = True

    @property
    def related_facilities(self) -> Any:
        return self.facilities.ids


class PolicyHistoricalRecords(HistoricalRecords):
    """django-simple-history with `related_facilities` kept in `FacilityList` and read back as a plain value.

    Only the history changes: a version still answers `row.related_facilities`, `row.instance` and
    `diff_against` as if the list were one of its columns.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            excluded_fields=["related_facilities"],
            bases=[HistoricalPolicyBase],
            history_manager=PolicyHistoryManager,
            historical_queryset=PolicyHistoryQuerySet,
            **kwargs,
        )

    def finalize(self, sender, **kwargs) -> None:
        super().finalize(sender, **kwargs)
        if sender is self.cls:
            # `policies.saving` writes each version's history row in plain code (`history_row`), and the row of a
            # deletion: no receiver writes one behind a save's back.
            for signal, receiver in (
                (models.signals.post_save, self.post_save),
                (models.signals.pre_delete, self.pre_delete),
                (models.signals.post_delete, self.post_delete),
            ):
                signal.disconnect(receiver, sender=sender)
            history_model = sender.__dict__[self.manager_name].model
            setattr(
                sender,
                self.manager_name,
                _HistoryDescriptor(history_model, self.history_manager, self.historical_queryset),
            )

    def get_extra_fields(self, model, fields):
        extra = super().get_extra_fields(model, fields)

        def get_instance(row):
            # simple-history would take an excluded field from the record as it is now, not as it was.
            values = {field.attname: getattr(row, field.attname) for field in fields.values()}
            instance = model(**values, related_facilities=row.related_facilities)
            setattr(instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME, row)
            return instance

        def diff_against(row, old_history, excluded_fields=None, included_fields=None, **kwargs):
            delta = HistoricalChanges.diff_against(row, old_history, excluded_fields, included_fields, **kwargs)
            wanted = included_fields is None or "related_facilities" in included_fields
            wanted = wanted and "related_facilities" not in (excluded_fields or ())
            if not wanted or row.facilities_id == old_history.facilities_id:
                return delta
            change = ModelChange("related_facilities", old_history.related_facilities, row.related_facilities)
            changes = sorted([*delta.changes, change], key=lambda change: change.field)
            return ModelDelta(changes, [change.field for change in changes], old_history, row)

        extra["instance"] = property(get_instance)
        extra["diff_against"] = diff_against
        return extra


class _Text(TypedDict):
    verbose_name: "StrOrPromise"
    help_text: "StrOrPromise"


def _content_field(field: schema.Field) -> models.Field:
    """The model field holding a schema row's value: its kind's type, its label and help text."""
    text = _Text(verbose_name=field.label, help_text=field.help_text)
    if field.kind == "id":
        return models.CharField(max_length=field.max_length, unique=True, validators=[validate_policy_id], **text)
    if field.kind == "required_text":
        return models.TextField(**text)
    if field.kind == "text":
        return models.TextField(blank=True, max_length=field.max_length, **text)
    if field.kind == "year":
        # Its range is checked with the import's words (`records.read_field`), on every save path.
        return models.IntegerField(null=True, blank=True, **text)
    if field.kind == "score":
        low, high = field.value_range or schema.SCORE_RANGE
        validators = [MinValueValidator(low), MaxValueValidator(high)]
        return models.PositiveSmallIntegerField(null=True, blank=True, validators=validators, **text)
    if field.kind == "date":
        return models.DateField(null=True, blank=True, **text)
    if field.kind == "list":
        return models.JSONField(default=list, blank=True, **text)
    raise AssertionError(field.kind)


def _content_part(part: schema.Part) -> models.Field:
    return models.TextField(part.label, blank=True, editable=part.attr != "invalid", help_text=part.help_text)


class _ContentMeta:
    abstract = True


# A record's content, one model field per row of `policies.schema`: a new frontmatter key is a row there and a
# migration, nothing here.
PolicyContent: Any = type(
    "PolicyContent",
    (models.Model,),
    {
        "__module__": __name__,
        "Meta": _ContentMeta,
        **{field.attr: _content_field(field) for field in schema.FIELDS},
        **{part.attr: _content_part(part) for part in schema.PARTS},
    },
)


class Policy(PolicyContent):
    """One policy record: every field of its frontmatter, its Markdown body and its review state.

    Fields the schema does not know are kept, as YAML, in `extra` (a mapping of the same shape as the
    frontmatter holding only the unknown keys), so nothing a file says is lost. Values of known fields that their
    fields cannot hold are kept, as YAML, in `invalid`, their fields left empty: the record is admitted with a
    problem on each, and exported as its file wrote it until someone fixes them.
    """

    # What a version is rendered on: the text of the file it came from. Part of the version (and of its history
    # row), so that the bytes a reviewer approved are the bytes published: a file read later changes it only
    # with a new version.
    template = models.ForeignKey(
        "FileSnapshot", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    content_hash = models.CharField(
        max_length=64,
        default="",
        editable=False,
        db_index=True,
        help_text=_("Fingerprint of the content (records.content_hash): finds the version a file holds."),
    )

    state = models.CharField(
        _("review state"),
        max_length=20,
        choices=ReviewState,
        default=ReviewState.PENDING,
        editable=False,
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Goes up by one with every saved change; reviews and edits are bound to it."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = PolicyHistoricalRecords(history_change_reason_field=models.TextField(null=True))
    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
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
        # The admin list filters by one of country, category or year, often with the state, and orders by id:
        # these answer its count and its page from the index alone, reading only the listed rows (a record's row
        # is mostly its facility ids and text, so reading rows to test a filter costs most of a scan).
        indexes = [
            models.Index(fields=["state", "updated_at"]),
            models.Index(fields=["country", "state", "policy_id"], name="policy_country_state_id"),
            models.Index(fields=["category", "state", "policy_id"], name="policy_category_state_id"),
            models.Index(fields=["year", "state", "policy_id"], name="policy_year_state_id"),
        ]
        # The admin search has a trigram index of its own (policies/search.py, migration 0005).

    def __str__(self) -> str:
        return f"{self.title} ({self.policy_id})"

    def save(self, *args, **kwargs) -> None:
        """Write the row as it is. Saving a version is `policies.saving.save_record`'s job (`save_as`): it checks
        the version, applies the review rule, and writes the history and what derives from the record."""
        super().save(*args, **kwargs)

    def last_verified_version(self) -> Any:
        """The newest history row of this record whose state was verified, or None: its published content."""
        return self.history.filter(state=ReviewState.VERIFIED).order_by("-history_id").first()

    @property
    def file_or_none(self) -> "PolicyFile | None":
        """The record's file bookkeeping, or None for a record that never came from or went to a file."""
        try:
            return self.file
        except PolicyFile.DoesNotExist:
            return None

    def forget_related(self) -> None:
        """Drop the related rows read with the record (`select_related("file")`).

        A record and its file read together refer to each other, so neither is freed when the last reference goes,
        only by the cycle collector, which runs the less often the more objects live: a bulk import or export that
        reads thousands held hundreds of records' facility lists as garbage (50 MB at 20,000 records).
        """
        self._state.fields_cache.clear()

    def save_as(self, *, user, reason: str) -> Any:
        """Save as the next version through `policies.saving.save_record`, recording who (`user`, None for a
        command) and why."""
        from policies import saving  # saving builds on this module

        return saving.save_record(self, user=user, reason=reason)


def history_row(
    policy: "Policy",
    *,
    user: Any,
    reason: str,
    history_type: str,
    date: datetime.datetime,
    facilities: "FacilityList | None" = None,
) -> Any:
    """The history row of `policy` as it is now, not yet stored: who, when, why, and its facility list by
    reference (`facilities`, stored already; by default stored here)."""
    history_model = Policy.history.model
    facilities = facilities or FacilityList.stored(policy.related_facilities)
    return history_model(
        history_date=date,
        history_type=history_type,
        history_user=user if user is not None and getattr(user, "is_authenticated", False) else None,
        history_change_reason=reason,
        facilities_id=facilities.sha256,
        **{field.attname: getattr(policy, field.attname) for field in history_model.tracked_fields},
    )


class PolicyWarningQuerySet(models.QuerySet):
    def blocking(self) -> "PolicyWarningQuerySet":
        return self.filter(blocking=True)


class PolicyWarning(models.Model):
    """One finding of the record checks (`policies.checks`), stored so that lists can filter on it.

    Derived data, kept apart from `Policy` so that it never shows up as an edit in the record's history: the
    checks rewrite a record's warnings when it (or a record it is compared with) is saved, and the whole
    collection's after an import and by `manage.py check_policies`. A blocking one is a problem: a value its field
    cannot hold, or a required field left empty; nobody approves the record while it stands.
    """

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="warnings")
    field = models.CharField(
        max_length=200, help_text=_("The frontmatter key it concerns, e.g. analysis.mrv.citation.")
    )
    code = models.CharField(max_length=50)
    # As worded when the checks ran, in the language of whoever saved; `wording` says it again in the reader's.
    message = models.TextField()
    wording = models.JSONField(default=dict, blank=True, editable=False)
    blocking = models.BooleanField(default=False, help_text=_("A problem: the record is not approved while it stands."))
    line = models.PositiveIntegerField(null=True, blank=True, help_text=_("Where the value is in the record's file."))
    column = models.PositiveIntegerField(null=True, blank=True)

    objects = PolicyWarningQuerySet.as_manager()

    class Meta:
        ordering = ["policy", "id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.field}: {self.text}"

    @property
    def field_label(self) -> str:
        """The field as people name it (发布日期, Market evidence), not as the file writes it; the key for one the
        schema does not know."""
        field = schema.BY_DOTTED.get(self.field.partition("[")[0])
        return str(field.label) if field is not None else self.field

    @property
    def text(self) -> str:
        """The message in the active language (as stored, for a warning stored before it kept its wording)."""
        return wording.reword(self.wording) if self.wording else self.message


def last_verified_history_id(record: str = "id") -> models.Subquery:
    """`last_verified_version` as an expression, for queries: the history_id of the newest verified row of the
    record whose id is the outer query's field `record`."""
    rows = Policy.history.filter(id=models.OuterRef(record), state=ReviewState.VERIFIED).order_by("-history_id")
    return models.Subquery(rows.values("history_id")[:1])


class FileSnapshot(models.Model):
    """The exact text of a policy file the app read or wrote: the template the versions made from it render on."""

    sha256 = models.CharField(max_length=64, unique=True)
    text = models.TextField()
    content_hash = models.CharField(
        max_length=64, blank=True, help_text=_("Fingerprint of the content the text holds; blank if not known.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256[:12]

    @classmethod
    def for_text(cls, text: str, content_hash: str = "") -> Self:
        """The snapshot holding `text`, stored once however many records or versions share it.

        One query whether or not it exists (an upsert that returns the row's id), safe against a concurrent
        writer storing the same text.
        """
        snapshot = cls.for_text_unsaved(text, content_hash)
        cls.objects.bulk_create([snapshot], update_conflicts=True, unique_fields=["sha256"], update_fields=["sha256"])
        return snapshot

    @classmethod
    def for_text_unsaved(cls, text: str, content_hash: str = "") -> Self:
        """The snapshot holding `text`, not yet stored."""
        return cls(sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), text=text, content_hash=content_hash)


class PolicyFile(models.Model):
    """Where a record lives in the collection: the path its file is exported to, one record a path.

    Kept apart from `Policy` so that bookkeeping of files never shows up as an edit in the record's history.
    """

    policy = models.OneToOneField(Policy, on_delete=models.CASCADE, related_name="file")
    path = models.CharField(
        max_length=500, unique=True, help_text=_("Relative to the collection's root, '/'-separated.")
    )

    def __str__(self) -> str:
        return self.path


class SeenFile(models.Model):
    """Bytes of a record's file that the app has read or written, and the content they hold.

    A file the app has seen is never newer than the record: an import recognises it by its hash, without parsing
    it, as the record's current content or as one of its older versions; an export's pruning recognises the
    files it wrote (and no one changed since) by the same hashes.
    """

    class How(models.TextChoices):
        IMPORTED = "imported", _("imported")
        EXPORTED = "exported", _("exported")

    # Kept when the record is deleted: the export still knows the files it wrote for it, to prune them.
    policy = models.ForeignKey(Policy, null=True, on_delete=models.SET_NULL, related_name="seen_files")
    sha256 = models.CharField(max_length=64, unique=True, help_text=_("Hash of the file's bytes."))
    content_hash = models.CharField(max_length=64, help_text=_("Fingerprint of the content the bytes hold."))
    how = models.CharField(max_length=10, choices=How)
    version = models.PositiveIntegerField(help_text=_("The record's version the bytes were taken into or matched."))
    seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.how})"

    @classmethod
    def remember(
        cls: type[Self], policy: Policy, sha256: str, content_hash: str, how: str, version: int | None = None
    ) -> None:
        """Note that the bytes hashing to `sha256` hold `content_hash` and went into `version` (by default the
        record's current one); the first sighting of the same bytes stays."""
        seen = cls(policy=policy, sha256=sha256, content_hash=content_hash, how=how, version=version or policy.version)
        cls.objects.bulk_create([seen], ignore_conflicts=True)


class ImportConflictQuerySet(models.QuerySet):
    def open(self) -> "ImportConflictQuerySet":
        return self.filter(resolved_at__isnull=True)

    def settled(self) -> "ImportConflictQuerySet":
        return self.filter(resolved_at__isnull=False)


class ImportConflict(models.Model):
    """A file whose changes collide with changes made in the app since the content both started from.

    The import leaves the record alone and keeps the file here; an editor settles each conflicting field (keep the
    record's value, take the file's, or write another) and the result is saved as a new version, for review.
    """

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="import_conflicts")
    source = models.CharField(_("file"), max_length=500, help_text=_("The file as the import named it."))
    file = models.ForeignKey(FileSnapshot, on_delete=models.PROTECT, related_name="+")
    file_sha256 = models.CharField(max_length=64, help_text=_("Hash of the file's bytes."))
    base = models.CharField(
        _("common base"), max_length=500, help_text=_("The known content both sides changed, e.g. 'version 3'.")
    )
    version = models.PositiveIntegerField(_("version"), help_text=_("The record's version the file was compared with."))
    taken = models.JSONField(default=list, help_text=_("Fields only the file changed: taken when it is settled."))
    fields = models.JSONField(default=list, help_text=_("Each field both sides changed: base, ours and theirs."))
    created_at = models.DateTimeField(_("found"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("imported by"),
    )
    resolved_at = models.DateTimeField(_("settled"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("settled by"),
    )

    objects = ImportConflictQuerySet.as_manager()

    class Meta:
        verbose_name = _("import conflict")
        verbose_name_plural = _("import conflicts")
        ordering = ["-created_at", "-id"]
        default_permissions = ("view", "change")
        constraints = [
            # Importing the same file again finds the open conflict instead of filing another.
            models.UniqueConstraint(
                fields=["policy", "file_sha256"],
                condition=models.Q(resolved_at__isnull=True),
                name="import_conflict_open_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.policy.policy_id}: {self.source}"

    @property
    def field_names(self) -> list[str]:
        return [entry["field"] for entry in self.fields]


class CollectionCheckOwed(models.Model):
    """A check of the whole collection that an import started and did not finish (it was killed).

    Written in the transaction of an import's first stored batch, deleted in the transaction of the check that
    settles it: the import's own at its end, or, after a kill, the next import's, `check_policies` or the start-up
    steps' (`check_policies --if-owed`). Until then each stored record has the warnings of its own content.
    """

    since = models.DateTimeField(auto_now_add=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"owed since {self.since:%Y-%m-%d %H:%M}"
