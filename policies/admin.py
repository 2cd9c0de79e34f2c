from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ORDER_VAR, SEARCH_VAR, ChangeList
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection, models
from django.db.models import Count, F, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from simple_history.admin import SimpleHistoryAdmin

from policies import countries, diffing, editing, records, saving, schema, search
from policies.forms import ExportForm, ImportForm, PolicyForm, SettleConflictForm, field_label, fix_field_name
from policies.locks import LockBusy
from policies.models import (
    ANALYSIS_PARTS,
    ImportConflict,
    Policy,
    PolicyWarning,
)
from policies.rendering import render_markdown
from policies.saving import StaleVersion
from policies.transfer import conflicts
from policies.transfer.exporting import export_to_zip
from policies.transfer.importing import ImportOutcome, import_sources
from policies.transfer.uploads import UploadLimit

# The analysis is one grid: a column per dimension, a row per part (see analysis_fieldset.html).
ANALYSIS_GRID = "analysis-grid"
# The analysis is one fieldset, a grid of dimensions by parts; values kept as written are shown as problems.
_FORM_SECTIONS = [
    section
    for section in schema.SECTIONS
    if section not in schema.DIMENSION_SECTIONS.values() and section != schema.AS_WRITTEN
]
_FORM_SECTIONS.insert(_FORM_SECTIONS.index(schema.CLASSIFICATION) + 1, schema.DIMENSION_SECTIONS["market"])


def _fieldset(section: schema.Section) -> tuple[Any, Any]:
    """The change form's fieldset of a schema section."""
    if section in schema.DIMENSION_SECTIONS.values():
        rows = [tuple(f"{d}_{part}" for d in schema.DIMENSIONS) for part in schema.DIMENSION_PARTS]
        return gettext_lazy("Analysis"), {"fields": rows, "classes": [ANALYSIS_GRID]}
    fields = schema.in_section(section)
    if section == schema.PROVENANCE:
        return section.label, {
            "fields": [tuple(fields)],
            "description": gettext_lazy("Written by the import and the review workflow only."),
        }
    lines: list[str | tuple[str, ...]] = list(fields)
    if section in _PAIRED_SECTIONS:
        # Short values two to a row, so that the record's head fits a laptop's screen; the id and title alone.
        leading = [name for name in fields if name in ("policy_id", "title")]
        rest = [name for name in fields if name not in leading]
        lines = [
            *leading,
            *(tuple(rest[i : i + 2]) if len(rest[i : i + 2]) > 1 else rest[i] for i in range(0, len(rest), 2)),
        ]
    classes = {schema.TEXT: ["markdown-text"], schema.OTHER: ["collapse"]}.get(section, [])
    return section.label, {"fields": lines, "classes": classes}


_PAIRED_SECTIONS = (schema.IDENTITY, schema.CLASSIFICATION, schema.EVOLUTION)


# The list's tooltip names a record's first few warnings: a record can have many, and the list shows fifty records.
WARNINGS_LISTED = 5
# A search counts its matches up to here and says "more than" beyond (see SearchPaginator).
SEARCH_COUNT_LIMIT = 1000


