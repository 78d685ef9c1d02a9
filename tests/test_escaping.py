"""User content is escaped everywhere it is shown: pages (every role), emails, open data.

One dossier goes through its whole life with HTML and JavaScript typed into every free-text
field a person can fill in (intake, first meeting, report, exchanges, documents, opinion,
session, votes, decision, campaign), and each page and email that shows them is read.
"""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accounts.models import Organisation, User
from campaigns.models import Campaign, Platform
from coaching import services as coaching_services
from coaching.models import Reminder
from labelling.models import CommitteeSession, LabellingRequest
from projects.models import Project
from tests.factories import CommitteeMemberFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PAYLOAD = SCRIPT + IMG
# What must never reach a page raw, and what shows that the content was there, escaped.
RAW = ("<script>alert(1)", "<img src=x", "<img/src=x")
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def assert_escaped(html: str, where: str, *, shown: bool = True) -> None:
    for raw in RAW:
        assert raw not in html, f"{where}: user content rendered raw ({raw!r})"
    if shown:
        assert ESCAPED in html, f"{where}: the user content is not on the page at all"


@pytest.fixture(autouse=True)
def _locmem_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


def intake_data(**overrides):
    data = {
        "contact_first_name": f"Camille {PAYLOAD}",
        "contact_last_name": f"Lefebvre {PAYLOAD}",
        "contact_email": "xss@example.org",
        "contact_phone": "06 12 34 56 78",
        "structure_name": f"Le Fournil {PAYLOAD}",
        "legal_form": "association",
        "siret": "",
        "title": f"Four à pain {PAYLOAD}",
        "summary": f"Un fournil {PAYLOAD}",
        "description": f"Première ligne {PAYLOAD}\nDeuxième ligne {PAYLOAD}",
        "category": "food",
        "commune_name": "Lens",
        "postal_code": "62300",
        "total_budget": "40000",
        "crowdfunding_amount": "8000",
        "financing_type": "donation_rewards",
        "wished_campaign_start": "",
        "partner": str(Organisation.objects.get(slug="initiative-pas-de-calais").pk),
        "heard_from": "partner",
        "publish_agreed": "on",
        "consent": "on",
        "website": "",
    }
    return data | overrides


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client, url: str, *, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code}"
    return response.content.decode()


def post(client, url: str, data, *, expect: int = 302):
    response = client.post(url, data)
    assert response.status_code == expect, f"{url}: {response.status_code}"
    return response


def html_part(message) -> str:
    (alternative,) = [a for a in message.alternatives if a[1] == "text/html"]
    return alternative[0]


def assert_emails_escaped(messages, *, at_least: int) -> None:
    assert len(messages) >= at_least
    for message in messages:
        assert_escaped(html_part(message), f"email « {message.subject} » (HTML)", shown=False)
        # The text part and the subject are plain text: the characters as typed, no entities.
        assert "&lt;" not in message.body, f"email « {message.subject} »: entities in text"
        assert "&lt;" not in message.subject, f"email « {message.subject} »: entities"


