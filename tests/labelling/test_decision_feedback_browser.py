"""The porteur's dossier after a refusal and after an adjournment, in a real Chromium: the
committee's verdict on each criterion, what they can do next (the next step's link leads there),
and axe-core on the page. Time is never frozen here: every date is relative to now."""

import re

import pytest
from playwright.sync_api import expect

from labelling import services
from labelling.models import Outcome
from tests.conftest import click_and_wait
from tests.factories import UserFactory
from tests.labelling.conftest import ALL_MET
from tests.labelling.factories import LabellingRequestFactory
from tests.labelling.test_services import complete_dossier

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _short_timeout(page):
    page.set_default_timeout(10_000)


def decided(members, porteur, outcome):
    cheffe = UserFactory(
        email="gaelle.mercier@propulsons.org",
        role="cheffe",
        first_name="Gaëlle",
        last_name="Mercier",
        phone="03 21 00 00 01",
    )
    request = LabellingRequestFactory(
        project__owner=porteur,
        project__contact_email=porteur.email,
        project__coach=cheffe,
        project__title="Épicerie solidaire de Liévin",
        project__partner=members["pas-de-calais-actif"].organisation,
    )
    complete_dossier(request.project, cheffe)
    for n, slug in enumerate(
        ["conseil-departemental-62", "cigales", "caisse-solidaire", "pas-de-calais-actif"]
    ):
        services.vote_cast(
            request=request,
            member=members[slug],
            overall="favorable" if n % 2 else "unfavorable",
            assessments={**ALL_MET, "viable": (bool(n % 2), "")},
        )
    services.decision_record(
        request=request,
        actor=cheffe,
        outcome=outcome,
        motivation="Le comité attend un prévisionnel sur trois ans.",
    )
    request.project.refresh_from_db()
    return request.project


def test_a_refused_dossier_shows_the_verdicts_and_other_routes(
    page, live_server, login, axe, members, porteur
):
    project = decided(members, porteur, Outcome.NOT_LABELLED)
    login(page, porteur)
    page.goto(f"{live_server.url}/espace/")
    click_and_wait(page.get_by_role("link", name="Voir la décision et les autres voies"))
    decision = page.get_by_role("region", name="Décision du comité de labellisation")
    expect(decision).to_contain_text("Le comité attend un prévisionnel sur trois ans.")
    criteria = decision.get_by_role("list", name=re.compile("quatre critères"))
    expect(criteria.get_by_role("listitem")).to_have_count(4)
    expect(criteria).to_contain_text("Le projet est économiquement viable\u00a0: avis partagés")
    expect(decision).to_contain_text("d’autres voies restent ouvertes")
    expect(decision.get_by_role("link", name="gaelle.mercier@propulsons.org")).to_be_visible()
    assert page.url.endswith(f"{project.get_absolute_url()}#decision-comite")
    assert axe(page) == []


def test_an_adjourned_dossier_says_how_to_ask_again(
    page, live_server, login, axe, members, porteur
):
    project = decided(members, porteur, Outcome.POSTPONED)
    login(page, porteur)
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    decision = page.get_by_role("region", name="Décision du comité de labellisation")
    expect(decision).to_contain_text("demandez à nouveau la labellisation")
    assert axe(page) == []
    click_and_wait(page.get_by_role("button", name="Demander la labellisation"))
    expect(page.get_by_role("status").first).to_contain_text(
        "La demande de labellisation est enregistrée"
    )
    expect(page.locator(".porteur-next-step")).to_contain_text("l'inscrit à l'ordre du jour")
