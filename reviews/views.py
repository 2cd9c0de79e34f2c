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

from policies import diffing, records, saving
from policies.models import Policy, PolicyWarning
from policies.rendering import render_markdown
from policies.saving import StaleVersion

from . import workflow
from .forms import DecisionForm, RestoreForm
from .models import ReviewAction

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

REVIEWER_DECISIONS = {ReviewAction.APPROVE, ReviewAction.REQUEST_CHANGES, ReviewAction.REJECT}


def changes_since_verified(policy: Policy, baseline: Any) -> list[diffing.Section]:
    """Changed content against the published snapshot, grouped as the record is (each analysis dimension apart)."""
    return diffing.compare(baseline, policy, workflow.content_fields())


def _dimensions(policy: Policy) -> list[dict[str, Any]]:
    # A value kept as written is shown as the file wrote it: that is what the file says until someone fixes it.
    kept = records.as_written(records.policy_values(policy))
    return [
        {
            "name": d,
            **{
                part: kept.get(f"analysis.{d}.{part}", getattr(policy, f"{d}_{part}"))
                for part in workflow.ANALYSIS_PARTS
            },
        }
        for d in workflow.dimensions_present(policy)
    ]


def _next_url() -> str:
    return reverse("admin:policies_policy_review_next")


def review(request: HttpRequest, object_id: str, *, model_admin: ModelAdmin) -> HttpResponse:
    policy = get_object_or_404(Policy, pk=unquote(object_id))
    if not model_admin.has_view_permission(request, policy):
        raise PermissionDenied
    dimensions = workflow.dimensions_present(policy)
    status = 200
    if request.method == "POST":
        form = DecisionForm(request.POST, dimensions=dimensions)
        if not form.is_valid():
            status = 400
        else:
            outcome = _decide(request, policy, form)
            if isinstance(outcome, HttpResponse):
                return outcome
            status = outcome
        policy.refresh_from_db()
    else:
        form = DecisionForm(initial={"expected_version": policy.version}, dimensions=dimensions)
    baseline = policy.last_verified_version()
    own_edits = workflow.own_edits_since_verified(policy, request.user)
    found = list(policy.warnings.all())
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Policy._meta,
        "title": f"Review {policy.policy_id}",
        "policy": policy,
        "form": form,
        "description_html": render_markdown(policy.description),
        "body_html": render_markdown(policy.body),
        "warnings": [warning for warning in found if not warning.blocking],
        "problems": [warning for warning in found if warning.blocking],
        "dimensions": _dimensions(policy),
        "baseline": baseline,
        "changes": changes_since_verified(policy, baseline) if baseline is not None else None,
        "allowed": workflow.allowed_moves(policy, request.user, last_verified=baseline),
        "own_edits": own_edits,
        "events": policy.review_events.select_related("actor").prefetch_related("verdicts")[:20],
        "queue_url": reverse("admin:policies_policy_review_queue"),
    }
    return TemplateResponse(request, "reviews/review.html", context, status=status)


def _decide(request: HttpRequest, policy: Policy, form: DecisionForm) -> HttpResponse | int:
    """Make the decision; on refusal, put the reason on the form and return the status to show it with."""
    action = form.cleaned_data["action"]
    common = {"user": request.user, "expected_version": form.cleaned_data["expected_version"]}
    comment = form.cleaned_data["comment"]
    try:
        if action == ReviewAction.APPROVE:
            workflow.approve(policy, verdicts=form.verdicts(), comment=comment, **common)
        else:
            getattr(workflow, action)(policy, comment=comment, **common)
    except workflow.NotAllowedToReview as error:
        form.add_error(None, str(error))
        return 403
    except (workflow.TransitionNotAllowed, StaleVersion) as error:
        form.add_error(None, str(error))
        return 409
    messages.success(request, f"{policy}: {ReviewAction(action).label.lower()}.")
    if action in REVIEWER_DECISIONS:
        return HttpResponseRedirect(_next_url())
    return HttpResponseRedirect(reverse("admin:policies_policy_review", args=[policy.pk]))


QUEUE_PAGE_SIZE = 50


@require_GET
def review_queue(request: HttpRequest, *, model_admin: ModelAdmin) -> HttpResponse:
    if not request.user.has_perm(workflow.REVIEW_PERMISSION):
        raise PermissionDenied
    try:
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page = 1
    # One row past the page says whether there is a next one; counting the whole queue would cost a pass over it.
    start = (page - 1) * QUEUE_PAGE_SIZE
    rows = list(workflow.review_queue(request.user)[start : start + QUEUE_PAGE_SIZE + 1])
    listed = rows[:QUEUE_PAGE_SIZE]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Policy._meta,
        "title": "Your review queue",
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
        messages.info(request, "Your review queue is empty.")
        return HttpResponseRedirect(reverse("admin:policies_policy_review_queue"))
    return HttpResponseRedirect(reverse("admin:policies_policy_review", args=[first.pk]))


def restore(request: HttpRequest, object_id: str, history_id: str, *, model_admin: ModelAdmin) -> HttpResponse:
    """Ask for a reason, then save the earlier version's content as a new version, which waits for review."""
    if not request.user.has_perm(workflow.EDIT_PERMISSION):
        raise PermissionDenied
    policy = get_object_or_404(Policy, pk=unquote(object_id))
    old = (
        policy.history.select_related("history_user").filter(history_id=history_id).first()
        if history_id.isdigit()
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
