from django import forms
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import DeletionRequest, Organisation, Role, User
from accounts.services import user_apply_role
from propulsons.admin import ReadOnlyAdmin


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "is_committee_member", "is_prescribing_partner"]
    list_filter = ["is_committee_member", "is_prescribing_partner"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["short_name"]}


class UserChangeForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "phone", "role", "organisation", "is_active"]

    def __init__(self, *args, can_grant_admin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_grant_admin:
            # Only an administrator may make someone an administrator.
            self.fields["role"].choices = [c for c in Role.choices if c[0] != Role.ADMIN]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Role.COMITE and not cleaned.get("organisation"):
            self.add_error(
                "organisation", _("Un membre du comité doit être rattaché à une organisation.")
            )
        return cleaned


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserChangeForm
    ordering = ["last_name", "first_name", "email"]
    list_display = ["email", "first_name", "last_name", "role", "organisation", "is_active"]
    list_filter = ["role", "organisation", "is_active"]
    list_select_related = ["organisation"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["last_login", "date_joined"]
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

    def has_change_permission(self, request, obj=None):
        # A cheffe de projet cannot edit an administrator's account.
        if obj is not None and obj.is_administrator and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            # New accounts get no usable password: the person sets it through the reset link.
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)
        user_apply_role(user=obj)


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin):
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
