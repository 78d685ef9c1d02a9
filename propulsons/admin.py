from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records written only by the services and kept for audit (votes, decisions, the
    admin's own journal): the admin shows them and never changes them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
