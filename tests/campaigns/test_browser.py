"""The campaigns and the public pages in a real Chromium: a journey, axe-core, the keyboard.

One journey goes from a labelled dossier to a running campaign with its first figures (the
cheffe's side), then to what a visitor finds: the catalogue, the project page and the key
figures. axe-core then checks every public page and every campaign form, empty and with
errors, for WCAG 2 A and AA violations.

The map's OpenStreetMap tiles come from the internet: every map test blocks them, and only
the markers (drawn from local files) and the table are checked.

Time is never frozen here (the live server runs in other threads): every date is relative
to today.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns import services
from campaigns.models import Campaign, CampaignStatus, FigureSnapshot, FigureSource, Platform
from projects.models import Project, Status
from tests.conftest import click_and_wait, logout
from tests.factories import ProjectFactory, commune

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

# Commune centres (the geocoding task fills them in production; tests have no network).
LOCATIONS = {
    "Lens": (Decimal("50.43200"), Decimal("2.83300")),
    "Arras": (Decimal("50.29100"), Decimal("2.77700")),
    "Calais": (Decimal("50.95100"), Decimal("1.85800")),
}
NUMBER = r"[\s\u00a0\u202f]?"  # Django's French thousands separator, whatever its kind


@pytest.fixture(autouse=True)
def _short_timeout(page):
    # Every page is local: a locator that finds nothing in 10 seconds never will.
    page.set_default_timeout(10_000)


def field(page, label: str):
    """The form control with exactly this label (crispy adds "*" to required fields)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def dossier_url(live_server, project, suffix: str = "") -> str:
    return f"{live_server.url}/accompagnement/dossiers/{project.reference}/{suffix}"


def duplicate_ids(page) -> list[str]:
    """Ids given to more than one element: a label would name the wrong control."""
    return page.evaluate(
        """() => {
            const seen = {};
            for (const element of document.querySelectorAll("[id]")) {
                seen[element.id] = (seen[element.id] || 0) + 1;
            }
            return Object.keys(seen).filter((id) => seen[id] > 1);
        }"""
    )


def block_tiles(page) -> None:
    """The map's tiles come from the internet, which tests cannot reach."""
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())


def located(name: str):
    place = commune(name)
    latitude, longitude = LOCATIONS[name]
    services.commune_set_location(commune=place, latitude=latitude, longitude=longitude)
    place.refresh_from_db()
    return place


def labelled_project(owner, *, title: str, number: str, commune_name: str = "Lens", **extra):
    return ProjectFactory(
        status=Status.LABELLED,
        label_number=number,
        labelled_on=timezone.localdate() - timedelta(days=60),
        publish_agreed=True,
        owner=owner,
        contact_email=owner.email,
        title=title,
        commune=located(commune_name),
        **extra,
    )


def running_campaign(project, cheffe, *, amount=None, contributors=None, platform="ulule"):
    """A campaign launched ten days ago, ending in twenty days, with its declared figures."""
    today = timezone.localdate()
    campaign = services.campaign_create(
        project=project,
        actor=cheffe,
        platform=Platform.objects.get(slug=platform),
        financing_type="donation_rewards",
        collection_model="all_or_nothing",
        goal=Decimal("5000"),
        url=f"https://fr.ulule.com/{project.slug}/",
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=20),
    )
    services.campaign_start(campaign=campaign, actor=cheffe, on=today - timedelta(days=10))
    if amount is not None:
        services.snapshot_add(
            campaign=campaign,
            actor=cheffe,
            amount=Decimal(amount),
            contributors=contributors,
            source=FigureSource.PLATFORM,
            taken_at=timezone.now() - timedelta(days=1),
        )
    return campaign


def finished_campaign(project, cheffe, *, amount, contributors):
    campaign = running_campaign(project, cheffe, amount=amount, contributors=contributors)
    return services.campaign_finish(
        campaign=campaign,
        actor=cheffe,
        outcome=CampaignStatus.SUCCEEDED,
        final_amount=Decimal(amount),
        final_contributors=contributors,
        on=timezone.localdate() - timedelta(days=1),
    )


# --- The journey: from a labelled dossier to the public pages ----------------------------------


