"""Helpers shared by the labelling app's views."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from .. import selectors
from ..models import CommitteeSession, Decision, LabellingRequest, Vote
from ..permissions import can_manage_committee, can_view_request


def require_team(request) -> None:
    if not can_manage_committee(request.user):
        raise PermissionDenied


def require_committee_or_team(request) -> None:
    if not (can_manage_committee(request.user) or request.user.is_committee_member):
        raise PermissionDenied


def visible_sessions(user):
    sessions = CommitteeSession.objects.annotate(n_requests=selectors.requests_count())
    if can_manage_committee(user):
        return sessions
    return selectors.sessions_visible_to_member(sessions, user)


def session_requests(session):
    return list(
        session.requests.select_related("project__commune", "project__partner").prefetch_related(
            Prefetch("decisions", queryset=Decision.objects.order_by("recorded_at", "id"))
        )
    )


def organisation_votes(user, requests) -> set[int]:
    """The requests (among these) on which the user's organisation has voted, in one query."""
    if not (user.is_committee_member and user.organisation_id):
        return set()
    return set(
        Vote.objects.filter(request__in=requests, organisation_id=user.organisation_id).values_list(
            "request_id", flat=True
        )
    )


def request_for(request, pk: int) -> LabellingRequest:
    item = get_object_or_404(
        LabellingRequest.objects.select_related(
            "project__commune", "project__partner", "session", "project__owner"
        ),
        pk=pk,
    )
    if not can_view_request(request.user, item):
        if can_manage_committee(request.user) or request.user.is_committee_member:
            raise Http404
        raise PermissionDenied
    return item
