"""Messages on a dossier, between its porteur and the team, and the dossier's activity feed.

The porteur writes to their cheffe de projet (or asks for a meeting: press, journalists, a
relay) and the team answers, on the dossier's page. A message may carry a file: it becomes a
document of the dossier (same checks as any upload, served only by `document_download`). Each
new message emails the other side through the outbox: the porteur at once; the team at once
unless the dossier's cheffe chose her daily digest, which then lists her unread messages
(coaching registers `TEAM_DIGEST_CHOSEN` and reads `unread_for_team`, imports going down).

The feed (`dossier_feed`) shows in one thread the messages, the status changes and what the
apps above projects add through `FEED_SOURCES` (coaching: the shared notes of exchanges).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import ServiceRefused
from outbox import emails

from . import personal_data
from .models import (
    MEETING_REQUEST_KINDS,
    DocumentKind,
    DossierMessage,
    MessageKind,
    MessageSide,
    Project,
    StatusChange,
)
from .permissions import can_add_document, can_message

BODY_MAX_LENGTH = 5000


class MessageRefused(ServiceRefused):
    """A message that may not be written (or answered) on this dossier."""


# --- Hooks for the apps above projects ------------------------------------------------------

# Does this cheffe take the porteurs' messages in her daily digest rather than at once?
# Registered by coaching (its CoachSettings); without it, every message is emailed at once.
TEAM_DIGEST_CHOSEN: list[Callable[[User], bool]] = []


@dataclass(frozen=True)
class FeedItem:
    """One line of the dossier's activity feed."""

    at: datetime
    kind: str  # "message", "status", or an app's own ("note")
    title: str
    body: str = ""
    who: str = ""
    obj: Any = None
    # An item known by its day only (an exchange's date): shown without a time.
    day_only: bool = False


# source(project, context=..., for_team=...) -> the app's feed items for this dossier, read
# from the page's context (the app's own section put its rows there): see dossier_feed.
FEED_SOURCES: dict[str, Callable[..., list[FeedItem]]] = {}


def register_feed_source(name: str, source: Callable[..., list[FeedItem]]) -> None:
    FEED_SOURCES[name] = source


# --- Services ---------------------------------------------------------------------------------


def side_of(user: User, project: Project) -> str | None:
    """The side `user` writes from on this dossier, or None when they may not write."""
    if not can_message(user, project):
        return None
    return MessageSide.PORTEUR if project.owner_id == user.pk else MessageSide.TEAM


def _team_recipient(project: Project) -> str | None:
    """Where a porteur's message goes: the cheffe (None when she takes it in her digest), or
    the team's address while the dossier has none."""
    coach = project.coach
    if coach is None or not coach.is_active:
        return settings.TEAM_EMAIL
    if any(chosen(coach) for chosen in TEAM_DIGEST_CHOSEN):
        return None
    return coach.email


@transaction.atomic
def message_post(
    *,
    project: Project,
    author: User,
    body: str,
    kind: str = MessageKind.MESSAGE,
    upload=None,
    original_name: str = "",
    content_type: str = "",
    answers: DossierMessage | None = None,
) -> DossierMessage:
    """Write a message on the dossier from the author's side and email the other side.

    `upload` (already checked by the form, as every upload: projects/forms.py) becomes a
    document of the dossier. `answers`: the team's reply to a meeting request, which is then
    answered (a conditional UPDATE: two replies do not both answer it). Raises MessageRefused.
    """
    side = side_of(author, project)
    if side is None:
        raise MessageRefused(_("Vous ne pouvez pas écrire sur ce dossier."))
    if project.anonymised_at is not None:
        raise MessageRefused(_("Ce dossier est anonymisé : on ne peut plus y écrire."))
    body = body.strip()
    if not body:
        raise MessageRefused(_("Écrivez votre message."))
    if len(body) > BODY_MAX_LENGTH:
        raise MessageRefused(
            _("Votre message est trop long (%(max)s caractères au plus).")
            % {"max": BODY_MAX_LENGTH}
        )
    if kind not in MessageKind.values:
        raise MessageRefused(_("Type de message inconnu."))
    if kind in MEETING_REQUEST_KINDS and side != MessageSide.PORTEUR:
        raise MessageRefused(_("Seul le porteur demande une rencontre."))
    if answers is not None and (side != MessageSide.TEAM or answers.project_id != project.pk):
        raise MessageRefused(_("Seule l'équipe répond à une demande de ce dossier."))
    if upload is not None and not can_add_document(author, project):
        raise MessageRefused(
            _("Ce dossier n'est plus actif : on ne peut plus y joindre de fichier.")
        )
    now = timezone.now()
    if answers is not None:
        # First, before any file is written: of two replies, only one answers the request.
        answered = (
            DossierMessage.objects.open_requests().filter(pk=answers.pk).update(answered_at=now)
        )
        if not answered:
            raise MessageRefused(_("Cette demande a déjà reçu une réponse."))
    document = None
    if upload is not None:
        from .services import document_add

        document = document_add(
            project=project,
            actor=author,
            kind=DocumentKind.OTHER,
            upload=upload,
            original_name=original_name,
            content_type=content_type,
        )
    message = DossierMessage.objects.create(
        project=project, author=author, sender=side, kind=kind, body=body, document=document
    )
    _notify(project, message)
    return message


def _notify(project: Project, message: DossierMessage) -> None:
    context = {"project": project, "message": message}
    if message.sender == MessageSide.PORTEUR:
        recipient = _team_recipient(project)
        if recipient:
            emails.send("dossier_message_team", to=[recipient], context=context)
        return
    address = project.owner.email if project.owner_id else project.contact_email
    if address:
        emails.send("dossier_message_porteur", to=[address], context=context)


