"""The committee session page: where each organisation stands in each request's vote, the
team's "Relancer" for those that have not voted, and the vote reminders closed with the vote."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from coaching.models import Reminder
from coaching.selectors import dossier_coaching
from labelling import services
from outbox.models import Email
from tests.labelling.conftest import ALL_MET
from tests.labelling.factories import LabellingRequestFactory

pytestmark = pytest.mark.django_db

FORM_KEY = "cle-de-formulaire-de-relance-0001"


def text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def standing(response, label: str) -> str:
    """The organisations listed after one participation label, e.g. "A voté"."""
    html = " ".join(unescape(response.content.decode()).split())
    match = re.search(rf'participation-\w+">{re.escape(label)}</span> ([^<]*)', html)
    return match.group(1).strip() if match else ""


@pytest.fixture
def item(porteur):
    return LabellingRequestFactory(project__owner=porteur, project__title="Ressourcerie des Caps")


@pytest.fixture
def three_votes(item, members):
    services.vote_cast(
        request=item, member=members["cigales"], overall="unfavorable", assessments=ALL_MET
    )
    services.vote_cast(
        request=item,
        member=members["caisse-solidaire"],
        overall="abstention",
        assessments=ALL_MET,
    )
    services.vote_cast(
        request=item,
        member=members["pas-de-calais-actif"],
        overall="favorable",
        conflict_of_interest=True,
        assessments=ALL_MET,
    )


def test_the_team_reads_who_voted_abstained_declared_a_conflict_or_not_yet(
    client, cheffe, item, three_votes
):
    client.force_login(cheffe)
    response = client.get(f"/comite/seances/{item.session_id}/")
    assert standing(response, "A voté") == "Cigales"
    assert standing(response, "S'est abstenue") == "Caisse solidaire"
    assert standing(response, "A déclaré un conflit d'intérêts") == "France Active"
    assert standing(response, "N'a pas encore voté") == (
        "Département, Initiative, Autonomie et Solidarité"
    )
    # Whether an organisation voted, never how: "Défavorable" is not said of Cigales.
    assert "Cigales : Défavorable" not in text(response)
    assert "Relancer les organisations qui n'ont pas voté sur Ressourcerie des Caps" in text(
        response
    )


def test_a_member_reads_it_only_once_their_organisation_has_voted(
    client, members, item, three_votes
):
    member = members["initiative-pas-de-calais"]
    client.force_login(member)
    page = f"/comite/seances/{item.session_id}/"
    response = client.get(page)
    assert "Votre organisation n'a pas encore voté." in text(response)
    # The blind vote: no abstention nor conflict of another organisation before one's own vote.
    assert standing(response, "S'est abstenue") == ""
    assert standing(response, "A déclaré un conflit d'intérêts") == ""
    services.vote_cast(request=item, member=member, overall="favorable", assessments=ALL_MET)
    response = client.get(page)
    assert standing(response, "A voté") == "Initiative, Cigales"
    assert standing(response, "S'est abstenue") == "Caisse solidaire"
    # Reminding the others is the team's.
    assert "Relancer" not in text(response)


def test_relancer_emails_the_members_of_the_organisations_that_have_not_voted_once(
    client, cheffe, members, item, three_votes
):
    client.force_login(cheffe)
    url = f"/comite/seances/{item.session_id}/relancer/"
    Email.objects.all().delete()
    response = client.post(url, {"request": item.pk, "form_key": FORM_KEY}, follow=True)
    missing = ("conseil-departemental-62", "initiative-pas-de-calais", "autonomie-et-solidarite")
    expected = {members[slug].email for slug in missing}
    sent = Email.objects.filter(name="committee_vote_reminder")
    assert {address for email in sent for address in email.recipients} == expected
    assert sent.count() == 3
    first = sent.get(recipients=[members["conseil-departemental-62"].email])
    assert "Ressourcerie des Caps" in first.subject
    assert f"/comite/demandes/{item.pk}/" in first.text
    # (text() folds the non-breaking spaces of « … » : into plain ones.)
    assert (
        "Relance envoyée aux 3 organisations qui n'ont pas encore voté sur "
        "« Ressourcerie des Caps » : Département, Initiative, Autonomie et Solidarité."
    ) in text(response)
    assert "Caps\u00a0»\u00a0: Département" in unescape(response.content.decode())

    # The same form sent again (a double click) sends nothing more.
    response = client.post(url, {"request": item.pk, "form_key": FORM_KEY}, follow=True)
    assert Email.objects.filter(name="committee_vote_reminder").count() == 3
    assert "Ce formulaire a déjà été envoyé." in text(response)


def test_relancer_waits_a_day_before_emailing_the_same_members_again(
    client, cheffe, members, item, three_votes, settings, time_machine
):
    """Two separate clicks (two form keys) an hour apart: the second sends nothing and says
    when a new relance is possible; a day later it sends again."""
    settings.VOTE_RELAUNCH_HOURS = 24
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    client.force_login(cheffe)
    url = f"/comite/seances/{item.session_id}/relancer/"
    Email.objects.all().delete()
    client.post(url, {"request": item.pk, "form_key": FORM_KEY})
    assert Email.objects.filter(name="committee_vote_reminder").count() == 3
    item.refresh_from_db()
    assert item.voters_reminded_at == start
    page = text(client.get(f"/comite/seances/{item.session_id}/"))
    last = timezone.localtime(start).strftime("%d/%m/%Y à %Hh%M")
    assert f"dernière relance le {last}" in page

    time_machine.move_to(start + timedelta(hours=1), tick=False)
    response = client.post(url, {"request": item.pk, "form_key": FORM_KEY + "-2"}, follow=True)
    assert Email.objects.filter(name="committee_vote_reminder").count() == 3
    following = timezone.localtime(start + timedelta(hours=24))
    assert (
        f"Les organisations ont déjà été relancées le {last} : une nouvelle relance est "
        f"possible à partir du {following.strftime('%d/%m/%Y à %Hh%M')}."
    ) in text(response)

    time_machine.move_to(start + timedelta(hours=24), tick=False)
    client.post(url, {"request": item.pk, "form_key": FORM_KEY + "-3"})
    assert Email.objects.filter(name="committee_vote_reminder").count() == 6


def test_relancer_is_refused_once_the_vote_is_closed_and_to_committee_members(
    client, cheffe, members, item
):
    client.force_login(members["cigales"])
    url = f"/comite/seances/{item.session_id}/relancer/"
    assert client.post(url, {"request": item.pk}).status_code == 403
    services.request_close_vote(request=item, actor=cheffe)
    client.force_login(cheffe)
    response = client.post(url, {"request": item.pk}, follow=True)
    assert "personne à relancer" in text(response)
    assert not Email.objects.filter(name="committee_vote_reminder").exists()
    assert "Relancer" not in text(client.get(f"/comite/seances/{item.session_id}/"))


def vote_reminders(item):
    return Reminder.objects.filter(kind="committee_vote", key__startswith=f"vote-{item.pk}-")


@pytest.fixture
def invited(cheffe, members, item):
    """The session's invitations went out: one vote reminder per member and request."""
    other = LabellingRequestFactory(session=item.session, agenda_order=2)
    services.session_invite(session=item.session, actor=cheffe)
    assert vote_reminders(item).pending().count() == len(members) == 6
    return other


