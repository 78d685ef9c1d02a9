"""The committee's pages read a fixed number of queries whatever the votes, the agenda and the
data: the session (as a member and as the team) and the review of a request (open with the
vote form, closed with its decision). Each query is a round trip that cost more than the rows
it carried (issue 17): these pins fail when one comes back."""

import re
from html import unescape

import pytest

from coaching.models import FinancingLine, RewardTier
from labelling import services
from tests.coaching.factories import FirstMeetingFactory
from tests.labelling.conftest import ALL_MET
from tests.labelling.factories import LabellingRequestFactory

pytestmark = pytest.mark.django_db

# The session and the user (the authentication middleware), then the page's own.
SESSION_PAGE_QUERIES = 2 + 5  # the session, its agenda, the criteria, the votes, organisations
# The votes, the request, the criteria, the first meeting, its financing lines, its reward
# tiers, the documents; while the member's organisation has not voted, the organisation the
# vote form names (the others' assessments stay unread: the blind vote); once the vote is
# decided, the assessments and the decisions.
REVIEW_VOTE_FORM_QUERIES = 2 + 7 + 1
REVIEW_DECIDED_QUERIES = 2 + 7 + 2


def text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def item(porteur):
    item = LabellingRequestFactory(project__owner=porteur, project__title="Ressourcerie des Caps")
    meeting = FirstMeetingFactory(project=item.project)
    meeting.reported_at = meeting.scheduled_at
    meeting.save(update_fields=["reported_at"])
    FinancingLine.objects.create(meeting=meeting, source="own_funds", amount=9000, acquired=True)
    RewardTier.objects.create(meeting=meeting, amount=20, description="Un sac en tissu")
    return item


def vote(item, members, slugs, overall="favorable"):
    for slug in slugs:
        services.vote_cast(request=item, member=members[slug], overall=overall, assessments=ALL_MET)


def add_requests(item, members, count):
    """More requests on the item's agenda, each with a vote."""
    for order in range(2, 2 + count):
        other = LabellingRequestFactory(session=item.session, agenda_order=order)
        vote(other, members, ["cigales"], overall="unfavorable")


@pytest.mark.parametrize("who", ["member", "team"])
def test_the_session_page_reads_a_fixed_number_of_queries(
    client, cheffe, members, item, who, django_assert_max_num_queries
):
    client.force_login(cheffe if who == "team" else members["cigales"])
    item.session.chair = members["caisse-solidaire"]  # named on the page, read with the session
    item.session.save(update_fields=["chair"])
    vote(item, members, ["cigales", "caisse-solidaire"])
    add_requests(item, members, 4)
    services.session_close(session=item.session, actor=cheffe)
    services.decision_record(
        request=item, actor=cheffe, outcome="postponed", motivation="Quorum non atteint."
    )
    page = f"/comite/seances/{item.session_id}/"
    with django_assert_max_num_queries(SESSION_PAGE_QUERIES):
        response = client.get(page)
    shown = text(response)
    assert "Ressourcerie des Caps" in shown
    assert f"présidence : {members['caisse-solidaire']}" in shown
    assert "Décision : Ajourné" in shown
    assert "Favorables 2" in shown  # the tally, counted from the votes read once
    assert shown.count("N'a pas encore voté") == 5  # where each organisation stands


def test_the_session_page_of_the_team_with_its_forms_does_not_grow_with_the_agenda(
    client, cheffe, members, item, django_assert_max_num_queries
):
    client.force_login(cheffe)
    page = f"/comite/seances/{item.session_id}/"
    with django_assert_max_num_queries(15) as small:
        client.get(page)
    add_requests(item, members, 5)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(page)
    assert "Inscrire à l'ordre du jour" in text(response)


def test_the_review_page_with_the_vote_form_reads_a_fixed_number_of_queries(
    client, members, item, django_assert_max_num_queries
):
    vote(item, members, ["caisse-solidaire", "pas-de-calais-actif"])
    client.force_login(members["cigales"])
    with django_assert_max_num_queries(REVIEW_VOTE_FORM_QUERIES):
        response = client.get(f"/comite/demandes/{item.pk}/")
    shown = text(response)
    assert "Le vote de votre organisation" in shown
    assert "Un sac en tissu" in shown  # the first meeting's report, with its reward tiers
    assert "Tendance" not in shown  # the blind vote: not before the organisation voted


def test_the_review_page_of_a_decided_request_reads_a_fixed_number_of_queries(
    client, cheffe, members, item, django_assert_max_num_queries
):
    vote(item, members, ["cigales", "caisse-solidaire", "pas-de-calais-actif"])
    services.request_close_vote(request=item, actor=cheffe)
    services.decision_record(
        request=item, actor=cheffe, outcome="postponed", motivation="Quorum non atteint."
    )
    # The dossier left the committee: the member sees it because their organisation voted.
    item.project.refresh_from_db()
    assert item.project.status != "in_committee"
    client.force_login(members["cigales"])
    with django_assert_max_num_queries(REVIEW_DECIDED_QUERIES):
        response = client.get(f"/comite/demandes/{item.pk}/")
    shown = text(response)
    assert "Quorum non atteint." in shown
    assert "Favorables 3" in shown
    assert "Votes des organisations" in shown


def test_a_member_whose_organisation_did_not_vote_cannot_read_a_decided_request(
    client, cheffe, members, item
):
    vote(item, members, ["cigales"])
    services.request_close_vote(request=item, actor=cheffe)
    services.decision_record(
        request=item, actor=cheffe, outcome="postponed", motivation="Quorum non atteint."
    )
    client.force_login(members["caisse-solidaire"])
    assert client.get(f"/comite/demandes/{item.pk}/").status_code == 404
    client.force_login(members["cigales"])
    assert client.get(f"/comite/demandes/{item.pk}/").status_code == 200


def test_a_member_reads_a_session_only_while_it_holds_a_request_they_may_see(
    client, cheffe, members, item
):
    """The session page asks the rule of the sessions' list (a request before the committee,
    or one the member's organisation voted on) of the agenda it reads."""
    page = f"/comite/seances/{item.session_id}/"
    client.force_login(members["caisse-solidaire"])
    assert client.get(page).status_code == 200  # before the committee
    vote(item, members, ["cigales"])
    services.session_close(session=item.session, actor=cheffe)
    services.decision_record(
        request=item, actor=cheffe, outcome="postponed", motivation="Quorum non atteint."
    )
    assert client.get(page).status_code == 404  # decided, and not voted on
    client.force_login(members["cigales"])
    assert "Ressourcerie des Caps" in text(client.get(page))
    client.force_login(cheffe)
    assert "Ressourcerie des Caps" in text(client.get(page))


def test_the_criteria_are_read_once_per_content_version(
    client, members, item, page_cache, django_capture_on_commit_callbacks
):
    """The four criteria change only in the admin (which raises the public content version):
    the review page reads them from the cache until then, and shows a new wording at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from labelling.models import Criterion
    from propulsons.public_cache import public_content_changed

    client.force_login(members["cigales"])

    def review() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/comite/demandes/{item.pk}/")
        reads = [q for q in queries.captured_queries if 'FROM "labelling_criterion"' in q["sql"]]
        return text(response), len(reads)

    assert review()[1] == 1
    shown, reads = review()
    assert reads == 0 and "Le projet est économiquement viable" in shown
    with django_capture_on_commit_callbacks(execute=True):
        Criterion.objects.filter(code="viable").update(label="Viable sur le plan économique")
        public_content_changed()  # what the admin's log entry does
    shown, reads = review()
    assert reads == 1 and "Viable sur le plan économique" in shown
