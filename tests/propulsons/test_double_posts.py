"""Every view that calls a transition answers a second post (a double click, a stale tab) with
a French message, never a 500, and the dossier's history holds one transition."""

import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection, connections
from django.test import Client, RequestFactory

from accounts.models import DeletionRequest
from campaigns.models import Campaign
from coaching.models import FirstMeeting
from labelling import services as labelling_services
from labelling.models import Decision, LabellingRequest
from projects.models import Project, Status, StatusChange
from tests.campaigns.factories import CampaignFactory, LabelledProjectFactory
from tests.coaching.factories import FirstMeetingFactory
from tests.factories import ProjectFactory
from tests.labelling.factories import CommitteeSessionFactory, LabellingRequestFactory
from tests.labelling.test_services import complete_dossier

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def changes(project, to_status) -> int:
    return StatusChange.objects.filter(project=project, to_status=to_status).count()


def post_twice(client, url, data=None):
    first = client.post(url, data or {})
    assert first.status_code in (200, 302), first.status_code
    return client.post(url, data or {})


# --- projects -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "status"), [("abandonner", Status.ABANDONED), ("reorienter", Status.REORIENTED)]
)
def test_abandoning_or_reorienting_twice_says_so_in_french(client, cheffe, action, status):
    project = ProjectFactory(status=Status.COACHING)
    client.force_login(cheffe)
    url = f"/accompagnement/dossiers/{project.reference}/{action}/"
    second = post_twice(client, url, {"reason": "Le porteur renonce."})
    assert second.status_code == 400
    assert "ne peut pas passer à" in " ".join(messages_of(second))
    assert changes(project, status) == 1


def test_processing_an_erasure_request_twice_says_so_in_french(client, cheffe, porteur):
    item = DeletionRequest.objects.create(user=porteur, email=porteur.email)
    client.force_login(cheffe)
    second = post_twice(client, "/accompagnement/donnees-personnelles/", {"request": item.pk})
    assert second.status_code == 302
    assert "Cette demande a déjà été traitée." in messages_of(second)
    assert DeletionRequest.objects.filter(processed_at__isnull=False).count() == 1


# --- coaching -------------------------------------------------------------------------------


def report_data():
    from tests.coaching.test_first_meeting import report_data

    return report_data()


def test_saving_the_first_report_twice_moves_the_dossier_once(client, cheffe):
    project = ProjectFactory(status=Status.CONTACT)
    FirstMeetingFactory(project=project, organiser=cheffe)
    client.force_login(cheffe)
    url = f"/accompagnement/dossiers/{project.reference}/compte-rendu/"
    second = post_twice(client, url, report_data())
    assert second.status_code == 302
    assert "Le compte rendu du premier rendez-vous est enregistré." in messages_of(second)
    assert changes(project, Status.FIRST_MEETING_DONE) == 1
    assert changes(project, Status.COACHING) == 1


def test_a_first_report_on_a_dossier_that_moved_meanwhile_is_refused_in_french(client, cheffe):
    project = ProjectFactory(status=Status.CONTACT)
    FirstMeetingFactory(project=project, organiser=cheffe)
    client.force_login(cheffe)
    # Another tab abandoned the dossier while this one was filling in the report.
    Project.objects.filter(pk=project.pk).update(status=Status.ABANDONED)
    response = client.post(
        f"/accompagnement/dossiers/{project.reference}/compte-rendu/", report_data()
    )
    assert response.status_code == 302
    assert any("ne peut pas passer à" in message for message in messages_of(response))
    assert not StatusChange.objects.filter(project=project).exists()
    assert FirstMeeting.objects.get(project=project).reported_at is None


# --- labelling ------------------------------------------------------------------------------


