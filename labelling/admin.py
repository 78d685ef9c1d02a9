from django.contrib import admin

from propulsons.admin import ReadOnlyAdmin
from propulsons.search import BoundedAdminSearch

from .models import (
    CommitteeSession,
    Criterion,
    CriterionAssessment,
    Decision,
    LabellingRequest,
    Vote,
)


@admin.register(Criterion)
class CriterionAdmin(ReadOnlyAdmin):
    list_display = ["display_order", "code", "label"]


@admin.register(CommitteeSession)
class CommitteeSessionAdmin(ReadOnlyAdmin):
    list_display = ["held_at", "location", "vote_deadline", "invited_at", "closed_at"]
    date_hierarchy = "held_at"


@admin.register(LabellingRequest)
class LabellingRequestAdmin(BoundedAdminSearch, ReadOnlyAdmin):
    list_display = ["project", "requested_at", "session", "vote_closed_at"]
    list_select_related = ["project", "session"]
    search_fields = ["project__reference", "project__title"]


class CriterionAssessmentInline(admin.TabularInline):
    model = CriterionAssessment
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = [
        "request",
        "organisation",
        "overall",
        "conflict_of_interest",
        "member",
        "updated_at",
    ]
    list_filter = ["overall", "conflict_of_interest", "organisation"]
    list_select_related = ["request__project", "organisation", "member"]
    inlines = [CriterionAssessmentInline]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = [
        "request",
        "outcome",
        "departs_from_proposal",
        "label_number",
        "recorded_by",
        "recorded_at",
        "corrects",
    ]
    list_filter = ["outcome", "departs_from_proposal"]
    list_select_related = ["request__project", "recorded_by", "corrects"]
