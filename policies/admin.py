from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from policies.exporting import export_to_zip
from policies.forms import ExportForm, ImportForm, PolicyForm
from policies.importing import Outcome, import_sources
from policies.models import ANALYSIS_DIMENSIONS, Policy
from policies.sources import iter_uploads


def _dimension_fieldset(dimension: str) -> tuple[str, dict]:
    return (
        f"Analysis: {dimension}",
        {
            "fields": [(f"{dimension}_score", f"{dimension}_label", f"{dimension}_citation"), f"{dimension}_evidence"],
            "classes": ["analysis-dimension"],
        },
    )


@admin.register(Policy)
class PolicyAdmin(SimpleHistoryAdmin):
    form = PolicyForm
    list_display = ["title", "policy_id", "country", "category", "year", "state", "updated_at"]
    list_filter = ["state", "category", "country", "year"]
    search_fields = ["policy_id", "title", "country", "tags"]
    readonly_fields = ["state", "version", "provenance_author", "provenance_reviewer", "provenance_last_audit_date"]
    list_per_page = 50
    show_full_result_count = False
    change_list_template = "admin/policies/policy/change_list.html"
    fieldsets = [
        ("Identity", {"fields": ["policy_id", "title", ("country", "year"), ("pub_date", "url"), "source"]}),
        (
            "Classification",
            {"fields": [("status", "category"), ("legal_weight", "scope"), ("sectors", "tags"), "review_status"]},
        ),
        *(_dimension_fieldset(d) for d in ANALYSIS_DIMENSIONS),
        ("Impact", {"fields": ["impact_economic", "impact_technical", "impact_environmental"]}),
        ("Evolution", {"fields": [("supersedes", "clusters")]}),
        (
            "Implementation",
            {"fields": ["implementation_authority", "implementation_mechanism", "implementation_funding_scale"]},
        ),
        ("Facilities", {"fields": ["related_facilities"]}),
        (
            "Provenance",
            {
                "fields": [("provenance_author", "provenance_reviewer", "provenance_last_audit_date")],
                "description": "Written by the import and the review workflow only.",
            },
        ),
        ("Text", {"fields": ["description", "body"]}),
        ("Other frontmatter", {"fields": ["extra"], "classes": ["collapse"]}),
        ("Review", {"fields": [("state", "version"), "change_reason"]}),
    ]

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("change_reason") or (
            f"Edited in the admin: {', '.join(form.changed_data)}" if change else "Created in the admin"
        )
        obj.save_as(user=request.user, reason=reason)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history saves this form on POST (even for view-only users) and so reverts the record
        # outside the review workflow. It is a read-only view here; restoring goes through the workflow.
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return True

    def get_urls(self):
        own = [
            path("import/", self.admin_site.admin_view(self.import_view), name="policies_policy_import"),
            path("export/", self.admin_site.admin_view(self.export_view), name="policies_policy_export"),
        ]
        return own + super().get_urls()

    def import_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        report = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            report = import_sources(
                iter_uploads(form.cleaned_data["files"]),
                user=request.user,
                origin="admin upload",
                force=form.cleaned_data["force"],
                dry_run=form.cleaned_data["dry_run"],
            )
            level = messages.SUCCESS if report.ok else messages.WARNING
            counts = ", ".join(f"{count} {outcome}" for outcome, count in report.counts.items() if count)
            self.message_user(request, f"{'Dry run: ' if report.dry_run else ''}{counts}.", level)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import policy files",
            "form": form,
            "report": report,
            "summary": [(outcome, report.counts[outcome]) for outcome in Outcome] if report else [],
        }
        return TemplateResponse(request, "admin/policies/policy/import.html", context)

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = ExportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data, _report = export_to_zip(all_records=form.cleaned_data["all_records"])
            response = HttpResponse(data, content_type="application/zip")
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            response["Content-Disposition"] = f'attachment; filename="policies-{stamp}.zip"'
            return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Export policy files",
            "form": form,
            "changelist_url": reverse("admin:policies_policy_changelist"),
        }
        return TemplateResponse(request, "admin/policies/policy/export.html", context)
