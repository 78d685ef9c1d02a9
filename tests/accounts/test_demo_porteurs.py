"""The demo porteur accounts printed by load_demo own demo dossiers in several statuses, and
log in with the printed password."""

import re

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD, PORTEUR_EMAILS
from projects.models import Project, Status

pytestmark = pytest.mark.django_db


def _log_in(client, email: str) -> None:
    """Through the login form, with the password load_demo prints."""
    response = client.post("/compte/connexion/", {"username": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, email


def test_each_printed_porteur_owns_dossiers_covering_several_statuses(client, capsys):
    call_command("load_demo")
    output = capsys.readouterr().out
    printed = set(re.findall(r"\S+@\S+", output))
    porteurs = set(PORTEUR_EMAILS.values())
    assert porteurs <= printed
    assert f"mot de passe : {DEMO_PASSWORD}" in output

    statuses = set()
    for email in porteurs:
        owned = Project.objects.filter(owner__email=email)
        assert owned.exists(), email
        assert all(p.contact_email == email for p in owned)
        statuses |= set(owned.values_list("status", flat=True))
        _log_in(client, email)
        page = client.get("/espace/").content.decode()
        assert "Vous n'avez pas encore de dossier" not in page
        for project in owned:
            assert project.title.replace("'", "&#x27;") in page
        client.logout()
    assert len(statuses) >= 3
    assert {Status.CONTACT, Status.CAMPAIGN_RUNNING} <= statuses
    assert statuses & {Status.CLOSED, Status.NOT_LABELLED, Status.CAMPAIGN_ENDED}


def test_the_demo_space_shows_a_booked_meeting_and_a_label_number(client):
    call_command("load_demo")
    contact = Project.objects.get(owner__email=PORTEUR_EMAILS["boulangerie"], status="contact")
    from coaching.models import FirstMeeting

    assert FirstMeeting.objects.filter(project=contact).exists()
    running = Project.objects.get(owner__email=PORTEUR_EMAILS["indelab"], status="campaign_running")
    assert running.label_number
    _log_in(client, PORTEUR_EMAILS["indelab"])
    assert f"label n° {running.label_number}" in client.get("/espace/").content.decode()
