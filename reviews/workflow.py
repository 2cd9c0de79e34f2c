"""The review workflow: the only code that changes a record's review state.

Every move is listed once in `MOVES`. Each public function checks who may make it, locks the record, re-checks
its state, saves the record with the acting user and a reason (so the history row carries the new state) and
writes the `ReviewEvent`, all in one transaction. Refusals raise `NotAllowedToReview` (who may not) or
`TransitionNotAllowed` (what may not happen now) and change nothing.

`user=None` stands for a management command run by the operator: no permission is checked, but no command can
approve, since an approval needs a named reviewer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy, ngettext

from policies import records, saving, schema
from policies.models import ANALYSIS_DIMENSIONS, ANALYSIS_PARTS, Policy, ReviewState, last_verified_history_id
from policies.records import CONTENT_FIELDS
from policies.saving import StaleVersion

from .models import OFFERED_VERDICTS, DimensionVerdict, ReviewAction, ReviewEvent, Verdict

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.auth.models import User as AuthUser
    from django_stubs_ext import StrPromise

    User = AuthUser | AnonymousUser

REVIEW_PERMISSION = "reviews.review_policy"
RESUBMIT_PERMISSION = "reviews.resubmit_policy"
EDIT_PERMISSION = "policies.change_policy"

# Written by approval, not by editors: a restore keeps the current values, since they describe the last audit.
APPROVAL_STAMP_FIELDS = records.STAMPED_BY_APPROVAL
_APPROVAL_STAMP_KEYS = tuple(records.key_of(attr) for attr in APPROVAL_STAMP_FIELDS)


class TransitionNotAllowed(Exception):
    """The move is not legal for the record as it is now (state, version or missing input)."""


class NotAllowedToReview(PermissionDenied):
    """The user may not make this move on this record."""


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str
    permission: str
    refusal: StrPromise  # said to someone without the permission
    comment_required: bool = False


MOVES: dict[str, Move] = {
    ReviewAction.APPROVE: Move(
        frozenset({ReviewState.PENDING}),
        ReviewState.VERIFIED,
        REVIEW_PERMISSION,
        gettext_lazy("You do not have permission to approve policies."),
    ),
    ReviewAction.REQUEST_CHANGES: Move(
        frozenset({ReviewState.PENDING}),
        ReviewState.CHANGES_REQUESTED,
        REVIEW_PERMISSION,
        gettext_lazy("You do not have permission to request changes to policies."),
        comment_required=True,
    ),
    ReviewAction.RESUBMIT: Move(
        frozenset({ReviewState.CHANGES_REQUESTED}),
        ReviewState.PENDING,
        RESUBMIT_PERMISSION,
        gettext_lazy("You do not have permission to resubmit policies."),
    ),
    ReviewAction.REJECT: Move(
        frozenset({ReviewState.PENDING, ReviewState.CHANGES_REQUESTED}),
        ReviewState.REJECTED,
        REVIEW_PERMISSION,
        gettext_lazy("You do not have permission to reject policies."),
        comment_required=True,
    ),
    ReviewAction.REOPEN: Move(
        frozenset({ReviewState.REJECTED, ReviewState.WITHDRAWN}),
        ReviewState.PENDING,
        REVIEW_PERMISSION,
        gettext_lazy("You do not have permission to reopen policies."),
    ),
    # Takes a published record off the site; only records with a published version (`_check_published`).
    ReviewAction.WITHDRAW: Move(
        frozenset({ReviewState.VERIFIED, ReviewState.PENDING, ReviewState.CHANGES_REQUESTED}),
        ReviewState.WITHDRAWN,
        REVIEW_PERMISSION,
        gettext_lazy("You do not have permission to withdraw policies."),
        comment_required=True,
    ),
    ReviewAction.RESTORE: Move(
        frozenset({ReviewState.PENDING, ReviewState.CHANGES_REQUESTED, ReviewState.VERIFIED}),
        ReviewState.PENDING,
        EDIT_PERMISSION,
        gettext_lazy("You do not have permission to restore earlier versions of policies."),
    ),
    # Not a user's choice: `ReviewRule` makes it when a save changes a verified record's content.
    ReviewAction.EDIT: Move(
        frozenset({ReviewState.VERIFIED}),
        ReviewState.PENDING,
        EDIT_PERMISSION,
        gettext_lazy("You do not have permission to edit policies."),
    ),
}


@dataclass(frozen=True)
class DimensionCheck:
    """A reviewer's verdict on one analysis dimension."""

    verdict: str
    note: str = ""


