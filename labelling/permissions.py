"""Who may see and do what around the committee. Views, templates and tests ask here."""

from accounts.models import User
from projects.models import Status
from projects.permissions import can_manage_projects

from .models import LabellingRequest, Vote


def can_manage_committee(user: User) -> bool:
    """Sessions, agendas, opinions and closing votes: the cheffes de projet and admins."""
    return can_manage_projects(user)


def can_record_decision(user: User, request: LabellingRequest) -> bool:
    if can_manage_committee(user):
        return True
    session = request.session
    return session is not None and user.is_authenticated and session.chair_id == user.pk


def can_view_request(
    user: User, request: LabellingRequest, *, organisation_voted: bool | None = None
) -> bool:
    """Members read what is before the committee, and what their organisation voted on.
    `organisation_voted`: whether the user's organisation has a vote on this request, when the
    page read the request's votes already (None: asked here)."""
    if can_manage_committee(user):
        return True
    if not (user.is_authenticated and user.is_active and user.is_committee_member):
        return False
    if request.session_id is not None and request.project.status == Status.IN_COMMITTEE:
        return True
    if organisation_voted is not None:
        return organisation_voted
    return Vote.objects.filter(request=request, organisation_id=user.organisation_id).exists()


def can_vote(user: User, request: LabellingRequest) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and user.is_committee_member
        and user.organisation_id is not None
        and request.is_vote_open()
    )


def can_see_votes(user: User, request: LabellingRequest, *, organisation_voted: bool) -> bool:
    """The blind vote: the other organisations' votes, the tally, the criteria counts and the
    proposed outcome, on every page, export and email.

    The team follows everything live. A member sees them only once their own organisation has
    voted (a vote is final: it cannot change after seeing the others) or the vote is closed
    (closed by the team, the session closed, or the deadline passed). Porteurs never do.
    `organisation_voted` is whether the user's organisation has a vote on this request (pages
    listing several requests compute it for all at once).
    """
    if can_manage_committee(user):
        return True
    if not (user.is_authenticated and user.is_active and user.is_committee_member):
        return False
    return organisation_voted or request.is_vote_closed()


def organisation_has_voted(user: User, request: LabellingRequest) -> bool:
    if not (user.is_authenticated and user.is_committee_member and user.organisation_id):
        return False
    return Vote.objects.filter(request=request, organisation_id=user.organisation_id).exists()
