from typing import Any

from django import template
from django.db.models import Count

from policies.models import Policy, ReviewState

from .. import workflow

register = template.Library()

# The dashboard lists this many of the records sent back to the user; the list filtered by state shows them all.
SENT_BACK_LISTED = 10


@register.inclusion_tag("admin/reviews/review_counts.html", takes_context=True)
def review_counts(context: template.Context) -> dict[str, Any]:
    """Records per review state, the length of the user's own review queue and the records sent back to them
    for changes, for the admin index."""
    user = context["request"].user
    if not user.has_perm("policies.view_policy"):
        return {"show": False}
    counts = dict(Policy.objects.order_by().values_list("state").annotate(n=Count("pk")))
    may_resubmit = user.has_perm(workflow.RESUBMIT_PERMISSION)
    return {
        "show": True,
        "states": [(value, label, counts.get(value, 0)) for value, label in ReviewState.choices],
        "may_review": user.has_perm(workflow.REVIEW_PERMISSION),
        "queue_length": workflow.review_queue(user).count(),
        "may_resubmit": may_resubmit,
        "sent_back": list(workflow.sent_back_to(user)[: SENT_BACK_LISTED + 1]) if may_resubmit else [],
        "sent_back_listed": SENT_BACK_LISTED,
    }
