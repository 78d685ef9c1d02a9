"""The first meeting's report in a real Chromium: the prefilled plan, rows added and removed in
the browser, the total and the crowdfunding share as she types, the phone layout, and the same
form without JavaScript.

Time is never frozen here (the live server runs in other threads): every date is relative
to today.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import Campaign, Platform
from coaching.models import FinancingLine, FirstMeeting, RewardTier
from tests.campaigns.factories import LabelledProjectFactory
from tests.coaching.factories import FirstMeetingFactory
from tests.conftest import click_and_wait
from tests.factories import ProjectFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PLAN = "Lignes du plan de financement"
PLAN_ADD = f"Ajouter une ligne — {PLAN}"
REWARD_ADD = "Ajouter une ligne — Contreparties"
SAVED = "Le compte rendu du premier rendez-vous est enregistré"


@pytest.fixture(autouse=True)
def _short_timeout(page):
    page.set_default_timeout(10_000)


@pytest.fixture
def asked(porteur, cheffe):
    """A dossier met yesterday whose porteur asked for 5 000 € of a 20 000 € budget."""
    project = ProjectFactory(
        owner=porteur,
        coach=cheffe,
        title="Four à pain collectif",
        total_budget=Decimal("20000"),
        crowdfunding_amount=Decimal("5000"),
        financing_type="donation_rewards",
    )
    FirstMeetingFactory(
        project=project, organiser=cheffe, scheduled_at=timezone.now() - timedelta(days=1)
    )
    return project


def report_url(live_server, project) -> str:
    return f"{live_server.url}/accompagnement/dossiers/{project.reference}/compte-rendu/"


def label(page, text: str):
    return page.get_by_label(text, exact=True)


def field(page, text: str):
    """The form control with exactly this label (crispy adds "*" to required fields)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$"))


def plan_rows(page):
    return page.locator('[data-formset="plan"] tbody tr[data-formset-row]:visible')


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def fill_the_rest(page) -> None:
    label(page, "Pertinent").check()
    field(page, "Argumentaire").fill("Une clientèle fidèle prête à soutenir le projet.")
    field(page, "Durée de campagne (jours)").fill("40")
    label(page, "Poursuivre en accompagnement").check()