def test_html_and_javascript_typed_anywhere_are_escaped_everywhere(
    django_capture_on_commit_callbacks, cheffe, committee_member, other_committee_member
):
    anonymous = Client()
    team = login(cheffe)
    today = timezone.localdate()

    # --- The intake form, its confirmation and its emails ---------------------------------
    with django_capture_on_commit_callbacks(execute=True):
        post(anonymous, "/deposer/", intake_data())
    project = Project.objects.get()
    ref = project.reference
    assert project.title == f"Four à pain {PAYLOAD}"  # stored as typed, escaped when shown
    assert_escaped(page(anonymous, "/deposer/merci/"), "confirmation page")
    assert_emails_escaped(mail.outbox, at_least=2)
    team_email = next(m for m in mail.outbox if m.to == ["contact@propulsons.org"])
    assert_escaped(html_part(team_email), "email to the team (HTML)")
    assert PAYLOAD in team_email.body  # plain text keeps what was typed

    # An invalid submission shows the typed values again, escaped, in the fields.
    response = anonymous.post("/deposer/", intake_data(postal_code="59000"))
    assert_escaped(response.content.decode(), "intake form shown again")

    porteur = User.objects.get(email="xss@example.org")
    owner = login(porteur)
    assert_escaped(page(owner, "/espace/"), "porteur's space")
    assert_escaped(page(owner, f"/espace/dossiers/{ref}/"), "porteur's dossier page")
    assert_escaped(page(owner, f"/espace/dossiers/{ref}/modifier/"), "porteur's edit form")
    assert_escaped(page(team, "/accompagnement/dossiers/"), "team pipeline")
    assert_escaped(
        page(team, f"/accompagnement/dossiers/?q={SCRIPT}"), "pipeline search echo", shown=False
    )
    assert_escaped(page(team, f"/accompagnement/dossiers/{ref}/"), "team dossier page")

    # --- Coaching: first meeting, report, exchange, documents -----------------------------
    mail.outbox.clear()
    moment = timezone.localtime() + timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        post(
            team,
            f"/accompagnement/dossiers/{ref}/premier-rendez-vous/",
            {
                "scheduled_at": moment.strftime("%Y-%m-%dT%H:%M"),
                "duration_minutes": "120",
                "location": f"Salle des fêtes {PAYLOAD}",
                "video_link": "",
            },
        )
    assert_emails_escaped(mail.outbox, at_least=1)
    assert_escaped(html_part(mail.outbox[0]), "first meeting invitation (HTML)")
    post(
        team,
        f"/accompagnement/dossiers/{ref}/compte-rendu/",
        {
            "relevance": "relevant",
            "relevance_reasoning": f"Argumentaire {PAYLOAD}",
            "campaign_goal": "8000",
            "campaign_duration_days": "40",
            "campaign_financing_type": "donation_rewards",
            "target_platform": str(Platform.objects.get(slug="ulule").pk),
            "next_steps": f"Étapes {PAYLOAD}",
            "outcome": "continue",
            "plan-TOTAL_FORMS": "2",
            "plan-INITIAL_FORMS": "0",
            "plan-0-source": "own_funds",
            "plan-0-label": f"Épargne {PAYLOAD}",
            "plan-0-amount": "32000",
            "plan-1-source": "crowdfunding",
            "plan-1-label": "",
            "plan-1-amount": "8000",
            "contreparties-TOTAL_FORMS": "1",
            "contreparties-INITIAL_FORMS": "0",
            "contreparties-0-amount": "20",
            "contreparties-0-description": f"Une baguette {PAYLOAD}",
            "contreparties-0-quantity": "",
        },
    )
    post(
        team,
        f"/accompagnement/dossiers/{ref}/echanges/nouveau/",
        {
            "kind": "phone",
            "happened_on": today.isoformat(),
            "duration_minutes": "30",
            "phase": "",
            "internal_notes": f"Interne {PAYLOAD}",
            "shared_note": f"Partagé {PAYLOAD}",
            "next_action": f"Rappeler {PAYLOAD}",
            "next_action_due": today.isoformat(),
        },
    )
    evil_url = f'https://video.example.org/x?q=">{SCRIPT}'  # a valid URL (no spaces)
    post(owner, f"/espace/dossiers/{ref}/", {"kind": "video", "url": evil_url})
    text = io.BytesIO(b"%PDF-1.7 texte de la campagne")
    text.name = "texte<b>gras</b><img src=x onerror=alert(1)>.pdf"
    post(owner, f"/espace/dossiers/{ref}/", {"kind": "campaign_text", "upload": text})
    assert project.documents.count() == 2

    assert_escaped(page(owner, f"/espace/dossiers/{ref}/"), "porteur's dossier (coaching)")
    assert_escaped(page(team, f"/accompagnement/dossiers/{ref}/"), "team dossier (coaching)")
    assert_escaped(page(team, f"/accompagnement/dossiers/{ref}/compte-rendu/"), "report form")
    assert_escaped(page(team, "/accompagnement/"), "cheffe's dashboard")

    # The reminder of the next action, and the daily digest, by email.
    mail.outbox.clear()
    reminder = Reminder.objects.get(project=project)
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        coaching_services.reminders_send_due(now=reminder.due_at + timedelta(minutes=1))
        coaching_services.digest_send(user=cheffe, today=today)
    assert_emails_escaped(mail.outbox, at_least=2)
    assert any(ESCAPED in html_part(m) for m in mail.outbox), "the reminder shows the action"

    # --- The committee ---------------------------------------------------------------------
    post(team, f"/comite/dossiers/{ref}/demander/", {})
    request = LabellingRequest.objects.get(project=project)
    post(team, f"/comite/demandes/{request.pk}/avis/", {"cheffe_opinion": f"Avis {PAYLOAD}"})
    held = (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    post(
        team,
        "/comite/seances/nouvelle/",
        {"held_at": held, "vote_deadline": held, "location": f"Arras {PAYLOAD}", "chair": ""},
    )
    session = CommitteeSession.objects.get()
    post(team, f"/comite/seances/{session.pk}/inscrire/", {"request": request.pk})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post(team, f"/comite/seances/{session.pk}/inviter/", {})
    assert_emails_escaped(mail.outbox, at_least=2)
    assert all(ESCAPED in html_part(m) for m in mail.outbox), "the invitation lists the title"

    member = login(committee_member)
    vote = {"overall": "favorable", "comment": f"Commentaire {PAYLOAD}"}
    for code in ("viable", "solidaire", "pas-de-calais", "partenaire"):
        vote[f"criterion_{code}"] = "yes"
        vote[f"criterion_{code}_comment"] = f"Critère {PAYLOAD}"
    post(member, f"/comite/demandes/{request.pk}/", vote)
    other = CommitteeMemberFactory(
        email="membre.ipdc@example.org",
        organisation=Organisation.objects.get(slug="initiative-pas-de-calais"),
    )
    post(login(other), f"/comite/demandes/{request.pk}/", vote)

    assert_escaped(page(member, f"/comite/demandes/{request.pk}/"), "committee review page")
    assert_escaped(page(member, "/comite/"), "committee index", shown=False)
    assert_escaped(page(member, f"/comite/seances/{session.pk}/"), "committee session page")
    assert_escaped(page(team, f"/comite/demandes/{request.pk}/"), "team review page")
    assert_escaped(page(team, f"/comite/seances/{session.pk}/"), "team session page")

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post(
            team,
            f"/comite/demandes/{request.pk}/decision/",
            {"outcome": "labelled", "motivation": f"Motivation détaillée {PAYLOAD}"},
        )
    project.refresh_from_db()
    assert project.status == "labelled" and project.label_number
    assert_emails_escaped(mail.outbox, at_least=1)
    assert_escaped(html_part(mail.outbox[0]), "committee decision email (HTML)")
    assert_escaped(page(team, f"/comite/seances/{session.pk}/proces-verbal/"), "minutes")
    assert_escaped(page(owner, f"/espace/dossiers/{ref}/"), "porteur's dossier (decision)")

    # --- The campaign and the public pages --------------------------------------------------
    post(
        team,
        f"/accompagnement/dossiers/{ref}/campagne/",
        {
            "platform": str(Platform.objects.get(slug="ulule").pk),
            "url": f'https://fr.ulule.com/four/?r="><img/src=x/onerror=alert(1)>{SCRIPT}',
            "financing_type": "donation_rewards",
            "collection_model": "all_or_nothing",
            "goal": "8000",
            "starts_on": "",
            "ends_on": "",
        },
    )
    campaign = Campaign.objects.get()
    post(team, f"/accompagnement/campagnes/{campaign.pk}/lancer/", {})
    post(owner, f"/campagnes/{campaign.pk}/chiffres/", {"amount": "1200", "contributors": "30"})

    project.refresh_from_db()
    assert_escaped(page(anonymous, "/"), "home page")
    assert_escaped(page(anonymous, "/projets/"), "catalogue")
    assert_escaped(page(anonymous, f"/projets/?q={SCRIPT}"), "catalogue search", shown=False)
    assert_escaped(page(anonymous, f"/projets/{project.slug}/"), "public project page")
    assert_escaped(page(anonymous, "/carte/"), "map page", shown=False)
    assert_escaped(page(team, f"/accompagnement/dossiers/{ref}/"), "team dossier (campaign)")
    assert_escaped(page(owner, f"/espace/dossiers/{ref}/"), "porteur's dossier (campaign)")
    assert_escaped(page(team, "/accompagnement/bilan/?start=2015-11-01"), "funder's report")

    # Open data is data, not HTML: the values are exactly what was typed (no entities), and
    # the responses say they are JSON / CSV, which no browser renders as a page.
    response = anonymous.get("/donnees/projets.json")
    assert response["Content-Type"].startswith("application/json")
    assert response.get("X-Content-Type-Options") == "nosniff"
    (row,) = json.loads(response.getvalue())["projets"]
    assert row["titre"] == project.title and row["structure"] == project.structure_name
    assert "&lt;" not in response.getvalue().decode()

    response = anonymous.get("/donnees/projets.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")
    text = response.getvalue().decode("utf-8-sig")
    (row,) = csv.DictReader(io.StringIO(text), delimiter=";")
    assert row["titre"] == project.title and "&lt;" not in text


def test_email_subjects_show_titles_as_typed_not_as_html_entities(
    django_capture_on_commit_callbacks,
):
    """A subject is plain text: « L'épicerie » arrived as « L&#x27;épicerie », the .subject
    templates being rendered with autoescaping on (found by this test, fixed)."""
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/deposer/", intake_data(title="L'épicerie <solidaire> & Cie"))
    subjects = [m.subject for m in mail.outbox]
    team_subject = next(s for s in subjects if "Nouveau projet" in s)
    assert (
        "&#x27;" not in team_subject and "&lt;" not in team_subject and "&amp;" not in team_subject
    )
    assert "L'épicerie <solidaire> & Cie" in team_subject


FORMULA = '=HYPERLINK("https://evil.example/","Cliquez ici")'


@pytest.fixture
def formula_project(porteur):
    from tests.campaigns.factories import CampaignFactory

    campaign = CampaignFactory(
        project__owner=porteur,
        project__title=FORMULA,
        project__structure_name="+33 (0)3 21 00 00 00",
        project__publish_agreed=True,
    )
    return campaign.project


def test_spreadsheet_export_does_not_turn_a_title_into_a_formula(cheffe, formula_project):
    """A title « =HYPERLINK(…) » became a live formula in the funder's XLSX export: openpyxl
    stores a text starting with « = » as a formula (found by this test, fixed)."""
    from openpyxl import load_workbook

    response = login(cheffe).get("/accompagnement/bilan/export.xlsx?start=2015-11-01")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.getvalue()))["Campagnes"]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert any(FORMULA in str(cell.value) for cell in cells), "the campaign is not exported"
    assert all(cell.data_type != "f" for cell in cells), "a porteur's text became a formula"


