import functools

from django.contrib import admin
from django.contrib.admin.actions import delete_selected

from propulsons.public_cache import public_content_changed


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records written only by the services and kept for audit (votes, decisions, the
    admin's own journal): the admin shows them and never changes them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WorkflowFieldsAdmin(admin.ModelAdmin):
    """An admin whose `workflow_fields` are read-only for everyone, administrators included.

    They belong to the workflow (a status, a label, a consent, who owns a dossier, when a
    reminder is due): only the services change them, with their checks, history and emails.
    A field left out of the form is ignored if posted anyway.
    """

    workflow_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly + [name for name in self.workflow_fields if name not in readonly]


@functools.wraps(delete_selected)  # its name, description and "delete" permission
def delete_selected_and_refresh(modeladmin, request, queryset):
    """The admin's "delete selected" action, which also refreshes the cached public pages.

    A single change or deletion in the admin is journalled with LogEntry.save(), whose
    post_save refreshes them (public_cache.admin_change_logged); but since Django 5.1 the
    action journals a deletion of several objects with one bulk_create, which sends no
    signal. Installed in place of Django's action in PropulsonsConfig.ready."""
    answer = delete_selected(modeladmin, request, queryset)
    if answer is None:  # deleted (otherwise: the confirmation page, nothing changed yet)
        public_content_changed()
    return answer
