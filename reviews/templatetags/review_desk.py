from typing import Any

from django import template
from django.db.models import Count

from policies.models import Policy, ReviewState

from .. import workflow

register = template.Library()


@register.inclusion_tag("admin/reviews/review_counts.html", takes_context=True)
def review_counts(context: template.Context) -> dict[str, Any]:
    """Records per review state and the length of the user's own review queue, for the admin index."""
    user = context["request"].user
    if not user.has_perm("policies.view_policy"):
        return {"show": False}
    counts = dict(Policy.objects.order_by().values_list("state").annotate(n=Count("pk")))
    return {
        "show": True,
        "states": [(value, label, counts.get(value, 0)) for value, label in ReviewState.choices],
        "may_review": user.has_perm(workflow.REVIEW_PERMISSION),
        "queue_length": workflow.review_queue(user).count(),
    }