# XlsxWriter copies a text shaped like its rich-text markup into the sheet's XML as it is:
# this title closed its cell and opened a formula cell of its own.
RICH_TEXT_MARKUP = (
    '<r><t>a</t></r></is></c><c r="Z9"><f>HYPERLINK("https://evil.example/","x")</f></c>'
    '<c r="Z10" t="inlineStr"><is><r><t>b</t></r>'
)


@pytest.mark.parametrize("title", [FORMULA, RICH_TEXT_MARKUP, "<r>Atelier</r>"])
def test_spreadsheet_export_keeps_a_title_shaped_like_markup_a_text(cheffe, porteur, title):
    from openpyxl import load_workbook

    from tests.campaigns.factories import CampaignFactory

    CampaignFactory(project__owner=porteur, project__title=title)
    response = login(cheffe).get("/accompagnement/bilan/export.xlsx?start=2015-11-01")
    sheet = load_workbook(io.BytesIO(response.getvalue()))["Campagnes"]
    rows = list(sheet.iter_rows())
    cells = [cell for row in rows for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells), "a porteur's text became a formula"
    assert len(rows) == 2 and sheet.max_column == len(rows[0]), "cells were added"
    assert rows[1][1].value == title and rows[1][1].data_type == "s"


@pytest.mark.parametrize(
    "url", ["/donnees/projets.csv", "/accompagnement/bilan/export.csv?start=2015-11-01"]
)
def test_csv_exports_neutralise_formulas(cheffe, formula_project, url):
    """CSV injection (OWASP): spreadsheet software runs a cell starting with = + - @ as a
    formula, and the open-data CSV carries a BOM for Excel (found by this test, fixed)."""
    response = login(cheffe).get(url)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig")), delimiter=";"))
    cells = [cell for row in rows[1:] for cell in row]
    assert any(FORMULA in cell for cell in cells), "the project is not exported"
    dangerous = [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert not dangerous, f"cells a spreadsheet would run as formulas: {dangerous}"
