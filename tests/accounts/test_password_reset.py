"""Mot de passe oublié: every active account gets a link, known or not the page is the same."""

import re

import pytest
from django.core import mail

from accounts.models import User
from tests.projects.test_intake import submit

pytestmark = pytest.mark.django_db

INTAKE_EMAIL = "camille.lefebvre@example.org"


def _ask_for_a_link(client, email, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/compte/mot-de-passe/oubli/", {"email": email}, follow=True)
    return response


def _reset_path(message) -> str:
    link = re.search(r"https?://\S+/compte/mot-de-passe/nouveau/\S+/", message.body).group(0)
    return "/compte/" + link.split("/compte/", 1)[1]


def test_an_account_created_by_the_intake_form_gets_a_link_that_sets_the_password_and_logs_in(
    client, django_capture_on_commit_callbacks
):
    submit(client, django_capture_on_commit_callbacks)
    user = User.objects.get(email=INTAKE_EMAIL)
    assert not user.has_usable_password()

    response = _ask_for_a_link(
        client, "Camille.Lefebvre@example.org", django_capture_on_commit_callbacks
    )
    assert response.redirect_chain[-1][0] == "/compte/mot-de-passe/oubli/envoye/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [INTAKE_EMAIL]
    response = client.get(_reset_path(mail.outbox[0]), follow=True)
    assert "Choisir un mot de passe" in response.content.decode()
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "un-nouveau-secret-123", "new_password2": "un-nouveau-secret-123"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/compte/mot-de-passe/nouveau/termine/"
    assert "vous êtes connecté" in response.content.decode()
    # The porteur goes on to their space, where the dossier is.
    assert 'btn btn-primary" href="/espace/"' in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("un-nouveau-secret-123")
    assert client.get("/compte/").context["user"] == user


def test_an_unknown_address_gets_the_same_page_and_no_email(
    client, porteur, django_capture_on_commit_callbacks
):
    known = _ask_for_a_link(client, porteur.email, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    unknown = _ask_for_a_link(client, "inconnu@example.org", django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert unknown.redirect_chain == known.redirect_chain
    assert unknown.content == known.content


def test_an_inactive_account_gets_no_email(client, porteur, django_capture_on_commit_callbacks):
    porteur.is_active = False
    porteur.set_unusable_password()
    porteur.save(update_fields=["is_active", "password"])
    response = _ask_for_a_link(client, porteur.email, django_capture_on_commit_callbacks)
    assert response.redirect_chain[-1][0] == "/compte/mot-de-passe/oubli/envoye/"
    assert mail.outbox == []


def test_an_account_created_by_the_team_without_a_password_gets_a_link(
    client, committee_member, django_capture_on_commit_callbacks
):
    committee_member.set_unusable_password()
    committee_member.save(update_fields=["password"])
    _ask_for_a_link(client, committee_member.email, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[committee_member.email]]
