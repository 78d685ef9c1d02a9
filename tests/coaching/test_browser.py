"""The coaching pages in a real Chromium: the cheffe's journey, axe-core, the keyboard.

One journey goes from a new dossier to its first meeting (with the porteur's invitation),
the meeting's report, a logged call and the reminder it leaves on the dashboard. axe-core
then checks every coaching page, empty and with errors, for WCAG 2 A and AA violations.

Time is never frozen here (the live server runs in other threads): every date is relative
to today.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from coaching import services
from coaching.models import Interaction, Reminder
from projects.models import Project, Status
from tests.coaching.factories import FirstMeetingFactory, InteractionFactory, ReminderFactory
from tests.conftest import click_and_wait, logout
from tests.factories import ProjectFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _short_timeout(page):
    # Every page is local: a locator that finds nothing in 10 seconds never will.
    page.set_default_timeout(10_000)


def field(page, label: str):
    """The form control with exactly this label (crispy adds "*" to required fields)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def dossier_url(live_server, project, suffix: str = "") -> str:
    return f"{live_server.url}/accompagnement/dossiers/{project.reference}/{suffix}"


def due_today():
    """When a reminder for today falls due (REMINDER_HOUR, Paris time)."""
    return services.due_moment(timezone.localdate())


# --- The cheffe's journey -------------------------------------------------------------------


def test_the_cheffe_schedules_reports_logs_a_call_and_ticks_its_reminder(
    page, live_server, login, cheffe, porteur, project
):
    login(page, cheffe)
    page.goto(dossier_url(live_server, project))
    expect(page.get_by_role("heading", level=1)).to_have_text(project.title)

    # The first meeting, a few days ahead, and the porteur's invitation.
    # The dossier's next step, the primary button of its header.
    click_and_wait(
        page.locator("#prochaine-etape").get_by_role("link", name="Fixer le premier rendez-vous")
    )
    day = timezone.localdate() + timedelta(days=4)
    field(page, "Date et heure").fill(f"{day:%Y-%m-%d}T14:00")
    field(page, "Lieu").fill("23 rue du 11 Novembre, Lens")
    click_and_wait(page.get_by_role("button", name="Enregistrer et envoyer l'invitation"))
    expect(page.get_by_text("Le rendez-vous est enregistré")).to_be_visible()
    assert page.url.startswith(dossier_url(live_server, project))

    (invitation,) = [message for message in mail.outbox if message.to == [porteur.email]]
    assert [attachment[0] for attachment in invitation.attachments] == ["invitation.ics"]
    project.refresh_from_db()
    assert project.coach == cheffe

    # The meeting's report: relevance, a two-line financing plan, the campaign, one reward.
    # The dossier's next step, the primary button of its header.
    click_and_wait(
        page.locator("#prochaine-etape").get_by_role("link", name="Saisir le compte rendu")
    )
    page.get_by_label("Pertinent", exact=True).check()
    field(page, "Argumentaire").fill("Une communauté fidèle soutient déjà le projet.")
    page.get_by_label("Source, ligne 1", exact=True).select_option(label="Fonds propres")
    page.get_by_label("Montant (€), ligne 1", exact=True).fill("12000")
    page.get_by_label("Acquis, ligne 1", exact=True).check()
    page.get_by_label("Source, ligne 2", exact=True).select_option(label="Financement participatif")
    page.get_by_label("Montant (€), ligne 2", exact=True).fill("8000")
    field(page, "Objectif de collecte (€)").fill("8000")
    field(page, "Durée de campagne (jours)").fill("45")
    page.get_by_label("À partir de (€), ligne 1", exact=True).fill("20")
    page.get_by_label("Contrepartie, ligne 1", exact=True).fill("Une baguette par semaine")
    page.get_by_label("Quantité, ligne 1", exact=True).fill("50")
    page.get_by_label("Poursuivre en accompagnement", exact=True).check()
    click_and_wait(page.get_by_role("button", name="Enregistrer le compte rendu"))
    expect(
        page.get_by_text("Le compte rendu du premier rendez-vous est enregistré")
    ).to_be_visible()

    project.refresh_from_db()
    assert project.status == Status.COACHING
    section = page.locator("#accompagnement")
    expect(section).to_contain_text("Part du financement participatif : 40,0 %")
    expect(section).to_contain_text("20 000 €")
    expect(section).to_contain_text("Une baguette par semaine")

    # A phone call whose next action is due today.
    click_and_wait(page.get_by_role("link", name="Noter un échange"))
    field(page, "Type d'échange").select_option(label="Échange téléphonique")
    field(page, "Durée (minutes)").fill("20")
    field(page, "Notes internes").fill("Le porteur hésite sur la durée.")
    field(page, "Prochaine action").fill("Envoyer le modèle de page de campagne")
    field(page, "À faire pour le").fill(f"{timezone.localdate():%Y-%m-%d}")
    click_and_wait(page.get_by_role("button", name="Enregistrer l'échange"))
    expect(
        page.get_by_text(f"L'échange est enregistré dans le dossier {project.reference}")
    ).to_be_visible()
    expect(section).to_contain_text("Envoyer le modèle de page de campagne")
    interaction = Interaction.objects.get(project=project)
    assert interaction.kind == "phone" and interaction.author == cheffe

    # The dashboard lists it for today; the call that answers it, noted there, closes it.
    page.goto(f"{live_server.url}/accompagnement/")
    reminders = page.locator("ul.reminders > li")
    reminder_item = reminders.filter(has_text="Envoyer le modèle de page de campagne")
    expect(reminder_item).to_have_count(1)
    expect(reminder_item).to_contain_text("Aujourd'hui")
    expect(reminder_item).to_contain_text(project.title)
    reminder_item.locator("summary", has_text="Noter l'échange").click()
    field(reminder_item, "Notes internes").fill("Modèle envoyé par courriel.")
    click_and_wait(reminder_item.get_by_role("button", name="Enregistrer et clore le rappel"))
    expect(page.get_by_text("« Envoyer le modèle de page de campagne » est clos.")).to_be_visible()
    expect(reminders.filter(has_text="Envoyer le modèle de page de campagne")).to_have_count(0)
    reminder = Reminder.objects.get(interaction=interaction)
    assert reminder.done_at is not None
    assert reminder.due_at == due_today()
    answer = Interaction.objects.exclude(pk=interaction.pk).get(project=project)
    assert answer.internal_notes == "Modèle envoyé par courriel." and answer.kind == "phone"