def test_the_decision_closes_the_requests_vote_reminders(cheffe, members, item, invited):
    for slug in ("cigales", "caisse-solidaire", "initiative-pas-de-calais", "pas-de-calais-actif"):
        services.vote_cast(
            request=item, member=members[slug], overall="favorable", assessments=ALL_MET
        )
    listed = dossier_coaching(item.project, include_internal=True)["reminders"]
    assert any(r.message.startswith("Voter avant le") for r in listed)
    services.decision_record(request=item, actor=cheffe, outcome="labelled", motivation="Oui.")
    assert vote_reminders(item).pending().count() == 0
    # The dossier's reminders (with their "Fait" button) no longer list them.
    listed = dossier_coaching(item.project, include_internal=True)["reminders"]
    assert not any(r.kind == "committee_vote" for r in listed)
    assert all(r.done_at is not None for r in vote_reminders(item))
    # The other request on the agenda still waits for its votes.
    assert vote_reminders(invited).pending().count() == 6


def test_closing_the_vote_closes_the_requests_vote_reminders(cheffe, item, invited):
    services.request_close_vote(request=item, actor=cheffe)
    assert vote_reminders(item).pending().count() == 0
    assert vote_reminders(invited).pending().count() == 6


def test_closing_the_session_closes_every_vote_reminder_of_its_agenda(cheffe, item, invited):
    other_session_item = LabellingRequestFactory()
    services.session_invite(session=other_session_item.session, actor=cheffe)
    services.session_close(session=item.session, actor=cheffe)
    assert vote_reminders(item).pending().count() == 0
    assert vote_reminders(invited).pending().count() == 0
    assert vote_reminders(other_session_item).pending().count() == 6
    assert vote_reminders(item).first().done_at <= timezone.now()