def test_she_adds_types_and_removes_plan_rows_and_sees_the_total_as_she_types(
    page, live_server, login, axe, cheffe, asked
):
    loads = []
    login(page, cheffe)
    page.on("load", lambda _page: loads.append(page.url))
    clicks = 0
    page.goto(report_url(live_server, asked))

    # Prefilled from the intake: the crowdfunding line and its figures, before any save.
    expect(label(page, "Source, ligne 1")).to_have_value("crowdfunding")
    expect(label(page, "Montant (€), ligne 1")).to_have_value("5000")
    expect(field(page, "Objectif de collecte (€)")).to_have_value("5000")
    total = page.locator("#plan-total")
    assert total.text_content() == (
        "Total\xa0: 5\xa0000\xa0€ — part du financement participatif\xa0: 100,0\xa0%"
    )
    expect(plan_rows(page)).to_have_count(3)
    assert axe(page) == []

    # A fourth row: it takes the focus and is announced.
    page.get_by_role("button", name=PLAN_ADD).click()
    clicks += 1
    expect(plan_rows(page)).to_have_count(4)
    expect(label(page, "Source, ligne 4")).to_be_focused()
    expect(page.locator('[data-formset="plan"] [data-formset-status]')).to_have_text(
        "Ligne 4 ajoutée."
    )
    assert page.locator('input[name="plan-TOTAL_FORMS"]').input_value() == "4"
    assert axe(page) == []

    # The total and the share follow what she types, in French figures.
    label(page, "Source, ligne 2").select_option(label="Fonds propres")
    label(page, "Montant (€), ligne 2").fill("12000")
    label(page, "Source, ligne 3").select_option(label="Autre")
    label(page, "Montant (€), ligne 3").fill("999")
    label(page, "Source, ligne 4").select_option(label="Subvention")
    label(page, "Précision, ligne 4").fill("Région Hauts-de-France")
    label(page, "Montant (€), ligne 4").type("3125")
    expect(total).to_have_text(re.compile(r"^Total\s: 21\s124\s€"))
    assert total.text_content() == (
        "Total\xa0: 21\xa0124\xa0€ — part du financement participatif\xa0: 23,7\xa0%"
    )

    # The third row goes: the fourth takes its place, number and index, and the focus.
    page.get_by_role("button", name=f"Supprimer la ligne 3 — {PLAN}").click()
    clicks += 1
    expect(plan_rows(page)).to_have_count(3)
    expect(page.locator('[data-formset="plan"] [data-formset-status]')).to_have_text(
        "Ligne 3 supprimée."
    )
    expect(label(page, "Précision, ligne 3")).to_have_value("Région Hauts-de-France")
    expect(page.get_by_role("button", name=f"Supprimer la ligne 3 — {PLAN}")).to_be_focused()
    assert page.locator('input[name="plan-TOTAL_FORMS"]').input_value() == "3"
    assert page.locator('input[name="plan-2-label"]').input_value() == "Région Hauts-de-France"
    # 5000 / 20125 = 24.84… %
    expect(total).to_have_text(re.compile(r"^Total\s: 20\s125\s€"))
    assert total.text_content().endswith("part du financement participatif\xa0: 24,8\xa0%")

    # A fourth reward too.
    page.get_by_role("button", name=REWARD_ADD).click()
    clicks += 1
    expect(label(page, "À partir de (€), ligne 4")).to_be_focused()
    label(page, "À partir de (€), ligne 4").fill("100")
    label(page, "Contrepartie, ligne 4").fill("Un atelier de cuisson")

    fill_the_rest(page)
    loads.clear()
    click_and_wait(page.get_by_role("button", name="Enregistrer le compte rendu"))
    clicks += 1
    expect(page.get_by_text(SAVED)).to_be_visible()
    assert len(loads) == 1
    assert clicks == 4

    meeting = FirstMeeting.objects.get(project=asked)
    assert meeting.campaign_goal == Decimal("5000")
    assert meeting.campaign_financing_type == "donation_rewards"
    assert list(FinancingLine.objects.values_list("source", "label", "amount")) == [
        ("crowdfunding", "", Decimal("5000")),
        ("own_funds", "", Decimal("12000")),
        ("grant", "Région Hauts-de-France", Decimal("3125")),
    ]
    assert list(RewardTier.objects.values_list("amount", "description")) == [
        (Decimal("100"), "Un atelier de cuisson")
    ]

    # Back on the saved report: a saved line removed is ticked for deletion, and goes at save.
    page.goto(report_url(live_server, asked))
    assert total.text_content() == (
        "Total\xa0: 20\xa0125\xa0€ — part du financement participatif\xa0: 24,8\xa0%"
    )
    page.get_by_role("button", name=f"Supprimer la ligne 2 — {PLAN}").click()
    expect(plan_rows(page)).to_have_count(5)  # the two saved left, three blank ones
    expect(plan_rows(page).nth(1).get_by_label("Précision, ligne 2")).to_have_value(
        "Région Hauts-de-France"
    )
    assert page.locator('input[name="plan-1-DELETE"]').is_checked()
    assert page.locator('input[name="plan-TOTAL_FORMS"]').input_value() == "6"
    # 5000 / 8125 = 61.53… %
    expect(total).to_have_text(re.compile(r"^Total\s: 8\s125\s€"))
    assert total.text_content().endswith("part du financement participatif\xa0: 61,5\xa0%")
    assert axe(page) == []
    click_and_wait(page.get_by_role("button", name="Enregistrer le compte rendu"))
    assert list(FinancingLine.objects.values_list("source", "amount")) == [
        ("crowdfunding", Decimal("5000")),
        ("grant", Decimal("3125")),
    ]


def test_on_a_phone_the_rows_are_cards_and_nothing_scrolls_sideways(
    page, live_server, login, axe, cheffe, asked
):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, cheffe)
    page.goto(report_url(live_server, asked))
    expect(label(page, "Source, ligne 1")).to_be_visible()
    # Each field says its name on the card (the column headers are out of sight).
    expect(page.locator("label[for=id_plan-0-amount]")).to_be_visible()
    assert no_sideways_scroll(page)
    page.get_by_role("button", name=PLAN_ADD).click()
    page.get_by_role("button", name=REWARD_ADD).click()
    expect(plan_rows(page)).to_have_count(4)
    # The box "Acquis" stays within reach: a click ticks it.
    label(page, "Acquis, ligne 4").click()
    expect(label(page, "Acquis, ligne 4")).to_be_checked()
    assert no_sideways_scroll(page)
    assert axe(page) == []


