"""The label section of a dossier page (projects/sections.py), registered by the AppConfig."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import next_steps, sections
from projects.models import Status

from .models import CommitteeSession, LabellingRequest
from .selectors import completeness_many, dossier_labelling


def labelling_section(project, *, user, for_team: bool) -> dict:
    """The checklist, the requests (team) and the decisions with their motivation."""
    return dossier_labelling(project, for_team=for_team)


def labelling_next_step(project, context: dict) -> sections.NextStep | None:
    """In coaching: complete what the checklist misses, then ask for the label; once asked:
    put the request on a session's agenda, then follow that session."""
    if project.status in (Status.COACHING, Status.POSTPONED) and "checklist" in context:
        missing = [item for item in context["checklist"] if not item.done]
        if not missing:
            return sections.NextStep(
                _("Demander la labellisation"),
                reverse("labelling:raise_request", args=[project.reference]),
                sections.STEP,
                method="post",
            )
        return sections.NextStep(str(missing[0].fix_label), missing[0].fix_url, sections.PREPARE)
    if project.status in (Status.LABELLING_REQUESTED, Status.IN_COMMITTEE):
        requests = context.get("labelling_requests") or []
        latest = max(requests, key=lambda item: (item.requested_at, item.pk), default=None)
        if latest is not None and latest.session_id is not None:
            return sections.NextStep(
                _("Ouvrir la séance du comité"),
                reverse("labelling:session", args=[latest.session_id]),
                sections.STEP,
            )
        return sections.NextStep(
            _("Inscrire la demande à une séance"), reverse("labelling:index"), sections.STEP
        )
    return None


sections.register("labelling", build=labelling_section, order=20, next_step=labelling_next_step)


def labelling_facts(projects: list) -> dict[int, dict]:
    """For the next step (projects/next_steps.py): the checklist of the dossiers that may ask
    for the label, and the session of the pending request of those that asked."""
    facts: dict[int, dict] = {}
    may_ask = [p for p in projects if p.status in (Status.COACHING, Status.POSTPONED)]
    if may_ask:
        for pk, items in completeness_many(may_ask, for_team=False).items():
            facts[pk] = {"checklist": items}
    asked = [
        p.pk for p in projects if p.status in (Status.LABELLING_REQUESTED, Status.IN_COMMITTEE)
    ]
    if asked:
        pending = LabellingRequest.objects.filter(
            project_id__in=asked, vote_closed_at__isnull=True
        ).select_related("session")
        unscheduled = []
        for request in pending:
            facts[request.project_id] = {
                "request_pending": True,
                "committee_at": request.session.held_at if request.session else None,
            }
            if request.session is None:
                unscheduled.append(request.project_id)
        if unscheduled:
            # When the team can put it on an agenda: the next session planned, if any.
            upcoming = (
                CommitteeSession.objects.filter(held_at__gt=timezone.now(), closed_at__isnull=True)
                .order_by("held_at")
                .values_list("held_at", flat=True)
                .first()
            )
            for pk in unscheduled:
                facts[pk]["next_session_at"] = upcoming
    return facts


next_steps.register_facts("labelling", labelling_facts)
