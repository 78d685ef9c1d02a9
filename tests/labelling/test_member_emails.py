"""Emails to committee members carry nothing their pages do not show: never the porteur's
name, phone number or address (the review page deliberately leaves them out)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from coaching.models import Reminder, ReminderKind
from coaching.services import reminders_send_due
from labelling import services
from tests.factories import ProjectFactory
from tests.labelling.factories import CommitteeSessionFactory, LabellingRequestFactory
from tests.outbox.helpers import send_pending_emails

pytestmark = pytest.mark.django_db

PORTEUR = {
    "contact_first_name": "Josiane",
    "contact_last_name": "Vandamme",
    "contact_phone": "0612345678",
    "contact_email": "josiane.vandamme@example.org",
}


def personal_data_in(message) -> list[str]:
    texts = [message.subject, message.body, *(content for content, _ in message.alternatives)]
    return [value for value in PORTEUR.values() if any(value in text for text in texts)]


@pytest.fixture
def invited_request(cheffe, members, django_capture_on_commit_callbacks):
    session = CommitteeSessionFactory(invited_at=None)
    request = LabellingRequestFactory(
        session=session,
        project__title="Ressourcerie des Caps",
        **{f"project__{name}": value for name, value in PORTEUR.items()},
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.session_invite(session=session, actor=cheffe)
    return request


def test_the_invitation_shows_the_agenda_without_the_porteurs_personal_data(
    members, invited_request
):
    assert len(mail.outbox) == len(members)
    for message in mail.outbox:
        assert "Ressourcerie des Caps" in message.body
        assert personal_data_in(message) == []


def test_vote_reminders_carry_no_personal_data_of_the_porteur(
    members, invited_request, time_machine
):
    mail.outbox.clear()
    deadline = invited_request.session.vote_deadline
    time_machine.move_to(deadline - timedelta(hours=47), tick=False)
    assert reminders_send_due() == len(members)
    send_pending_emails()
    assert len(mail.outbox) == len(members)
    for message in mail.outbox:
        assert "Ressourcerie des Caps" in message.body
        assert f"/comite/demandes/{invited_request.pk}/" in message.body
        assert personal_data_in(message) == []


def test_the_team_still_gets_the_porteurs_contact_in_its_own_reminders(cheffe):
    project = ProjectFactory(**PORTEUR)
    Reminder.objects.create(
        project=project,
        recipient=cheffe,
        kind=ReminderKind.NEXT_ACTION,
        key="test",
        message="Rappeler la porteuse",
        due_at=timezone.now() - timedelta(minutes=1),
    )
    assert reminders_send_due() == 1
    (message,) = send_pending_emails()
    assert "Josiane Vandamme" in message.body and "0612345678" in message.body