def test_without_javascript_the_blank_rows_and_the_boxes_still_work(
    new_context, live_server, login, cheffe, asked
):
    page = new_context(java_script_enabled=False).new_page()
    page.set_default_timeout(10_000)
    login(page, cheffe)
    page.goto(report_url(live_server, asked))
    # No script: no "Ajouter une ligne", the "Supprimer" boxes are there, the total is the
    # server's.
    expect(page.get_by_role("button", name=PLAN_ADD)).to_be_hidden()
    expect(label(page, f"Supprimer, ligne 1 — {PLAN}")).to_be_visible()
    expect(page.locator("#plan-total")).to_have_text(re.compile(r"^Total\s: 5\s000\s€"))
    label(page, "Source, ligne 2").select_option(label="Fonds propres")
    label(page, "Montant (€), ligne 2").fill("12000")
    label(page, "Source, ligne 3").select_option(label="Prêt d'honneur")
    label(page, "Montant (€), ligne 3").fill("3000")
    label(page, "À partir de (€), ligne 1").fill("20")
    label(page, "Contrepartie, ligne 1").fill("Une fournée par semaine")
    fill_the_rest(page)
    click_and_wait(page.get_by_role("button", name="Enregistrer le compte rendu"))
    expect(page.get_by_text(SAVED)).to_be_visible()
    assert list(FinancingLine.objects.values_list("source", "amount")) == [
        ("crowdfunding", Decimal("5000")),
        ("own_funds", Decimal("12000")),
        ("honour_loan", Decimal("3000")),
    ]
    assert RewardTier.objects.get().description == "Une fournée par semaine"

    # The saved report: the server's figures, and a box that deletes a line.
    page.goto(report_url(live_server, asked))
    expect(page.locator("#plan-total")).to_have_text(
        re.compile(r"^Total\s: 20\s000\s€ — part du financement participatif\s: 25,0\s%$")
    )
    label(page, f"Supprimer, ligne 3 — {PLAN}").check()
    click_and_wait(page.get_by_role("button", name="Enregistrer le compte rendu"))
    assert list(FinancingLine.objects.values_list("source", flat=True)) == [
        "crowdfunding",
        "own_funds",
    ]


def test_the_campaign_form_starts_from_the_report(page, live_server, login, axe, cheffe, porteur):
    platform = Platform.objects.filter(is_active=True).order_by("display_order").last()
    project = LabelledProjectFactory(owner=porteur, coach=cheffe, title="Four à pain collectif")
    start = timezone.localdate() + timedelta(days=20)
    project.wished_campaign_start = start
    project.save(update_fields=["wished_campaign_start"])
    FirstMeetingFactory(
        project=project,
        organiser=cheffe,
        reported_at=timezone.now() - timedelta(days=60),
        campaign_goal=Decimal("6500"),
        campaign_duration_days=30,
        campaign_financing_type="donation_rewards",
        target_platform=platform,
    )
    login(page, cheffe)
    for width, height in [(1366, 768), (390, 844)]:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/accompagnement/dossiers/{project.reference}/campagne/")
        expect(field(page, "Plateforme")).to_have_value(str(platform.pk))
        expect(field(page, "Objectif (€)")).to_have_value("6500")
        expect(field(page, "Début")).to_have_value(f"{start:%Y-%m-%d}")
        expect(field(page, "Fin")).to_have_value(f"{start + timedelta(days=29):%Y-%m-%d}")
        assert no_sideways_scroll(page)
        assert axe(page) == []
    # Another start: the end follows, 30 days on (static/js/campaign_dates.js).
    start += timedelta(days=7)
    field(page, "Début").fill(f"{start:%Y-%m-%d}")
    expect(field(page, "Fin")).to_have_value(f"{start + timedelta(days=29):%Y-%m-%d}")
    field(page, "Modèle de collecte").select_option(label="Tout ou rien")
    click_and_wait(page.get_by_role("button", name="Enregistrer", exact=True))
    expect(page.get_by_text("La campagne est enregistrée.")).to_be_visible()
    campaign = Campaign.objects.get(project=project)
    assert (campaign.platform, campaign.goal, campaign.financing_type) == (
        platform,
        Decimal("6500"),
        "donation_rewards",
    )
    assert (campaign.starts_on, campaign.ends_on) == (start, start + timedelta(days=29))


@pytest.mark.parametrize(
    ("crowdfunding", "other", "expected"),
    [
        # 1 / 16 = 6.25 %: to one decimal, half to even, as Decimal.quantize rounds.
        ("1", "15", "Total\xa0: 16\xa0€ — part du financement participatif\xa0: 6,2\xa0%"),
        # 16.50 € shown as 17 €, halves up, as floatformat rounds.
        ("1", "15.5", "Total\xa0: 17\xa0€ — part du financement participatif\xa0: 6,1\xa0%"),
        (
            "81125",
            "1234567.89",
            "Total\xa0: 1\xa0315\xa0693\xa0€ — part du financement participatif\xa0: 6,2\xa0%",
        ),
    ],
)
def test_the_figures_as_she_types_are_those_the_server_computes(
    page, live_server, login, cheffe, asked, crowdfunding, other, expected
):
    login(page, cheffe)
    url = report_url(live_server, asked)
    page.goto(url)
    label(page, "Montant (€), ligne 1").fill(crowdfunding)
    label(page, "Source, ligne 2").select_option(label="Autre")
    label(page, "Montant (€), ligne 2").fill(other)
    expect(page.locator("#plan-total")).to_have_text(expected.replace("\xa0", " "))
    typed = page.locator("#plan-total").text_content()
    fill_the_rest(page)
    click_and_wait(page.get_by_role("button", name="Enregistrer le compte rendu"))
    expect(page.get_by_text(SAVED)).to_be_visible()
    # The server's own figures for the saved plan, as a browser without JavaScript shows them.
    server = re.search(r'id="plan-total"[^>]*>([^<]*)</p>', page.request.get(url).text()).group(1)
    assert typed == server == expected
