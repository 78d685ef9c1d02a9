from django import forms
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import DeletionRequest, Organisation, Role, User
from accounts.services import user_apply_role
from propulsons.admin import ReadOnlyAdmin
from propulsons.search import BoundedAdminSearch


@admin.register(Organisation)
class OrganisationAdmin(BoundedAdminSearch, admin.ModelAdmin):
    list_display = ["name", "short_name", "is_committee_member", "is_prescribing_partner"]
    list_filter = ["is_committee_member", "is_prescribing_partner"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["short_name"]}

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Which organisations vote is the administrator's decision.
            readonly.append("is_committee_member")
        return readonly


class UserChangeForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "phone", "role", "organisation", "is_active"]

    def __init__(self, *args, can_grant_admin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # The role is read-only (absent from the form) for whoever may not change it.
        if not can_grant_admin and "role" in self.fields:
            # Only an administrator may make someone an administrator.
            self.fields["role"].choices = [c for c in Role.choices if c[0] != Role.ADMIN]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Role.COMITE and not cleaned.get("organisation"):
            self.add_error(
                "organisation", _("Un membre du comité doit être rattaché à une organisation.")
            )
        return cleaned


# What lets someone sign in as a person, or act as one: only the administrator changes it.
# A cheffe who could set a committee member's address, password or organisation could then
# vote in that organisation's name.
CREDENTIAL_FIELDS = ("email", "role", "organisation", "is_active")


@admin.register(User)
class UserAdmin(BoundedAdminSearch, DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserChangeForm
    ordering = ["last_name", "first_name", "email"]
    list_display = ["email", "first_name", "last_name", "role", "organisation", "is_active"]
    list_filter = ["role", "organisation", "is_active"]
    list_select_related = ["organisation"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["last_login", "date_joined", "password_change"]
    fieldsets = [
        (None, {"fields": ["email", "first_name", "last_name", "phone"]}),
        (_("Rôle"), {"fields": ["role", "organisation", "is_active"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "first_name", "last_name", "phone", "role", "organisation"]}),
    ]

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        can_grant_admin = request.user.is_superuser

        class RoleLimitedForm(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, can_grant_admin=can_grant_admin, **kw)

        return RoleLimitedForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and request.user.is_superuser:
            fieldsets = [*fieldsets, (_("Mot de passe"), {"fields": ["password_change"]})]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += [name for name in CREDENTIAL_FIELDS if name not in readonly]
        return readonly

    @admin.display(description=_("mot de passe"))
    def password_change(self, obj):
        url = reverse("admin:auth_user_password_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Définir un nouveau mot de passe"))

    def has_add_permission(self, request):
        # Creating an account gives someone an address to sign in with and a role.
        return request.user.is_superuser

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def has_change_permission(self, request, obj=None):
        # A cheffe de projet cannot edit an administrator's account.
        if obj is not None and obj.is_administrator and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            # New accounts get no usable password: the person sets it through the reset link.
            obj.set_unusable_password()
        elif "email" in form.changed_data:
            # A new address is not proved until its owner opens a link mailed to it.
            obj.email_verified_at = None
        super().save_model(request, obj, form, change)
        user_apply_role(user=obj)


@admin.register(LogEntry)
class LogEntryAdmin(BoundedAdminSearch, ReadOnlyAdmin):
    """The audit trail of admin changes and anonymisations: readable, never editable."""

    list_display = ["action_time", "user", "content_type", "object_repr", "action_flag"]
    list_filter = ["action_flag", "content_type"]
    search_fields = ["object_repr", "change_message"]
    date_hierarchy = "action_time"


@admin.register(DeletionRequest)
class DeletionRequestAdmin(admin.ModelAdmin):
    list_display = ["email", "requested_at", "processed_at", "processed_by"]
    readonly_fields = ["user", "email", "message", "requested_at", "processed_at", "processed_by"]

    def has_add_permission(self, request):
        return False
