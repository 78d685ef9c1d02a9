"""The public intake form: validation, anti-spam, what submission records and sends."""

import re
from datetime import date

import pytest
from django.core import mail

from accounts.models import Organisation, User
from projects.models import Project, Status, StatusChange
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()


def valid_data(**overrides):
    data = {
        "contact_first_name": "Camille",
        "contact_last_name": "Lefebvre",
        "contact_email": "Camille.Lefebvre@Example.org",
        "contact_phone": "06 12 34 56 78",
        "structure_name": "Le Fournil du Ternois",
        "legal_form": "sole_trader",
        "siret": "732 829 320 00074",
        "title": "Un four à pain collectif",
        "summary": "Un fournil paysan ouvert aux habitants.",
        "description": "Nous voulons acheter un four à bois pour le village.",
        "category": "food",
        "commune_name": "Saint-Pol-sur-Ternoise",
        "postal_code": "62130",
        "total_budget": "40000",
        "crowdfunding_amount": "8000",
        "financing_type": "donation_rewards",
        "wished_campaign_start": "2027-03",
        "partner": str(Organisation.objects.get(slug="initiative-pas-de-calais").pk),
        "heard_from": "partner",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def submit(client, django_capture_on_commit_callbacks, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/deposer/", valid_data(**overrides))


def errors_of(response):
    return response.context["form"].errors


def test_the_form_is_in_french_with_its_sections(client):
    page = client.get("/deposer/").content.decode()
    for section in ["Vous", "Votre structure", "Votre projet", "Financement", "Accompagnement"]:
        assert f"<legend>{section}" in page or f">{section}</legend>" in page
    assert "Aucun pour l&#x27;instant" in page or "Aucun pour l'instant" in page
    assert 'list="communes-62"' in page
    assert "Béthune (62400)" in page


def test_a_valid_submission_records_the_dossier_and_its_history(
    client, django_capture_on_commit_callbacks
):
    response = submit(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == "/deposer/merci/"
    project = Project.objects.get()
    assert re.fullmatch(r"P-\d{4}-0001", project.reference)
    assert project.status == Status.CONTACT
    assert project.contact_email == "camille.lefebvre@example.org"
    assert project.contact_phone == "+33612345678"
    assert project.siret == "73282932000074"
    assert project.commune.name == "Saint-Pol-sur-Ternoise"
    assert project.wished_campaign_start == date(2027, 3, 1)
    assert project.partner.slug == "initiative-pas-de-calais"
    assert project.consent_at is not None
    change = StatusChange.objects.get(project=project)
    assert (change.from_status, change.to_status) == ("", Status.CONTACT)

    page = client.get("/deposer/merci/").content.decode()
    assert project.reference in page
    assert "premier rendez-vous de 2 heures" in page


def test_references_follow_each_other(client, django_capture_on_commit_callbacks):
    submit(client, django_capture_on_commit_callbacks)
    submit(client, django_capture_on_commit_callbacks, contact_email="autre@example.org")
    numbers = sorted(p.reference[-4:] for p in Project.objects.all())
    assert numbers == ["0001", "0002"]


def test_a_new_address_gets_an_account_and_a_link_to_choose_a_password(
    client, django_capture_on_commit_callbacks
):
    submit(client, django_capture_on_commit_callbacks)
    user = User.objects.get(email="camille.lefebvre@example.org")
    assert user.role == "porteur"
    assert not user.has_usable_password()
    project = Project.objects.get()
    assert project.owner == user

    assert len(mail.outbox) == 2
    to_porteur, to_team = mail.outbox
    assert to_porteur.to == ["camille.lefebvre@example.org"]
    assert project.reference in to_porteur.subject
    assert "premier rendez-vous de 2 heures" in to_porteur.body
    link = re.search(r"/compte/mot-de-passe/nouveau/\S+/", to_porteur.body).group(0)
    response = client.get(link, follow=True)
    assert "Choisir un mot de passe" in response.content.decode()

    assert to_team.to == ["contact@propulsons.org"]
    assert "Nouveau projet déposé" in to_team.subject
    assert "Camille Lefebvre" in to_team.body
    assert f"/accompagnement/dossiers/{project.reference}/" in to_team.body


def test_a_known_address_is_not_attached_silently(
    client, porteur, django_capture_on_commit_callbacks
):
    submit(client, django_capture_on_commit_callbacks, contact_email=porteur.email)
    project = Project.objects.get()
    assert project.owner is None
    assert User.objects.filter(email=porteur.email).count() == 1
    body = mail.outbox[0].body
    link = re.search(r"/espace/rattacher/\S+/", body).group(0)

    # Someone else, logged in, cannot use the link.
    other = User.objects.create_user(email="intrus@example.org", password="x")
    client.force_login(other)
    assert client.post(link).status_code == 404
    project.refresh_from_db()
    assert project.owner is None

    # The owner of the address confirms, logged in.
    client.force_login(porteur)
    assert "Rattacher ce dossier" in client.get(link).content.decode()
    response = client.post(link)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.owner == porteur
    assert project.title in client.get("/espace/").content.decode()


def test_a_logged_in_porteur_submitting_with_their_own_address_owns_the_dossier(
    client, porteur, django_capture_on_commit_callbacks
):
    client.force_login(porteur)
    submit(client, django_capture_on_commit_callbacks, contact_email=porteur.email)
    assert Project.objects.get().owner == porteur


def test_a_forged_claim_link_is_refused(client, porteur):
    client.force_login(porteur)
    response = client.get("/espace/rattacher/pas-un-jeton/")
    assert response.status_code == 400
    assert "pas valable" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"commune_name": "Lille", "postal_code": "59000"}, "commune_name", "critère 3"),
        ({"postal_code": "59000"}, "postal_code", "pas dans le Pas-de-Calais"),
        (
            {"postal_code": "62400"},
            "postal_code",
            "Le code postal de Saint-Pol-sur-Ternoise est 62130",
        ),
        ({"postal_code": "6213"}, "postal_code", "5 chiffres"),
        ({"crowdfunding_amount": "50000"}, "crowdfunding_amount", "ne peut pas dépasser le budget"),
        ({"crowdfunding_amount": "0"}, "crowdfunding_amount", "supérieur à 0"),
        ({"total_budget": "-5"}, "total_budget", "supérieur"),
        ({"siret": "73282932000075"}, "siret", "SIRET n'est pas valide"),
        ({"siret": "1234"}, "siret", "SIRET n'est pas valide"),
        ({"contact_phone": "12"}, "contact_phone", "numéro de téléphone n'est pas valide"),
        ({"contact_email": "pas-une-adresse"}, "contact_email", "adresse de courriel valide"),
        ({"consent": ""}, "consent", "Votre accord est nécessaire"),
        ({"title": ""}, "title", "Ce champ est obligatoire"),
        ({"summary": "x" * 301}, "summary", "300 caractères"),
        ({"legal_form": "inconnue"}, "legal_form", "Sélectionnez un choix valide"),
        ({"wished_campaign_start": "2020-01"}, "wished_campaign_start", "déjà passé"),
    ],
)
def test_bad_input_gets_a_french_message_next_to_its_field_and_keeps_the_rest(
    client, overrides, field, message
):
    response = client.post("/deposer/", valid_data(**overrides))
    assert response.status_code == 200
    errors = errors_of(response)
    assert field in errors, errors
    assert message in " ".join(errors[field])
    page = response.content.decode()
    # The message is shown, and what was typed elsewhere is still there.
    assert f'id="error_1_id_{field}"' in page or f"error_1_id_{field}" in page
    assert 'value="Le Fournil du Ternois"' in page
    assert "Nous voulons acheter un four à bois pour le village." in page
    assert Project.objects.count() == 0
    assert mail.outbox == []


