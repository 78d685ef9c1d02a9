"""A dossier submitted from the public form with the address of an existing account waits on
that account's space: attached in one click once the address is proved, or its emailed link
sent again (throttled). Nobody ever sees a dossier submitted with another address."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from projects import services
from projects.models import Project
from tests.factories import ProjectFactory
from tests.outbox.helpers import send_pending_emails

pytestmark = pytest.mark.django_db


def _pending(email: str, **extra) -> Project:
    return ProjectFactory(owner=None, contact_email=email, **extra)


def _verify(user: User) -> User:
    User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
    user.refresh_from_db()
    return user


def test_the_space_lists_a_pending_dossier_and_attaches_it_for_a_verified_address(client, porteur):
    _verify(porteur)
    pending = _pending(porteur.email, title="La Ferme du Ternois")
    client.force_login(porteur)
    page = client.get("/espace/").content.decode()
    assert "La Ferme du Ternois" in page
    assert "Vous n'avez pas encore de dossier" not in page
    assert f"/espace/en-attente/{pending.reference}/rattacher/" in page
    assert "Renvoyer le lien" not in page

    response = client.post(f"/espace/en-attente/{pending.reference}/rattacher/")
    assert response.status_code == 302
    assert response["Location"] == pending.get_absolute_url()
    pending.refresh_from_db()
    assert pending.owner == porteur
    # Twice (a double click): still theirs, no error.
    again = client.post(f"/espace/en-attente/{pending.reference}/rattacher/")
    assert again.status_code == 302 and again["Location"] == pending.get_absolute_url()
    page = client.get("/espace/").content.decode()
    assert "Dossiers à rattacher" not in page
    assert f'href="{pending.get_absolute_url()}"' in page


def test_an_unverified_address_gets_only_the_resend_button_and_cannot_attach(client, porteur):
    assert porteur.email_verified_at is None
    pending = _pending(porteur.email.upper())
    client.force_login(porteur)
    page = client.get("/espace/").content.decode()
    assert "Renvoyer le lien" in page
    assert f"/espace/en-attente/{pending.reference}/rattacher/" not in page

    client.post(f"/espace/en-attente/{pending.reference}/rattacher/")
    pending.refresh_from_db()
    assert pending.owner is None


def test_resending_the_link_emails_it_once_per_period(client, porteur):
    pending = _pending(porteur.email)
    client.force_login(porteur)
    url = f"/espace/en-attente/{pending.reference}/renvoyer-le-lien/"
    client.post(url)
    client.post(url)  # a double click
    assert len(send_pending_emails()) == 1
    assert mail.outbox[0].to == [porteur.email]
    assert "/espace/rattacher/" in mail.outbox[0].body
    page = client.get("/espace/").content.decode()
    assert "Le lien vient de vous être envoyé" in page or "Un nouveau lien" in page


def test_the_resend_service_is_throttled_then_allowed_again(porteur):
    pending = _pending(porteur.email)
    now = timezone.now()
    services.project_claim_link_resend(project=pending, user=porteur, now=now)
    with pytest.raises(services.ClaimLinkThrottled):
        services.project_claim_link_resend(
            project=pending, user=porteur, now=now + timedelta(minutes=1)
        )
    later = now + timedelta(minutes=services.CLAIM_RESEND_MINUTES)
    services.project_claim_link_resend(project=pending, user=porteur, now=later)
    assert len(send_pending_emails()) == 2
    pending.refresh_from_db()
    assert pending.claim_link_sent_at == later
    # The link in the email attaches the dossier.
    token = mail.outbox[-1].body.split("/espace/rattacher/")[1].split("/")[0]
    assert services.claim_token_read(token) == pending.pk


def test_the_resend_service_refuses_another_address_and_an_attached_dossier(porteur, other_porteur):
    pending = _pending(porteur.email)
    with pytest.raises(services.TransitionError):
        services.project_claim_link_resend(project=pending, user=other_porteur)
    services.project_claim(project=pending, user=porteur)
    with pytest.raises(services.TransitionError):
        services.project_claim_link_resend(project=pending, user=porteur)
    assert send_pending_emails() == []


def test_a_submission_with_an_existing_address_starts_the_resend_period(porteur):
    project = services.project_submit(
        details={
            "contact_first_name": "Paul",
            "contact_last_name": "Porteur",
            "contact_email": porteur.email,
            "contact_phone": "0321000000",
            "structure_name": "Asso",
            "legal_form": "association",
            "title": "Un autre projet",
            "summary": "Résumé",
            "description": "Description",
            "category": "food",
            "commune": ProjectFactory.build().commune,
            "total_budget": 1000,
            "crowdfunding_amount": 500,
            "financing_type": "donation",
            "heard_from": "partner",
        }
    )
    assert project.owner is None and project.claim_link_sent_at is not None
    with pytest.raises(services.ClaimLinkThrottled):
        services.project_claim_link_resend(project=project, user=porteur)


def test_another_porteur_never_sees_nor_reaches_a_dossier_of_another_address(
    client, porteur, other_porteur
):
    _verify(other_porteur)
    pending = _pending(porteur.email, title="Le projet de Paul")
    client.force_login(other_porteur)
    page = client.get("/espace/").content.decode()
    assert "Le projet de Paul" not in page
    assert pending.reference not in page
    for action in ("rattacher", "renvoyer-le-lien"):
        response = client.post(f"/espace/en-attente/{pending.reference}/{action}/")
        assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.owner is None
    assert send_pending_emails() == []


def test_a_dossier_attached_to_another_account_is_not_offered(client, porteur, other_porteur):
    _verify(porteur)
    # Same address on the form, but the team attached it elsewhere: not pending any more.
    taken = ProjectFactory(owner=other_porteur, contact_email=porteur.email, title="Déjà pris")
    client.force_login(porteur)
    assert "Déjà pris" not in client.get("/espace/").content.decode()
    assert client.post(f"/espace/en-attente/{taken.reference}/rattacher/").status_code == 404
    taken.refresh_from_db()
    assert taken.owner == other_porteur


def test_the_actions_are_post_only_and_need_a_login(client, porteur):
    pending = _pending(porteur.email)
    url = f"/espace/en-attente/{pending.reference}/rattacher/"
    assert client.post(url).status_code == 302  # to the login page
    client.force_login(porteur)
    assert client.get(url).status_code == 405


def test_the_space_with_pending_dossiers_has_a_constant_number_of_queries(
    client, porteur, django_assert_max_num_queries
):
    _verify(porteur)
    client.force_login(porteur)
    for _ in range(3):
        _pending(porteur.email)
        ProjectFactory(owner=porteur)
    with django_assert_max_num_queries(12) as counted:
        client.get("/espace/")
    first = len(counted.captured_queries)
    for _ in range(3):
        _pending(porteur.email)
        ProjectFactory(owner=porteur)
    with django_assert_max_num_queries(first):
        client.get("/espace/")


def test_opening_the_emailed_link_proves_the_address(client, porteur):
    pending = _pending(porteur.email)
    client.force_login(porteur)
    client.post(f"/espace/rattacher/{services.claim_token_make(pending)}/")
    porteur.refresh_from_db()
    assert porteur.email_verified_at is not None


def test_choosing_a_password_through_the_reset_link_proves_the_address(client, porteur):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(porteur.pk))
    token = default_token_generator.make_token(porteur)
    response = client.get(f"/compte/mot-de-passe/nouveau/{uid}/{token}/", follow=True)
    client.post(
        response.redirect_chain[-1][0],
        {
            "new_password1": "un-mot-de-passe-solide-42",
            "new_password2": "un-mot-de-passe-solide-42",
        },
    )
    porteur.refresh_from_db()
    assert porteur.email_verified_at is not None


def test_an_administrator_changing_the_address_unproves_it(client, admin_user, porteur):
    _verify(porteur)
    client.force_login(admin_user)
    response = client.post(
        f"/admin/accounts/user/{porteur.pk}/change/",
        {
            "email": "nouvelle.adresse@example.org",
            "first_name": porteur.first_name,
            "last_name": porteur.last_name,
            "phone": "",
            "role": "porteur",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    porteur.refresh_from_db()
    assert porteur.email == "nouvelle.adresse@example.org"
    assert porteur.email_verified_at is None
