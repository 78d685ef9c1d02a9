"""Helpers shared by the labelling app's views."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from .. import selectors
from ..models import CommitteeSession, LabellingRequest
from ..permissions import can_manage_committee, can_view_request


def require_team(request) -> None:
    if not can_manage_committee(request.user):
        raise PermissionDenied


def require_committee_or_team(request) -> None:
    if not (can_manage_committee(request.user) or request.user.is_committee_member):
        raise PermissionDenied


def visible_sessions(user):
    sessions = CommitteeSession.objects.all()
    if can_manage_committee(user):
        return sessions
    return selectors.sessions_visible_to_member(sessions, user)


def session_requests(session):
    """A session's agenda with what its pages show of each dossier."""
    return session.requests.select_related("project__commune")


def organisation_votes(user, votes: list[selectors.VoteFacts]) -> set[int]:
    """The requests on which the user's organisation has voted, among these votes."""
    if not (user.is_committee_member and user.organisation_id):
        return set()
    return {vote.request_id for vote in votes if vote.organisation_id == user.organisation_id}


# What the pages of a request show of it; the owner for the services that write to them.
REQUEST_RELATED = ("project__commune", "project__partner", "session", "project__owner")


def request_for(
    request,
    pk: int,
    *,
    related: tuple[str, ...] = REQUEST_RELATED,
    organisation_voted: bool | None = None,
) -> LabellingRequest:
    """The request, once the user may see it (permissions.can_view_request). `related`: the
    rows read with it; `organisation_voted`: whether the user's organisation voted on it, when
    the view read its votes already."""
    item = get_object_or_404(LabellingRequest.objects.select_related(*related), pk=pk)
    if not can_view_request(request.user, item, organisation_voted=organisation_voted):
        if can_manage_committee(request.user) or request.user.is_committee_member:
            raise Http404
        raise PermissionDenied
    return item
