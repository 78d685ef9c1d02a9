"""The coaching section of a dossier page (projects/sections.py), registered by the AppConfig."""

from django.urls import reverse
from django.utils.translation import gettext as _

from projects import next_steps, sections
from projects.models import Status

from .forms import PostponeForm
from .selectors import dossier_coaching


def coaching_section(project, *, user, for_team: bool) -> dict:
    """The first meeting and the exchanges (internal ones for the team only); the team's page
    also gets the empty form that postpones a reminder."""
    context = dossier_coaching(project, include_internal=for_team)
    if for_team:
        context["postpone_form"] = PostponeForm()
    return context


def coaching_next_step(project, context: dict) -> sections.NextStep | None:
    """Before the first meeting: fix it, then report it; while the dossier is active, logging
    an exchange is always possible (the fallback when no other app has a step)."""
    meeting = context.get("meeting")
    if project.status == Status.CONTACT:
        if meeting is None:
            return sections.NextStep(
                _("Fixer le premier rendez-vous"),
                reverse("coaching:first_meeting_schedule", args=[project.reference]),
                sections.STEP,
            )
        if not meeting.is_reported:
            return sections.NextStep(
                _("Saisir le compte rendu"),
                reverse("coaching:first_meeting_report", args=[project.reference]),
                sections.STEP,
            )
    if project.is_active:
        return sections.NextStep(
            _("Noter un échange"),
            reverse("coaching:interaction_create", args=[project.reference]),
            sections.FALLBACK,
        )
    return None


sections.register("coaching", build=coaching_section, order=10, next_step=coaching_next_step)


def coaching_facts(projects: list) -> dict[int, dict]:
    """The first meeting of the dossiers at "prise de contact", the only status whose next
    step depends on it (projects/next_steps.py)."""
    from .models import FirstMeeting

    waiting = [project.pk for project in projects if project.status == Status.CONTACT]
    if not waiting:
        return {}
    meetings = FirstMeeting.objects.filter(project_id__in=waiting).only(
        "project_id", "scheduled_at", "reported_at"
    )
    return {
        meeting.project_id: {
            "meeting_at": meeting.scheduled_at,
            "meeting_reported": meeting.is_reported,
        }
        for meeting in meetings
    }


next_steps.register_facts("coaching", coaching_facts)
