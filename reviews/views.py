"""The review screens, served inside the policy admin (see `reviews.admin`). Each parses input, makes one
workflow call and reports the outcome."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from policies import diffing, records
from policies.models import Policy
from policies.rendering import render_markdown
from policies.saving import StaleVersion

from . import workflow
from .forms import DecisionForm
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
        elif action == ReviewAction.REQUEST_CHANGES:
            workflow.request_changes(policy, verdicts=form.verdicts(), comment=comment, **common)
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


@require_POST
def restore(request: HttpRequest, object_id: str, history_id: str, *, model_admin: ModelAdmin) -> HttpResponse:
    policy = get_object_or_404(Policy, pk=unquote(object_id))
    try:
        history_pk = int(history_id)
    except ValueError:
        raise Http404 from None
    try:
        workflow.restore_version(policy, history_pk, user=request.user)
    except workflow.TransitionNotAllowed as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(reverse("admin:policies_policy_history", args=[policy.pk]))
    messages.success(request, f"{policy}: restored; the new version waits for review.")
    return HttpResponseRedirect(reverse("admin:policies_policy_change", args=[policy.pk]))