def content_fields() -> list[str]:
    """Attribute names of everything an editor can change: the record's content as the store defines it."""
    return list(CONTENT_FIELDS)


def dimension_fields(dimension: str) -> list[str]:
    return [f"{dimension}_{part}" for part in ANALYSIS_PARTS]


def dimensions_present(policy: Any) -> list[str]:
    """The analysis dimensions the record (or a history row of it) has any value for, in the schema's order."""
    return [
        d for d in ANALYSIS_DIMENSIONS if any(getattr(policy, name) not in (None, "") for name in dimension_fields(d))
    ]


_UNREAD: Any = object()


def allowed_moves(policy: Policy, user: User | None, *, last_verified: Any = _UNREAD) -> list[str]:
    """The moves the user may try on the record in its current state (four eyes is checked on approval).

    `last_verified`: the record's `last_verified_version()` (None included), if the caller has read it already.
    """

    def published() -> bool:
        if last_verified is _UNREAD:
            return _is_published(policy)
        return policy.state == ReviewState.VERIFIED or last_verified is not None

    return [
        action
        for action, move in MOVES.items()
        if action not in (ReviewAction.EDIT, ReviewAction.RESTORE)
        and policy.state in move.sources
        and (user is None or user.has_perm(move.permission))
        and (action != ReviewAction.WITHDRAW or published())
    ]


def _is_published(policy: Policy) -> bool:
    return policy.state == ReviewState.VERIFIED or policy.last_verified_version() is not None


def own_edits_since_verified(policy: Policy, user: User | None) -> list[int]:
    """Versions since the record was last verified (or created) whose content the user changed.

    Pure workflow saves by the user (a request for changes, a reopen) do not count: they change no content.
    """
    if user is None or not user.is_authenticated:
        return []
    return [row.version for row in edits_since_verified(policy) if row.history_user_id == user.pk]


def edits_since_verified(policy: Policy) -> list[Any]:
    """The history rows, oldest first, of the saves that changed the record's content since it was last verified
    (or created), the user of each loaded."""
    rows = policy.history.select_related("history_user").order_by("history_id")
    baseline = policy.last_verified_version()
    if baseline is not None:
        rows = rows.filter(history_id__gte=baseline.history_id)
    fields = content_fields()
    edits = []
    previous = None
    for row in rows:
        is_new_content = previous is None or any(getattr(row, f) != getattr(previous, f) for f in fields)
        if row != baseline and is_new_content:
            edits.append(row)
        previous = row
    return edits


# Moves that save the record only to change its state: their history rows are no one's edit.
STATE_ONLY_ACTIONS = (
    ReviewAction.APPROVE,
    ReviewAction.REQUEST_CHANGES,
    ReviewAction.RESUBMIT,
    ReviewAction.REJECT,
    ReviewAction.REOPEN,
)
QUEUE_FIELDS = ("policy_id", "title", "version", "updated_at")


def edited_since_verified(user: User) -> Exists:
    """For a `Policy` queryset: whether the user saved a version of the record since it was last verified.

    The SQL counterpart of `own_edits_since_verified`: a version counts unless the workflow saved it for a
    state-only move (its `ReviewEvent` names it). It may count a save by the user that changed nothing, never
    less than that function does, so a record it leaves out of a queue is never one the user may not approve.
    """
    history = Policy.history.model.objects
    workflow_saves = ReviewEvent.objects.filter(history_id=OuterRef("history_id"), action__in=STATE_ONLY_ACTIONS)
    return Exists(
        history.filter(id=OuterRef("pk"), history_user_id=user.pk)
        .filter(history_id__gt=Coalesce(last_verified_history_id(), Value(0)))
        .exclude(Exists(workflow_saves))
        .order_by()
    )


