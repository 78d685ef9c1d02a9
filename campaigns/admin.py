from django.contrib import admin

from .models import Platform


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ["name", "website", "is_active", "display_order"]
    list_editable = ["is_active", "display_order"]
    prepopulated_fields = {"slug": ["name"]}
