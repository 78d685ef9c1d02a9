"""The messages' section of a dossier page (projects/sections.py): the activity feed and the
form to write. Opening the page marks read what the other side wrote (projects/messaging.py).
"""

from . import sections
from .message_forms import MessageForm
from .messaging import dossier_feed, message_mark_read, side_of
from .models import MessageSide


def messages_section(project, *, user, for_team: bool) -> dict:
    """Nothing for whoever may not write on the dossier (a committee member): the thread is
    the porteur's and the team's only."""
    side = side_of(user, project)
    if side is None or (side == MessageSide.TEAM) != for_team:
        return {}
    feed = dossier_feed(project, for_team=for_team)
    # Which messages are new to the reader, read before they are marked read.
    new = {
        item.obj.pk
        for item in feed
        if item.kind == "message" and item.obj.sender != side and item.obj.read_at is None
    }
    message_mark_read(project=project, reader=user)
    return {
        "feed": feed,
        "feed_new": new,
        "message_form": MessageForm(project=project, for_team=for_team),
        "can_write_message": project.anonymised_at is None,
        "messages_for_team": for_team,
    }


sections.register("messages", build=messages_section, order=90)
