"""The committee member's home (/comite/): what waits for their organisation's vote first,
then the sessions to come, then the archive folded away a page at a time; each session's
status in one word; a constant number of queries."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from labelling import selectors, services
from labelling.models import CommitteeSession, SessionStatus, Vote
from tests.labelling.conftest import ALL_MET
from tests.labelling.factories import CommitteeSessionFactory, LabellingRequestFactory

pytestmark = pytest.mark.django_db


def past_session(days_ago: int, *, closed: bool = True) -> CommitteeSession:
    held_at = timezone.now() - timedelta(days=days_ago)
    session = CommitteeSessionFactory()
    CommitteeSession.objects.filter(pk=session.pk).update(
        held_at=held_at,
        vote_deadline=held_at,
        closed_at=held_at + timedelta(hours=2) if closed else None,
    )
    session.refresh_from_db()
    return session


def section(html: str, heading_id: str) -> str:
    return html.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


def test_a_session_reads_in_one_word_per_status():
    preparing = CommitteeSessionFactory(invited_at=None)
    open_session = CommitteeSessionFactory()
    vote_closed = past_session(3, closed=False)
    closed = past_session(10)
    assert [s.status() for s in (preparing, open_session, vote_closed, closed)] == [
        SessionStatus.PREPARING,
        SessionStatus.OPEN,
        SessionStatus.VOTE_CLOSED,
        SessionStatus.CLOSED,
    ]
    # "Close" the adjective, not Django's "Close" the verb ("Fermer").
    assert [str(s.status_label()) for s in (open_session, closed)] == ["Ouverte", "Close"]


def test_sessions_split_into_those_to_come_and_the_archive():
    preparing = CommitteeSessionFactory(
        invited_at=None, held_at=timezone.now() + timedelta(days=30)
    )
    soon = CommitteeSessionFactory(held_at=timezone.now() + timedelta(days=2))
    voting_after_the_meeting = past_session(0, closed=False)
    CommitteeSession.objects.filter(pk=voting_after_the_meeting.pk).update(
        held_at=timezone.now() - timedelta(days=1),
        vote_deadline=timezone.now() + timedelta(hours=3),
    )
    old = past_session(40)
    older = past_session(80)
    unclosed_past = past_session(20, closed=False)
    upcoming, archive = selectors.split_sessions(CommitteeSession.objects.all())
    assert list(upcoming) == [voting_after_the_meeting, soon, preparing]
    assert list(archive) == [unclosed_past, old, older]


def test_the_members_home_puts_the_votes_first_then_the_sessions_to_come_then_the_archive(
    client, members
):
    member = members["cigales"]
    item = LabellingRequestFactory(project__title="Ressourcerie des Caps")
    for days in range(1, 24):
        session = past_session(days * 14)
        # A member sees the sessions where their organisation voted.
        past = LabellingRequestFactory(session=session, project__status="labelled")
        Vote.objects.create(
            request=past, organisation=member.organisation, member=member, overall="favorable"
        )
    client.force_login(member)
    html = client.get("/comite/").content.decode()
    positions = [
        html.index(f'id="{h}"') for h in ("titre-a-voter", "titre-seances", "titre-archives")
    ]
    assert positions == sorted(positions)

    waiting = section(html, "titre-a-voter")
    assert "Ressourcerie des Caps" in waiting
    deadline = timezone.localtime(item.session.vote_deadline)
    assert f"{deadline.day}" in waiting and "vote ouvert jusqu" in waiting
    assert f'href="/comite/demandes/{item.pk}/#titre-vote"' in waiting

    upcoming = section(html, "titre-seances")
    assert f'href="/comite/seances/{item.session_id}/"' in upcoming
    assert re.findall(r'<td class="session-status">([^<]*)</td>', upcoming) == ["Ouverte"]

    archive = section(html, "titre-archives")
    # Folded away, and ten at a time: not 23 sessions in the face.
    assert "<details>" in archive and "<details open>" not in archive
    assert "Voir les 23 séances passées" in archive
    statuses = re.findall(r'<td class="session-status">([^<]*)</td>', archive)
    assert statuses == ["Close"] * 10
    assert "Fermer" not in html
    assert "Page 1 sur 3" in archive

    page3 = client.get("/comite/?archives=3").content.decode()
    archive3 = section(page3, "titre-archives")
    assert "<details open>" in archive3
    assert len(re.findall(r'<td class="session-status">', archive3)) == 3


def test_the_team_keeps_its_home_with_the_requests_to_schedule(client, cheffe, porteur):
    from labelling.models import LabellingRequest
    from tests.factories import ProjectFactory

    LabellingRequest.objects.create(
        project=ProjectFactory(status="labelling_requested", title="Jardin partagé"),
        requested_by=cheffe,
    )
    CommitteeSessionFactory()
    past_session(30)
    client.force_login(cheffe)
    html = client.get("/comite/").content.decode()
    assert 'id="titre-a-voter"' not in html
    assert "Jardin partagé" in section(html, "titre-attente")
    assert "Nouvelle séance" in html
    assert "Ouverte" in section(html, "titre-seances")
    assert "Close" in section(html, "titre-archives")


def test_a_member_without_waiting_votes_is_told_so(client, members):
    client.force_login(members["cigales"])
    html = client.get("/comite/").content.decode()
    assert "Aucun vote n" in section(html, "titre-a-voter")
    assert "Aucune séance à venir." in html
    assert 'id="titre-archives"' not in html


@pytest.mark.parametrize("size", [1, 12])
def test_the_home_uses_a_constant_number_of_queries(
    client, members, size, django_assert_max_num_queries
):
    member = members["cigales"]
    for index in range(size):
        open_request = LabellingRequestFactory(agenda_order=index)
        LabellingRequestFactory(session=open_request.session, agenda_order=index + 100)
        services.vote_cast(
            request=LabellingRequestFactory(session=open_request.session),
            member=member,
            overall="favorable",
            assessments=ALL_MET,
        )
        past = LabellingRequestFactory(session=past_session(7 * (index + 1)))
        Vote.objects.create(
            request=past, organisation=member.organisation, member=member, overall="favorable"
        )
    client.force_login(member)
    # Session, user, the waiting votes, the sessions to come, the archive's count and page.
    with django_assert_max_num_queries(7):
        html = client.get("/comite/").content.decode()
    assert html.count('class="card card-body mb-2 awaiting-vote"') == 2 * size
    assert "séance passée" in html or "séances passées" in html