# --- axe-core ----------------------------------------------------------------------------------


@pytest.fixture
def busy_cheffe(cheffe, porteur):
    """A cheffe with dossiers at every stage: reminders late, due today and coming, meetings."""
    now = timezone.now()
    coaching = ProjectFactory(
        owner=porteur, coach=cheffe, status=Status.COACHING, title="Épicerie solidaire"
    )
    waiting = ProjectFactory(coach=cheffe, title="Atelier vélo")
    FirstMeetingFactory(
        project=waiting, organiser=cheffe, scheduled_at=now + timedelta(days=2, hours=1)
    )
    InteractionFactory(
        project=coaching,
        author=cheffe,
        happened_on=timezone.localdate() - timedelta(days=3),
        internal_notes="Trésorerie tendue.",
        shared_note="Bravo pour la vidéo.",
    )
    for message, delta in [
        ("Relancer les premiers contributeurs", timedelta(days=-3)),
        ("Relire le texte de présentation", timedelta(0)),
        ("Préparer la rencontre avec la presse", timedelta(days=3)),
    ]:
        ReminderFactory(
            recipient=cheffe, project=coaching, message=message, due_at=due_today() + delta
        )
    ProjectFactory(title="Dossier sans cheffe", status=Status.CONTACT)
    return cheffe


