"""Who may see and do what in the porteur's space and the team's pipeline."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.models import Document, Project, Status, StatusChange
from projects.services import claim_token_make
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def login_as(client, cast, role):
    if cast[role] is not None:
        client.force_login(cast[role])


@pytest.fixture
def document(project, porteur, django_capture_on_commit_callbacks):
    from projects.services import document_add

    # The file moves into place once the row commits.
    with django_capture_on_commit_callbacks(execute=True):
        return document_add(
            project=project,
            actor=porteur,
            kind="financing_plan",
            upload=SimpleUploadedFile("plan.pdf", PDF),
            original_name="plan.pdf",
            content_type="application/pdf",
        )


# role -> expected status for URLs about the porteur's own dossier `project`.
MATRIX = {
    "/espace/": {
        "anonyme": 302,
        "porteur": 200,
        "autre_porteur": 200,
        "cheffe": 200,
        "comite": 200,
        "admin": 200,
    },
    "/espace/dossiers/{ref}/": {
        "anonyme": 302,
        "porteur": 200,
        "autre_porteur": 404,
        "cheffe": 302,
        "comite": 404,
        "admin": 302,
    },
    "/espace/dossiers/{ref}/modifier/": {
        "anonyme": 302,
        "porteur": 200,
        "autre_porteur": 404,
        "cheffe": 200,
        "comite": 404,
        "admin": 200,
    },
    "/documents/{doc}/": {
        "anonyme": 302,
        "porteur": 200,
        "autre_porteur": 404,
        "cheffe": 200,
        "comite": 404,
        "admin": 200,
    },
    "/accompagnement/dossiers/": {
        "anonyme": 302,
        "porteur": 403,
        "autre_porteur": 403,
        "cheffe": 200,
        "comite": 403,
        "admin": 200,
    },
    "/accompagnement/dossiers/{ref}/": {
        "anonyme": 302,
        "porteur": 403,
        "autre_porteur": 403,
        "cheffe": 200,
        "comite": 403,
        "admin": 200,
    },
    "/deposer/": {
        "anonyme": 200,
        "porteur": 200,
        "autre_porteur": 200,
        "cheffe": 200,
        "comite": 200,
        "admin": 200,
    },
    "/deposer/merci/": {
        "anonyme": 200,
        "porteur": 200,
        "autre_porteur": 200,
        "cheffe": 200,
        "comite": 200,
        "admin": 200,
    },
}


@pytest.mark.parametrize(("url", "role"), [(u, r) for u, roles in MATRIX.items() for r in roles])
def test_each_role_gets_the_expected_answer(client, cast, project, document, url, role):
    login_as(client, cast, role)
    response = client.get(url.format(ref=project.reference, doc=document.pk))
    assert response.status_code == MATRIX[url][role]
    if response.status_code == 302 and role == "anonyme":
        assert response["Location"].startswith("/compte/connexion/")


def test_a_committee_member_reads_a_dossier_only_while_it_is_before_the_committee(
    client, committee_member, project, document
):
    client.force_login(committee_member)
    assert client.get(f"/documents/{document.pk}/").status_code == 404
    Project.objects.filter(pk=project.pk).update(status=Status.IN_COMMITTEE)
    response = client.get(f"/documents/{document.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_the_porteur_space_lists_only_their_own_dossiers_with_plain_words(
    client, porteur, project, other_project
):
    client.force_login(porteur)
    page = client.get("/espace/").content.decode()
    assert project.title in page
    assert other_project.title not in page
    assert "Nous avons bien reçu votre projet." in page
    assert "qui vous contacte pour fixer votre premier rendez-vous de 2 heures" in page


def test_the_porteur_dossier_page_shows_the_timeline_but_not_internal_notes(
    client, porteur, project, cheffe
):
    from projects.services import project_record_first_meeting

    project_record_first_meeting(project=project, actor=cheffe, note="Note interne à l'équipe")
    client.force_login(porteur)
    page = client.get(f"/espace/dossiers/{project.reference}/").content.decode()
    assert "Premier rendez-vous réalisé" in page
    assert "Note interne à l&#x27;équipe" not in page and "Note interne à l'équipe" not in page
    client.force_login(cheffe)
    team_page = client.get(f"/accompagnement/dossiers/{project.reference}/").content.decode()
    assert "Note interne à l&#x27;équipe" in team_page


def upload(client, project, name, content, kind="financing_plan"):
    return client.post(
        f"/espace/dossiers/{project.reference}/",
        {"kind": kind, "upload": SimpleUploadedFile(name, content)},
    )


def test_a_porteur_uploads_a_pdf_stored_privately(
    client, porteur, project, settings, django_capture_on_commit_callbacks
):
    client.force_login(porteur)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, project, "Plan de financement 2027.pdf", PDF)
    assert response.status_code == 302
    document = Document.objects.get(project=project)
    assert document.original_name == "Plan_de_financement_2027.pdf"
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF)
    assert document.uploaded_by == porteur
    # Stored under a random name, inside the private root, outside any public URL.
    assert str(settings.PRIVATE_MEDIA_ROOT) in document.file.path
    assert "Plan" not in document.file.name
    download = client.get(f"/documents/{document.pk}/")
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_porteur_adds_a_video_link(client, porteur, project):
    client.force_login(porteur)
    response = client.post(
        f"/espace/dossiers/{project.reference}/",
        {"kind": "video", "url": "https://www.youtube.com/watch?v=abc"},
    )
    assert response.status_code == 302
    assert Document.objects.get(project=project).url == "https://www.youtube.com/watch?v=abc"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("script.pdf", b"#!/bin/sh\nrm -rf /\n", "type de fichier n'est pas accepté"),
        (
            "page.html",
            b"<html><script>alert(1)</script></html>",
            "type de fichier n'est pas accepté",
        ),
        ("archive.docx", b"PK\x03\x04not really a zip", "type de fichier n'est pas accepté"),
    ],
)
def test_forbidden_uploads_are_refused_by_content(client, porteur, project, name, content, message):
    client.force_login(porteur)
    response = upload(client, project, name, content)
    assert response.status_code == 200
    assert message in " ".join(response.context["document_form"].errors["upload"])
    assert not Document.objects.exists()


def test_an_office_document_is_recognised_by_its_content(client, porteur, project):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    client.force_login(porteur)
    assert (
        upload(client, project, "texte.docx", buffer.getvalue(), kind="campaign_text").status_code
        == 302
    )
    assert Document.objects.get().content_type.endswith("wordprocessingml.document")


def test_an_oversized_upload_is_refused_with_its_size(client, porteur, project, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    client.force_login(porteur)
    response = upload(client, project, "gros.pdf", PDF + b"0" * (1024 * 1024 + 10))
    errors = " ".join(response.context["document_form"].errors["upload"])
    assert "la limite est de 1 Mo" in errors
    assert not Document.objects.exists()


def test_another_porteur_cannot_upload_to_a_dossier(client, other_porteur, project):
    client.force_login(other_porteur)
    assert upload(client, project, "plan.pdf", PDF).status_code == 404
    assert not Document.objects.exists()


def test_the_porteur_edits_details_before_the_committee_only(client, porteur, project):
    client.force_login(porteur)
    page = client.get(f"/espace/dossiers/{project.reference}/modifier/").content.decode()
    assert f'value="{project.title}"' in page
    from tests.projects.test_intake import valid_data

    data = valid_data(title="Nouveau titre", contact_email="tentative@example.org")
    response = client.post(f"/espace/dossiers/{project.reference}/modifier/", data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "Nouveau titre"
    assert project.contact_email == "porteur@example.org"  # the address is not editable here
    assert project.status == Status.CONTACT

    Project.objects.filter(pk=project.pk).update(status=Status.IN_COMMITTEE)
    response = client.get(f"/espace/dossiers/{project.reference}/modifier/", follow=True)
    assert "ne peut plus être modifié" in response.content.decode()
    response = client.post(
        f"/espace/dossiers/{project.reference}/modifier/", data | {"title": "Encore"}
    )
    project.refresh_from_db()
    assert project.title == "Nouveau titre"


def test_a_claim_link_for_another_address_is_a_404(client, other_porteur):
    project = ProjectFactory(owner=None, contact_email="porteur@example.org")
    client.force_login(other_porteur)
    assert client.get(f"/espace/rattacher/{claim_token_make(project)}/").status_code == 404


# --- The team's pipeline --------------------------------------------------------------------


def test_the_pipeline_counts_per_status_and_filters(client, cheffe):
    ProjectFactory.create_batch(3, status=Status.COACHING)
    ProjectFactory(
        status=Status.CONTACT,
        title="Épicerie du centre",
        commune=__import__("tests.factories", fromlist=["commune"]).commune("Arras"),
    )
    client.force_login(cheffe)
    response = client.get("/accompagnement/dossiers/")
    counts = dict((s.value, n) for s, n in response.context["status_counts"])
    assert counts[Status.COACHING] == 3
    assert counts[Status.CONTACT] == 1
    assert response.context["page"].paginator.count == 4

    response = client.get("/accompagnement/dossiers/", {"status": "coaching"})
    assert response.context["page"].paginator.count == 3
    response = client.get("/accompagnement/dossiers/", {"q": "épicerie"})
    titles = [p.title for p in response.context["page"]]
    assert titles == ["Épicerie du centre"] or titles == []  # SQLite lacks Unicode case folding
    response = client.get("/accompagnement/dossiers/", {"q": "Épicerie"})
    assert [p.title for p in response.context["page"]] == ["Épicerie du centre"]
    response = client.get("/accompagnement/dossiers/", {"commune": "arras"})
    assert response.context["page"].paginator.count == 1


def test_the_pipeline_searches_by_reference_and_sorts(client, cheffe):
    a = ProjectFactory(title="Alpha", crowdfunding_amount=1000)
    b = ProjectFactory(title="Bêta", crowdfunding_amount=9000)
    client.force_login(cheffe)
    response = client.get("/accompagnement/dossiers/", {"q": a.reference})
    assert [p.pk for p in response.context["page"]] == [a.pk]
    response = client.get("/accompagnement/dossiers/", {"sort": "-crowdfunding_amount"})
    assert [p.pk for p in response.context["page"]] == [b.pk, a.pk]


def test_the_pipeline_uses_a_constant_number_of_queries(
    client, cheffe, django_assert_max_num_queries
):
    ProjectFactory.create_batch(30, status=Status.COACHING)
    client.force_login(cheffe)
    with django_assert_max_num_queries(10):
        response = client.get("/accompagnement/dossiers/")
    assert len(response.context["page"]) == 25
    assert "Page 1 sur 2" in response.content.decode()


def test_the_porteur_space_uses_a_constant_number_of_queries(
    client, porteur, django_assert_max_num_queries
):
    ProjectFactory.create_batch(12, owner=porteur)
    client.force_login(porteur)
    # The session, the user, the dossiers (with the ones awaiting a claim by this address and
    # their unread messages), their status changes, their first meetings (for the next step).
    with django_assert_max_num_queries(5):
        response = client.get("/espace/")
    assert response.content.decode().count("Prise de contact") >= 12


def test_the_cheffe_marks_a_dossier_abandoned_with_a_reason(client, cheffe, project):
    client.force_login(cheffe)
    url = f"/accompagnement/dossiers/{project.reference}/abandonner/"
    assert client.get(url).status_code == 405
    response = client.post(url, {"reason": ""})
    assert Project.objects.get(pk=project.pk).status == Status.CONTACT
    response = client.post(url, {"reason": "Le porteur a trouvé un prêt bancaire."})
    assert response.status_code == 302
    change = StatusChange.objects.get(project=project, to_status=Status.ABANDONED)
    assert change.actor == cheffe
    assert change.note == "Le porteur a trouvé un prêt bancaire."
    # A second click answers 400 with a French message; the history is unchanged.
    response = client.post(
        f"/accompagnement/dossiers/{project.reference}/reorienter/", {"reason": "Vers Miimosa"}
    )
    assert response.status_code == 400
    assert StatusChange.objects.filter(project=project, to_status=Status.REORIENTED).count() == 0


def test_only_the_team_may_abandon_or_reorient(client, porteur, committee_member, project):
    for user in (porteur, committee_member):
        client.force_login(user)
        for action in ("abandonner", "reorienter"):
            response = client.post(
                f"/accompagnement/dossiers/{project.reference}/{action}/", {"reason": "x"}
            )
            assert response.status_code == 403
    assert Project.objects.get(pk=project.pk).status == Status.CONTACT


def test_the_admin_lists_dossiers_and_its_action_calls_the_service(client, cheffe, project):
    client.force_login(cheffe)
    page = client.get("/admin/projects/project/?status__exact=contact").content.decode()
    assert project.reference in page
    response = client.post(
        "/admin/projects/project/",
        {"action": "mark_abandoned", "_selected_action": [project.pk]},
    )
    assert response.status_code == 302
    change = StatusChange.objects.get(project=project, to_status=Status.ABANDONED)
    assert change.actor == cheffe
    assert "administration" in change.note


def test_editing_details_keeps_a_partner_that_no_longer_prescribes(client, porteur, project):
    from accounts.models import Organisation
    from tests.html_forms import form_values

    partner = Organisation.objects.filter(is_prescribing_partner=True).first()
    Project.objects.filter(pk=project.pk).update(partner=partner)
    Organisation.objects.filter(pk=partner.pk).update(is_prescribing_partner=False)
    client.force_login(porteur)
    url = f"/espace/dossiers/{project.reference}/modifier/"
    data = form_values(client.get(url).content.decode())
    data["title"] = "Un titre revu"
    assert client.post(url, data).status_code == 302
    project.refresh_from_db()
    assert (project.title, project.partner) == ("Un titre revu", partner)
