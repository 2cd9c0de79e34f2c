"""The review desk in the admin: review screens and bulk approval on the policy list, a read-only event log.

`policies` must not import `reviews`, so `policies.admin.PolicyAdmin` (the record's list, form and history) is
extended here with the review screens, and this is where the one `Policy` admin is registered.
"""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy

from policies import saving, schema
from policies.admin import PolicyAdmin, ReadOnlyAdmin
from policies.models import ANALYSIS_DIMENSIONS, Policy

from . import views, workflow
from .models import DimensionVerdict, ReviewAction, ReviewEvent

admin.site.index_template = "admin/reviews/index.html"


@admin.register(Policy)
class ReviewPolicyAdmin(PolicyAdmin):
    actions = ["approve_selected"]
    change_list_template = "admin/policies/policy/review_change_list.html"
    change_form_template = "admin/policies/policy/review_change_form.html"
    object_history_form_template = "admin/policies/policy/review_history_form.html"

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        # Beside the title, where a laptop's screen always shows it.
        columns = list(super().get_list_display(request))
        columns.insert(columns.index("title") + 1, "review_link")
        return columns

    @admin.display(description=gettext_lazy("Review"))
    def review_link(self, obj: Policy) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:policies_policy_review", args=[obj.pk]), gettext("Review")
        )

    def get_urls(self):
        site = self.admin_site
        own = [
            path("review-queue/", site.admin_view(self.review_queue_view), name="policies_policy_review_queue"),
            path("review-queue/next/", site.admin_view(self.review_next_view), name="policies_policy_review_next"),
            path("<path:object_id>/review/", site.admin_view(self.review_view), name="policies_policy_review"),
            path(
                "<path:object_id>/history/<str:history_id>/restore/",
                site.admin_view(self.restore_view),
                name="policies_policy_restore",
            ),
        ]
        return own + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            # The record page shows its review trail, oldest decision first.
            events = obj.review_events.select_related("actor").prefetch_related("verdicts")
            context["review_events"] = events.order_by("created_at", "id")
            context["awaiting_approval"] = obj.state in workflow.MOVES[ReviewAction.APPROVE].sources
            sent_back = workflow.request_for_changes(obj)
            if sent_back is not None:
                wrong = workflow.marked_wrong(sent_back)
                context.update(
                    sent_back=sent_back,
                    sent_back_by=saving.name_of(sent_back.actor),
                    sent_back_wrong=[(d, schema.DIMENSION_LABELS[d], note) for d, note in wrong.items()],
                    # Beside each column of the change form's analysis grid, in its order.
                    sent_back_by_dimension=[wrong.get(d) for d in ANALYSIS_DIMENSIONS],
                )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def review_view(self, request, object_id):
        return views.review(request, object_id, model_admin=self)

    def review_queue_view(self, request):
        return views.review_queue(request, model_admin=self)

    def review_next_view(self, request):
        return views.review_next(request, model_admin=self)

    def restore_view(self, request, object_id, history_id):
        return views.restore(request, object_id, history_id, model_admin=self)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # The earlier version's id, for its "Restore this version" button.
        return super().history_form_view(
            request, object_id, version_id, {**(extra_context or {}), "version_id": version_id}
        )

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(workflow.REVIEW_PERMISSION)

    @admin.action(description=gettext_lazy("Approve selected policies…"), permissions=["review"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Policy]) -> HttpResponse | None:
        return views.approve_selected(request, queryset, model_admin=self)


class DimensionVerdictInline(admin.TabularInline):
    model = DimensionVerdict
    fields = ("dimension", "verdict", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReviewEvent)
class ReviewEventAdmin(ReadOnlyAdmin):
    list_display = ["when", "record", "action", "from_state", "to_state", "actor", "version", "comment_shown"]
    list_filter = ["action", "to_state"]
    search_fields = ["policy__policy_id", "policy__title", "comment"]
    list_select_related = ["policy", "actor"]
    date_hierarchy = "created_at"
    fields = (
        "record",
        "action",
        "version",
        "from_state",
        "to_state",
        "actor_name",
        "created_at",
        "comment",
        "history_id",
    )
    readonly_fields = fields
    inlines = [DimensionVerdictInline]

    class Media:
        css = {"all": ["reviews/review_events.css"]}

    @admin.display(description=gettext_lazy("time"), ordering="created_at")
    def when(self, obj: ReviewEvent) -> str:
        # Django's "Dec. 7, 2026, 5:51 p.m." takes the room the comment needs.
        return f"{timezone.localtime(obj.created_at):%Y-%m-%d %H:%M}"

    @admin.display(description=gettext_lazy("record"), ordering="policy__policy_id")
    def record(self, obj: ReviewEvent) -> str:
        url = reverse("admin:policies_policy_change", args=[obj.policy_id])
        return format_html('<a href="{}">{}</a>', url, obj.policy)

    @admin.display(description=gettext_lazy("actor"), ordering="actor")
    def actor_name(self, obj: ReviewEvent) -> str:
        # Not a link to the person's user page, which only those who manage users may open.
        return saving.name_of(obj.actor)

    @admin.display(description=gettext_lazy("comment"))
    def comment_shown(self, obj: ReviewEvent) -> str:
        return format_html('<span class="review-event-comment">{}</span>', obj.comment)
