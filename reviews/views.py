"""The review screens, served inside the policy admin (see `reviews.admin`). Each parses input, makes one
workflow call and reports the outcome."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from policies import diffing, saving
from policies.admin import column_holds
from policies.models import Policy, PolicyWarning
from policies.saving import StaleVersion

from . import layout, workflow
from .forms import DecisionForm, RestoreForm
from .models import ReviewAction

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

REVIEWER_DECISIONS = {ReviewAction.APPROVE, ReviewAction.REQUEST_CHANGES, ReviewAction.REJECT}


def _after_decision(place: workflow.QueuePlace | None) -> str:
    if place is None or place.next is None:
        return reverse("admin:policies_policy_review_next")
    return reverse("admin:policies_policy_review", args=[place.next.pk])


def _policy_or_404(object_id: str) -> Policy:
    pk = unquote(object_id)
    if not column_holds(Policy._meta.pk, pk):
        raise Http404
    return get_object_or_404(Policy, pk=pk)


def review(request: HttpRequest, object_id: str, *, model_admin: ModelAdmin) -> HttpResponse:
    policy = _policy_or_404(object_id)
    if not model_admin.has_view_permission(request, policy):
        raise PermissionDenied
    dimensions = workflow.dimensions_present(policy)
    may_review = request.user.has_perm(workflow.REVIEW_PERMISSION)
    # Read before a decision moves the record out of the queue: the next record is the one after it.
    place = workflow.queue_place(request.user, policy) if may_review else None
    status = 200
    stale = None
    if request.method == "POST":
        form = DecisionForm(request.POST, dimensions=dimensions)
        if not form.is_valid():
            status = 400
        else:
            outcome = _decide(request, policy, form, place)
            if isinstance(outcome, HttpResponse):
                return outcome
            status = outcome
            policy.refresh_from_db()
            if isinstance(form.refusal, StaleVersion):
                stale = _stale(policy, form)
                form = _kept(form, policy, workflow.dimensions_present(policy))
    else:
        form = DecisionForm(initial={"expected_version": policy.version}, dimensions=dimensions)
    baseline = policy.last_verified_version()
    own_edits = workflow.own_edits_since_verified(policy, request.user)
    found = list(policy.warnings.all())
    sections = layout.record_sections(policy, baseline)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Policy._meta,
        "title": _("Review %(id)s") % {"id": policy.policy_id},
        "is_nav_sidebar_enabled": False,  # the record and the decision panel need the width
        "policy": policy,
        "form": form,
        "sections": sections,
        "changed_dimensions": {section.dimension for section in sections if section.dimension and section.changed},
        "warnings": [warning for warning in found if not warning.blocking],
        "problems": [warning for warning in found if warning.blocking],
        "baseline": baseline,
        "allowed": workflow.allowed_moves(policy, request.user, last_verified=baseline),
        "own_edits": own_edits,
        "stale": stale,
        "place": place,
        "events": policy.review_events.select_related("actor").prefetch_related("verdicts")[:20],
        "queue_url": reverse("admin:policies_policy_review_queue"),
    }
    return TemplateResponse(request, "reviews/review.html", context, status=status)


def _stale(policy: Policy, form: DecisionForm) -> dict[str, Any]:
    """What changed between the version the reviewer decided on and the current one."""
    seen = policy.history.filter(version=form.cleaned_data["expected_version"]).order_by("-history_id").first()
    return {
        "seen": form.cleaned_data["expected_version"],
        "changes": diffing.compare(seen, policy, workflow.content_fields()) if seen is not None else None,
    }


def _kept(refused: DecisionForm, policy: Policy, dimensions: list[str]) -> DecisionForm:
    """The refused form as the reviewer typed it, bound to the current version, which the screen now shows with
    what changed: deciding again decides that one."""
    data = {key: refused.data.get(key) for key in refused.data}  # a QueryDict's last value of each, not its lists
    data["expected_version"] = str(policy.version)
    form = DecisionForm(data, dimensions=dimensions)
    form.is_valid()
    for error in refused.non_field_errors():
        form.add_error(None, error)
    return form


def _decide(
    request: HttpRequest, policy: Policy, form: DecisionForm, place: workflow.QueuePlace | None
) -> HttpResponse | int:
    """Make the decision; on refusal, put the reason on the form and return the status to show it with."""
    action = form.cleaned_data["action"]
    common = {"user": request.user, "expected_version": form.cleaned_data["expected_version"]}
    comment = form.cleaned_data["comment"]
    try:
        if action == ReviewAction.APPROVE:
            workflow.approve(policy, verdicts=form.verdicts(), comment=comment, **common)
        elif action == ReviewAction.REQUEST_CHANGES:
            workflow.request_changes(policy, verdicts=form.verdicts(), comment=comment, **common)
        else:
            getattr(workflow, action)(policy, comment=comment, **common)
    except workflow.NotAllowedToReview as error:
        form.add_error(None, str(error))
        return 403
    except (workflow.TransitionNotAllowed, StaleVersion) as error:
        form.refusal = error
        form.add_error(None, str(error))
        return 409
    messages.success(
        request, _("%(policy)s: %(action)s.") % {"policy": policy, "action": str(ReviewAction(action).label).lower()}
    )
    if action in REVIEWER_DECISIONS:
        return HttpResponseRedirect(_after_decision(place))
    return HttpResponseRedirect(reverse("admin:policies_policy_review", args=[policy.pk]))


QUEUE_PAGE_SIZE = 50
# A page number is an offset into the queue, which the database refuses past its integer range; no queue comes
# near this many pages (half a million records).
QUEUE_MAX_PAGE = 10_000


@require_GET
def review_queue(request: HttpRequest, *, model_admin: ModelAdmin) -> HttpResponse:
    if not request.user.has_perm(workflow.REVIEW_PERMISSION):
        raise PermissionDenied
    try:
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page = 1
    if page > QUEUE_MAX_PAGE:
        raise Http404
    # One row past the page says whether there is a next one; counting the whole queue would cost a pass over it.
    start = (page - 1) * QUEUE_PAGE_SIZE
    rows = list(workflow.review_queue(request.user)[start : start + QUEUE_PAGE_SIZE + 1])
    listed = rows[:QUEUE_PAGE_SIZE]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Policy._meta,
        "title": _("Your review queue"),
        "queue": listed,
        "first_number": start + 1,
        "last_number": start + len(listed),
        "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if len(rows) > len(listed) else None,
    }
    return TemplateResponse(request, "reviews/queue.html", context)


@require_GET
def review_next(request: HttpRequest, *, model_admin: ModelAdmin) -> HttpResponse:
    """Open the record waiting longest that the user may approve, or report an empty queue."""
    if not request.user.has_perm(workflow.REVIEW_PERMISSION):
        raise PermissionDenied
    first = workflow.review_queue(request.user).first()
    if first is None:
        messages.info(request, _("Your review queue is empty."))
        return HttpResponseRedirect(reverse("admin:policies_policy_review_queue"))
    return HttpResponseRedirect(reverse("admin:policies_policy_review", args=[first.pk]))


def restore(request: HttpRequest, object_id: str, history_id: str, *, model_admin: ModelAdmin) -> HttpResponse:
    """Ask for a reason, then save the earlier version's content as a new version, which waits for review."""
    if not request.user.has_perm(workflow.EDIT_PERMISSION):
        raise PermissionDenied
    policy = _policy_or_404(object_id)
    old = (
        policy.history.select_related("history_user").filter(history_id=history_id).first()
        if column_holds(policy.history.model._meta.pk, history_id)
        else None
    )
    if old is None:
        raise Http404
    form = RestoreForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            workflow.restore_version(policy, old.history_id, user=request.user, comment=form.cleaned_data["reason"])
        except workflow.TransitionNotAllowed as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(reverse("admin:policies_policy_history", args=[policy.pk]))
        messages.success(request, _("%(policy)s: restored; the new version waits for review.") % {"policy": policy})
        return HttpResponseRedirect(reverse("admin:policies_policy_change", args=[policy.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Policy._meta,
        "title": _("Restore version %(version)s of %(policy)s") % {"version": old.version, "policy": policy.policy_id},
        "policy": policy,
        "old": old,
        "saved_by": saving.saved_by(old),
        "changes": diffing.compare(policy, old, workflow.content_fields()),
        "form": form,
        "history_url": reverse("admin:policies_policy_history", args=[policy.pk]),
    }
    return TemplateResponse(request, "admin/policies/policy/restore.html", context, status=400 if form.errors else 200)


@dataclass
class BulkApprovalRow:
    """One selected record on the bulk approval page: what approving it would publish unseen, and whether it may."""

    policy: Policy
    warnings: list[PolicyWarning]
    problems: list[PolicyWarning]
    edited_by: list[str]
    waiting: str
    refusal: str

    @property
    def needs_tick(self) -> bool:
        return bool(self.warnings)


def _bulk_approval_row(policy: Policy, user: Any) -> BulkApprovalRow:
    found = list(policy.warnings.all())
    try:
        workflow.check_approvable(policy, user=user)
    except (workflow.NotAllowedToReview, workflow.TransitionNotAllowed) as error:
        refusal = str(error)
    else:
        refusal = ""
    return BulkApprovalRow(
        policy=policy,
        warnings=[warning for warning in found if not warning.blocking],
        problems=[warning for warning in found if warning.blocking],
        edited_by=list(dict.fromkeys(saving.saved_by(row) for row in workflow.edits_since_verified(policy))),
        waiting=timesince(policy.updated_at, timezone.now()),
        refusal=refusal,
    )


# A reviewer reads every record the page lists: more than this is not a review, and would cost a long request.
BULK_APPROVAL_LIMIT = 100


def approve_selected(
    request: HttpRequest, queryset: QuerySet[Policy], *, model_admin: ModelAdmin
) -> HttpResponse | None:
    """The policy list's bulk approval: a page listing the selected records first, then the approval of the ones
    ticked on it, each bound to the version the page listed.

    Nothing is approved without that page's tick, which a record with warnings does not get by default; the
    records the reviewer may not approve are listed with the reason and have no tick. Returns None when done, for
    the list to show again with the outcome in its messages.
    """
    count = queryset.count()
    if count > BULK_APPROVAL_LIMIT:
        messages.warning(
            request,
            _("%(count)d records are selected; approve at most %(limit)d at once, so that each is read.")
            % {"count": count, "limit": BULK_APPROVAL_LIMIT},
        )
        return None
    # Read before anything is approved: a list filtered by state would no longer hold the approved records.
    selected = list(queryset.order_by("policy_id"))
    if request.POST.get("post") != "yes":
        rows = [_bulk_approval_row(policy, request.user) for policy in selected]
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": Policy._meta,
            "title": _("Approve the selected policies"),
            "approvable": [row for row in rows if not row.refusal],
            "refused": [row for row in rows if row.refusal],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "changelist_url": reverse("admin:policies_policy_changelist"),
        }
        return TemplateResponse(request, "admin/policies/policy/approve_selected.html", context)
    ticked = set(request.POST.getlist("approve"))
    approved = left_alone = 0
    refusals: list[str] = []
    for policy in selected:
        shown = request.POST.get(f"version_{policy.pk}", "")
        if str(policy.pk) not in ticked or not shown.isdigit():
            try:
                workflow.check_approvable(policy, user=request.user)
            except (workflow.NotAllowedToReview, workflow.TransitionNotAllowed) as error:
                refusals.append(_("Not approved: %(policy)s. %(reason)s") % {"policy": policy, "reason": error})
            else:
                left_alone += 1
            continue
        try:
            workflow.approve(
                policy,
                user=request.user,
                expected_version=int(shown),
                verdicts=workflow.confirm_all(policy),
                # Stored, not shown: written in the trail's one language, as the workflow's own comments are.
                comment="Bulk approval from the policy list.",
            )
        except (workflow.NotAllowedToReview, workflow.TransitionNotAllowed, StaleVersion) as error:
            refusals.append(_("Not approved: %(policy)s. %(reason)s") % {"policy": policy, "reason": error})
        else:
            approved += 1
    summary = _(
        "Approved %(approved)d of %(selected)d selected; %(left_alone)d left alone (not ticked); "
        "%(refused)d not allowed."
    ) % {"approved": approved, "selected": len(selected), "left_alone": left_alone, "refused": len(refusals)}
    messages.add_message(request, messages.SUCCESS if approved else messages.WARNING, summary)
    for refusal in refusals:
        messages.warning(request, refusal)
    return None
