"""The messages' section of a dossier page (projects/sections.py): the dossier's messages and
the form to write; the thread itself is drawn by the `dossier_feed` tag, from the page's whole
context (projects/messaging.py). Opening the page marks read what the other side wrote.
"""

from . import sections
from .message_forms import MessageForm
from .messaging import message_mark_read, side_of, thread_messages
from .models import MessageSide


def messages_section(project, *, user, for_team: bool) -> dict:
    """Nothing for whoever may not write on the dossier (a committee member): the thread is
    the porteur's and the team's only."""
    side = side_of(user, project)
    if side is None or (side == MessageSide.TEAM) != for_team:
        return {}
    messages = thread_messages(project)
    # Which messages are new to the reader, read before they are marked read.
    new = {m.pk for m in messages if m.sender != side and m.read_at is None}
    if new:
        message_mark_read(project=project, reader=user)
    open_requests = [m for m in messages if m.is_request and m.answered_at is None]
    return {
        "dossier_messages": messages,
        "feed_new": new,
        "message_form": MessageForm(
            project=project, for_team=for_team, has_open_requests=bool(open_requests)
        ),
        "can_write_message": project.anonymised_at is None,
        "messages_for_team": for_team,
    }


sections.register("messages", build=messages_section, order=90)