def test_the_dashboard_and_the_calendar_page_have_no_accessibility_violation(
    page, live_server, axe, login, busy_cheffe
):
    login(page, busy_cheffe)
    page.goto(f"{live_server.url}/accompagnement/")
    expect(page.locator("ul.reminders > li")).to_have_count(3)
    expect(page.get_by_text("En retard", exact=True)).to_be_visible()
    expect(page.get_by_text("Aujourd'hui", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Atelier vélo")).to_have_count(2)  # meeting + table
    assert axe(page) == []

    page.goto(f"{live_server.url}/accompagnement/agenda/")
    expect(page.get_by_text("Aucune adresse active.")).to_be_visible()
    assert axe(page) == []
    click_and_wait(page.get_by_role("button", name="Créer l'adresse de l'agenda"))
    expect(page.get_by_label("Adresse de l'agenda")).to_have_value(re.compile(r"/agenda/.+\.ics$"))
    assert axe(page) == []
    page.get_by_label("Recevoir le récapitulatif quotidien par courriel").uncheck()
    click_and_wait(page.get_by_role("button", name="Enregistrer", exact=True))
    expect(page.get_by_text("Récapitulatif quotidien désactivé.")).to_be_visible()
    assert axe(page) == []


def test_the_quick_exchange_page_has_no_accessibility_violation_even_with_errors(
    page, live_server, axe, login, busy_cheffe
):
    login(page, busy_cheffe)
    page.goto(f"{live_server.url}/accompagnement/echanges/nouveau/")
    expect(field(page, "Dossier")).to_be_visible()
    assert axe(page) == []

    field(page, "Durée (minutes)").fill("0")
    field(page, "À faire pour le").fill(f"{timezone.localdate() - timedelta(days=2):%Y-%m-%d}")
    click_and_wait(page.get_by_role("button", name="Enregistrer l'échange"))
    expect(page.get_by_role("alert")).to_contain_text("Corrigez les champs signalés")
    expect(page.get_by_text("Indiquez une durée d'au moins 1 minute.")).to_be_visible()
    expect(page.get_by_text("Choisissez une date à venir.")).to_be_visible()
    expect(field(page, "À faire pour le")).to_have_accessible_description(
        "Choisissez une date à venir."
    )
    assert axe(page) == []
    assert not Interaction.objects.filter(duration_minutes=0).exists()


def test_the_first_meeting_pages_have_no_accessibility_violation_even_with_errors(
    page, live_server, axe, login, cheffe, project
):
    login(page, cheffe)
    page.goto(dossier_url(live_server, project, "premier-rendez-vous/"))
    expect(field(page, "Date et heure")).to_be_visible()
    assert axe(page) == []
    click_and_wait(page.get_by_role("button", name="Enregistrer et envoyer l'invitation"))
    expect(page.get_by_text("Indiquez un lieu ou un lien de visioconférence.")).to_be_visible()
    assert axe(page) == []

    FirstMeetingFactory(
        project=project, organiser=cheffe, scheduled_at=timezone.now() - timedelta(hours=3)
    )
    page.goto(dossier_url(live_server, project, "compte-rendu/"))
    expect(page.get_by_label("Source, ligne 1", exact=True)).to_be_visible()
    assert axe(page) == []
    page.get_by_label("Source, ligne 1", exact=True).select_option(label="Subvention")
    page.get_by_label("Montant (€), ligne 1", exact=True).fill("-100")
    page.get_by_label("Contrepartie, ligne 1", exact=True).fill("Un pot de miel")
    field(page, "Durée de campagne (jours)").fill("0")
    click_and_wait(page.get_by_role("button", name="Enregistrer le compte rendu"))
    expect(page.get_by_role("alert")).to_contain_text("Corrigez les champs signalés")
    expect(page.get_by_text("Le montant doit être supérieur à 0 €.")).to_be_visible()
    expect(page.get_by_text("Indiquez le montant de cette contrepartie.")).to_be_visible()
    expect(page.get_by_text("Une campagne dure de 1 à 120 jours.")).to_be_visible()
    # What was typed is kept, and each error is read out with its field.
    expect(page.get_by_label("Contrepartie, ligne 1", exact=True)).to_have_value("Un pot de miel")
    expect(page.get_by_label("Montant (€), ligne 1", exact=True)).to_have_accessible_description(
        "Le montant doit être supérieur à 0 €."
    )
    expect(
        page.get_by_label("À partir de (€), ligne 1", exact=True)
    ).to_have_accessible_description(re.compile("Indiquez le montant de cette contrepartie"))
    expect(field(page, "Durée de campagne (jours)")).to_have_accessible_description(
        "Une campagne dure de 1 à 120 jours."
    )
    assert axe(page) == []
    assert Project.objects.get(pk=project.pk).status == Status.CONTACT


def test_the_dossier_pages_have_no_accessibility_violation(
    page, live_server, axe, login, cheffe, porteur, project
):
    # The porteur's space before the meeting: the appointment and a shared note.
    services.first_meeting_schedule(
        project=project,
        organiser=cheffe,
        scheduled_at=timezone.now() + timedelta(days=3),
        location="23 rue du 11 Novembre, Lens",
    )
    InteractionFactory(
        project=project,
        author=cheffe,
        happened_on=timezone.localdate(),
        internal_notes="Secret d'équipe",
        shared_note="Pensez à préparer vos questions.",
    )
    login(page, porteur)
    page.goto(f"{live_server.url}/espace/dossiers/{project.reference}/")
    expect(page.get_by_role("heading", name="Votre prochain rendez-vous")).to_be_visible()
    expect(page.get_by_text("Pensez à préparer vos questions.")).to_be_visible()
    expect(page.get_by_text("Secret d'équipe")).to_have_count(0)
    assert axe(page) == []

    # The team's page: the reported meeting, exchanges and reminders.
    logout(page)
    page.wait_for_url(f"{live_server.url}/")
    login(page, cheffe)
    page.goto(dossier_url(live_server, project, "echanges/nouveau/"))
    expect(field(page, "Type d'échange")).to_be_visible()
    assert axe(page) == []
    click_and_wait(page.get_by_role("button", name="Enregistrer l'échange"))
    expect(page.get_by_role("alert")).to_contain_text("Corrigez les champs signalés")
    assert axe(page) == []

    meeting = project.first_meeting
    services.first_meeting_report(
        meeting=meeting,
        actor=cheffe,
        report={
            "relevance": "conditional",
            "relevance_reasoning": "Une communauté existe, mais le budget doit être revu.",
            "campaign_goal": 8000,
            "campaign_duration_days": 45,
            "campaign_financing_type": "donation_rewards",
            "next_steps": "Revoir le budget.",
            "outcome": "continue",
        },
        financing_lines=[
            {"source": "own_funds", "label": "Épargne", "amount": 12000, "acquired": True},
            {"source": "crowdfunding", "label": "", "amount": 8000, "acquired": False},
        ],
        rewards=[{"amount": 20, "description": "Une baguette par semaine", "quantity": 50}],
    )
    services.interaction_record(
        project=project,
        author=cheffe,
        kind="proofreading",
        happened_on=timezone.localdate(),
        duration_minutes=45,
        internal_notes="Texte trop long.",
        next_action="Relire la deuxième version",
        next_action_due=timezone.localdate() + timedelta(days=2),
    )
    ReminderFactory(
        recipient=cheffe,
        project=project,
        message="Appeler la mairie",
        due_at=due_today() - timedelta(days=1),
    )
    page.goto(dossier_url(live_server, project))
    section = page.locator("#accompagnement")
    expect(section).to_contain_text("Pertinent sous conditions")
    expect(section).to_contain_text("Part du financement participatif : 40,0 %")
    expect(section).to_contain_text("Relire la deuxième version")
    expect(section.get_by_role("button", name=re.compile(r"^Fait"))).to_have_count(2)
    expect(section.get_by_role("button", name=re.compile(r"^\+1 semaine"))).to_have_count(2)
    assert axe(page) == []

    # "Noter l'échange" on the late reminder: its page says what it answers, saving closes it
    # and comes back to the dossier.
    click_and_wait(section.get_by_role("link", name="Noter l'échange : Appeler la mairie"))
    expect(page.get_by_text("L'enregistrer clôt le rappel.")).to_be_visible()
    assert axe(page) == []
    field(page, "Notes internes").fill("La mairie prête la salle.")
    click_and_wait(page.get_by_role("button", name="Enregistrer et clore le rappel"))
    assert page.url.startswith(dossier_url(live_server, project))
    expect(page.get_by_text("« Appeler la mairie » est clos.")).to_be_visible()
    expect(section).not_to_contain_text("Appeler la mairie")
    assert Reminder.objects.get(message="Appeler la mairie").done_at is not None


# --- The keyboard ------------------------------------------------------------------------------


def tab_to(page, pattern: str, limit: int = 80) -> str:
    """Press Tab until the focused element's text matches; fail after `limit` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        text = page.evaluate("document.activeElement ? document.activeElement.textContent : ''")
        if re.search(pattern, " ".join(text.split())):
            return text
    raise AssertionError(f"{pattern!r} cannot be reached with Tab in {limit} presses")


def test_a_reminder_is_done_with_the_keyboard_alone(page, live_server, login, cheffe):
    project = ProjectFactory(coach=cheffe, status=Status.COACHING, title="Ressourcerie")
    first = ReminderFactory(
        recipient=cheffe,
        project=project,
        message="Rappeler la banque",
        due_at=due_today() - timedelta(days=1),
    )
    second = ReminderFactory(
        recipient=cheffe, project=project, message="Relire le budget", due_at=due_today()
    )
    login(page, cheffe)
    page.goto(f"{live_server.url}/accompagnement/")

    focused = tab_to(page, r"^Fait : Ressourcerie, Rappeler la banque$")
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"
    assert "Rappeler la banque" in focused
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    expect(page.get_by_text("Rappel marqué comme fait.")).to_be_visible()
    expect(page.locator("ul.reminders > li")).to_have_count(1)
    first.refresh_from_db()
    assert first.done_at is not None

    tab_to(page, r"^Fait : Ressourcerie, Relire le budget$")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Space")
    expect(page.get_by_text("Rien à faire dans les 7 prochains jours.")).to_be_visible()
    second.refresh_from_db()
    assert second.done_at is not None