def test_the_session_page_query_count_does_not_grow_with_the_agenda(
    client, cheffe, members, item, django_assert_max_num_queries
):
    client.force_login(cheffe)
    page = f"/comite/seances/{item.session_id}/"
    with django_assert_max_num_queries(15) as small:
        client.get(page)
    for order in range(2, 7):
        other = LabellingRequestFactory(session=item.session, agenda_order=order)
        services.vote_cast(
            request=other, member=members["cigales"], overall="favorable", assessments=ALL_MET
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(page)
    assert text(response).count("N'a pas encore voté") == 6


# --- The member's committee page --------------------------------------------------------------


def test_the_members_committee_page_lists_first_the_votes_waiting_for_their_organisation(
    client, members, item, cheffe
):
    from datetime import timedelta

    soon = LabellingRequestFactory(
        project__title="Atelier vélo",
        session__vote_deadline=timezone.now() + timedelta(days=2),
        session__held_at=timezone.now() + timedelta(days=2),
    )
    voted = LabellingRequestFactory(session=item.session, agenda_order=2)
    closed = LabellingRequestFactory(session=item.session, agenda_order=3)
    not_invited = LabellingRequestFactory(session__invited_at=None)
    member = members["cigales"]
    services.vote_cast(request=voted, member=member, overall="favorable", assessments=ALL_MET)
    services.request_close_vote(request=closed, actor=cheffe)

    client.force_login(member)
    response = client.get("/comite/")
    html = response.content.decode()
    waiting = html.split('id="titre-a-voter"', 1)[1].split("</section>", 1)[0]
    links = re.findall(r'href="(/comite/demandes/\d+/#titre-vote)" aria-label="([^"]*)"', waiting)
    # The nearest deadline first, each a link to its vote form.
    assert links == [
        (f"/comite/demandes/{soon.pk}/#titre-vote", "Voter sur Atelier vélo"),
        (f"/comite/demandes/{item.pk}/#titre-vote", "Voter sur Ressourcerie des Caps"),
    ]
    assert html.index('id="titre-a-voter"') < html.index('id="titre-seances"')
    for other in (voted, closed, not_invited):
        assert f"/comite/demandes/{other.pk}/#titre-vote" not in html
    # Another organisation's member has its own list; the team has none.
    client.force_login(members["caisse-solidaire"])
    assert f"/comite/demandes/{voted.pk}/#titre-vote" in client.get("/comite/").content.decode()
    client.force_login(cheffe)
    assert 'id="titre-a-voter"' not in client.get("/comite/").content.decode()