def test_the_commune_name_is_matched_without_case_or_accents(
    client, django_capture_on_commit_callbacks
):
    submit(
        client,
        django_capture_on_commit_callbacks,
        commune_name="bethune",
        postal_code="62400",
    )
    assert Project.objects.get().commune.name == "Béthune"


def test_the_crowdfunding_share_is_shown_on_the_form(client):
    response = client.post(
        "/deposer/", valid_data(total_budget="40000", crowdfunding_amount="10000", title="")
    )
    share = "Part du financement participatif dans le budget\u00a0: 25,0\u00a0%"
    assert share in response.content.decode()


def test_the_honeypot_records_nothing_and_looks_like_success(
    client, django_capture_on_commit_callbacks
):
    response = submit(client, django_capture_on_commit_callbacks, website="http://spam.example")
    assert response.status_code == 302
    assert Project.objects.count() == 0
    assert User.objects.filter(email="camille.lefebvre@example.org").count() == 0
    assert mail.outbox == []


def test_the_rate_limit_answers_in_french_and_keeps_the_input(
    client, settings, django_capture_on_commit_callbacks
):
    settings.INTAKE_RATE = "2/h"
    submit(client, django_capture_on_commit_callbacks, contact_email="a1@example.org")
    submit(client, django_capture_on_commit_callbacks, contact_email="a2@example.org")
    response = client.post("/deposer/", valid_data(contact_email="a3@example.org"))
    assert response.status_code == 429
    page = response.content.decode()
    assert "Trop de dépôts depuis votre connexion" in page
    assert 'value="a3@example.org"' in page
    assert Project.objects.count() == 2


def test_the_confirmation_page_shows_nothing_of_another_visitor(client):
    ProjectFactory(title="Projet secret")
    page = client.get("/deposer/merci/").content.decode()
    assert "Projet secret" not in page