def test_asking_for_the_label_twice_says_so_in_french(
    client, porteur, cheffe, partner_organisation
):
    project = ProjectFactory(owner=porteur, status=Status.COACHING, partner=partner_organisation)
    complete_dossier(project, cheffe)
    client.force_login(porteur)
    second = post_twice(client, f"/comite/dossiers/{project.reference}/demander/")
    assert second.status_code == 302
    said = messages_of(second)
    assert any("ne peut pas demander la labellisation" in m for m in said), said
    assert changes(project, Status.LABELLING_REQUESTED) == 1
    assert LabellingRequest.objects.filter(project=project).count() == 1


def test_putting_a_request_on_the_agenda_twice_says_so_in_french(client, cheffe):
    project = ProjectFactory(status=Status.LABELLING_REQUESTED)
    item = LabellingRequest.objects.create(project=project, cheffe_opinion="Très bon dossier.")
    session = CommitteeSessionFactory(invited_at=None)
    client.force_login(cheffe)
    second = post_twice(client, f"/comite/seances/{session.pk}/inscrire/", {"request": item.pk})
    assert second.status_code == 302
    # The agenda form offers only the requests waiting for a session.
    assert "Choisissez une demande à inscrire." in messages_of(second)
    assert changes(project, Status.IN_COMMITTEE) == 1


def test_recording_the_decision_twice_says_so_in_french(client, cheffe, porteur):
    item = LabellingRequestFactory(project__owner=porteur)
    client.force_login(cheffe)
    second = post_twice(
        client,
        f"/comite/demandes/{item.pk}/decision/",
        {"outcome": "postponed", "motivation": "Quorum non atteint."},
    )
    assert second.status_code == 400
    assert "enregistrez une correction" in " ".join(messages_of(second))
    assert Decision.objects.filter(request=item).count() == 1
    assert changes(item.project, Status.POSTPONED) == 1


def test_correcting_a_decision_twice_says_so_in_french(client, cheffe, porteur):
    item = LabellingRequestFactory(project__owner=porteur)
    decision = labelling_services.decision_record(
        request=item, actor=cheffe, outcome="postponed", motivation="Quorum non atteint."
    )
    client.force_login(cheffe)
    second = post_twice(
        client,
        f"/comite/decisions/{decision.pk}/corriger/",
        {
            "outcome": "not_labelled",
            "motivation": "Le plan de financement ne tient pas, après vérification.",
            "reason": "Erreur de saisie.",
        },
    )
    assert second.status_code == 200
    refusal = "Cette décision a déjà été corrigée\u00a0: corrigez la plus récente."
    assert refusal in messages_of(second)
    assert Decision.objects.filter(request=item).count() == 2
    assert changes(item.project, Status.NOT_LABELLED) == 1


# --- campaigns ------------------------------------------------------------------------------


def test_launching_a_campaign_twice_says_so_in_french(client, cheffe):
    project = LabelledProjectFactory()
    campaign = CampaignFactory(project=project, status="preparing", launched_on=None)
    client.force_login(cheffe)
    second = post_twice(client, f"/accompagnement/campagnes/{campaign.pk}/lancer/")
    assert second.status_code == 302
    assert "Cette campagne n'est pas en préparation." in messages_of(second)
    assert changes(project, Status.CAMPAIGN_RUNNING) == 1


def test_ending_a_campaign_twice_says_so_in_french(client, cheffe):
    campaign = CampaignFactory()
    client.force_login(cheffe)
    second = post_twice(
        client,
        f"/accompagnement/campagnes/{campaign.pk}/terminer/",
        {"outcome": "succeeded", "final_amount": "6150", "final_contributors": "112"},
    )
    assert second.status_code == 302
    assert "Seule une campagne en cours peut se terminer." in messages_of(second)
    assert changes(campaign.project, Status.CAMPAIGN_ENDED) == 1


def test_dropping_a_prepared_campaign_twice_says_so_in_french(client, cheffe):
    campaign = CampaignFactory(
        project=LabelledProjectFactory(), status="preparing", launched_on=None
    )
    client.force_login(cheffe)
    second = post_twice(client, f"/accompagnement/campagnes/{campaign.pk}/abandonner/")
    assert second.status_code == 302
    assert "Seule une campagne en préparation peut être abandonnée ainsi." in messages_of(second)
    assert Campaign.objects.get(pk=campaign.pk).status == "cancelled"


