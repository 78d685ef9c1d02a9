"""Voting opens with the invitations and closes at the deadline or when the team closes it.

Enforced in the vote service (under the request's row lock, against the clock), shown on the
pages, and the vote form is not offered outside the window.
"""

import datetime as dt
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from labelling import services
from labelling.models import CommitteeSession, LabellingRequest, Vote
from tests.labelling.conftest import ALL_MET
from tests.labelling.factories import CommitteeSessionFactory, LabellingRequestFactory
from tests.labelling.test_views import vote_data

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def test_a_session_never_invited_does_not_accept_votes(client, committee_member):
    request = LabellingRequestFactory(session__invited_at=None)
    with pytest.raises(services.LabellingError, match="pas encore ouvert"):
        services.vote_cast(
            request=request, member=committee_member, overall="favorable", assessments=ALL_MET
        )
    client.force_login(committee_member)
    page = text(client.get(f"/comite/demandes/{request.pk}/"))
    assert "Le vote ouvrira à l'envoi des invitations" in page
    assert "Enregistrer le vote" not in page
    response = client.post(f"/comite/demandes/{request.pk}/", vote_data(), follow=True)
    assert "pas encore ouvert" in text(response)
    assert not Vote.objects.exists()
    session_page = text(client.get(f"/comite/seances/{request.session_id}/"))
    assert "Le vote ouvrira à l'envoi des invitations" in session_page


def test_the_deadline_closes_the_vote(client, committee_member, members, time_machine):
    request = LabellingRequestFactory()
    deadline = request.session.vote_deadline
    time_machine.move_to(deadline - timedelta(minutes=1), tick=False)
    client.force_login(committee_member)
    page = text(client.get(f"/comite/demandes/{request.pk}/"))
    assert "Vote ouvert jusqu'au" in page
    assert "Enregistrer le vote" in page
    assert client.post(f"/comite/demandes/{request.pk}/", vote_data()).status_code == 302
    assert Vote.objects.filter(organisation=committee_member.organisation).exists()

    time_machine.move_to(deadline, tick=False)
    with pytest.raises(services.LabellingError, match="clos"):
        services.vote_cast(
            request=request, member=members["cigales"], overall="favorable", assessments=ALL_MET
        )
    client.force_login(members["cigales"])
    page = text(client.get(f"/comite/demandes/{request.pk}/"))
    assert "Vote clos" in page
    assert "Enregistrer le vote" not in page
    response = client.post(f"/comite/demandes/{request.pk}/", vote_data(), follow=True)
    assert "Le vote est clos pour cette demande." in text(response)
    assert Vote.objects.count() == 1
    assert "Vote clos" in text(client.get(f"/comite/seances/{request.session_id}/"))
    assert "Vote clos" in text(client.get("/comite/"))


def test_a_session_whose_deadline_passed_without_invitations_accepts_no_vote(
    cheffe, committee_member, time_machine
):
    request = LabellingRequestFactory(session__invited_at=None)
    time_machine.move_to(request.session.vote_deadline + timedelta(days=1), tick=False)
    with pytest.raises(services.LabellingError, match="clos"):
        services.vote_cast(
            request=request, member=committee_member, overall="favorable", assessments=ALL_MET
        )
    # Nor can the invitations open it again, nor a request join it.
    with pytest.raises(services.LabellingError, match="fin du vote"):
        services.session_invite(session=request.session, actor=cheffe)
    assert CommitteeSession.objects.get().invited_at is None
    assert not Vote.objects.exists()


def test_the_team_closing_the_vote_closes_it(client, cheffe, committee_member):
    request = LabellingRequestFactory()
    services.request_close_vote(request=request, actor=cheffe)
    client.force_login(committee_member)
    page = text(client.get(f"/comite/demandes/{request.pk}/"))
    assert "Vote clos" in page and "Enregistrer le vote" not in page
    with pytest.raises(services.LabellingError, match="clos"):
        services.vote_cast(
            request=request, member=committee_member, overall="favorable", assessments=ALL_MET
        )


def test_the_committee_home_says_when_each_vote_opens_and_closes(client, cheffe, time_machine):
    CommitteeSessionFactory(invited_at=None)
    CommitteeSessionFactory()
    past = CommitteeSessionFactory()
    CommitteeSession.objects.filter(pk=past.pk).update(
        vote_deadline=past.vote_deadline - timedelta(days=30)
    )
    client.force_login(cheffe)
    page = text(client.get("/comite/"))
    # One word per status (labelling.models.SessionStatus), in the sessions to come.
    statuses = re.findall(r'<td class="session-status">([^<]*)</td>', page)
    assert sorted(statuses) == ["En préparation", "Ouverte", "Vote clos"]


@pytest.mark.parametrize(
    ("deadline", "error"),
    [
        ("0001-01-01T00:00", "La fin du vote doit être dans le futur."),
        ("2020-01-01T12:00", "La fin du vote doit être dans le futur."),
        ("9999-12-31T20:00", "Choisissez une date dans les trois ans qui viennent."),
    ],
)
def test_the_session_form_bounds_the_vote_deadline(client, cheffe, deadline, error):
    client.force_login(cheffe)
    response = client.post(
        "/comite/seances/nouvelle/",
        {"held_at": "2027-01-10T14:00", "vote_deadline": deadline, "location": "Arras"},
    )
    assert response.status_code == 200
    assert error in text(response)
    assert not CommitteeSession.objects.exists()


def test_a_session_with_an_extreme_deadline_does_not_break_the_pages(
    client, cheffe, committee_member
):
    # Written before the bounds existed (or by hand): the pages still answer.
    request = LabellingRequestFactory()
    CommitteeSession.objects.filter(pk=request.session_id).update(
        vote_deadline=dt.datetime(1, 1, 2, tzinfo=dt.UTC)
    )
    for user in (cheffe, committee_member):
        client.force_login(user)
        for url in (
            "/comite/",
            f"/comite/seances/{request.session_id}/",
            f"/comite/seances/{request.session_id}/proces-verbal/",
            f"/comite/demandes/{request.pk}/",
        ):
            assert client.get(url).status_code == 200, url


def test_the_open_votes_filter_and_each_requests_vote_state_agree():
    """`LabellingRequest.objects.vote_open()` (lists: the member's "à voter") is the SQL form
    of `vote_state` (the vote service, the pages): for every way a window is shut, both agree."""
    now = timezone.now()
    requests = [
        LabellingRequestFactory(),  # open
        LabellingRequestFactory(session__invited_at=None),
        LabellingRequestFactory(session__vote_deadline=now - timedelta(minutes=1)),
        LabellingRequestFactory(session__closed_at=now),
        LabellingRequestFactory(vote_closed_at=now),
        LabellingRequestFactory(project__status="labelled"),
        LabellingRequestFactory(session=None),
    ]
    open_ids = set(LabellingRequest.objects.vote_open(now).values_list("pk", flat=True))
    assert open_ids == {request.pk for request in requests if request.is_vote_open(now)}
    assert open_ids == {requests[0].pk}
