"""Users, groups, the record of access changes, API tokens and sign-in attempts in the admin.

Django's user and group admins are replaced by ones that save access through `accounts.access`, offer each person
only what they may grant, and refuse a POST that carries a field they were not offered. django-axes' lists of
sign-in attempts are registered again, bounded like every other list (`BoundedListsMixin`).
"""

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from policies.admin import BoundedListsMixin, ReadOnlyAdmin

from . import access, tokens
from .forms import UserChangeForm
from .models import AccessChange, APIToken

User = get_user_model()
SUPERUSER_ONLY_FIELDS = ("is_staff", "is_superuser")


class UserAdmin(BoundedListsMixin, auth_admin.UserAdmin):
    form = UserChangeForm

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return super().get_fieldsets(request, obj)
        return [
            (name, {**options, "fields": [*options["fields"], "reserved_access", "access_record"]})
            if "groups" in options["fields"]
            else (name, options)
            for name, options in super().get_fieldsets(request, obj)
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj), "reserved_access", "access_record"]
        if not request.user.is_superuser:
            readonly += SUPERUSER_ONLY_FIELDS
        return readonly

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = access.grantable_groups(request.user)
        elif db_field.name == "user_permissions":
            kwargs["queryset"] = access.grantable_permissions(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or access.may_manage(request.user, obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or access.may_manage(request.user, obj))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The form has no field for these, so a value posted for one was forged: refuse it rather than ignore it.
        forged = request.method == "POST" and any(name in request.POST for name in SUPERUSER_ONLY_FIELDS)
        if forged and not request.user.is_superuser:
            raise PermissionDenied
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change) -> None:
        # The form has set the statuses it was sent on `obj`; `change_access` writes them in save_related, after
        # its checks, together with the groups and permissions.
        stored = User._default_manager.filter(pk=obj.pk).values(*SUPERUSER_ONLY_FIELDS).first() if change else None
        obj.is_staff, obj.is_superuser = (stored["is_staff"], stored["is_superuser"]) if stored else (False, False)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        user, data = form.instance, form.cleaned_data
        requested = {name: data[name] for name in SUPERUSER_ONLY_FIELDS if name in data}
        if "groups" in data:
            kept = user.groups.exclude(pk__in=access.grantable_groups(request.user).values("pk"))
            requested["groups"] = [*data["groups"], *kept]
        if "user_permissions" in data:
            kept = user.user_permissions.exclude(pk__in=access.grantable_permissions(request.user).values("pk"))
            requested["permissions"] = [*data["user_permissions"], *kept]
        if requested:
            access.change_access(user, by=request.user, via=access.VIA_ADMIN, **requested)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.display(description=_("Only a superuser changes"))
    def reserved_access(self, obj) -> str:
        return ", ".join(getattr(obj, "_reserved_access", [])) or "–"

    @admin.display(description=_("Access changes"))
    def access_record(self, obj) -> str:
        count = AccessChange.objects.filter(user=obj).count()
        url = reverse("admin:accounts_accesschange_changelist") + f"?user__id__exact={obj.pk}"
        label = ngettext("%(count)d change recorded", "%(count)d changes recorded", count) % {"count": count}
        return format_html('<a href="{}">{}</a>', url, label)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            # What this viewer may not grant, for `reserved_access` (which is given the user only).
            groups = obj.groups.exclude(pk__in=access.grantable_groups(request.user).values("pk"))
            permissions = obj.user_permissions.exclude(pk__in=access.grantable_permissions(request.user).values("pk"))
            obj._reserved_access = [*(g.name for g in groups), *access.permission_names(permissions)]
        return super().render_change_form(request, context, add, change, form_url, obj)


class GroupAdmin(BoundedListsMixin, auth_admin.GroupAdmin):
    def get_readonly_fields(self, request, obj=None):
        # The rule that role groups bring staff status finds them by name.
        if obj is not None and obj.name in access.ROLE_GROUPS:
            return [*super().get_readonly_fields(request, obj), "name"]
        return super().get_readonly_fields(request, obj)

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "permissions":
            kwargs["queryset"] = access.grantable_permissions(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or access.may_change_group(request.user, obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or access.may_change_group(request.user, obj))

    def save_related(self, request, form, formsets, change) -> None:
        if "permissions" in form.cleaned_data:
            access.change_group_permissions(
                form.instance, by=request.user, via=access.VIA_ADMIN, permissions=form.cleaned_data["permissions"]
            )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj) -> None:
        access.delete_group(obj, by=request.user, via=access.VIA_ADMIN)

    def delete_queryset(self, request, queryset) -> None:
        for group in queryset:
            access.delete_group(group, by=request.user, via=access.VIA_ADMIN)


