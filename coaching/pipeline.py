"""The dossier's next action in the team's pipeline (projects/pipeline.py), registered by the
AppConfig: the earliest pending reminder of the dossier, its message and its due time."""

from django.db.models import OuterRef, QuerySet, Subquery

from projects import pipeline

from .models import Reminder, ReminderKind


def with_next_action(projects: QuerySet) -> QuerySet:
    # The committee's vote reminders are the members' actions, not the cheffe's next step.
    pending = (
        Reminder.objects.pending()
        .filter(project=OuterRef("pk"))
        .exclude(kind=ReminderKind.COMMITTEE_VOTE)
        .order_by("due_at", "id")
    )
    return projects.annotate(
        next_action=Subquery(pending.values("message")[:1]),
        next_action_due_at=Subquery(pending.values("due_at")[:1]),
    )


pipeline.register("next_action", with_next_action)