def review_queue(user: User) -> QuerySet[Policy]:
    """Pending records the user may approve, the longest waiting first, with only the columns a queue lists.

    A lazy queryset decided in SQL: page it, count it or take its first record without loading the rest.
    """
    if not user.has_perm(REVIEW_PERMISSION) or not user.is_authenticated:
        return Policy.objects.none()
    return (
        Policy.objects.pending().exclude(edited_since_verified(user)).order_by("updated_at", "pk").only(*QUEUE_FIELDS)
    )


@dataclass(frozen=True)
class QueuePlace:
    """Where a record stands in a reviewer's queue: `number` of `total` (None when it is not in it), and the
    records to open before and after it (the next one wraps round to the first)."""

    number: int | None
    total: int
    previous: Policy | None
    next: Policy | None


def queue_place(user: User, policy: Policy) -> QueuePlace:
    """The record's place in the user's review queue, read before any decision changes it (three queries)."""
    queue = review_queue(user)
    before = Q(updated_at__lt=policy.updated_at) | Q(updated_at=policy.updated_at, pk__lt=policy.pk)
    after = Q(updated_at__gt=policy.updated_at) | Q(updated_at=policy.updated_at, pk__gt=policy.pk)
    counts = queue.aggregate(
        total=Count("pk"), ahead=Count("pk", filter=before), here=Count("pk", filter=Q(pk=policy.pk))
    )
    following = queue.filter(after).first() or queue.exclude(pk=policy.pk).first()
    return QueuePlace(
        number=counts["ahead"] + 1 if counts["here"] else None,
        total=counts["total"],
        previous=queue.filter(before).order_by("-updated_at", "-pk").first(),
        next=following,
    )


def request_for_changes(policy: Policy) -> ReviewEvent | None:
    """The request for changes the record waits on, its verdicts loaded; None unless changes are requested."""
    if policy.state != ReviewState.CHANGES_REQUESTED:
        return None
    events = policy.review_events.filter(action=ReviewAction.REQUEST_CHANGES)
    return events.select_related("actor").prefetch_related("verdicts").order_by("-id").first()


def marked_wrong(event: ReviewEvent) -> dict[str, str]:
    """The dimensions a reviewer did not confirm in the event, each with the note saying what is wrong."""
    return {v.dimension: v.note for v in event.verdicts.all() if v.verdict != Verdict.CONFIRMED}


def sent_back_to(user: User) -> QuerySet[Any]:
    """Records waiting for changes that the user edited (imports and settled conflicts included, review moves not),
    the most recently sent back first, each with the comment of the request for changes as `request_comment`."""
    if not user.is_authenticated:
        return Policy.objects.none()
    history = Policy.history.model.objects
    workflow_saves = ReviewEvent.objects.filter(history_id=OuterRef("history_id"), action__in=STATE_ONLY_ACTIONS)
    edited = Exists(history.filter(id=OuterRef("pk"), history_user_id=user.pk).exclude(Exists(workflow_saves)))
    requests = ReviewEvent.objects.filter(policy=OuterRef("pk"), action=ReviewAction.REQUEST_CHANGES).order_by("-id")
    return (
        Policy.objects.filter(edited, state=ReviewState.CHANGES_REQUESTED)
        .annotate(request_comment=Subquery(requests.values("comment")[:1]))
        .order_by("-updated_at", "-pk")
        .only(*QUEUE_FIELDS)
    )


def _check_permission(move: Move, user: User | None) -> None:
    if user is not None and not user.has_perm(move.permission):
        raise NotAllowedToReview(str(move.refusal))


def _lock(policy: Policy) -> Policy:
    return saving.lock(policy.pk)


