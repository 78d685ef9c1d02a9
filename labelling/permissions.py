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


def can_view_request(user: User, request: LabellingRequest) -> bool:
    """Members read what is before the committee, and what their organisation voted on."""
    if can_manage_committee(user):
        return True
    if not (user.is_authenticated and user.is_active and user.is_committee_member):
        return False
    if request.session_id is not None and request.project.status == Status.IN_COMMITTEE:
        return True
    return Vote.objects.filter(request=request, organisation_id=user.organisation_id).exists()


def can_vote(user: User, request: LabellingRequest) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and user.is_committee_member
        and user.organisation_id is not None
        and request.is_vote_open()
    )


def can_see_all_votes(user: User, request: LabellingRequest, own_vote: Vote | None) -> bool:
    """A member sees the other organisations' votes once their own is cast or the vote is
    closed; the team follows the tally live. Porteurs never see votes."""
    if can_manage_committee(user):
        return True
    if not user.is_authenticated or not user.is_committee_member:
        return False
    return own_vote is not None or request.vote_closed_at is not None