def test_the_cheffe_launches_a_campaign_and_a_visitor_finds_its_progress(
    page, new_context, live_server, login, cheffe, porteur
):
    project = labelled_project(
        porteur, title="Épicerie solidaire du centre", number="PS-2026-01", category="food"
    )
    labelled_project(porteur, title="Atelier vélo", number="PS-2026-02", commune_name="Arras")
    today = timezone.localdate()

    login(page, cheffe)
    page.goto(dossier_url(live_server, project))
    expect(page.get_by_role("heading", level=1)).to_have_text(project.title)

    # The campaign, prepared from the dossier.
    # The dossier's next step, the primary button of its header.
    click_and_wait(
        page.locator("#prochaine-etape").get_by_role("link", name="Préparer la campagne")
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Préparer la campagne")
    field(page, "Plateforme").select_option(label="Ulule")
    field(page, "Adresse de la campagne").fill("https://fr.ulule.com/epicerie-solidaire/")
    field(page, "Type de financement").select_option(label="Don avec contreparties")
    field(page, "Modèle de collecte").select_option(label="Tout ou rien")
    field(page, "Objectif (€)").fill("5000")
    field(page, "Début").fill(f"{today:%Y-%m-%d}")
    field(page, "Fin").fill(f"{today + timedelta(days=30):%Y-%m-%d}")
    click_and_wait(page.get_by_role("button", name="Enregistrer", exact=True))
    expect(page.get_by_text("La campagne est enregistrée.")).to_be_visible()
    assert page.url.startswith(dossier_url(live_server, project))
    section = page.locator("#campagne")
    expect(section).to_contain_text("En préparation")
    expect(section).to_contain_text("Ulule")

    # It goes live.
    click_and_wait(section.get_by_role("button", name="Lancer la campagne"))
    expect(page.get_by_text("La campagne est lancée.")).to_be_visible()
    expect(section).to_contain_text("En cours")

    # The first figures, read on the platform.
    figures_form = page.locator("form").filter(
        has=page.get_by_role("heading", name="Nouveaux chiffres")
    )
    field(figures_form, "Montant collecté (€)").fill("1250")
    field(figures_form, "Nombre de contributeurs").fill("31")
    field(figures_form, "Source").select_option(label="Page de la plateforme")
    click_and_wait(figures_form.get_by_role("button", name="Enregistrer les chiffres"))
    expect(page.get_by_text("Les chiffres sont enregistrés.")).to_be_visible()
    expect(section.get_by_role("table", name="Relevés des chiffres")).to_contain_text("31")

    campaign = Campaign.objects.get(project=project)
    assert campaign.status == CampaignStatus.RUNNING
    assert campaign.launched_on == today
    assert campaign.url == "https://fr.ulule.com/epicerie-solidaire/"
    assert Project.objects.get(pk=project.pk).status == Status.CAMPAIGN_RUNNING
    (snapshot,) = FigureSnapshot.objects.filter(campaign=campaign)
    assert (snapshot.amount, snapshot.contributors) == (Decimal("1250"), 31)
    assert snapshot.source == FigureSource.PLATFORM and snapshot.entered_by == cheffe

    # A visitor, in a browser of their own, looks for running campaigns.
    visitor = new_context().new_page()
    visitor.set_default_timeout(10_000)
    visitor.goto(f"{live_server.url}/projets/")
    expect(visitor.get_by_role("status")).to_have_text("2 projets")
    field(visitor, "Campagne").select_option(label="En cours")
    field(visitor, "Rechercher").fill("solidaire centre")
    click_and_wait(visitor.get_by_role("button", name="Filtrer"))
    expect(visitor.get_by_role("status")).to_have_text("1 projet")
    expect(field(visitor, "Campagne")).to_have_value("en-cours")
    expect(visitor.get_by_role("link", name="Atelier vélo")).to_have_count(0)
    click_and_wait(visitor.get_by_role("link", name="Épicerie solidaire du centre"))

    assert visitor.url == f"{live_server.url}/projets/{project.slug}/"
    expect(visitor.get_by_role("heading", level=1)).to_have_text(project.title)
    box = visitor.locator("section", has=visitor.get_by_role("heading", name="La campagne"))
    collected = rf"1{NUMBER}250\u00a0€ collectés sur 5{NUMBER}000\u00a0€"
    expect(box).to_contain_text(re.compile(collected))
    expect(box).to_contain_text("25 %")
    expect(box).to_contain_text("31 contributeurs")
    expect(box).to_contain_text("30 jours restants")
    expect(box).to_contain_text("Chiffres mis à jour le")
    contribute = box.get_by_role("link", name="Contribuer sur Ulule")
    expect(contribute).to_have_attribute("href", "https://fr.ulule.com/epicerie-solidaire/")

    # The key figures count it.
    visitor.goto(f"{live_server.url}/chiffres/")
    since = visitor.locator(
        "section", has=visitor.get_by_role("heading", name=re.compile("^Depuis le lancement"))
    )
    figures = since.locator("dl > div")
    expect(figures.filter(has_text="campagnes lancées").locator("dd")).to_have_text("1")
    expect(figures.filter(has_text="citoyens contributeurs").locator("dd")).to_have_text("31")
    expect(figures.filter(has_text="collectés").locator("dd")).to_have_text(
        re.compile(rf"^1{NUMBER}250\u00a0€$")
    )


# --- axe-core ----------------------------------------------------------------------------------


@pytest.fixture
def public_projects(cheffe, porteur, other_porteur):
    """Labelled projects at every stage: running (with figures), succeeded, upcoming."""
    running = labelled_project(
        porteur, title="Épicerie solidaire du centre", number="PS-2026-01", category="food"
    )
    running_campaign(running, cheffe, amount="1250", contributors=31)
    succeeded = labelled_project(
        other_porteur,
        title="Fablab d'Arras",
        number="PS-2026-02",
        commune_name="Arras",
        category="digital",
    )
    finished_campaign(succeeded, cheffe, amount="7200", contributors=140)
    upcoming = labelled_project(
        other_porteur,
        title="Ressourcerie de Calais",
        number="PS-2026-03",
        commune_name="Calais",
        category="circular_economy",
    )
    return {"running": running, "succeeded": succeeded, "upcoming": upcoming}


def test_the_cheffe_accepts_figures_a_porteur_declared_and_they_reach_the_project_page(
    page, live_server, axe, login, cheffe, porteur, public_projects
):
    running = public_projects["running"]
    campaign = Campaign.objects.get(project=running)
    services.snapshot_add(
        campaign=campaign,
        actor=porteur,
        amount=Decimal("1800"),
        contributors=44,
        source=FigureSource.PORTEUR,
    )
    page.goto(f"{live_server.url}/projets/{running.slug}/")
    expect(page.get_by_text("31 contributeurs")).to_be_visible()

    login(page, cheffe)
    page.goto(f"{live_server.url}/accompagnement/")
    pending = page.locator("#chiffres-a-verifier")
    expect(pending.get_by_role("heading")).to_have_text("Chiffres déclarés à vérifier : 1")
    assert axe(page) == []
    click_and_wait(pending.get_by_role("link", name=running.title))
    expect(page.locator("#campagne")).to_contain_text("À vérifier par l'équipe")
    assert axe(page) == []
    click_and_wait(page.get_by_role("button", name=re.compile(r"^Accepter")))
    expect(page.get_by_text("Les chiffres déclarés sont acceptés")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Accepter"))).to_have_count(0)
    assert axe(page) == []

    page.goto(f"{live_server.url}/projets/{running.slug}/")
    expect(page.get_by_text("44 contributeurs")).to_be_visible()


def test_the_home_catalogue_and_project_pages_have_no_accessibility_violation(
    page, live_server, axe, public_projects
):
    page.goto(f"{live_server.url}/")
    running = page.locator(
        "section", has=page.get_by_role("heading", name="Les campagnes en cours")
    )
    expect(running.get_by_role("article")).to_have_count(1)
    successes = page.locator(
        "section", has=page.get_by_role("heading", name="Ils ont réussi leur campagne")
    )
    expect(successes.get_by_role("article")).to_have_count(1)
    expect(successes.get_by_text("Fablab d'Arras")).to_be_visible()
    expect(page.get_by_text("campagnes lancées")).to_be_visible()
    assert axe(page) == []

    page.goto(f"{live_server.url}/projets/")
    expect(page.get_by_role("status")).to_have_text("3 projets")
    expect(page.get_by_role("article")).to_have_count(3)
    assert axe(page) == []

    field(page, "Catégorie").select_option(label="Numérique")
    field(page, "Campagne").select_option(label="Réussie")
    field(page, "Trier par").select_option(label="Montant collecté")
    click_and_wait(page.get_by_role("button", name="Filtrer"))
    expect(page.get_by_role("status")).to_have_text("1 projet")
    expect(page.get_by_role("link", name="Fablab d'Arras")).to_be_visible()
    assert axe(page) == []

    field(page, "Rechercher").fill("introuvable")
    click_and_wait(page.get_by_role("button", name="Filtrer"))
    expect(page.get_by_text("Aucun projet ne correspond à ces critères.")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^0 projets?$"))
    assert axe(page) == []

    for project in public_projects.values():
        page.goto(f"{live_server.url}/projets/{project.slug}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(project.title)
        assert axe(page) == [], project.title


def test_the_map_page_has_no_accessibility_violation(page, live_server, axe, public_projects):
    block_tiles(page)
    # The map draws itself under the site's CSP (no inline script or style).
    page.add_init_script(
        "window.cspViolations = [];"
        "document.addEventListener('securitypolicyviolation', (event) =>"
        " window.cspViolations.push(event.violatedDirective + ' ' + event.blockedURI));"
    )
    page.goto(f"{live_server.url}/carte/")
    # Every project with a position is a marker (markers = rows of the table), clustered or
    # not: the map counts the markers it placed.
    expect(page.locator("#carte")).to_have_attribute("data-markers", "3")
    markers = page.locator(".leaflet-marker-icon:not(.marker-cluster)")
    # Each marker is named after its project and its campaign's state, for screen readers and
    # keyboard users; the three communes are far apart, so none is grouped at this zoom.
    expect(markers).to_have_count(3)
    titles = markers.evaluate_all("icons => icons.map((icon) => icon.title.split(' — ')[0])")
    assert sorted(titles) == sorted(project.title for project in public_projects.values())
    expect(page.get_by_role("list", name="Légende de la carte")).to_contain_text(
        "Campagne réussie (1)"
    )
    table = page.get_by_role("table", name="3 projets labellisés")
    for project in public_projects.values():
        expect(table.get_by_role("link", name=project.title)).to_be_visible()
    assert page.evaluate("window.cspViolations") == []
    assert axe(page) == []


def test_the_figures_and_open_data_pages_have_no_accessibility_violation(
    page, live_server, axe, public_projects
):
    today = timezone.localdate()
    page.goto(f"{live_server.url}/chiffres/")
    expect(page.get_by_role("table", name=re.compile("^De la prise de contact"))).to_be_visible()
    assert axe(page) == []

    field(page, "Du").fill(f"{today - timedelta(days=30):%Y-%m-%d}")
    field(page, "Au").fill(f"{today:%Y-%m-%d}")
    click_and_wait(page.get_by_role("button", name="Afficher"))
    expect(page).to_have_url(re.compile(r"start=.+&end=.+"))
    assert axe(page) == []

    field(page, "Du").fill(f"{today:%Y-%m-%d}")
    field(page, "Au").fill(f"{today - timedelta(days=10):%Y-%m-%d}")
    click_and_wait(page.get_by_role("button", name="Afficher"))
    expect(page.get_by_text("La fin de la période doit suivre son début.")).to_be_visible()
    expect(field(page, "Au")).to_have_accessible_description(
        re.compile("La fin de la période doit suivre son début.")
    )
    assert axe(page) == []

    page.goto(f"{live_server.url}/donnees/")
    expect(page.get_by_role("link", name="Télécharger au format CSV")).to_be_visible()
    assert axe(page) == []


def test_the_report_has_no_accessibility_violation(
    page, live_server, axe, login, cheffe, public_projects
):
    today = timezone.localdate()
    login(page, cheffe)
    page.goto(f"{live_server.url}/accompagnement/bilan/?periode=12-mois")
    campaigns = page.get_by_role("table", name="Les campagnes de la période")
    expect(campaigns.get_by_role("link")).to_have_count(2)
    assert axe(page) == []

    field(page, "Du").fill(f"{today - timedelta(days=30):%Y-%m-%d}")
    field(page, "Au").fill(f"{today:%Y-%m-%d}")
    click_and_wait(page.get_by_role("button", name="Afficher"))
    expect(page).to_have_url(re.compile(r"start=.+&end=.+"))
    expect(campaigns.get_by_role("link", name="Fablab d'Arras")).to_be_visible()
    assert axe(page) == []


def test_the_campaign_form_has_no_accessibility_violation_even_with_errors(
    page, live_server, axe, login, cheffe, porteur
):
    project = labelled_project(porteur, title="Épicerie solidaire", number="PS-2026-01")
    today = timezone.localdate()
    login(page, cheffe)
    page.goto(dossier_url(live_server, project, "campagne/"))
    expect(field(page, "Plateforme")).to_be_visible()
    assert axe(page) == []

    click_and_wait(page.get_by_role("button", name="Enregistrer", exact=True))
    expect(page.get_by_role("alert")).to_contain_text("Corrigez les champs signalés")
    assert axe(page) == []

    field(page, "Plateforme").select_option(label="HelloAsso")
    field(page, "Adresse de la campagne").fill("pas une adresse")
    field(page, "Objectif (€)").fill("0")
    field(page, "Début").fill(f"{today:%Y-%m-%d}")
    field(page, "Fin").fill(f"{today - timedelta(days=1):%Y-%m-%d}")
    click_and_wait(page.get_by_role("button", name="Enregistrer", exact=True))
    expect(page.get_by_text("L'objectif doit être supérieur à 0 €.")).to_be_visible()
    expect(page.get_by_text("La fin de la campagne doit suivre son début.")).to_be_visible()
    expect(field(page, "Objectif (€)")).to_have_accessible_description(
        re.compile("L'objectif doit être supérieur à 0\u00a0€.")
    )
    expect(field(page, "Fin")).to_have_accessible_description(
        re.compile("La fin de la campagne doit suivre son début.")
    )
    assert axe(page) == []
    assert not Campaign.objects.filter(project=project).exists()


def test_the_dossier_pages_with_a_campaign_have_no_accessibility_violation(
    page, live_server, axe, login, cheffe, porteur, public_projects
):
    running, succeeded = public_projects["running"], public_projects["succeeded"]
    login(page, cheffe)

    # A running campaign: new figures, the final result, the place on the map.
    page.goto(dossier_url(live_server, running))
    section = page.locator("#campagne")
    for heading in ["Nouveaux chiffres", "Fin de la campagne : résultat final"]:
        expect(section.get_by_role("heading", name=heading)).to_be_visible()
    expect(section.get_by_role("heading", name="Position sur la carte")).to_be_visible()
    expect(field(page, "Montant final (€)")).to_be_visible()
    expect(page.get_by_label("Réussie", exact=True)).to_be_visible()
    assert duplicate_ids(page) == []
    assert axe(page) == []

    # A finished campaign: the follow-up.
    page.goto(dossier_url(live_server, succeeded))
    expect(section.get_by_role("heading", name="Suivi après la campagne")).to_be_visible()
    expect(section).to_contain_text("Réussie")
    assert duplicate_ids(page) == []
    assert axe(page) == []

    # The porteur's own page: the publication and the figures they declare.
    logout(page)
    page.wait_for_url(f"{live_server.url}/")
    login(page, porteur)
    page.goto(f"{live_server.url}/espace/dossiers/{running.reference}/")
    publication = page.get_by_label(
        "Présenter mon projet labellisé sur le site de Propulsons! (jamais mes coordonnées)"
    )
    expect(publication).to_be_checked()
    figures_form = page.locator("form").filter(
        has=page.get_by_role("heading", name="Nouveaux chiffres")
    )
    expect(field(figures_form, "Montant collecté (€)")).to_be_visible()
    expect(field(figures_form, "Source")).to_have_count(0)
    assert duplicate_ids(page) == []
    assert axe(page) == []

    # Figures the porteur declares, then an error (a date to come), read out as an alert.
    field(figures_form, "Montant collecté (€)").fill("1400")
    field(figures_form, "Nombre de contributeurs").fill("35")
    click_and_wait(figures_form.get_by_role("button", name="Enregistrer les chiffres"))
    expect(page.get_by_text("une fois vérifiés par l'équipe")).to_be_visible()
    expect(page.get_by_role("cell", name="À vérifier par l'équipe")).to_be_visible()
    latest = FigureSnapshot.objects.filter(campaign__project=running).first()
    assert (latest.amount, latest.source, latest.entered_by, latest.review) == (
        Decimal("1400"),
        FigureSource.PORTEUR,
        porteur,
        "pending",
    )
    field(figures_form, "Montant collecté (€)").fill("1500")
    field(figures_form, "Nombre de contributeurs").fill("36")
    tomorrow = timezone.localdate() + timedelta(days=1)
    field(figures_form, "Relevé le").fill(f"{tomorrow:%Y-%m-%d}")
    click_and_wait(figures_form.get_by_role("button", name="Enregistrer les chiffres"))
    expect(page.get_by_role("alert")).to_contain_text("ne peut pas être daté dans le futur")
    assert axe(page) == []

    # The porteur withdraws the publication: the project leaves the catalogue.
    publication.uncheck()
    click_and_wait(page.get_by_role("button", name="Enregistrer", exact=True))
    expect(page.get_by_text("Votre projet ne sera pas présenté au public.")).to_be_visible()
    expect(publication).not_to_be_checked()
    assert axe(page) == []
    assert not Project.objects.get(pk=running.pk).publish_agreed


# --- The keyboard ------------------------------------------------------------------------------


def tab_to(page, pattern: str, limit: int = 80) -> str:
    """Press Tab until the focused element's text matches; fail after `limit` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        text = page.evaluate("document.activeElement ? document.activeElement.textContent : ''")
        if re.search(pattern, " ".join(text.split())):
            return text
    raise AssertionError(f"{pattern!r} cannot be reached with Tab in {limit} presses")


def test_the_map_tables_links_are_reached_with_the_keyboard(page, live_server, public_projects):
    block_tiles(page)
    page.goto(f"{live_server.url}/carte/")
    expect(page.locator("#carte")).to_have_attribute("data-markers", "3")

    tab_to(page, r"^Fablab d'Arras$")
    assert page.evaluate("document.activeElement.tagName") == "A"
    assert page.evaluate("document.activeElement.closest('table') !== null")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/projets/{public_projects['succeeded'].slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fablab d'Arras")


def test_the_skip_link_leads_to_the_catalogue(page, live_server, public_projects):
    page.goto(f"{live_server.url}/projets/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#contenu$"))
    expect(page.locator("main")).to_be_focused()

    # The next Tab leaves the menu behind: it lands in the page's content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")
    expect(page.get_by_role("link", name="Voir la carte")).to_be_focused()


def test_on_a_phone_the_catalogue_folds_its_filters_and_shows_projects_first(
    page, live_server, axe, public_projects
):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/projets/")
    more = page.get_by_role("button", name="Plus de filtres")
    expect(more).to_be_visible()
    expect(page.get_by_label("Catégorie")).to_be_hidden()
    # The first project is in the first screen, under the search box.
    first = page.locator("article.card").first
    assert first.bounding_box()["y"] < 844
    assert axe(page) == []

    more.click()
    expect(page.get_by_label("Catégorie")).to_be_visible()
    expect(more).to_have_attribute("aria-expanded", "true")

    # A folded filter in use stays open: the page says why the list is short.
    page.goto(f"{live_server.url}/projets/?category=food")
    expect(page.get_by_label("Catégorie")).to_be_visible()
    expect(page.get_by_role("button", name="Plus de filtres")).to_be_hidden()


def test_on_a_wide_screen_every_filter_shows(page, live_server, public_projects):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/projets/")
    expect(page.get_by_label("Catégorie")).to_be_visible()
    expect(page.get_by_role("button", name="Plus de filtres")).to_be_hidden()