class WarningsFilter(admin.SimpleListFilter):
    title = gettext_lazy("warnings")
    parameter_name = "has_warnings"

    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("Has warnings")), ("no", gettext_lazy("No warnings"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.with_warnings()
        if self.value() == "no":
            return queryset.without_warnings()
        return queryset


class ImportConflictFilter(admin.SimpleListFilter):
    title = gettext_lazy("import conflicts")
    parameter_name = "import_conflict"

    def lookups(self, request, model_admin):
        return [("open", gettext_lazy("Open import conflict"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.with_open_import_conflicts()


class NeedsFixingFilter(admin.SimpleListFilter):
    """Records with a problem: a value the file wrote in a form its field cannot hold, or a required text left
    empty. Nobody approves them until an editor fixes it."""

    title = gettext_lazy("needs fixing")
    parameter_name = "needs_fixing"

    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("Needs fixing")), ("no", gettext_lazy("Nothing to fix"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.needing_fixes()
        if self.value() == "no":
            return queryset.not_needing_fixes()
        return queryset


class IndexedValuesFilter(admin.AllValuesFieldListFilter):
    """The column's distinct values, found by seeking its index once per value instead of reading every entry.

    PostgreSQL reads the whole index for `SELECT DISTINCT`; for a handful of countries among thousands of records
    that costs far more than one index seek for each (a "loose index scan", written as a recursive query).
    """

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        # django-stubs type this a QuerySet; the filter only iterates it.
        self.lookup_choices = distinct_values(model, field.column)  # type: ignore[assignment]


class CountryFilter(admin.SimpleListFilter):
    """The countries and regions the records name, each place once however records spell it (中国 and China are
    one choice, named in the page's language); a value the vocabulary does not know is a choice of its own."""

    title = schema.BY_ATTR["country"].label
    parameter_name = "country"

    def lookups(self, request, model_admin):
        # Seeks the column's index once per distinct value (`distinct_values`), then groups the values by place.
        self.spellings: dict[str, list[str]] = {}
        labels: dict[str, str] = {}
        for value in distinct_values(Policy, "country"):
            place = countries.find(value) if value else None
            key = place.code if place is not None else value
            labels[key] = place.label if place is not None else (value or gettext("(none)"))
            self.spellings.setdefault(key, []).append(value)
        return sorted(labels.items(), key=lambda item: item[1])

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return None
        # Any spelling of a place chooses it: ?country=中国, ?country=China and ?country=CN list the same records.
        place = countries.find(value)
        key = place.code if place is not None else value
        return queryset.filter(country__in=self.spellings.get(key, [value]))


def distinct_values(model, column: str) -> list:
    """The distinct values of an indexed column, in the database's order (NULL included if present)."""
    quote = connection.ops.quote_name
    table, column = quote(model._meta.db_table), quote(column)
    sql = (
        f"WITH RECURSIVE seen(v) AS (SELECT MIN({column}) FROM {table} UNION ALL "
        f"SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > seen.v) FROM seen WHERE seen.v IS NOT NULL) "
        f"SELECT v FROM (SELECT v FROM seen WHERE v IS NOT NULL UNION ALL "
        f"SELECT NULL WHERE EXISTS (SELECT 1 FROM {table} WHERE {column} IS NULL)) AS found ORDER BY v"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


class SearchPaginator(Paginator):
    """Counts a search's matches up to SEARCH_COUNT_LIMIT + 1, so the count costs the same at any collection size.

    A word in a third of 20,000 records has 6,000 matches: counting them all reads every one (PostgreSQL's
    planner then scans the table). The pages offered end after the first thousand: past that, people search
    with more words rather than page.
    """

    object_list: QuerySet[Any]

    @cached_property
    def count(self) -> int:
        # Counting ids alone: the listed columns' annotations (each record's warning count) are left out.
        return self.object_list.order_by().values("pk")[: SEARCH_COUNT_LIMIT + 1].count()


def column_holds(field: models.Field, value: str) -> bool:
    """Whether `value`, from a URL or a form, is one that `field`'s column can hold.

    Anything else names no row, and asking the database for it fails instead of finding nothing: Django raises on
    a text that is no number, SQLite on a number past its column's range in an `IN` list.
    """
    try:
        field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return True


class OfferedChangeList(ChangeList):
    """A list that filters only as its page offers, and searches only for a term of bounded size.

    Django's admin applies any lookup on the model's own fields that the query string names: `?title__regex=...`
    ran a backtracking regex over every title (31 s on SQLite) for anyone who may view the list. Here each
    parameter must be one that a list filter or the date hierarchy takes, and any other is refused with 400
    before a query runs. A search of more than `search.MAX_CHARACTERS` characters or `search.MAX_WORDS` words
    (each word is one more condition on every row) is not run: the list says so and lists nothing, the term left
    in the box to shorten.
    """

    def get_filters(self, request):
        try:
            filters = super().get_filters(request)
        except OverflowError as error:
            # A date hierarchy's month or day too large for a C integer: Django expects only ValueError there.
            raise IncorrectLookupParameters(error) from error
        remaining = filters[2]
        refused = sorted(name for name in self.get_filters_params() if name in remaining)
        if refused:
            raise DisallowedModelAdminLookup(
                gettext("This list is not filtered by %(names)s: use the filters it offers.")
                % {"names": ", ".join(refused)}
            )
        return filters

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        return queryset.none() if search.too_long(self.query) else queryset

    def get_results(self, request):
        super().get_results(request)
        if search.too_long(self.query):
            limits = {"characters": search.MAX_CHARACTERS, "words": search.MAX_WORDS}
            message = gettext(
                "Nothing was searched: a search has at most %(words)d words and %(characters)d characters."
            )
            self.model_admin.message_user(request, message % limits, messages.ERROR)


class BoundedListsMixin(admin.ModelAdmin):
    """What every ModelAdmin of the project shares: its list is an `OfferedChangeList`, and its actions act only on
    ids its table can hold (a forged `_selected_action=abc` was a 500). tests/hardening/test_requests.py checks
    every registered ModelAdmin."""

    def get_changelist(self, request, **kwargs):
        return OfferedChangeList

    def response_action(
        self, request: HttpRequest, queryset: QuerySet, *args: Any, **kwargs: Any
    ) -> HttpResponse | None:
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(column_holds(queryset.model._meta.pk, value) for value in selected):
            raise BadRequest(gettext("The selection names rows that cannot exist; nothing was done."))
        return super().response_action(request, queryset, *args, **kwargs)


class PolicyChangeList(OfferedChangeList):
    # A whole record is mostly its facility ids and texts; the list shows a few short columns of it.
    # Only the listed page is narrowed: actions still get whole records (`get_queryset`).
    columns = ["policy_id", "title", "country", "category", "year", "state", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each row links to its record with the list's filters kept. Django's row rendering works that query
        # out again for every row, resolving the link's URL each time; it is the same for all, so it is worked
        # out once here and added by `url_for_result`.
        filters = dict(parse_qsl(self.preserved_filters))
        self.row_link_query = f"?{urlencode(filters)}" if filters else ""
        self.preserved_filters = ""

    def url_for_result(self, result):
        return super().url_for_result(result) + self.row_link_query

    def get_results(self, request):
        listed_warnings = Prefetch("warnings", PolicyWarning.objects.all()[:WARNINGS_LISTED], "listed_warnings")
        self.queryset = self.queryset.only(*self.columns).prefetch_related(None).prefetch_related(listed_warnings)
        super().get_results(request)
        # Read by the list's search_form.html and pagination.html.
        self.result_count_is_partial = self.result_count > SEARCH_COUNT_LIMIT and bool(self.query)
        self.search_count_limit = f"{SEARCH_COUNT_LIMIT:,}"


class PolicyAdmin(BoundedListsMixin, SimpleHistoryAdmin):
    form = PolicyForm
    list_display = ["title", "policy_id", "warnings_shown", "country", "category", "year", "state", "updated_shown"]
    list_filter = [
        "state",
        NeedsFixingFilter,
        WarningsFilter,
        ImportConflictFilter,
        ("category", IndexedValuesFilter),
        CountryFilter,
        ("year", IndexedValuesFilter),
    ]
    search_fields = ["policy_id", "title", "country", "tags"]
    readonly_fields = ["state", "version", *editing.NOT_EDITABLE]
    list_per_page = 50
    show_full_result_count = False
    change_list_template = "admin/policies/policy/change_list.html"
    change_form_template = "admin/policies/policy/change_form.html"
    object_history_template = "admin/policies/policy/object_history.html"
    object_history_list_template = "admin/policies/policy/object_history_list.html"
    history_list_display = ["version"]
    fieldsets = [
        *(_fieldset(section) for section in schema.SECTIONS if section in _FORM_SECTIONS),
        (gettext_lazy("Review"), {"fields": [("state", "version"), "change_reason"]}),
    ]

    class Media:
        css = {"all": ["policies/policy_admin.css"]}
        js = ["policies/policy_admin.js"]

    def get_changelist(self, request, **kwargs):
        return PolicyChangeList

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator = SearchPaginator if request.GET.get(SEARCH_VAR) else Paginator
        return paginator(queryset, per_page, orphans, allow_empty_first_page)

    def get_queryset(self, request):
        count = PolicyWarning.objects.filter(policy=OuterRef("pk")).order_by().values("policy")
        return (
            super()
            .get_queryset(request)
            .annotate(warning_count=Coalesce(Subquery(count.annotate(n=Count("pk")).values("n")), 0))
            .prefetch_related("warnings")
        )

    def get_readonly_fields(self, request, obj=None):
        # provenance.author is the import's to write, unless the file wrote it in a form nobody else could fix.
        kept = records.as_written({"invalid": obj.invalid}) if obj is not None else {}
        return [
            name
            for name in super().get_readonly_fields(request, obj)
            if name not in editing.NOT_EDITABLE or not editing.editable_by_hand(name, kept)
        ]

    def action_checkbox(self, obj):
        # Django renders this checkbox through the form widget templates, fifty times a page; the same markup.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(gettext("Select this object for an action - {}"), str(obj)),
        )

    @admin.display(description=gettext_lazy("Warnings"), ordering="warning_count")
    def warnings_shown(self, obj: Policy) -> str:
        if not obj.warning_count:
            return ""
        lines = [
            gettext("Needs fixing: %(warning)s") % {"warning": w} if w.blocking else str(w) for w in obj.listed_warnings
        ]
        if obj.warning_count > len(lines):
            lines.append(gettext("and %(count)d more") % {"count": obj.warning_count - len(lines)})
        return format_html(
            '<span class="policy-warning-count" title="{}">⚠ {}</span>', "\n".join(lines), obj.warning_count
        )

    @admin.display(description=gettext_lazy("updated"), ordering="updated_at")
    def updated_shown(self, obj: Policy) -> str:
        # Django's default ("Dec. 7, 2026, 5:30 p.m.") takes three lines of a laptop's list: the day, the time on
        # hover.
        updated = timezone.localtime(obj.updated_at)
        return format_html(
            '<time datetime="{}" title="{}">{}</time>',
            updated.isoformat(),
            f"{updated:%Y-%m-%d %H:%M}",
            f"{updated:%Y-%m-%d}",
        )

    def get_search_results(self, request, queryset, search_term):
        # The same fields as `search_fields`, matched through the search index instead of a scan of the table.
        # The list is in id order unless a column header sorts it.
        return search.matching(queryset, search_term, in_id_order=ORDER_VAR not in request.GET), False

    def save_model(self, request, obj, form, change):
        edited = form.edited_keys()
        if change and not edited:
            return  # an untouched form makes no new version
        reason = form.cleaned_data.get("change_reason") or (
            f"Edited in the admin: {', '.join(edited)}" if change else "Created in the admin"
        )
        if change:
            editing.save_edit(
                obj, user=request.user, reason=reason, loaded_version=form.cleaned_data["expected_version"]
            )
        else:
            saving.create_record(obj, user=request.user, reason=reason)

    def delete_model(self, request, obj):
        saving.delete_records([obj], user=request.user, reason="Deleted in the admin")

    def delete_queryset(self, request, queryset):
        saving.delete_records(list(queryset), user=request.user, reason="Deleted in the admin")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleVersion:
            # Someone saved between this form's version check and its save, and `saving.save_record` refused
            # it. Handling the request again shows the form with their changes, like any
            # other stale form.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        for fieldset in context["adminform"]:
            if ANALYSIS_GRID in fieldset.classes:
                context["analysis_rows"] = [
                    (part, schema.PART_LABELS[part], line) for part, line in zip(ANALYSIS_PARTS, fieldset, strict=True)
                ]
        warnings = list(obj.warnings.all()) if obj is not None else []
        context.update(
            analysis_dimensions=list(schema.DIMENSION_LABELS.items()),
            conflict=getattr(form, "conflict", None),
            record_warnings=[warning for warning in warnings if not warning.blocking],
            record_problems=[
                (warning, form[fix_field_name(warning.field)] if fix_field_name(warning.field) in form.fields else None)
                for warning in warnings
                if warning.blocking
            ],
            import_conflicts=list(obj.import_conflicts.open()) if obj is not None else [],
            may_settle=conflicts.may_settle(request.user),
            may_view_import_conflicts=_may_view_import_conflicts(request),
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_import": self.has_import_permission(request)}
        if _may_view_import_conflicts(request):
            extra_context["open_import_conflicts"] = ImportConflict.objects.open().count()
        return super().changelist_view(request, extra_context)

    def has_import_permission(self, request) -> bool:
        # An import adds records and changes existing ones.
        return self.has_add_permission(request) and self.has_change_permission(request)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        # Each entry shows what it changed against the entry before it, field by field, grouped as the form is.
        rows = list(historical_records)
        if not rows:
            return
        last = rows[-1]
        previous = Policy.history.filter(id=last.id, history_id__lt=last.history_id).order_by("-history_id").first()
        for row, sections in zip(rows, diffing.compare_history(rows, previous), strict=True):
            row.field_changes = sections

    def history_view(self, request, object_id, extra_context=None):
        _require_record_id(object_id)
        # django-simple-history links each "changed by" name to the person's user page, which only those who manage
        # users may open; for anyone else a URL name that resolves to nothing shows the name without a link.
        if not (request.user.has_perm("auth.view_user") or request.user.has_perm("auth.change_user")):
            extra_context = {**(extra_context or {}), "admin_user_view": ""}
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history saves this form on POST (even for view-only users) and so reverts the record
        # outside the review workflow. It is a read-only view here; restoring goes through the workflow.
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        _require_record_id(object_id)
        if not column_holds(Policy.history.model._meta.get_field("history_id"), version_id):
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return True

    def get_urls(self):
        own = [
            path("import/", self.admin_site.admin_view(csrf_exempt(self.import_view)), name="policies_policy_import"),
            path("export/", self.admin_site.admin_view(self.export_view), name="policies_policy_export"),
            path("preview/", self.admin_site.admin_view(self.preview_view), name="policies_policy_preview"),
        ]
        return own + super().get_urls()

    def preview_view(self, request):
        """The HTML for the Markdown in POST `text`, as published and sanitized: the change form's live preview.

        POST only, so that the CSRF check of `admin_view` applies, and only for people who may edit records.
        """
        if not (self.has_change_permission(request) or self.has_add_permission(request)):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return HttpResponse(render_markdown(request.POST.get("text", "")), content_type="text/html; charset=utf-8")

    def import_view(self, request):
        """The import page: an upload is imported within the request if it is small enough (`policies.uploads`).

        Django reads the whole upload the first time anything looks at `request.POST`, and the CSRF middleware
        looks first. The handler that stops reading at the limits must be in place before that, so the middleware
        leaves this view alone and the CSRF check runs here, just after (as Django's documentation on upload
        handlers shows): every POST still needs the token.
        """
        upload = UploadLimit(request)
        request.upload_handlers.insert(0, upload)
        return self._import_upload(request, upload)

    @method_decorator(csrf_protect)
    def _import_upload(self, request, upload: UploadLimit):
        if not self.has_import_permission(request):
            raise PermissionDenied
        report = None
        # Bound for every POST: an upload cut short at its first file leaves POST and FILES empty.
        posted = request.method == "POST"
        form = ImportForm(request.POST if posted else None, request.FILES if posted else None, upload=upload)
        if posted and form.is_valid():
            try:
                report = import_sources(
                    form.cleaned_data["files"],
                    user=request.user,
                    origin="admin upload",
                    force=form.cleaned_data["force"],
                    dry_run=form.cleaned_data["dry_run"],
                )
            except LockBusy as error:
                form.add_error(None, str(error))
        if report is not None:
            level = messages.SUCCESS if report.ok and not report.problem_count else messages.WARNING
            counts = ", ".join(
                gettext("%(count)d %(outcome)s") % {"count": count, "outcome": outcome.label}
                for outcome, count in report.counts.items()
                if count
            )
            if report.problem_count:
                summary = gettext("%(counts)s; %(problems)s") % {"counts": counts, "problems": report.problem_summary}
            else:
                summary = gettext("%(counts)s.") % {"counts": counts}
            if report.dry_run:
                summary = gettext("Dry run: %(summary)s") % {"summary": summary}
            self.message_user(request, summary, level)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Import policy files"),
            "form": form,
            "report": report,
            "summary": [(outcome.label, report.counts[outcome]) for outcome in ImportOutcome] if report else [],
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
            "title": gettext("Export policy files"),
            "form": form,
            "changelist_url": reverse("admin:policies_policy_changelist"),
        }
        return TemplateResponse(request, "admin/policies/policy/export.html", context)


def _require_record_id(object_id: str) -> None:
    """404 for a record id from a URL that no record can have (django-simple-history's views look it up as it is)."""
    if not column_holds(Policy._meta.pk, unquote(object_id)):
        raise Http404


def _may_view_import_conflicts(request) -> bool:
    return request.user.has_perm("policies.view_importconflict") or request.user.has_perm(
        "policies.change_importconflict"
    )


class ImportConflictStatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", gettext_lazy("Open")), ("settled", gettext_lazy("Settled"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.open()
        if self.value() == "settled":
            return queryset.settled()
        return queryset


class ReadOnlyAdmin(BoundedListsMixin, admin.ModelAdmin):
    """An admin that shows rows and never adds, changes or deletes them: trails that are written once."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ImportConflict)
class ImportConflictAdmin(ReadOnlyAdmin):
    """Import conflicts, open ones first, read-only; an editor settles each on its own page (`settle_view`).

    Nobody adds, changes or deletes one here: the import files them and settling closes them, which needs the
    permissions `conflicts.may_settle` names.
    """

    list_display = ["source", "record", "fields_listed", "base", "created_at", "created_by", "status"]
    list_filter = [ImportConflictStatusFilter]
    search_fields = ["policy__policy_id", "source"]
    ordering = [F("resolved_at").asc(nulls_first=True), "-created_at", "-id"]
    fields = (
        "record",
        "source",
        "base",
        "version",
        "status",
        "fields_table",
        "taken_listed",
        "created_at",
        "created_by_name",
        "file_text",
    )
    readonly_fields = fields
    change_form_template = "admin/policies/importconflict/change_form.html"

    class Media:
        css = {"all": ["policies/import_conflicts.css"]}
        js = ["policies/import_conflicts.js"]

    def get_queryset(self, request):
        # A record's facility ids and texts are most of its row; the list names it by id and title.
        return (
            super()
            .get_queryset(request)
            .select_related("policy", "created_by", "resolved_by")
            .defer("policy__related_facilities", "policy__body", "policy__description")
        )

    def has_settle_permission(self, request) -> bool:
        return conflicts.may_settle(request.user)

    def get_list_display(self, request):
        if self.has_settle_permission(request):
            return [*self.list_display, "settle_link"]
        return self.list_display

    @admin.display(description=gettext_lazy("record"), ordering="policy__policy_id")
    def record(self, obj: ImportConflict) -> str:
        url = reverse("admin:policies_policy_change", args=[obj.policy_id])
        return format_html('<a href="{}">{}</a>', url, obj.policy.policy_id)

    @admin.display(description=gettext_lazy("created by"))
    def created_by_name(self, obj: ImportConflict) -> str:
        # Not a link to the person's user page, which only those who manage users may open.
        return saving.name_of(obj.created_by)

    @admin.display(description=gettext_lazy("fields both changed"))
    def fields_listed(self, obj: ImportConflict) -> str:
        return records.paths(obj.field_names)

    @admin.display(description=gettext_lazy("fields only the file changed"))
    def taken_listed(self, obj: ImportConflict) -> str:
        return records.paths(obj.taken)

    @admin.display(description=gettext_lazy("status"), ordering="resolved_at")
    def status(self, obj: ImportConflict) -> str:
        if obj.resolved_at is None:
            return gettext("Open")
        who = saving.name_of(obj.resolved_by)
        when = f"{timezone.localtime(obj.resolved_at):%Y-%m-%d %H:%M}"
        return gettext("Settled by %(who)s on %(when)s") % {"who": who, "when": when}

    @admin.display(description=gettext_lazy("settle"))
    def settle_link(self, obj: ImportConflict) -> str:
        if obj.resolved_at is not None:
            return ""
        url = reverse("admin:policies_importconflict_settle", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Settle"))

    @admin.display(description=gettext_lazy("fields both changed"))
    def fields_table(self, obj: ImportConflict) -> str:
        rows = format_html_join(
            "",
            '<tr data-field="{}"><th scope="row">{} <code>{}</code></th><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    entry["field"],
                    field_label(entry["field"]),
                    records.paths([entry["field"]]),
                    *(diffing.as_text(entry[side]) for side in ("base", "ours", "theirs")),
                )
                for entry in obj.fields
            ),
        )
        return format_html(
            '<table class="conflict-table"><thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
            gettext("Field"),
            gettext("Before both changes (%(base)s)") % {"base": obj.base},
            gettext("The record (version %(version)s)") % {"version": obj.version},
            gettext("The file"),
            rows,
        )

    @admin.display(description=gettext_lazy("the file's text"))
    def file_text(self, obj: ImportConflict) -> str:
        return format_html('<pre class="conflict-file">{}</pre>', obj.file.text)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["may_settle"] = self.has_settle_permission(request)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        own = [
            path(
                "<path:object_id>/settle/",
                self.admin_site.admin_view(self.settle_view),
                name="policies_importconflict_settle",
            )
        ]
        return own + super().get_urls()

    def settle_view(self, request, object_id):
        """A choice for each conflicting field, sent to `conflicts.settle_conflict`; back to the record when done."""
        if not self.has_settle_permission(request):
            raise PermissionDenied
        conflict = self.get_object(request, unquote(object_id))
        if conflict is None:
            # The admin's own "does not exist" message; the helper is private, so django-stubs leave it out.
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)  # type: ignore[attr-defined]
        detail = reverse("admin:policies_importconflict_change", args=[conflict.pk])
        if conflict.resolved_at is not None:
            self.message_user(request, self.status(conflict), messages.INFO)
            return HttpResponseRedirect(detail)
        policy = Policy.objects.get(pk=conflict.policy_id)
        data = request.POST if request.method == "POST" else None
        form = SettleConflictForm(
            data, initial={"expected_version": conflict.version}, conflict=conflict, policy=policy
        )
        if data is not None and form.is_valid():
            try:
                settlement = conflicts.settle_conflict(
                    conflict,
                    user=request.user,
                    choices=form.choices(),
                    expected_version=form.cleaned_data["expected_version"],
                )
            except conflicts.InvalidChoices as error:
                form.add_choice_errors(error.errors)
            except conflicts.AlreadySettled as error:
                self.message_user(request, str(error), messages.ERROR)
                return HttpResponseRedirect(detail)
            except conflicts.StaleConflict as error:
                self.message_user(request, str(error), messages.ERROR)
                # The page again, with the person's choices, on the conflict as it is now: if it was compared
                # anew, saving again after reading its values is a deliberate choice.
                conflict.refresh_from_db()
                policy.refresh_from_db()
                data = data.copy()
                data["expected_version"] = str(conflict.version)
                form = SettleConflictForm(data, conflict=conflict, policy=policy)
            else:
                self.message_user(request, conflicts.describe_settlement(conflict, settlement), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:policies_policy_change", args=[policy.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Settle the import conflict of %(file)s") % {"file": conflict.source},
            "conflict": conflict,
            "policy": policy,
            "form": form,
            "rows": form.rows(),
            "taken": _taken_changes(conflict, policy),
            "media": self.media,
        }
        return TemplateResponse(request, "admin/policies/importconflict/settle.html", context)


def _taken_changes(conflict: ImportConflict, policy: Policy) -> list[diffing.FieldChange]:
    """The changes the file makes that only it made: taken from it when the conflict is settled."""
    theirs = conflicts.file_values(conflict)
    return [
        diffing.FieldChange(
            name,
            field_label(name),
            diffing.diff_html(diffing.as_text(getattr(policy, name)), diffing.as_text(theirs[name])),
        )
        for name in conflict.taken
    ]
