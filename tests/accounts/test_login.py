import re

import pytest
from django.core import mail

from accounts.models import User
from tests.conftest import PASSWORD


def test_a_user_logs_in_with_email_and_password(client, porteur):
    response = client.post(
        "/compte/connexion/", {"username": "PORTEUR@example.org ", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/espace/"
    assert client.get("/compte/").context["user"] == porteur


@pytest.mark.parametrize(
    ("role", "landing", "heading"),
    [
        ("porteur", "/espace/", "Mon espace"),
        ("comite", "/comite/", "Comité de labellisation"),
        ("cheffe", "/accompagnement/", "Mon tableau de bord"),
        ("admin", "/accompagnement/", "Mon tableau de bord"),
    ],
)
def test_each_role_lands_where_its_work_is(client, cast, role, landing, heading):
    response = client.post(
        "/compte/connexion/", {"username": cast[role].email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == landing
    page = client.get(landing)
    assert page.status_code == 200
    assert f"<h1>{heading}</h1>" in page.content.decode()


def test_a_safe_next_wins_over_the_landing_page(client, cheffe):
    response = client.post(
        "/compte/connexion/?next=/accompagnement/dossiers/",
        {"username": cheffe.email, "password": PASSWORD},
    )
    assert response["Location"] == "/accompagnement/dossiers/"


def test_a_next_to_another_host_is_ignored(client, porteur):
    response = client.post(
        "/compte/connexion/?next=https://ailleurs.example.com/espace/",
        {"username": porteur.email, "password": PASSWORD},
    )
    assert response["Location"] == "/espace/"


def test_a_logged_in_user_opening_the_login_page_goes_to_their_landing_page(
    client, committee_member
):
    client.force_login(committee_member)
    assert client.get("/compte/connexion/")["Location"] == "/comite/"


def test_a_wrong_password_gets_a_french_message_and_keeps_the_email(client, porteur):
    response = client.post(
        "/compte/connexion/", {"username": porteur.email, "password": "pas-le-bon"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Adresse électronique ou mot de passe incorrect" in page
    assert f'value="{porteur.email}"' in page


def test_logout_is_a_post(client, porteur):
    client.force_login(porteur)
    assert client.get("/compte/deconnexion/").status_code == 405
    response = client.post("/compte/deconnexion/")
    assert response.status_code == 302
    assert client.get("/compte/").status_code == 302


@pytest.mark.django_db(transaction=False)
def test_password_reset_sends_a_french_email_whose_link_sets_the_password(
    client, porteur, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/compte/mot-de-passe/oubli/", {"email": porteur.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [porteur.email]
    assert message.subject == "Propulsons!\u00a0: choisir un nouveau mot de passe"
    assert "Bonjour Paul Porteur" in message.body
    link = re.search(r"http://\S+/compte/mot-de-passe/nouveau/\S+/", message.body).group(0)
    path = link.split("8000", 1)[1] if "8000" in link else link
    response = client.get(path, follow=True)
    assert "Choisir un mot de passe" in response.content.decode()
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "un-nouveau-secret-123", "new_password2": "un-nouveau-secret-123"},
    )
    assert response.status_code == 302
    porteur.refresh_from_db()
    assert porteur.check_password("un-nouveau-secret-123")


def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/compte/mot-de-passe/oubli/", {"email": "inconnu@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_change_validates_in_french(client, porteur):
    client.force_login(porteur)
    response = client.post(
        "/compte/mot-de-passe/",
        {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ce mot de passe est trop court" in page
    response = client.post(
        "/compte/mot-de-passe/",
        {
            "old_password": PASSWORD,
            "new_password1": "tout-nouveau-secret-77",
            "new_password2": "tout-nouveau-secret-77",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(pk=porteur.pk).check_password("tout-nouveau-secret-77")