# --- A refusal no view caught ---------------------------------------------------------------


def test_a_refusal_a_view_let_through_goes_back_with_its_message(porteur):
    from django.contrib.messages.storage.fallback import FallbackStorage

    from projects.services import TransitionError
    from propulsons.middleware import ServiceRefusedMiddleware

    middleware = ServiceRefusedMiddleware(lambda request: None)
    request = RequestFactory().post("/x/", HTTP_REFERER="http://testserver/espace/")
    request.session = {}
    request._messages = FallbackStorage(request)
    response = middleware.process_exception(request, TransitionError("Déjà fait."))
    assert (response.status_code, response["Location"]) == (302, "http://testserver/espace/")
    assert [str(m) for m in request._messages] == ["Déjà fait."]

    request = RequestFactory().post("/x/", HTTP_REFERER="https://ailleurs.example/")
    request.session, request.user = {}, porteur
    request._messages = FallbackStorage(request)
    response = middleware.process_exception(request, TransitionError("Déjà fait."))
    assert response.status_code == 409
    assert "Déjà fait." in response.content.decode()
    assert middleware.process_exception(request, ValueError()) is None


# --- Real double clicks (PostgreSQL) --------------------------------------------------------


def at_once(monkeypatch, module, name: str, posts: list):
    """Run the posts in threads that all reach `module.name` (the service the view calls)
    before any of them enters it, as two clicks read the same page state."""
    barrier = threading.Barrier(len(posts))
    real = getattr(module, name)

    def waiting(**kwargs):
        barrier.wait()
        return real(**kwargs)

    monkeypatch.setattr(module, name, waiting)
    results: list = [None] * len(posts)

    def run(index):
        try:
            results[index] = posts[index]()
        except BaseException as error:  # a 500: the test client re-raises it
            results[index] = error
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(posts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (SQLite locks the whole file)")


@pytest.mark.django_db(transaction=True)
def test_a_real_double_click_on_demander_la_labellisation_is_not_a_500(monkeypatch):
    needs_postgresql()
    from tests.factories import OrganisationFactory, UserFactory

    porteur = UserFactory(email="double@example.org")
    cheffe = UserFactory(email="cheffe.double@propulsons.org", role="cheffe")
    partner = OrganisationFactory(slug="partenaire-double", short_name="Partenaire")
    project = ProjectFactory(owner=porteur, status=Status.COACHING, partner=partner)
    complete_dossier(project, cheffe)

    def click():
        client = Client()
        client.force_login(porteur)
        return client.post(f"/comite/dossiers/{project.reference}/demander/")

    results = at_once(monkeypatch, labelling_services, "request_raise", [click, click])
    assert [getattr(r, "status_code", r) for r in results] == [302, 302]
    said = [m for r in results for m in messages_of(r)]
    assert any("vient d'être modifié par ailleurs" in m for m in said), said
    assert changes(project, Status.LABELLING_REQUESTED) == 1
    assert LabellingRequest.objects.filter(project=project).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_real_double_click_on_the_first_report_is_not_a_500(monkeypatch):
    needs_postgresql()
    from coaching import services as coaching_services
    from tests.factories import UserFactory

    cheffe = UserFactory(email="cheffe.double@propulsons.org", role="cheffe")
    project = ProjectFactory(status=Status.CONTACT)
    FirstMeetingFactory(project=project, organiser=cheffe)

    def click():
        client = Client()
        client.force_login(cheffe)
        return client.post(
            f"/accompagnement/dossiers/{project.reference}/compte-rendu/", report_data()
        )

    results = at_once(monkeypatch, coaching_services, "first_meeting_report", [click, click])
    assert [getattr(r, "status_code", r) for r in results] == [302, 302]
    assert changes(project, Status.FIRST_MEETING_DONE) == 1
    assert changes(project, Status.COACHING) == 1
    assert Project.objects.get(pk=project.pk).status == Status.COACHING