def _check_state(locked: Policy, action: str, move: Move) -> None:
    if locked.state not in move.sources:
        allowed = ", ".join(str(ReviewState(s).label) for s in sorted(move.sources))
        raise TransitionNotAllowed(
            gettext("%(id)s is %(state)s; '%(action)s' is only possible from: %(allowed)s.")
            % {
                "id": locked.policy_id,
                "state": ReviewState(locked.state).label,
                "action": ReviewAction(action).label,
                "allowed": allowed,
            }
        )


def _check_version(locked: Policy, expected_version: int | None) -> None:
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(
            locked,
            expected_version,
            locked.version,
            gettext(
                "%(id)s changed since you opened it (you saw version %(seen)d, it is now version %(now)d). Review "
                "it again; nothing was saved."
            )
            % {"id": locked.policy_id, "seen": expected_version, "now": locked.version},
        )


def _clean_comment(move: Move, action: str, comment: str) -> str:
    comment = (comment or "").strip()
    if move.comment_required and not comment:
        raise TransitionNotAllowed(
            gettext("'%(action)s' needs a comment saying why.") % {"action": ReviewAction(action).label}
        )
    return comment


def _record(locked: Policy, action: str, *, user: User | None, from_state: str, comment: str) -> ReviewEvent:
    with translation.override("en"):  # the trail's one language, whoever reads it later
        label = str(ReviewAction(action).label)
    reason = f"{label}: {comment}" if comment else label
    actor = user if user is not None and user.is_authenticated else None
    saved = saving.save_record(locked, user=actor, reason=reason, action=action)
    return ReviewEvent.objects.create(
        policy=locked,
        action=action,
        version=saved.version - 1,
        from_state=from_state,
        to_state=locked.state,
        actor=actor,
        comment=comment,
        history_id=saved.history_id,
    )


def _transition(
    policy: Policy,
    action: str,
    *,
    user: User | None,
    comment: str = "",
    expected_version: int | None = None,
) -> ReviewEvent:
    move = MOVES[action]
    _check_permission(move, user)
    comment = _clean_comment(move, action, comment)
    with transaction.atomic():
        locked = _lock(policy)
        _check_version(locked, expected_version)
        _check_state(locked, action, move)
        if action == ReviewAction.RESUBMIT:
            _check_edited_since_changes_requested(locked)
        if action == ReviewAction.WITHDRAW and not _is_published(locked):
            raise TransitionNotAllowed(
                gettext("%(id)s has never been verified, so nothing of it is published to withdraw; reject it instead.")
                % {"id": locked.policy_id}
            )
        from_state = locked.state
        locked.state = move.target
        event = _record(locked, action, user=user, from_state=from_state, comment=comment)
    saving.take_saved(policy, locked)
    return event


def _check_edited_since_changes_requested(locked: Policy) -> None:
    """Refuse a resubmit unless the content now differs from the content at the request for changes.

    The net change counts, not the edits: an edit and its revert leave nothing new to review.
    """
    request = locked.review_events.filter(action=ReviewAction.REQUEST_CHANGES).order_by("-id").first()
    if request is None or request.history_id is None:
        return
    baseline = locked.history.get(history_id=request.history_id)
    if any(getattr(locked, f) != getattr(baseline, f) for f in content_fields()):
        return
    edited = locked.history.filter(history_id__gt=request.history_id).exists()
    if edited:
        message = gettext(
            "%(id)s is the same as when changes were requested: the edits since then undo each other. Make the "
            "requested changes, then resubmit."
        )
    else:
        message = gettext(
            "%(id)s is the same as when changes were requested: it has not been edited since. Make the requested "
            "changes, then resubmit."
        )
    raise TransitionNotAllowed(message % {"id": locked.policy_id})


