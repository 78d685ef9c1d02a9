from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from propulsons.admin import WorkflowFieldsAdmin
from propulsons.search import BoundedAdminSearch

from . import services
from .models import TEAM_SEARCH_FIELDS, Commune, Document, DossierMessage, Project, StatusChange


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    fields = ["created_at", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class DocumentInline(admin.TabularInline):
    model = Document
    extra = 0
    can_delete = False
    fields = ["kind", "original_name", "url", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


def _bulk_transition(modeladmin, request, queryset, service, reason):
    done = failed = 0
    for project in queryset:
        try:
            service(project=project, actor=request.user, reason=str(reason))
            done += 1
        except services.TransitionError:
            failed += 1
    if done:
        modeladmin.message_user(
            request,
            ngettext("%d dossier modifié.", "%d dossiers modifiés.", done) % done,
            messages.SUCCESS,
        )
    if failed:
        modeladmin.message_user(
            request,
            ngettext(
                "%d dossier ne pouvait pas changer de statut.",
                "%d dossiers ne pouvaient pas changer de statut.",
                failed,
            )
            % failed,
            messages.WARNING,
        )


@admin.register(Project)
class ProjectAdmin(BoundedAdminSearch, WorkflowFieldsAdmin):
    list_display = [
        "reference",
        "title",
        "contact_last_name",
        "commune",
        "status",
        "partner",
        "created_at",
    ]
    list_filter = ["status", "category", "partner", "legal_form", "created_at"]
    list_select_related = ["commune", "partner"]
    search_fields = [*TEAM_SEARCH_FIELDS, "commune__name"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["commune"]
    # The status moves only through the services (and their history), the label only through
    # the committee's decision, the publication only with the porteur's consent: never by hand
    # here, not even by an administrator (a dossier in "prise de contact" must not appear
    # labelled in the catalogue).
    workflow_fields = (
        "reference",
        "status",
        "status_changed_at",
        "owner",
        "label_number",
        "labelled_on",
        "publish_agreed",
        "slug",
        "current_campaign",
        "consent_at",
        "last_interaction_on",
        "anonymised_at",
        "created_at",
    )
    inlines = [StatusChangeInline, DocumentInline]
    actions = ["mark_abandoned", "mark_reoriented"]

    @admin.action(description=_("Marquer abandonnés les dossiers choisis"))
    def mark_abandoned(self, request, queryset):
        _bulk_transition(
            self,
            request,
            queryset,
            services.project_abandon,
            _("Marqué abandonné depuis l'administration."),
        )

    @admin.action(description=_("Marquer réorientés les dossiers choisis"))
    def mark_reoriented(self, request, queryset):
        _bulk_transition(
            self,
            request,
            queryset,
            services.project_reorient,
            _("Marqué réorienté depuis l'administration."),
        )

    def has_add_permission(self, request):
        # Dossiers enter through the intake form (or its service), which sends the emails.
        return False

    def has_delete_permission(self, request, obj=None):
        # A dossier is anonymised (a service that keeps the statistics), never deleted here.
        return False


@admin.register(Commune)
class CommuneAdmin(BoundedAdminSearch, admin.ModelAdmin):
    list_display = ["name", "insee_code", "arrondissement_name", "population"]
    list_filter = ["arrondissement_name"]
    search_fields = ["name", "insee_code"]
    readonly_fields = ["insee_code", "name", "postal_codes", "population"]


@admin.register(DossierMessage)
class DossierMessageAdmin(admin.ModelAdmin):
    """Read only: messages are written on the dossier's page (projects/messaging.py)."""

    list_display = ["project", "sender", "kind", "author", "created_at", "read_at", "answered_at"]
    list_filter = ["sender", "kind"]
    list_select_related = ["project", "author"]
    search_fields = ["project__reference"]
    date_hierarchy = "created_at"
    fields = [
        "project",
        "sender",
        "kind",
        "author",
        "body",
        "document",
        "created_at",
        "read_at",
        "answered_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
