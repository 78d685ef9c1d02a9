"""Personal data: the porteur's export and erasure request, anonymisation, retention."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import DeletionRequest, User
from campaigns.selectors import key_figures
from coaching.models import Interaction
from projects import services, tasks
from projects.models import Project, Status, StatusChange
from tests.campaigns.factories import CampaignFactory
from tests.coaching.factories import InteractionFactory
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_the_porteur_downloads_all_their_data(client, porteur, project, other_project, cheffe):
    InteractionFactory(project=project, shared_note="Bravo pour la vidéo", internal_notes="interne")
    client.force_login(porteur)
    response = client.get("/espace/mes-donnees.json")
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["compte"]["adresse_electronique"] == porteur.email
    assert [d["reference"] for d in data["dossiers"]] == [project.reference]
    dossier = data["dossiers"][0]
    assert dossier["projet"]["titre"] == project.title
    assert dossier["notes_de_la_cheffe_de_projet"][0]["note"] == "Bravo pour la vidéo"
    assert "interne" not in response.content.decode()
    assert other_project.title not in response.content.decode()


def test_the_porteur_asks_for_erasure_and_the_team_processes_it(
    client, porteur, project, cheffe, django_capture_on_commit_callbacks
):
    client.force_login(porteur)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/espace/effacement/", {"message": "Merci d'effacer mon dossier."})
    assert response.status_code == 302
    request = DeletionRequest.objects.get()
    assert (request.user, request.email) == (porteur, porteur.email)
    (message,) = mail.outbox
    assert message.to == ["contact@propulsons.org"] and porteur.email in message.subject

    client.force_login(cheffe)
    assert porteur.email in client.get("/accompagnement/donnees-personnelles/").content.decode()
    client.post("/accompagnement/donnees-personnelles/", {"request": request.pk})
    project.refresh_from_db()
    assert project.anonymised_at is not None and project.owner is None
    user = User.objects.get(pk=porteur.pk)
    assert not user.is_active and user.email.endswith("@anonyme.invalid") and user.first_name == ""
    request.refresh_from_db()
    assert request.processed_by == cheffe
    response = client.post(
        "/accompagnement/donnees-personnelles/", {"request": request.pk}, follow=True
    )
    assert "déjà été traitée" in response.content.decode()


def test_anonymising_erases_personal_data_and_keeps_statistics(
    cheffe, settings, tmp_path, django_capture_on_commit_callbacks
):
    project = ProjectFactory(
        status=Status.CAMPAIGN_ENDED,
        contact_first_name="Camille",
        contact_email="camille@example.org",
        siret="73282932000074",
        description="Ma vie, mon œuvre",
        publish_agreed=True,
        label_number="PS-2026-01",
    )
    StatusChange.objects.create(
        project=project, to_status=Status.CAMPAIGN_ENDED, note="Appel de Camille"
    )
    document = services.document_add(
        project=project,
        actor=cheffe,
        kind="financing_plan",
        upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.4"),
        original_name="plan.pdf",
        content_type="application/pdf",
    )
    path = document.file.path
    InteractionFactory(
        project=project, internal_notes="Camille est stressée", shared_note="Courage Camille"
    )
    CampaignFactory(
        project=project, status="succeeded", final_amount=Decimal("5000"), final_contributors=80
    )
    before = key_figures()

    with django_capture_on_commit_callbacks(execute=True):  # files go once committed
        assert (
            services.project_anonymise(project=project, actor=cheffe, reason="Demande écrite")
            is True
        )
    project.refresh_from_db()
    assert project.contact_first_name == "Anonyme" and project.contact_email.endswith(
        "@anonyme.invalid"
    )
    assert (project.siret, project.description, project.publish_agreed) == ("", "", False)
    assert "Camille" not in json.dumps(
        list(Project.objects.filter(pk=project.pk).values()), default=str
    )
    assert not project.documents.exists()
    import os

    assert not os.path.exists(path)
    assert Interaction.objects.get(project=project).internal_notes == ""
    assert StatusChange.objects.get(project=project).note == ""
    # The statistics are untouched.
    assert (project.reference, project.status, project.commune_id) != (None, None, None)
    assert key_figures() == before
    assert LogEntry.objects.filter(
        object_id=str(project.pk), change_message__contains="Demande écrite"
    ).exists()
    # A second run changes nothing.
    assert services.project_anonymise(project=project, actor=cheffe, reason="encore") is False


def test_dossiers_stopped_beyond_the_retention_period_are_anonymised_nightly(
    settings, time_machine
):
    time_machine.move_to(datetime(2026, 11, 26, 3, 30, tzinfo=UTC), tick=False)
    settings.DATA_RETENTION_DAYS = 3 * 365
    old = datetime(2023, 11, 1, tzinfo=UTC)
    recent = datetime(2025, 1, 1, tzinfo=UTC)
    stale = [
        ProjectFactory(status=s) for s in (Status.CONTACT, Status.ABANDONED, Status.REORIENTED)
    ]
    kept_recent = ProjectFactory(status=Status.ABANDONED)
    kept_labelled = ProjectFactory(status=Status.CLOSED)
    Project.objects.filter(pk__in=[p.pk for p in [*stale, kept_labelled]]).update(
        status_changed_at=old
    )
    Project.objects.filter(pk=kept_recent.pk).update(status_changed_at=recent)

    assert tasks.anonymise_expired_dossiers() == 3
    assert tasks.anonymise_expired_dossiers() == 0  # idempotent
    assert set(Project.objects.filter(anonymised_at__isnull=False)) == set(stale)
    assert Project.objects.count() == 5  # counts kept


def test_the_team_anonymises_a_dossier_with_a_reason(client, cheffe, project):
    client.force_login(cheffe)
    client.post(f"/accompagnement/dossiers/{project.reference}/anonymiser/", {"reason": ""})
    assert Project.objects.get(pk=project.pk).anonymised_at is None
    client.post(
        f"/accompagnement/dossiers/{project.reference}/anonymiser/",
        {"reason": "Demande par téléphone", "confirm": "on"},
    )
    assert Project.objects.get(pk=project.pk).anonymised_at is not None


@pytest.mark.parametrize("role", ["anonyme", "porteur", "comite"])
def test_only_the_team_anonymises_or_processes_requests(client, cast, project, role):
    if cast[role] is not None:
        client.force_login(cast[role])
    assert client.post(
        f"/accompagnement/dossiers/{project.reference}/anonymiser/",
        {"reason": "x", "confirm": "on"},
    ).status_code in (302, 403)
    assert client.get("/accompagnement/donnees-personnelles/").status_code in (302, 403)
    assert Project.objects.get(pk=project.pk).anonymised_at is None


def test_the_audit_trail_cannot_be_edited_in_the_admin(client, admin_user, cheffe, project):
    services.project_anonymise(project=project, actor=cheffe, reason="test")
    entry = LogEntry.objects.get()
    client.force_login(admin_user)
    assert client.get(f"/admin/admin/logentry/{entry.pk}/change/").status_code == 200
    assert (
        client.post(f"/admin/admin/logentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert LogEntry.objects.count() == 1


def test_the_legal_notice_gives_retention_rights_and_contact(client, settings):
    page = client.get("/mentions-legales/").content.decode()
    assert "3 ans après son dernier changement" in page
    assert "télécharger toutes les données" in page
    assert "contact@propulsons.org" in page