def approve(
    policy: Policy,
    *,
    user: User,
    expected_version: int,
    verdicts: Mapping[str, DimensionCheck],
    comment: str = "",
) -> ReviewEvent:
    """Verify the version of the record the reviewer saw, stamping its provenance in the same save.

    Refused if the record changed since `expected_version`, if the reviewer edited it since it was last verified
    (four eyes, whatever their role), while any of its values needs fixing (a problem that blocks approval), if
    any dimension the record has lacks a verdict or if any is marked wrong (that is a request for changes). The
    stamp replaces any value of its fields that the file wrote in a form they cannot hold.
    """
    move = MOVES[ReviewAction.APPROVE]
    if user is None or not user.is_authenticated:
        raise NotAllowedToReview(gettext("Only a signed-in reviewer can approve a policy."))
    _check_permission(move, user)
    comment = _clean_comment(move, ReviewAction.APPROVE, comment)
    with transaction.atomic():
        locked = _lock(policy)
        _check_version(locked, expected_version)
        check_approvable(locked, user=user)
        checks = _clean_verdicts(locked, verdicts, complete=True)
        _check_all_confirmed(checks)
        locked.state = move.target
        locked.review_status = ReviewState.VERIFIED.value
        locked.provenance_reviewer = user.get_full_name().strip() or user.get_username()
        locked.provenance_last_audit_date = timezone.localdate()
        locked.invalid = records.without_as_written(records.policy_values(locked), _APPROVAL_STAMP_KEYS)
        event = _record(locked, ReviewAction.APPROVE, user=user, from_state=ReviewState.PENDING, comment=comment)
        _record_verdicts(event, checks)
    saving.take_saved(policy, locked)
    return event


def check_approvable(policy: Policy, *, user: User) -> None:
    """Raise what `approve` would raise for the user on the record as it is, but for a stale version or missing
    verdicts, which only an approval brings: so that a page can say beforehand why it would be refused."""
    move = MOVES[ReviewAction.APPROVE]
    if user is None or not user.is_authenticated:
        raise NotAllowedToReview(gettext("Only a signed-in reviewer can approve a policy."))
    _check_permission(move, user)
    _check_state(policy, ReviewAction.APPROVE, move)
    own = own_edits_since_verified(policy, user)
    if own:
        listed = ", ".join(str(v) for v in own)
        raise NotAllowedToReview(
            ngettext(
                "You edited %(id)s since it was last verified (version %(versions)s); someone else must approve it. "
                "Four eyes apply to every role, administrators included.",
                "You edited %(id)s since it was last verified (versions %(versions)s); someone else must approve "
                "it. Four eyes apply to every role, administrators included.",
                len(own),
            )
            % {"id": policy.policy_id, "versions": listed}
        )
    _check_nothing_to_fix(policy)


def _check_nothing_to_fix(locked: Policy) -> None:
    """Refuse an approval while a value of the record needs fixing, naming each."""
    blocking = [problem for problem in records.problems(records.policy_values(locked)) if problem.blocking]
    if not blocking:
        return
    listed = "; ".join(f"{problem.field}: {problem.message}" for problem in blocking)
    message = ngettext(
        "%(id)s cannot be approved while a value needs fixing: %(problems)s. Fix it in the record first.",
        "%(id)s cannot be approved while %(count)d values need fixing: %(problems)s. Fix them in the record first.",
        len(blocking),
    )
    raise TransitionNotAllowed(message % {"id": locked.policy_id, "count": len(blocking), "problems": listed})


def _clean_verdicts(
    locked: Policy, verdicts: Mapping[str, DimensionCheck], *, complete: bool
) -> dict[str, DimensionCheck]:
    """The verdicts, checked against the dimensions the record has; `complete`: one for every dimension."""
    present = dimensions_present(locked)
    unexpected = sorted(set(verdicts) - set(present))
    if unexpected:
        raise TransitionNotAllowed(
            gettext("%(id)s has no analysis for %(dimensions)s; there is nothing to give a verdict on.")
            % {"id": locked.policy_id, "dimensions": ", ".join(unexpected)}
        )
    missing = [d for d in present if d not in verdicts]
    if complete and missing:
        raise TransitionNotAllowed(
            gettext("Give a verdict (confirmed or wrong) for every analysis dimension before approving; missing: %s.")
            % _named(missing)
        )
    invalid = [d for d in present if d in verdicts and verdicts[d].verdict not in OFFERED_VERDICTS]
    if invalid:
        raise TransitionNotAllowed(gettext("A verdict is confirmed or wrong; not for: %s.") % _named(invalid))
    unexplained = [
        d for d in present if d in verdicts and verdicts[d].verdict == Verdict.WRONG and not verdicts[d].note.strip()
    ]
    if unexplained:
        raise TransitionNotAllowed(
            gettext("Say what is wrong with each dimension marked wrong, for its editors; no note for: %s.")
            % _named(unexplained)
        )
    return {d: verdicts[d] for d in present if d in verdicts}


