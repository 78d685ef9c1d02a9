"""The blind vote, on every page that shows votes or a tally.

A member sees the other organisations' votes, the counts, the criteria and the proposed
outcome only once their own organisation has voted (a vote is final) or the vote is closed;
the team sees everything. Each page is checked as a member who has not voted, after voting
(and a second vote refused with the database unchanged), and after closing.
"""

from datetime import timedelta

import pytest
from django.core import mail

from labelling import services
from labelling.models import CriterionAssessment, Vote
from tests.labelling.conftest import ALL_MET
from tests.labelling.factories import LabellingRequestFactory
from tests.labelling.test_views import vote_data

pytestmark = pytest.mark.django_db

# What would reveal another organisation's vote, or the tally built from the votes.
SECRETS = [
    "Issue proposée",
    "Tendance",
    "Votes comptés / quorum",
    "Favorables",
    "Critères\u00a0: votes comptés",
    "Avis des Cigales",
    "a déclaré un conflit d",
    "Votes des organisations",
]


def pages(request):
    return {
        "séance": f"/comite/seances/{request.session_id}/",
        "procès-verbal": f"/comite/seances/{request.session_id}/proces-verbal/",
        "demande": f"/comite/demandes/{request.pk}/",
        "accueil du comité": "/comite/",
    }


@pytest.fixture
def voted_request(members):
    """A request on the agenda of an open session; two organisations have voted."""
    request = LabellingRequestFactory(project__title="Ressourcerie des Caps")
    services.vote_cast(
        request=request,
        member=members["cigales"],
        overall="unfavorable",
        comment="Avis des Cigales",
        assessments={**ALL_MET, "viable": (False, "Budget fragile")},
    )
    services.vote_cast(
        request=request,
        member=members["pas-de-calais-actif"],
        overall="favorable",
        conflict_of_interest=True,
        assessments=ALL_MET,
    )
    return request


def revealed(client, request) -> dict[str, list[str]]:
    found = {}
    for name, url in pages(request).items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        html = response.content.decode().replace("&#x27;", "'")
        found[name] = [secret for secret in SECRETS if secret in html]
    return found


def database_votes():
    return sorted(
        Vote.objects.values_list(
            "organisation__slug", "member_id", "overall", "comment", "conflict_of_interest"
        )
    ) + sorted(
        CriterionAssessment.objects.values_list(
            "vote__organisation__slug", "criterion__code", "met", "comment"
        )
    )


def test_a_member_who_has_not_voted_sees_no_tally_and_no_other_vote_on_any_page(
    client, members, voted_request
):
    client.force_login(members["caisse-solidaire"])
    assert revealed(client, voted_request) == {name: [] for name in pages(voted_request)}
    page = client.get(f"/comite/demandes/{voted_request.pk}/").content.decode()
    assert "Enregistrer le vote" in page
    assert "une fois le vote de votre organisation enregistré" in page
    minutes = client.get(f"/comite/seances/{voted_request.session_id}/proces-verbal/")
    assert "Ressourcerie des Caps" in minutes.content.decode()
    assert "une fois le vote de votre organisation enregistré" in minutes.content.decode()


def test_after_voting_a_member_sees_everything_and_a_second_vote_is_refused(
    client, members, voted_request
):
    member = members["caisse-solidaire"]
    client.force_login(member)
    response = client.post(
        f"/comite/demandes/{voted_request.pk}/", vote_data(overall="abstention"), follow=True
    )
    assert "Votre vote est enregistré." in response.content.decode()
    found = revealed(client, voted_request)
    # While the vote is open, the tally is a trend, never an "issue proposée".
    assert set(found["demande"]) == set(SECRETS) - {"a déclaré un conflit d", "Issue proposée"}
    assert {"Tendance", "Votes comptés / quorum"} <= set(found["séance"])
    assert {"Tendance", "Critères\u00a0: votes comptés", "a déclaré un conflit d"} <= set(
        found["procès-verbal"]
    )
    assert "Issue proposée" not in found["séance"] + found["procès-verbal"]
    assert found["accueil du comité"] == []  # the home page lists sessions, never a tally

    before = database_votes()
    page = client.get(f"/comite/demandes/{voted_request.pk}/").content.decode()
    assert "Enregistrer le vote" not in page
    assert "Ce vote est définitif" in page
    response = client.post(
        f"/comite/demandes/{voted_request.pk}/",
        vote_data(overall="favorable", viable="no"),
        follow=True,
    )
    html = response.content.decode().replace("&#x27;", "'")
    assert "Votre organisation a déjà voté sur cette demande" in html
    assert database_votes() == before
    assert Vote.objects.get(organisation=member.organisation).overall == "abstention"


@pytest.mark.parametrize("closing", ["request", "session", "deadline"])
def test_once_the_vote_is_closed_every_member_sees_the_votes(
    client, members, cheffe, voted_request, closing, time_machine
):
    if closing == "request":
        services.request_close_vote(request=voted_request, actor=cheffe)
    elif closing == "session":
        services.session_close(session=voted_request.session, actor=cheffe)
    else:
        time_machine.move_to(voted_request.session.vote_deadline + timedelta(minutes=1))
    client.force_login(members["caisse-solidaire"])
    found = revealed(client, voted_request)
    assert set(found["demande"]) == set(SECRETS) - {"a déclaré un conflit d", "Tendance"}
    assert "Issue proposée" in found["séance"]
    assert "Tendance" not in found["séance"]
    assert "a déclaré un conflit d" in found["procès-verbal"]
    page = client.get(f"/comite/demandes/{voted_request.pk}/").content.decode()
    assert "Enregistrer le vote" not in page
    assert "Vote clos" in page


def test_the_team_sees_every_vote_and_the_tally_before_anyone_else(client, cheffe, voted_request):
    client.force_login(cheffe)
    found = revealed(client, voted_request)
    assert set(found["demande"]) == set(SECRETS) - {"a déclaré un conflit d", "Issue proposée"}
    assert "Tendance" in found["séance"]
    assert "a déclaré un conflit d" in found["procès-verbal"]


def test_a_chair_who_has_not_voted_gets_no_prefilled_decision(client, members, voted_request):
    chair = members["caisse-solidaire"]
    voted_request.session.chair = chair
    voted_request.session.save(update_fields=["chair"])
    client.force_login(chair)
    response = client.get(f"/comite/demandes/{voted_request.pk}/")
    assert response.context["decision_form"] is None
    assert "Issue proposée" not in response.content.decode()
    assert "Tendance" not in response.content.decode()


def test_emails_to_members_carry_no_tally(
    members, cheffe, voted_request, django_capture_on_commit_callbacks, time_machine
):
    from coaching.services import reminders_send_due

    session = voted_request.session
    session.invited_at = None
    session.save(update_fields=["invited_at"])
    with django_capture_on_commit_callbacks(execute=True):
        services.session_invite(session=session, actor=cheffe)
    time_machine.move_to(session.vote_deadline - timedelta(hours=47), tick=False)
    reminders_send_due()
    assert mail.outbox
    for message in mail.outbox:
        bodies = [message.body, *(content for content, _ in message.alternatives)]
        for body in bodies:
            assert not [s for s in SECRETS if s in body.replace("&#x27;", "'")]
            assert "Budget fragile" not in body