admin.site.unregister(User)
admin.site.register(User, UserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, GroupAdmin)


@admin.register(AccessChange)
class AccessChangeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_name", "whom", "what", "change", "before_display", "after_display", "via"]
    # A user's page links to the changes of their access (`UserAdmin.access_record`), through the "user" filter.
    list_filter = ["what", "via", ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user_name", "group_name", "actor_name"]
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "actor",
        "actor_name",
        "user",
        "user_name",
        "group",
        "group_name",
        "what",
        "before",
        "after",
        "via",
    )
    readonly_fields = fields

    @admin.display(description=_("whose"))
    def whom(self, obj: AccessChange) -> str:
        return obj.user_name or gettext("group %(name)s") % {"name": obj.group_name}

    @admin.display(description=_("change"))
    def change(self, obj: AccessChange) -> str:
        if isinstance(obj.after, bool):
            return gettext("granted") if obj.after else gettext("removed")
        added = [name for name in obj.after if name not in obj.before]
        removed = [name for name in obj.before if name not in obj.after]
        parts = []
        if added:
            parts.append(gettext("added %(names)s") % {"names": ", ".join(added)})
        if removed:
            parts.append(gettext("removed %(names)s") % {"names": ", ".join(removed)})
        return "; ".join(parts)

    @admin.display(description=_("before"))
    def before_display(self, obj: AccessChange) -> str:
        return _shown(obj.before)

    @admin.display(description=_("after"))
    def after_display(self, obj: AccessChange) -> str:
        return _shown(obj.after)


def _shown(value) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    return ", ".join(value) or "–"


admin.site.unregister(AuthToken)


@admin.register(APIToken)
class APITokenAdmin(BoundedListsMixin, admin.ModelAdmin):
    """Everyone who signs in issues and revokes their own tokens here; administrators see and revoke everyone's.
    No page shows a key after the one that issues it: only its hash is stored."""

    list_display = ["user", "created", "expiry"]
    list_display_links = None
    list_select_related = ["user"]
    ordering = ["-created"]
    fields = ("user", "created", "expiry")
    readonly_fields = fields
    actions = ["revoke_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[APIToken]:
        queryset = super().get_queryset(request)
        if request.user.has_perm("accounts.view_apitoken"):
            return queryset
        return queryset.filter(user=request.user)

    def _signed_in(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._signed_in(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._signed_in(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._signed_in(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._signed_in(request) and (obj is None or tokens.may_revoke(request.user, obj))

    def get_actions(self, request: HttpRequest, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Revoke the selected API tokens"), permissions=["delete"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[APIToken]) -> None:
        count = tokens.revoke_tokens(queryset.select_related("user"), by=request.user)
        message = ngettext("Revoked %(count)d API token.", "Revoked %(count)d API tokens.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    def delete_model(self, request: HttpRequest, obj: APIToken) -> None:
        tokens.revoke_tokens([obj], by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[APIToken]) -> None:
        tokens.revoke_tokens(queryset.select_related("user"), by=request.user)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        everyone = request.user.has_perm("accounts.view_apitoken")
        title = gettext("API tokens") if everyone else gettext("My API tokens")
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None) -> HttpResponse:
        """Issue a token for the person signed in, and show its key on this one page, never again."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Issue an API token"),
            "key": None,
        }
        if request.method == "POST":
            token, key = tokens.issue_token(request.user, by=request.user)
            self.log_addition(request, token, [{"added": {}}])
            context.update(title=gettext("Your new API token"), key=key)
        response = TemplateResponse(request, "admin/accounts/apitoken/issue.html", context)
        add_never_cache_headers(response)
        return response


class AccessAttemptAdmin(BoundedListsMixin, axes_admin.AccessAttemptAdmin):
    pass


class AccessLogAdmin(BoundedListsMixin, axes_admin.AccessLogAdmin):
    pass


class AccessFailureLogAdmin(BoundedListsMixin, axes_admin.AccessFailureLogAdmin):
    pass


for model, bounded in (
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
):
    if admin.site.is_registered(model):  # axes registers each only where its settings say so
        admin.site.unregister(model)
        admin.site.register(model, bounded)