def _check_all_confirmed(checks: Mapping[str, DimensionCheck]) -> None:
    wrong = [d for d, check in checks.items() if check.verdict != Verdict.CONFIRMED]
    if wrong:
        raise TransitionNotAllowed(
            gettext("A dimension marked wrong cannot be approved (%s): request changes instead, with the notes.")
            % _named(wrong)
        )


def _named(dimensions: Sequence[str]) -> str:
    """The dimensions by the names people read (MRV, Statutory force), not their keys."""
    return ", ".join(str(schema.DIMENSION_LABELS[d]) for d in dimensions)


def wrong_notes(verdicts: Mapping[str, DimensionCheck]) -> str:
    """The notes of the dimensions marked wrong, one a line, by the dimension's name: a request's comment."""
    return "\n".join(
        f"{schema.DIMENSION_LABELS[d]}: {check.note.strip()}"
        for d, check in verdicts.items()
        if check.verdict == Verdict.WRONG
    )


def _record_verdicts(event: ReviewEvent, checks: Mapping[str, DimensionCheck]) -> None:
    DimensionVerdict.objects.bulk_create(
        DimensionVerdict(event=event, dimension=d, verdict=check.verdict, note=check.note.strip())
        for d, check in checks.items()
    )


def confirm_all(policy: Policy, note: str = "") -> dict[str, DimensionCheck]:
    """Verdicts confirming every dimension the record has: what a bulk approval records."""
    return {d: DimensionCheck(Verdict.CONFIRMED, note) for d in dimensions_present(policy)}


def request_changes(
    policy: Policy,
    *,
    user: User | None,
    comment: str,
    expected_version: int | None = None,
    verdicts: Mapping[str, DimensionCheck] | None = None,
) -> ReviewEvent:
    """Send a pending record back to its editors, saying what must change.

    `verdicts`, the reviewer's findings on some or all dimensions, are recorded with the request: each dimension
    marked wrong carries a note for its editors, and those notes are the comment when no other is given.
    """
    move = MOVES[ReviewAction.REQUEST_CHANGES]
    _check_permission(move, user)
    with transaction.atomic():
        locked = _lock(policy)
        _check_version(locked, expected_version)
        _check_state(locked, ReviewAction.REQUEST_CHANGES, move)
        checks = _clean_verdicts(locked, verdicts or {}, complete=False)
        comment = _clean_comment(move, ReviewAction.REQUEST_CHANGES, (comment or "").strip() or wrong_notes(checks))
        locked.state = move.target
        event = _record(
            locked, ReviewAction.REQUEST_CHANGES, user=user, from_state=ReviewState.PENDING, comment=comment
        )
        _record_verdicts(event, checks)
    saving.take_saved(policy, locked)
    return event


def resubmit(
    policy: Policy, *, user: User | None, comment: str = "", expected_version: int | None = None
) -> ReviewEvent:
    """Put a record whose requested changes were made back in the review queue."""
    return _transition(policy, ReviewAction.RESUBMIT, user=user, comment=comment, expected_version=expected_version)


def reject(policy: Policy, *, user: User | None, comment: str, expected_version: int | None = None) -> ReviewEvent:
    """Reject a record under review: it is never exported while rejected."""
    return _transition(policy, ReviewAction.REJECT, user=user, comment=comment, expected_version=expected_version)


