"""Messages on a dossier between its porteur and the team: who may write and read them, the
email to the other side (or the cheffe's digest), the unread counts, the thread with the
status changes and shared notes, attachments as checked documents, and personal data."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from coaching.models import CoachSettings, Interaction
from coaching.services import digest_content, digest_send
from projects import messaging, services
from projects.models import Document, DossierMessage, MessageKind, Project, Status, StatusChange
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def coached(project, cheffe):
    """The porteur's dossier, followed by the cheffe, who chose immediate emails."""
    project.coach = cheffe
    project.save(update_fields=["coach"])
    CoachSettings.objects.create(user=cheffe, daily_digest=False)
    return project


def post(*, project, author, body="Bonjour, une question sur le budget.", **extra):
    return messaging.message_post(project=project, author=author, body=body, **extra)


# --- Services ---------------------------------------------------------------------------------


def test_a_porteurs_message_emails_their_cheffe_at_once(
    coached, porteur, cheffe, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = post(project=coached, author=porteur)
    assert message.sender == "porteur" and message.author == porteur
    assert message.read_at is None
    [email] = mail.outbox
    assert email.to == [cheffe.email]
    assert coached.reference in email.subject
    assert "Bonjour, une question sur le budget." in email.body
    assert f"/accompagnement/dossiers/{coached.reference}/#messages" in email.body


def test_a_cheffe_on_the_digest_gets_the_message_in_her_digest_not_at_once(
    project, porteur, cheffe, django_capture_on_commit_callbacks
):
    project.coach = cheffe
    project.save(update_fields=["coach"])
    with django_capture_on_commit_callbacks(execute=True):
        message = post(project=project, author=porteur)
    assert mail.outbox == []
    assert digest_content(user=cheffe, today=timezone.localdate())["porteur_messages"] == [message]
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send(user=cheffe)
    [digest] = mail.outbox
    assert digest.to == [cheffe.email]
    assert "Bonjour, une question sur le budget." in digest.body
    assert f"/accompagnement/dossiers/{project.reference}/#messages" in digest.body


def test_a_message_read_before_the_digest_is_not_in_it(project, porteur, cheffe):
    project.coach = cheffe
    project.save(update_fields=["coach"])
    post(project=project, author=porteur)
    messaging.message_mark_read(project=project, reader=cheffe)
    assert digest_content(user=cheffe, today=timezone.localdate())["porteur_messages"] == []


def test_without_a_cheffe_the_message_goes_to_the_teams_address(
    project, porteur, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(project=project, author=porteur)
    [email] = mail.outbox
    assert email.to == [settings.TEAM_EMAIL]


def test_the_teams_reply_emails_the_porteur_with_a_link_to_the_dossier(
    coached, porteur, cheffe, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = post(project=coached, author=cheffe, body="Je vous rappelle demain.")
    assert message.sender == "team"
    [email] = mail.outbox
    assert email.to == [porteur.email]
    assert "Je vous rappelle demain." in email.body
    assert f"/espace/dossiers/{coached.reference}/#messages" in email.body


@pytest.mark.parametrize("intruder", ["other_porteur", "committee_member"])
def test_nobody_else_may_write_on_the_dossier(request, coached, intruder):
    coached.status = Status.IN_COMMITTEE  # the committee reads the dossier, not its messages
    coached.save(update_fields=["status"])
    with pytest.raises(messaging.MessageRefused):
        post(project=coached, author=request.getfixturevalue(intruder))
    assert not DossierMessage.objects.exists()


def test_an_anonymised_dossier_takes_no_message(coached, porteur):
    Project.objects.filter(pk=coached.pk).update(anonymised_at=timezone.now())
    coached.refresh_from_db()
    with pytest.raises(messaging.MessageRefused):
        post(project=coached, author=porteur)


def test_a_meeting_request_is_answered_once_by_the_team(coached, porteur, cheffe):
    request = post(project=coached, author=porteur, kind=MessageKind.PRESS)
    assert request.is_request
    assert list(DossierMessage.objects.open_requests()) == [request]
    post(
        project=coached,
        author=cheffe,
        body="Rendez-vous jeudi avec la journaliste.",
        answers=request,
    )
    request.refresh_from_db()
    assert request.answered_at is not None
    assert not DossierMessage.objects.open_requests().exists()
    with pytest.raises(messaging.MessageRefused, match="déjà reçu une réponse"):
        post(project=coached, author=cheffe, body="Encore ?", answers=request)
    assert DossierMessage.objects.filter(sender="team").count() == 1


def test_only_the_porteur_asks_for_a_meeting(coached, cheffe, porteur):
    with pytest.raises(messaging.MessageRefused):
        post(project=coached, author=cheffe, kind=MessageKind.RELAY)
    request = post(project=coached, author=porteur, kind=MessageKind.RELAY)
    with pytest.raises(messaging.MessageRefused):
        post(project=coached, author=porteur, answers=request)


def test_opening_the_thread_marks_the_other_sides_messages_read(
    coached, porteur, cheffe, admin_user
):
    from_porteur = post(project=coached, author=porteur)
    from_team = post(project=coached, author=cheffe, body="Réponse.")
    # A colleague glancing at the dossier leaves them unread for its cheffe.
    assert messaging.message_mark_read(project=coached, reader=admin_user) == 0
    assert messaging.message_mark_read(project=coached, reader=cheffe) == 1
    from_porteur.refresh_from_db()
    from_team.refresh_from_db()
    assert from_porteur.read_at is not None and from_team.read_at is None
    assert messaging.message_mark_read(project=coached, reader=porteur) == 1
    from_team.refresh_from_db()
    assert from_team.read_at is not None


# --- The pages --------------------------------------------------------------------------------


def url(project) -> str:
    return f"/dossiers/{project.reference}/messages/"


def test_the_porteur_writes_from_their_dossier_page_and_reads_the_thread(
    client, coached, porteur, cheffe
):
    StatusChange.objects.create(project=coached, from_status="", to_status=Status.CONTACT)
    Interaction.objects.create(
        project=coached,
        kind="phone",
        happened_on=timezone.localdate(),
        phase="before",
        shared_note="Pensez au plan de financement.",
        internal_notes="Porteur hésitant (interne).",
        author=cheffe,
    )
    client.force_login(porteur)
    response = client.post(
        url(coached),
        {"message-kind": "message", "message-body": "Voici ma question."},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/espace/dossiers/{coached.reference}/#messages"
    assert DossierMessage.objects.get().body == "Voici ma question."
    page = client.get(response["Location"]).content.decode()
    assert 'id="ecrire"' in page
    thread = page[page.index('id="messages"') :]
    assert "Voici ma question." in thread
    assert "Pensez au plan de financement." in thread
    assert "Prise de contact" in thread
    assert "Porteur hésitant" not in page


def test_the_team_replies_from_the_dossiers_team_page(client, coached, porteur, cheffe):
    post(project=coached, author=porteur, body="Une question du porteur.")
    client.force_login(cheffe)
    page = client.get(f"/accompagnement/dossiers/{coached.reference}/").content.decode()
    assert "Une question du porteur." in page
    assert "Répondre au porteur" in page
    assert DossierMessage.objects.get().read_at is not None
    response = client.post(url(coached), {"message-body": "La réponse de la cheffe."})
    assert response["Location"] == f"/accompagnement/dossiers/{coached.reference}/#messages"
    assert DossierMessage.objects.filter(sender="team", author=cheffe).count() == 1


@pytest.mark.parametrize("intruder", ["other_porteur", "committee_member"])
def test_others_get_a_404_and_see_nothing_of_the_messages(client, request, coached, intruder):
    coached.status = Status.IN_COMMITTEE
    coached.save(update_fields=["status"])
    post(project=coached, author=coached.owner, body="Secret du porteur.")
    client.force_login(request.getfixturevalue(intruder))
    response = client.post(url(coached), {"message-body": "Intrusion."})
    assert response.status_code == 404
    assert client.get(url(coached)).status_code == 404
    assert client.get(f"/espace/dossiers/{coached.reference}/").status_code == 404
    assert DossierMessage.objects.count() == 1
    for page in ("/espace/", "/"):
        assert "Secret du porteur." not in client.get(page).content.decode()


def test_the_committee_members_dossier_review_shows_no_message(client, coached, committee_member):
    from labelling.models import LabellingRequest

    coached.status = Status.IN_COMMITTEE
    coached.save(update_fields=["status"])
    post(project=coached, author=coached.owner, body="Secret du porteur.")
    request = LabellingRequest.objects.create(project=coached)
    client.force_login(committee_member)
    response = client.get(f"/comite/demandes/{request.pk}/")
    assert "Secret du porteur." not in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_log_in(client, coached):
    response = client.post(url(coached), {"message-body": "Bonjour"})
    assert response.status_code == 302 and "/connexion/" in response["Location"]
    assert not DossierMessage.objects.exists()


def test_bad_input_is_explained_next_to_its_field_and_nothing_typed_is_lost(
    client, coached, porteur
):
    client.force_login(porteur)
    long_text = "Un très long message. " * 300
    response = client.post(url(coached), {"message-kind": "press", "message-body": long_text})
    assert response.status_code == 200
    form = response.context["message_form"]
    assert "5000" in " ".join(form.errors["body"])
    page = response.content.decode()
    assert "Un très long message." in page
    assert '<option value="press" selected>' in page
    response = client.post(url(coached), {"message-kind": "message", "message-body": "  "})
    assert "Écrivez votre message." in " ".join(response.context["message_form"].errors["body"])
    assert not DossierMessage.objects.exists()


def test_a_form_sent_twice_writes_one_message(client, coached, porteur):
    client.force_login(porteur)
    data = {
        "message-kind": "message",
        "message-body": "Une seule fois.",
        "form_key": "cle-de-formulaire-unique-123456",
    }
    first = client.post(url(coached), data)
    second = client.post(url(coached), data)
    assert first["Location"] == second["Location"]
    assert DossierMessage.objects.count() == 1


def test_an_attachment_becomes_a_document_downloadable_only_by_those_allowed(
    client, coached, porteur, other_porteur
):
    client.force_login(porteur)
    response = client.post(
        url(coached),
        {
            "message-kind": "message",
            "message-body": "Voici le plan.",
            "message-upload": SimpleUploadedFile("plan.pdf.exe", PDF),
        },
    )
    assert response.status_code == 302
    message = DossierMessage.objects.get()
    document = message.document
    assert document.project == coached and document.original_name == "plan.pdf"
    assert document.content_type == "application/pdf"
    assert client.get(f"/documents/{document.pk}/").status_code == 200
    page = client.get(f"/espace/dossiers/{coached.reference}/").content.decode()
    assert f"/documents/{document.pk}/" in page
    client.force_login(other_porteur)
    assert client.get(f"/documents/{document.pk}/").status_code == 404


def test_an_attachment_the_document_checks_refuse_sends_nothing(client, coached, porteur):
    client.force_login(porteur)
    response = client.post(
        url(coached),
        {
            "message-kind": "message",
            "message-body": "Un programme.",
            "message-upload": SimpleUploadedFile("outil.pdf", b"MZ\x90\x00binaire"),
        },
    )
    assert response.status_code == 200
    assert response.context["message_form"].errors["upload"]
    assert "Un programme." in response.content.decode()
    assert not DossierMessage.objects.exists() and not Document.objects.exists()


# --- Unread counts ----------------------------------------------------------------------------


def test_the_porteurs_space_counts_unread_messages_per_dossier_until_opened(
    client, coached, porteur, cheffe
):
    post(project=coached, author=cheffe, body="Un.")
    post(project=coached, author=cheffe, body="Deux.")
    client.force_login(porteur)
    page = client.get("/espace/").content.decode()
    assert "2 messages non lus" in page
    assert f'href="/espace/dossiers/{coached.reference}/#ecrire"' in page
    assert "Écrire à votre cheffe de projet" in page
    client.get(f"/espace/dossiers/{coached.reference}/")
    assert "non lu" not in client.get("/espace/").content.decode()


def test_the_cheffes_dashboard_lists_the_unread_messages_first(client, coached, porteur, cheffe):
    other = ProjectFactory(coach=UserFactory(role="cheffe"))
    post(project=other, author=other.owner, body="Pour une autre cheffe.")
    post(project=coached, author=porteur, kind=MessageKind.JOURNALIST, body="Un journaliste.")
    client.force_login(cheffe)
    page = client.get("/accompagnement/").content.decode()
    block = page[page.index("Messages des porteurs") : page.index("Nouveaux contacts")]
    assert "1 non lu" in block
    assert "Un journaliste." in block
    assert "Demande de rencontre\u00a0: journaliste" in block
    assert f"/accompagnement/dossiers/{coached.reference}/#messages" in block
    assert "Pour une autre cheffe." not in block
    # Read, the request stays listed until it is answered.
    client.get(f"/accompagnement/dossiers/{coached.reference}/")
    page = client.get("/accompagnement/").content.decode()
    block = page[page.index("Messages des porteurs") : page.index("Nouveaux contacts")]
    assert "non lu" not in block
    assert "Un journaliste." in block and "à traiter" in block
    request = DossierMessage.objects.get(body="Un journaliste.")
    post(project=coached, author=cheffe, body="C'est noté.", answers=request)
    page = client.get("/accompagnement/").content.decode()
    assert "Aucun message à lire ni demande à traiter." in page


def test_a_plain_message_read_leaves_the_dashboard(client, coached, porteur, cheffe):
    post(project=coached, author=porteur, body="Juste une info.")
    client.force_login(cheffe)
    client.get(f"/accompagnement/dossiers/{coached.reference}/")
    page = client.get("/accompagnement/").content.decode()
    assert "Juste une info." not in page
    assert "Aucun message à lire ni demande à traiter." in page


def test_the_dashboard_and_the_space_take_a_constant_number_of_queries(
    client, porteur, cheffe, django_assert_max_num_queries
):
    def dossier():
        project = ProjectFactory(owner=porteur, coach=cheffe)
        post(project=project, author=porteur)
        post(project=project, author=cheffe, body="Réponse.")

    dossier()
    client.force_login(cheffe)
    with django_assert_max_num_queries(60) as dashboard:
        client.get("/accompagnement/")
    client.force_login(porteur)
    with django_assert_max_num_queries(40) as space:
        client.get("/espace/")
    for _ in range(4):
        dossier()
    client.force_login(cheffe)
    with django_assert_max_num_queries(len(dashboard.captured_queries)):
        client.get("/accompagnement/")
    client.force_login(porteur)
    with django_assert_max_num_queries(len(space.captured_queries)):
        client.get("/espace/")


# --- Personal data ----------------------------------------------------------------------------


def test_the_porteurs_export_holds_their_messages(client, coached, porteur, cheffe):
    post(project=coached, author=porteur, body="Ma question.")
    post(project=coached, author=cheffe, body="Sa réponse.")
    client.force_login(porteur)
    data = client.get("/espace/mes-donnees.json").json()
    [dossier] = data["dossiers"]
    assert [m["message"] for m in dossier["messages"]] == ["Ma question.", "Sa réponse."]
    assert dossier["messages"][0]["ecrit_par"] == "Porteur"


def test_anonymising_the_dossier_deletes_its_messages_and_their_attachments(
    coached, porteur, cheffe, django_capture_on_commit_callbacks
):
    post(
        project=coached,
        author=porteur,
        upload=SimpleUploadedFile("plan.pdf", PDF),
        original_name="plan.pdf",
        content_type="application/pdf",
    )
    post(project=coached, author=cheffe, body="Réponse.")
    other = ProjectFactory()
    post(project=other, author=other.owner, body="Gardé.")
    with django_capture_on_commit_callbacks(execute=True):
        services.project_anonymise(project=coached, actor=cheffe, reason="test")
    assert list(DossierMessage.objects.values_list("body", flat=True)) == ["Gardé."]
    assert not Document.objects.filter(project=coached).exists()


def test_the_retention_period_covers_the_messages(settings, porteur):
    project = ProjectFactory(owner=porteur, status=Status.ABANDONED)
    post(project=project, author=UserFactory(role="cheffe"), body="Ancien message.")
    Project.objects.filter(pk=project.pk).update(
        status_changed_at=timezone.now() - timedelta(days=settings.DATA_RETENTION_DAYS + 1)
    )
    assert services.projects_anonymise_expired() == (1, 0)
    assert not DossierMessage.objects.exists()


def test_beyond_ten_the_dashboard_shows_the_oldest_and_counts_them_all(
    client, coached, porteur, cheffe
):
    for number in range(12):
        post(project=coached, author=porteur, body=f"Message numéro {number}.")
    client.force_login(cheffe)
    page = client.get("/accompagnement/").content.decode()
    assert "12 non lus" in page
    assert "Les 10 plus anciens sur 12." in page
    assert "Message numéro 9." in page and "Message numéro 10." not in page


def test_a_stopped_dossier_takes_messages_but_no_attachment_from_its_porteur(coached, porteur):
    Project.objects.filter(pk=coached.pk).update(status=Status.CLOSED)
    coached.refresh_from_db()
    post(project=coached, author=porteur, body="Merci pour tout.")
    with pytest.raises(messaging.MessageRefused, match="plus actif"):
        post(
            project=coached,
            author=porteur,
            upload=SimpleUploadedFile("plan.pdf", PDF),
            original_name="plan.pdf",
            content_type="application/pdf",
        )
    assert DossierMessage.objects.count() == 1 and not Document.objects.exists()


def test_without_a_cheffe_the_porteur_writes_to_the_team(client, project, porteur):
    client.force_login(porteur)
    page = client.get("/espace/").content.decode()
    assert "Écrire à l&#x27;équipe" in page or "Écrire à l'équipe" in page
    assert f'href="/espace/dossiers/{project.reference}/#ecrire"' in page


@pytest.mark.parametrize("bad_id", ["abc", "9" * 30, "-1", "١٢"])
def test_a_tampered_request_id_is_refused_next_to_its_field(
    client, coached, porteur, cheffe, bad_id
):
    post(project=coached, author=porteur, kind=MessageKind.PRESS)
    client.raise_request_exception = False
    client.force_login(cheffe)
    response = client.post(url(coached), {"message-body": "Réponse.", "message-answers": bad_id})
    assert response.status_code == 200
    assert response.context["message_form"].errors["answers"]
    assert DossierMessage.objects.count() == 1


def test_a_nul_byte_in_a_message_is_refused(client, coached, porteur):
    client.force_login(porteur)
    response = client.post(url(coached), {"message-kind": "message", "message-body": "a\x00b"})
    assert response.status_code == 200
    assert response.context["message_form"].errors["body"]
    assert not DossierMessage.objects.exists()


def test_the_digest_setting_says_where_the_porteurs_messages_go(client, cheffe):
    client.force_login(cheffe)
    page = client.get("/accompagnement/agenda/").content.decode()
    assert "les messages des porteurs de vos dossiers y figurent" in page


def test_the_cheffes_choice_of_digest_decides_between_at_once_and_the_digest(
    project, porteur, cheffe, django_capture_on_commit_callbacks
):
    from coaching.services import digest_set

    project.coach = cheffe
    project.save(update_fields=["coach"])
    digest_set(user=cheffe, enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        post(project=project, author=porteur, body="Premier.")
    assert [email.to for email in mail.outbox] == [[cheffe.email]]
    digest_set(user=cheffe, enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        post(project=project, author=porteur, body="Second.")
    assert len(mail.outbox) == 1


def test_the_team_page_opens_on_the_thread_when_the_porteur_wrote(client, coached, porteur, cheffe):
    Project.objects.filter(pk=coached.pk).update(status=Status.LABELLED)
    client.force_login(cheffe)
    page = client.get(f"/accompagnement/dossiers/{coached.reference}/").content.decode()
    assert 'data-opening="campagne"' in page
    post(project=coached, author=porteur, body="Du nouveau.")
    page = client.get(f"/accompagnement/dossiers/{coached.reference}/").content.decode()
    assert 'data-opening="messages"' in page


def test_what_a_message_says_is_escaped_on_the_pages_and_in_the_emails(
    client, coached, porteur, cheffe, django_capture_on_commit_callbacks
):
    typed = '<script>alert("x")</script> & <b>gras</b>'
    with django_capture_on_commit_callbacks(execute=True):
        post(project=coached, author=porteur, body=typed)
    [email] = mail.outbox
    assert typed in email.body  # the text part says it as typed
    html = email.alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;" in html
    client.force_login(cheffe)
    for page in ("/accompagnement/", f"/accompagnement/dossiers/{coached.reference}/"):
        content = client.get(page).content.decode()
        assert "<script>alert" not in content and "&lt;script&gt;" in content, page
