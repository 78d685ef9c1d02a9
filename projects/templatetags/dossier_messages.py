"""The unread messages, where the porteur and the cheffe look first: the porteur's space (per
dossier) and the cheffe's dashboard. A constant number of queries whatever the dossiers."""

from django import template
from django.db.models import Count, Q

from ..messaging import dossier_feed, unread_counts_for_porteur, waiting_for_team
from ..permissions import can_manage_projects

register = template.Library()

TEAM_SHOWN = 10
WAITING_FIELDS = (
    "kind",
    "body",
    "read_at",
    "created_at",
    "project__reference",
    "project__title",
    "project__contact_first_name",
    "project__contact_last_name",
    "author__first_name",
    "author__last_name",
)


@register.simple_tag(takes_context=True)
def porteur_unread(context, project) -> int:
    """How many team messages on `project` its porteur has not opened: read with the dossier
    when the page's query annotated it (messaging.unread_by_porteur_count, the porteur's
    space), else one query per page, kept on the request for every dossier of the page."""
    known = getattr(project, "porteur_unread_count", None)
    if known is not None:
        return known
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    counts = getattr(request, "_porteur_unread_counts", None)
    if counts is None:
        counts = unread_counts_for_porteur(request.user)
        request._porteur_unread_counts = counts
    return counts.get(project.pk, 0)


@register.inclusion_tag("projects/_team_unread_messages.html", takes_context=True)
def team_unread_messages(context) -> dict:
    """The cheffe's "Messages des porteurs": the unread ones and the requests waiting for an
    answer, oldest first, and how many are unread (one query; two beyond TEAM_SHOWN)."""
    request = context.get("request")
    if request is None or not can_manage_projects(request.user):
        return {"show": False}
    waiting = waiting_for_team(request.user)
    # The columns the list shows, not the dossier's forty.
    shown = list(waiting.only(*WAITING_FIELDS)[: TEAM_SHOWN + 1])
    if len(shown) <= TEAM_SHOWN:  # all of them: counted here, no query more
        waiting_count = len(shown)
        unread_count = sum(message.read_at is None for message in shown)
    else:
        counts = waiting.aggregate(
            waiting=Count("id"), unread=Count("id", filter=Q(read_at__isnull=True))
        )
        waiting_count, unread_count = counts["waiting"], counts["unread"]
    return {
        "show": True,
        "waiting": shown[:TEAM_SHOWN],
        "waiting_count": waiting_count,
        "unread_count": unread_count,
    }


@register.simple_tag(takes_context=True)
def thread(context) -> list:
    """The dossier's activity feed, from the page's context (projects/messaging.py)."""
    return dossier_feed(
        context["project"], context=context.flatten(), for_team=context.get("messages_for_team")
    )