def reopen(policy: Policy, *, user: User | None, comment: str = "", expected_version: int | None = None) -> ReviewEvent:
    """Put a rejected or withdrawn record back in the review queue."""
    return _transition(policy, ReviewAction.REOPEN, user=user, comment=comment, expected_version=expected_version)


def withdraw(policy: Policy, *, user: User | None, comment: str, expected_version: int | None = None) -> ReviewEvent:
    """Take a published record off the site, saying why: no export writes it until it is reopened and approved."""
    return _transition(policy, ReviewAction.WITHDRAW, user=user, comment=comment, expected_version=expected_version)


def _restored_as_written(old: Any, current: Policy) -> str:
    """The values `old` kept as written, but for the approval stamp's fields, whose current ones stay."""
    kept = {k: v for k, v in records.as_written({"invalid": old.invalid}).items() if k not in _APPROVAL_STAMP_KEYS}
    now = records.as_written({"invalid": current.invalid})
    kept.update({key: now[key] for key in _APPROVAL_STAMP_KEYS if key in now})
    return records.dump_as_written(kept)


def restore_version(policy: Policy, history_id: int, *, user: User | None, comment: str = "") -> ReviewEvent:
    """Save a new version with the content of an earlier one, `comment` saying why; it then waits for review.

    The approval stamp (review status, reviewer, audit date) is kept as it is: it records the last audit, which an
    old version's values would misstate. Rejected records must be reopened first.
    """
    move = MOVES[ReviewAction.RESTORE]
    _check_permission(move, user)
    with transaction.atomic():
        locked = _lock(policy)
        _check_state(locked, ReviewAction.RESTORE, move)
        old = locked.history.filter(history_id=history_id).first()
        if old is None:
            raise TransitionNotAllowed(
                gettext("%(id)s has no version with history id %(history_id)s.")
                % {"id": locked.policy_id, "history_id": history_id}
            )
        fields = [f for f in content_fields() if f not in (*APPROVAL_STAMP_FIELDS, "invalid")]
        restored = _restored_as_written(old, locked)
        if all(getattr(locked, f) == getattr(old, f) for f in fields) and restored == locked.invalid:
            raise TransitionNotAllowed(
                gettext("Version %(version)d of %(id)s is the same as the current one.")
                % {"version": old.version, "id": locked.policy_id}
            )
        for f in fields:
            setattr(locked, f, getattr(old, f))
        locked.invalid = restored
        from_state = locked.state
        locked.state = move.target
        event = _record(
            locked,
            ReviewAction.RESTORE,
            user=user,
            from_state=from_state,
            comment=" ".join(filter(None, [f"Restored version {old.version}.", (comment or "").strip()])),
        )
    saving.take_saved(policy, locked)
    return event


class ReviewRule:
    """How review states follow saves that are not review moves (`policies.saving` asks it on every save).

    Such a save never changes the state itself. An edit of a verified record puts it back to pending, with an
    "edited" event; records waiting for changes (or rejected, or withdrawn) keep their state when edited: an
    editor resubmits them when done, a reviewer reopens them.
    """

    def state_after_save(self, policy: Policy, *, stored_state: str, changed: Sequence[str], action: str | None) -> str:
        if action is not None:
            return policy.state  # a move of this module, which checked it
        if policy.state != stored_state:
            raise TransitionNotAllowed(
                gettext(
                    "%(id)s: the review state changes only through the review workflow (%(old)s -> %(new)s refused)."
                )
                % {"id": policy.policy_id, "old": stored_state, "new": policy.state}
            )
        if stored_state == ReviewState.VERIFIED and changed:
            return ReviewState.PENDING
        return stored_state

    def after_save(self, policy: Policy, saved: saving.Saved, *, user: Any, reason: str, action: str | None) -> None:
        if action is None and saved.from_state != policy.state:
            ReviewEvent.objects.create(
                policy=policy,
                action=ReviewAction.EDIT,
                version=saved.version - 1,
                from_state=saved.from_state,
                to_state=policy.state,
                actor=user if user is not None and user.is_authenticated else None,
                comment=reason,
                history_id=saved.history_id,
            )
