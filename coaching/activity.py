"""Coaching's part of the dossier's thread (projects/messaging.py), registered by the
AppConfig: the shared notes of the exchanges in the feed, and the cheffe's choice of her daily
digest for the porteurs' messages (which the digest then lists, coaching/services.py)."""

from datetime import datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _

from projects import messaging

from .models import CoachSettings, Interaction


def _moment(interaction: Interaction) -> datetime:
    # An exchange is dated by its day: placed at the moment it was written when that is the
    # same day, else at noon of its day (between that day's messages, roughly).
    if timezone.localdate(interaction.created_at) == interaction.happened_on:
        return interaction.created_at
    return timezone.make_aware(datetime.combine(interaction.happened_on, time(12)))


def shared_notes(project, *, context: dict, for_team: bool) -> list[messaging.FeedItem]:
    """The notes of the exchanges the porteur may read (never the internal notes), from the
    exchanges coaching's section put on the page (coaching/sections.py)."""
    interactions = context.get("interactions") or ()
    return [
        messaging.FeedItem(
            at=_moment(note),
            kind="note",
            title=_("Note partagée — %(kind)s") % {"kind": note.get_kind_display()},
            body=note.shared_note,
            who=str(note.author or "") if for_team else "",
            obj=note,
            day_only=True,
        )
        for note in interactions
        if note.shared_note
    ]


def digest_chosen(user) -> bool:
    """The cheffe receives the daily digest (the default, until she turns it off)."""
    return not CoachSettings.objects.filter(user=user, daily_digest=False).exists()


messaging.register_feed_source("coaching_notes", shared_notes)
if digest_chosen not in messaging.TEAM_DIGEST_CHOSEN:
    messaging.TEAM_DIGEST_CHOSEN.append(digest_chosen)
