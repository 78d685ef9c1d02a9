from django.contrib import admin

from propulsons.admin import WorkflowFieldsAdmin
from propulsons.search import BoundedAdminSearch

from .models import FinancingLine, FirstMeeting, Interaction, Reminder, RewardTier


class FinancingLineInline(admin.TabularInline):
    model = FinancingLine
    extra = 0


class RewardTierInline(admin.TabularInline):
    model = RewardTier
    extra = 0


@admin.register(FirstMeeting)
class FirstMeetingAdmin(BoundedAdminSearch, WorkflowFieldsAdmin):
    list_display = ["project", "scheduled_at", "organiser", "relevance", "outcome", "reported_at"]
    list_filter = ["relevance", "outcome"]
    list_select_related = ["project", "organiser"]
    search_fields = ["project__reference", "project__title"]
    date_hierarchy = "scheduled_at"
    # The report moves the dossier's status: it is written through the coaching pages only;
    # the date and organiser were sent to the porteur with the invitation.
    workflow_fields = ("project", "organiser", "scheduled_at", "reported_at", "outcome")
    inlines = [FinancingLineInline, RewardTierInline]


@admin.register(Interaction)
class InteractionAdmin(BoundedAdminSearch, WorkflowFieldsAdmin):
    list_display = ["project", "kind", "happened_on", "phase", "author", "next_action_due"]
    list_filter = ["kind", "phase", "happened_on"]
    list_select_related = ["project", "author"]
    search_fields = ["project__reference", "project__title", "internal_notes", "shared_note"]
    date_hierarchy = "happened_on"
    # Its date feeds the dossier's last exchange and its next action a reminder (services).
    workflow_fields = ("project", "author", "happened_on", "next_action", "next_action_due")


@admin.register(Reminder)
class ReminderAdmin(BoundedAdminSearch, WorkflowFieldsAdmin):
    list_display = ["project", "kind", "message", "recipient", "due_at", "sent_at", "done_at"]
    list_filter = [
        "kind",
        ("sent_at", admin.EmptyFieldListFilter),
        ("done_at", admin.EmptyFieldListFilter),
        ("failed_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["project", "recipient"]
    search_fields = ["project__reference", "project__title", "message"]
    # Sending state belongs to the reminder task; who, when and done to the services (done
    # and postponed from the dashboard).
    workflow_fields = (
        "project",
        "recipient",
        "kind",
        "key",
        "due_at",
        "sent_at",
        "done_at",
        "claimed_until",
        "claim_token",
        "attempts",
        "last_error",
        "next_attempt_at",
        "failed_at",
        "email",
        "interaction",
        "link",
    )
