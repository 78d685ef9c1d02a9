from django.contrib import admin

from .models import FinancingLine, FirstMeeting, Interaction, Reminder, RewardTier


class FinancingLineInline(admin.TabularInline):
    model = FinancingLine
    extra = 0


class RewardTierInline(admin.TabularInline):
    model = RewardTier
    extra = 0


@admin.register(FirstMeeting)
class FirstMeetingAdmin(admin.ModelAdmin):
    list_display = ["project", "scheduled_at", "organiser", "relevance", "outcome", "reported_at"]
    list_filter = ["relevance", "outcome"]
    list_select_related = ["project", "organiser"]
    search_fields = ["project__reference", "project__title"]
    date_hierarchy = "scheduled_at"
    # The report moves the dossier's status: it is written through the coaching pages only.
    readonly_fields = ["project", "reported_at", "outcome"]
    inlines = [FinancingLineInline, RewardTierInline]


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ["project", "kind", "happened_on", "phase", "author", "next_action_due"]
    list_filter = ["kind", "phase", "happened_on"]
    list_select_related = ["project", "author"]
    search_fields = ["project__reference", "project__title", "internal_notes", "shared_note"]
    date_hierarchy = "happened_on"


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["project", "kind", "message", "recipient", "due_at", "sent_at", "done_at"]
    list_filter = [
        "kind",
        ("sent_at", admin.EmptyFieldListFilter),
        ("done_at", admin.EmptyFieldListFilter),
        ("failed_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["project", "recipient"]
    search_fields = ["project__reference", "project__title", "message"]
    # Sending state belongs to the reminder task.
    readonly_fields = [
        "sent_at",
        "claimed_until",
        "claim_token",
        "attempts",
        "last_error",
        "next_attempt_at",
        "failed_at",
        "email",
        "interaction",
        "key",
    ]