def message_mark_read(*, project: Project, reader: User, now: datetime | None = None) -> int:
    """Mark read the messages the other side wrote, once `reader` opened the thread; the
    number marked. Of the team, the dossier's cheffe reads for the team (anyone of the team
    while it has none): a colleague glancing at the dossier leaves them unread for her."""
    side = side_of(reader, project)
    if side is None:
        return 0
    if side == MessageSide.TEAM and project.coach_id not in (None, reader.pk):
        return 0
    return (
        DossierMessage.objects.filter(project=project)
        .unread_by(side)
        .update(read_at=now or timezone.now())
    )


# --- Reads ------------------------------------------------------------------------------------


def unread_by_porteur_count():
    """An annotation of a dossier queryset: how many team messages its porteur has not opened
    (a subquery per dossier, answered by the message index (project, sender, read_at)), so the
    porteur's space reads them with its dossiers rather than in a query of its own."""
    unread = (
        DossierMessage.objects.filter(project=OuterRef("pk"))
        .unread_by(MessageSide.PORTEUR)
        .order_by()
        .values("project")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), 0)


def unread_counts_for_porteur(user: User) -> dict[int, int]:
    """Per dossier of this porteur: how many team messages they have not opened (one query)."""
    rows = (
        DossierMessage.objects.filter(project__owner=user)
        .unread_by(MessageSide.PORTEUR)
        .values("project")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["project"]: row["n"] for row in rows}


def _for_team_member(user: User, messages: QuerySet[DossierMessage]) -> QuerySet[DossierMessage]:
    # Her dossiers, and those without a cheffe yet (their messages go to the team's address).
    return (
        messages.filter(sender=MessageSide.PORTEUR)
        .filter(Q(project__coach=user) | Q(project__coach__isnull=True))
        .filter(project__anonymised_at__isnull=True)
        .select_related("project", "author")
        .order_by("created_at", "id")
    )


def unread_for_team(user: User) -> QuerySet[DossierMessage]:
    """The porteurs' messages this team member has not read yet, the oldest first."""
    return _for_team_member(user, DossierMessage.objects.unread_by(MessageSide.TEAM))


def waiting_for_team(user: User) -> QuerySet[DossierMessage]:
    """What the dashboard lists: the unread messages, and the meeting requests not answered
    yet (read or not: a request stays until the cheffe answers it)."""
    waiting = Q(read_at__isnull=True) | Q(kind__in=MEETING_REQUEST_KINDS, answered_at__isnull=True)
    return _for_team_member(user, DossierMessage.objects.filter(waiting))


def dossier_feed(project: Project, *, context: dict[str, Any], for_team: bool) -> list[FeedItem]:
    """The dossier's activity, oldest first: its messages, its status changes and what the
    apps above add (FEED_SOURCES).

    Built from the page's context as the sections and the view left it: the messages
    (`dossier_messages`, read by the messages' section), the history the page shows anyway
    (`history`) and each app's own rows (coaching's `interactions`). Iterating those very
    querysets fills their cache, which the page's other blocks then reuse: the thread costs
    no query of its own."""
    items: list[FeedItem] = []
    for message in context.get("dossier_messages", ()):
        items.append(
            FeedItem(
                at=message.created_at,
                kind="message",
                title=message.get_kind_display(),
                body=message.body,
                who=_author_name(message),
                obj=message,
            )
        )
    history = context.get("history")
    if history is None:
        history = StatusChange.objects.filter(project=project).select_related("actor")
    for change in history:
        items.append(
            FeedItem(
                at=change.created_at,
                kind="status",
                title=change.get_to_status_display(),
                body=change.note if for_team else "",
                who=str(change.actor or "") if for_team else "",
                obj=change,
            )
        )
    for source in FEED_SOURCES.values():
        items.extend(source(project, context=context, for_team=for_team))
    return sorted(items, key=lambda item: item.at)


def thread_messages(project: Project) -> list[DossierMessage]:
    """The dossier's messages, with what the thread shows of each (one query)."""
    return list(project.messages.select_related("author", "document"))


def _author_name(message: DossierMessage) -> str:
    if message.author is None:
        return _("Porteur") if message.sender == MessageSide.PORTEUR else _("Équipe Propulsons!")
    return message.author.get_full_name() or message.author.email


# --- Personal data ----------------------------------------------------------------------------

personal_data.register(
    DossierMessage,
    dossier="project",
    # The messages are what people wrote: they go with the dossier's personal data (their
    # attachments are documents, deleted with them).
    delete_rows=True,
    personal={"body": personal_data.WITH_ROW, "author": personal_data.WITH_ROW},
    keep={"sender": "a code (the row is deleted)", "kind": "a code (the row is deleted)"},
)


def _export_messages(user: User, data: dict) -> None:
    by_project: dict[str, list] = {}
    messages = DossierMessage.objects.filter(project__owner=user).select_related(
        "project", "document"
    )
    for message in messages:
        by_project.setdefault(message.project.reference, []).append(
            {
                "le": message.created_at.isoformat(),
                "ecrit_par": message.get_sender_display(),
                "type": message.get_kind_display(),
                "message": message.body,
                "piece_jointe": str(message.document or ""),
                "lu_le": message.read_at.isoformat() if message.read_at else None,
                "repondu_le": message.answered_at.isoformat() if message.answered_at else None,
            }
        )
    for dossier in data["dossiers"]:
        dossier["messages"] = by_project.get(dossier["reference"], [])


def _register_exporter() -> None:
    from . import services

    if _export_messages not in services.PERSONAL_DATA_EXPORTERS:
        services.PERSONAL_DATA_EXPORTERS.append(_export_messages)


_register_exporter()
