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

from policies import diffing
from policies.admin import column_holds
from policies.models import Policy
from policies.saving import StaleVersion

from . import layout, workflow
from .forms import DecisionForm
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
        "title": f"Review {policy.policy_id}",
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
    messages.success(request, f"{policy}: {ReviewAction(action).label.lower()}.")
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
    policy = _policy_or_404(object_id)
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
