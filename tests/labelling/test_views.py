"""The committee's pages: who may see what, the vote form, hidden votes, decisions."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Organisation
from labelling import services
from labelling.models import CommitteeSession, Decision, LabellingRequest, Vote
from projects.models import Project, Status
from tests.factories import ProjectFactory
from tests.labelling.conftest import ALL_MET
from tests.labelling.factories import CommitteeSessionFactory, LabellingRequestFactory

pytestmark = pytest.mark.django_db


def vote_data(overall="favorable", conflict=False, **criteria):
    data = {"overall": overall, "comment": "Bon projet."}
    for code in ("viable", "solidaire", "pas-de-calais", "partenaire"):
        data[f"criterion_{code}"] = criteria.get(code, "yes")
        data[f"criterion_{code}_comment"] = ""
    if conflict:
        data["conflict_of_interest"] = "on"
    return data


@pytest.fixture
def request_on_agenda(porteur):
    return LabellingRequestFactory(project__owner=porteur, project__title="Ressourcerie des Caps")


PAGES = [
    "/comite/",
    "/comite/seances/{session}/",
    "/comite/seances/{session}/proces-verbal/",
    "/comite/demandes/{request}/",
]
EXPECTED = {
    "anonyme": 302,
    "porteur": 403,
    "autre_porteur": 403,
    "comite": 200,
    "cheffe": 200,
    "admin": 200,
}


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("role", list(EXPECTED))
def test_committee_pages_for_each_role(client, cast, request_on_agenda, url, role):
    if cast[role] is not None:
        client.force_login(cast[role])
    response = client.get(
        url.format(session=request_on_agenda.session_id, request=request_on_agenda.pk)
    )
    assert response.status_code == EXPECTED[role]


@pytest.mark.parametrize(
    "url", ["/comite/seances/nouvelle/", "/comite/decisions/{decision}/corriger/"]
)
@pytest.mark.parametrize("role", ["anonyme", "porteur", "comite"])
def test_session_management_and_corrections_are_for_the_team(
    client, cast, request_on_agenda, cheffe, url, role
):
    decision = Decision.objects.create(
        request=request_on_agenda,
        outcome="labelled",
        proposed_outcome="labelled",
        motivation="x",
        recorded_by=cheffe,
    )
    if cast[role] is not None:
        client.force_login(cast[role])
    response = client.get(url.format(decision=decision.pk))
    assert response.status_code == (302 if role == "anonyme" else 403)


@pytest.mark.parametrize("action", ["inscrire", "inviter", "presences", "clore", "monter"])
def test_session_actions_are_refused_to_committee_members(
    client, committee_member, request_on_agenda, action
):
    client.force_login(committee_member)
    response = client.post(f"/comite/seances/{request_on_agenda.session_id}/{action}/")
    assert response.status_code == 403
    assert CommitteeSession.objects.get(pk=request_on_agenda.session_id).closed_at is None


def test_a_member_does_not_see_requests_that_are_not_before_the_committee(client, committee_member):
    waiting = LabellingRequest.objects.create(
        project=ProjectFactory(status=Status.LABELLING_REQUESTED)
    )
    client.force_login(committee_member)
    assert client.get(f"/comite/demandes/{waiting.pk}/").status_code == 404


def test_a_member_votes_through_the_review_page(client, committee_member, request_on_agenda):
    client.force_login(committee_member)
    page = client.get(f"/comite/demandes/{request_on_agenda.pk}/").content.decode()
    assert "Le projet est économiquement viable" in page
    assert "Ressourcerie des Caps" in page
    response = client.post(f"/comite/demandes/{request_on_agenda.pk}/", vote_data(viable="no"))
    assert response.status_code == 302
    vote = Vote.objects.get()
    assert vote.organisation == committee_member.organisation
    assert vote.assessments.get(criterion__code="viable").met is False


def test_an_incomplete_vote_keeps_what_was_typed(client, committee_member, request_on_agenda):
    client.force_login(committee_member)
    data = vote_data()
    del data["criterion_solidaire"]
    data["comment"] = "Mon commentaire détaillé"
    response = client.post(f"/comite/demandes/{request_on_agenda.pk}/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ce champ est obligatoire" in page
    assert "Mon commentaire détaillé" in page
    assert not Vote.objects.exists()


def test_other_votes_are_hidden_until_ones_own_is_cast(client, members, request_on_agenda):
    services.vote_cast(
        request=request_on_agenda,
        member=members["cigales"],
        overall="unfavorable",
        comment="Avis des Cigales",
        assessments=ALL_MET,
    )
    me = members["caisse-solidaire"]
    client.force_login(me)
    page = client.get(f"/comite/demandes/{request_on_agenda.pk}/").content.decode()
    assert "Avis des Cigales" not in page
    assert (
        "Les votes des autres organisations s’affichent" in page
        or "Les votes des autres organisations s&#x27;affichent" in page
        or "votes des autres organisations" in page
    )
    client.post(f"/comite/demandes/{request_on_agenda.pk}/", vote_data())
    page = client.get(f"/comite/demandes/{request_on_agenda.pk}/").content.decode()
    assert "Avis des Cigales" in page
    # The vote is still open: the tally is a trend, not an outcome.
    assert "Tendance, vote en cours" in page
    assert "Issue proposée" not in page


def test_votes_are_visible_to_all_members_once_closed(client, members, cheffe, request_on_agenda):
    services.vote_cast(
        request=request_on_agenda,
        member=members["cigales"],
        overall="favorable",
        comment="Avis des Cigales",
        assessments=ALL_MET,
    )
    services.request_close_vote(request=request_on_agenda, actor=cheffe)
    client.force_login(members["pas-de-calais-actif"])
    page = client.get(f"/comite/demandes/{request_on_agenda.pk}/").content.decode()
    assert "Avis des Cigales" in page
    response = client.post(f"/comite/demandes/{request_on_agenda.pk}/", vote_data())
    assert response.status_code == 302
    assert Vote.objects.count() == 1


def test_the_partner_organisation_is_flagged_for_a_conflict_of_interest(client, members, porteur):
    organisation = members["pas-de-calais-actif"].organisation
    request = LabellingRequestFactory(project__owner=porteur, project__partner=organisation)
    client.force_login(members["pas-de-calais-actif"])
    response = client.get(f"/comite/demandes/{request.pk}/")
    assert "Votre organisation suit ou a prescrit ce projet" in response.content.decode()
    assert response.context["vote_form"].initial["conflict_of_interest"] is True
    client.force_login(members["cigales"])
    assert (
        client.get(f"/comite/demandes/{request.pk}/")
        .context["vote_form"]
        .initial["conflict_of_interest"]
        is False
    )


def test_the_porteur_sees_the_decision_and_its_motivation_never_the_votes(
    client, members, cheffe, porteur, request_on_agenda
):
    for slug in list(members)[:4]:
        services.vote_cast(
            request=request_on_agenda,
            member=members[slug],
            overall="favorable",
            comment=f"Secret {slug}",
            assessments=ALL_MET,
        )
    client.force_login(cheffe)
    response = client.post(
        f"/comite/demandes/{request_on_agenda.pk}/decision/",
        {"outcome": "labelled", "motivation": "Projet solidaire exemplaire."},
    )
    assert response.status_code == 302
    client.force_login(porteur)
    page = client.get(f"/espace/dossiers/{request_on_agenda.project.reference}/").content.decode()
    assert "Décision du comité de labellisation" in page
    assert "Projet solidaire exemplaire." in page
    assert "Secret" not in page
    assert client.get(f"/comite/demandes/{request_on_agenda.pk}/").status_code == 403


def test_a_decision_departing_from_the_tally_needs_a_real_motivation(
    client, members, cheffe, request_on_agenda
):
    for slug in list(members)[:4]:
        services.vote_cast(
            request=request_on_agenda,
            member=members[slug],
            overall="favorable",
            assessments=ALL_MET,
        )
    client.force_login(cheffe)
    review = client.get(f"/comite/demandes/{request_on_agenda.pk}/")
    assert review.context["decision_form"].initial["outcome"] == "labelled"
    response = client.post(
        f"/comite/demandes/{request_on_agenda.pk}/decision/",
        {"outcome": "not_labelled", "motivation": "Non."},
    )
    assert response.status_code == 400
    assert (
        "s'écarte de l'issue proposée" in response.content.decode()
        or "s&#x27;écarte" in response.content.decode()
    )
    assert not Decision.objects.exists()


def test_only_the_team_or_the_chair_records_the_decision(
    client, members, committee_member, request_on_agenda
):
    client.force_login(committee_member)
    response = client.post(
        f"/comite/demandes/{request_on_agenda.pk}/decision/",
        {"outcome": "postponed", "motivation": "Quorum non atteint."},
    )
    assert response.status_code == 403
    CommitteeSession.objects.filter(pk=request_on_agenda.session_id).update(chair=committee_member)
    # A chair whose organisation has not voted may not see the tally the decision starts from.
    response = client.post(
        f"/comite/demandes/{request_on_agenda.pk}/decision/",
        {"outcome": "postponed", "motivation": "Quorum non atteint."},
        follow=True,
    )
    assert "Le décompte vous reste caché" in response.content.decode()
    assert not Decision.objects.exists()
    services.vote_cast(
        request=request_on_agenda,
        member=committee_member,
        overall="abstention",
        assessments=ALL_MET,
    )
    response = client.post(
        f"/comite/demandes/{request_on_agenda.pk}/decision/",
        {"outcome": "postponed", "motivation": "Quorum non atteint."},
    )
    assert response.status_code == 302
    assert Decision.objects.get().recorded_by == committee_member


def test_the_cheffe_prepares_a_session_end_to_end(
    client, cheffe, members, django_capture_on_commit_callbacks
):
    project = ProjectFactory(status=Status.LABELLING_REQUESTED, title="Atelier vélo solidaire")
    request = LabellingRequest.objects.create(project=project)
    client.force_login(cheffe)
    held_at = timezone.localtime(timezone.now() + timedelta(days=10)).replace(
        second=0, microsecond=0
    )
    response = client.post(
        "/comite/seances/nouvelle/",
        {
            "held_at": held_at.strftime("%Y-%m-%dT%H:%M"),
            "vote_deadline": held_at.strftime("%Y-%m-%dT%H:%M"),
            "location": "Arras",
            "video_link": "",
            "chair": "",
        },
    )
    session = CommitteeSession.objects.get()
    assert response["Location"] == f"/comite/seances/{session.pk}/"
    client.post(f"/comite/demandes/{request.pk}/avis/", {"cheffe_opinion": "Très bon dossier."})
    client.post(f"/comite/seances/{session.pk}/inscrire/", {"request": request.pk})
    assert Project.objects.get(pk=project.pk).status == Status.IN_COMMITTEE
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/comite/seances/{session.pk}/inviter/")
    assert len(mail.outbox) == 6
    organisations = [m.organisation_id for m in list(members.values())[:5]]
    client.post(f"/comite/seances/{session.pk}/presences/", {"organisations": organisations})
    assert session.attendees.count() == 5
    page = client.get(f"/comite/seances/{session.pk}/").content.decode()
    assert "Atelier vélo solidaire" in page
    client.post(f"/comite/seances/{session.pk}/clore/")
    assert LabellingRequest.objects.get(pk=request.pk).vote_closed_at is not None


def test_a_session_form_with_errors_keeps_the_input(client, cheffe):
    client.force_login(cheffe)
    response = client.post(
        "/comite/seances/nouvelle/",
        {
            "held_at": "2027-01-10T14:00",
            "vote_deadline": "2027-01-20T14:00",
            "location": "Lens Hôtel de ville",
        },
    )
    assert response.status_code == 200
    assert "au plus tard le lendemain" in response.content.decode()
    assert "Lens Hôtel de ville" in response.content.decode()


def test_the_minutes_list_attendance_tally_conflicts_and_decision(
    client, members, cheffe, request_on_agenda
):
    services.vote_cast(
        request=request_on_agenda,
        member=members["cigales"],
        overall="favorable",
        conflict_of_interest=True,
        assessments=ALL_MET,
    )
    for slug in (
        "conseil-departemental-62",
        "initiative-pas-de-calais",
        "pas-de-calais-actif",
        "caisse-solidaire",
    ):
        services.vote_cast(
            request=request_on_agenda,
            member=members[slug],
            overall="favorable",
            assessments=ALL_MET,
        )
    services.decision_record(
        request=request_on_agenda, actor=cheffe, outcome="labelled", motivation="Label accordé."
    )
    services.session_set_attendance(
        session=request_on_agenda.session,
        actor=cheffe,
        organisations=[members["cigales"].organisation],
    )
    client.force_login(members["cigales"])
    page = client.get(
        f"/comite/seances/{request_on_agenda.session_id}/proces-verbal/"
    ).content.decode()
    assert "Procès-verbal" in page
    assert "Les Cigales du Pas-de-Calais a déclaré un conflit d" in page
    assert "Label accordé." in page
    assert "Votes comptés / quorum" in page


def test_review_and_session_pages_use_a_constant_number_of_queries(
    client, members, cheffe, django_assert_max_num_queries
):
    session = CommitteeSessionFactory()
    requests = [LabellingRequestFactory(session=session, agenda_order=i) for i in range(8)]
    for request in requests:
        for slug in list(members)[:5]:
            services.vote_cast(
                request=request, member=members[slug], overall="favorable", assessments=ALL_MET
            )
    client.force_login(cheffe)
    with django_assert_max_num_queries(14):
        assert client.get(f"/comite/seances/{session.pk}/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"/comite/seances/{session.pk}/proces-verbal/").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(f"/comite/demandes/{requests[0].pk}/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/comite/").status_code == 200


def test_the_porteur_raises_the_request_from_their_space(
    client, porteur, cheffe, partner_organisation
):
    from tests.labelling.test_services import complete_dossier

    project = ProjectFactory(owner=porteur, status=Status.COACHING, partner=partner_organisation)
    client.force_login(porteur)
    page = client.get(f"/espace/dossiers/{project.reference}/").content.decode()
    assert "Dossier complet à 20\u00a0%" in page
    assert "Demander la labellisation" not in page
    complete_dossier(project, cheffe)
    page = client.get(f"/espace/dossiers/{project.reference}/").content.decode()
    assert "Dossier complet à 100\u00a0%" in page
    response = client.post(f"/comite/dossiers/{project.reference}/demander/")
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).status == Status.LABELLING_REQUESTED


def test_another_porteur_cannot_raise_a_request(client, other_porteur, project):
    client.force_login(other_porteur)
    assert client.post(f"/comite/dossiers/{project.reference}/demander/").status_code == 404


def test_saving_attendance_again_keeps_an_organisation_that_left_the_committee(
    client, cheffe, members
):
    from tests.html_forms import form_values

    session = CommitteeSessionFactory()
    present = [m.organisation for m in list(members.values())[:3]]
    services.session_set_attendance(session=session, actor=cheffe, organisations=present)
    Organisation.objects.filter(pk=present[0].pk).update(is_committee_member=False)
    client.force_login(cheffe)
    data = form_values(client.get(f"/comite/seances/{session.pk}/").content.decode())
    assert len(data["organisations"]) == 3
    client.post(
        f"/comite/seances/{session.pk}/presences/", {"organisations": data["organisations"]}
    )
    assert set(session.attendees.all()) == set(present)
