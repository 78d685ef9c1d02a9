"""The intake form and the porteur's space in a real Chromium, and their accessibility.

One journey goes from the public form to a document uploaded in the porteur's space, through
the email that lets a new porteur choose a password. axe-core then checks every page of the
intake, of the porteur's space and of the team's pipeline for WCAG 2 A and AA violations.
"""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from projects import services
from projects.models import Document, DocumentKind, Project, Status
from tests.conftest import PASSWORD, click_and_wait, logout
from tests.factories import ProjectFactory, UserFactory, commune

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

CONSENT = re.compile(r"^\s*J'accepte que Propulsons! traite les données")
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    # The intake form counts submissions per address in the cache: each test starts afresh.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _short_timeout(page):
    # Every page is local: a locator that finds nothing in 10 seconds never will.
    page.set_default_timeout(10_000)


def field(page, label: str):
    """The form control with exactly this label (crispy adds "*" to required fields).

    An exact match keeps "Nom" from also finding "Prénom" and "Nom de la structure".
    """
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def fill_intake(page, **overrides):
    """Fill every section of the intake form as a porteur would, label by label."""
    values = {
        "Prénom": "Camille",
        "Nom": "Lefebvre",
        "Adresse électronique": "camille.lefebvre@example.org",
        "Téléphone": "06 12 34 56 78",
        "Nom de la structure": "Le Fournil du Ternois",
        "SIRET": "732 829 320 00074",
        "Titre du projet": "Un four à pain collectif",
        "Résumé": "Un fournil paysan ouvert aux habitants.",
        "Description": "Nous voulons acheter un four à bois pour le village.",
        "Commune du projet": "Saint-Pol-sur-Ternoise",
        "Code postal": "62130",
        "Budget total du projet (€)": "40000",
        "Montant visé en financement participatif (€)": "8000",
        "Début de campagne souhaité (mois)": "2027-03",
        **overrides,
    }
    for label, value in values.items():
        field(page, label).fill(value)
    field(page, "Forme juridique").select_option(
        label="Entreprise individuelle ou micro-entreprise"
    )
    field(page, "Catégorie").select_option(label="Alimentation et agriculture")
    field(page, "Type de financement envisagé").select_option(label="Don avec contreparties")
    field(page, "Partenaire qui suit, accompagne ou a prescrit le projet").select_option(
        label="Initiative Pas-de-Calais"
    )
    field(page, "Comment nous avez-vous connus\u00a0?").select_option(
        label="Par un partenaire de Propulsons!"
    )
    page.get_by_label(CONSENT).check()


def submit_intake(page):
    click_and_wait(page.get_by_role("button", name="Envoyer mon projet"))


# --- The journey ----------------------------------------------------------------------------


def test_a_visitor_submits_a_project_chooses_a_password_and_adds_a_document(
    page, live_server, tmp_path
):
    page.goto(f"{live_server.url}/deposer/")
    fill_intake(page)
    submit_intake(page)

    page.wait_for_url(f"{live_server.url}/deposer/merci/")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Merci, votre projet est bien reçu"
    )
    year = timezone.localdate().year
    reference = re.search(rf"P-{year}-\d{{4}}", page.locator("main").inner_text()).group(0)
    project = Project.objects.get(reference=reference)
    assert project.title == "Un four à pain collectif"
    assert project.partner.slug == "initiative-pas-de-calais"
    assert project.wished_campaign_start.isoformat() == "2027-03-01"

    # The first email, to the porteur, carries the link to choose a password.
    to_porteur = mail.outbox[0]
    assert to_porteur.to == ["camille.lefebvre@example.org"]
    assert reference in to_porteur.subject
    link = re.search(r"/compte/mot-de-passe/nouveau/[^/\s]+/[^/\s]+/", to_porteur.body).group(0)

    page.goto(f"{live_server.url}{link}")
    assert page.get_by_role("heading", level=1).inner_text() == "Choisir un mot de passe"
    new_password = "Four-a-pain-collectif-2027"
    field(page, "Nouveau mot de passe").fill(new_password)
    field(page, "Confirmation du nouveau mot de passe").fill(new_password)
    click_and_wait(page.get_by_role("button", name="Enregistrer le mot de passe"))
    page.wait_for_url(f"{live_server.url}/compte/mot-de-passe/nouveau/termine/")
    # The link proved the address: its owner is logged in; the new password works too.
    assert "vous êtes connecté" in page.locator("main").inner_text()
    page.context.clear_cookies()

    # Finding one's dossier after logging in takes 2 clicks: "Se connecter", then its title.
    clicks = 0
    page.goto(f"{live_server.url}/compte/connexion/")
    field(page, "Adresse électronique").fill("camille.lefebvre@example.org")
    field(page, "Mot de passe").fill(new_password)
    click_and_wait(page.get_by_role("button", name="Se connecter"))
    clicks += 1
    page.wait_for_url(f"{live_server.url}/espace/")  # the porteur lands on their space

    dossier = page.locator("main section.card")
    assert dossier.get_by_role("heading", name="Un four à pain collectif").is_visible()
    assert "Prise de contact" in dossier.inner_text()
    assert reference in dossier.inner_text()

    click_and_wait(dossier.get_by_role("link", name="Un four à pain collectif"))
    clicks += 1
    page.wait_for_url(f"{live_server.url}/espace/dossiers/{reference}/")
    assert clicks == 2
    assert "Aucun document pour l'instant." in page.locator("#documents").inner_text()

    pdf = tmp_path / "plan-de-financement.pdf"
    pdf.write_bytes(PDF_BYTES)
    field(page, "Type de document").select_option(label="Plan de financement")
    field(page, "Fichier").set_input_files(str(pdf))
    click_and_wait(page.get_by_role("button", name="Ajouter", exact=True))

    page.wait_for_url(f"{live_server.url}/espace/dossiers/{reference}/#documents")
    table = page.locator("#documents table")
    assert table.get_by_role("link", name="plan-de-financement.pdf").is_visible()
    assert "Plan de financement" in table.inner_text()
    assert (
        "«\u00a0plan-de-financement.pdf\u00a0» est ajouté au dossier."
        in page.get_by_role("status").first.inner_text()
    )

    document = Document.objects.get(project=project)
    assert document.kind == DocumentKind.FINANCING_PLAN
    assert document.original_name == "plan-de-financement.pdf"
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF_BYTES)


# --- The form while typing, and its errors --------------------------------------------------


def test_the_crowdfunding_share_is_shown_while_typing(page, live_server):
    page.goto(f"{live_server.url}/deposer/")
    share = page.locator("#part-participatif")
    assert share.inner_text() == ""

    field(page, "Budget total du projet (€)").fill("40000")
    field(page, "Montant visé en financement participatif (€)").fill("10000")
    assert share.inner_text() == "Part du financement participatif dans le budget\u00a0: 25\u00a0%"
    assert share.get_attribute("aria-live") == "polite"

    field(page, "Montant visé en financement participatif (€)").fill("12345")
    assert share.inner_text().endswith("\u00a0: 30,9\u00a0%")

    field(page, "Budget total du projet (€)").fill("")
    assert share.inner_text() == ""


def test_a_commune_outside_the_department_is_refused_and_the_typed_values_are_kept(
    page, live_server
):
    page.goto(f"{live_server.url}/deposer/")
    fill_intake(page, **{"Commune du projet": "Lille", "Code postal": "59000"})
    submit_intake(page)

    page.wait_for_load_state()
    assert page.get_by_role("alert").first.inner_text().startswith("Le formulaire contient")
    assert not Project.objects.exists()

    commune = field(page, "Commune du projet")
    postal_code = field(page, "Code postal")
    assert commune.get_attribute("aria-invalid") == "true"
    assert postal_code.get_attribute("aria-invalid") == "true"
    commune_error = page.locator("#div_id_commune_name .invalid-feedback").inner_text()
    assert "Nous ne trouvons pas cette commune parmi celles du Pas-de-Calais." in commune_error
    assert "critère 3 du label" in commune_error
    postal_error = page.locator("#div_id_postal_code .invalid-feedback").inner_text()
    assert "Ce code postal n'est pas dans le Pas-de-Calais." in postal_error

    # What was typed is still there, to be corrected rather than typed again.
    assert commune.input_value() == "Lille"
    assert postal_code.input_value() == "59000"
    assert field(page, "Prénom").input_value() == "Camille"
    assert field(page, "Nom").input_value() == "Lefebvre"
    assert field(page, "Titre du projet").input_value() == "Un four à pain collectif"
    assert field(page, "Début de campagne souhaité (mois)").input_value() == "2027-03"
    assert field(page, "Forme juridique").input_value() == "sole_trader"
    assert field(page, "Comment nous avez-vous connus\u00a0?").input_value() == "partner"
    # The share is computed by the server too, for a page shown again.
    assert page.locator("#part-participatif").inner_text().endswith("\u00a0: 20,0\u00a0%")


def test_the_robot_trap_is_neither_visible_nor_reached_by_the_keyboard(page, live_server):
    page.goto(f"{live_server.url}/deposer/")
    trap = page.locator("input[name=website]")
    assert trap.count() == 1
    assert not trap.is_visible()

    # From the consent box, the next stop of the keyboard is the submit button.
    consent = page.get_by_label(CONSENT)
    consent.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") != "website"
    assert page.evaluate("document.activeElement.textContent").strip() == "Envoyer mon projet"

    # And a full walk through the page by Tab never stops on it.
    page.locator("body").focus()
    reached = set()
    for _ in range(80):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.id"))
    assert "id_contact_first_name" in reached
    assert "id_consent" in reached
    assert "id_website" not in reached


# --- Accessibility ---------------------------------------------------------------------------


def add_pdf(project, actor, name="budget-previsionnel.pdf"):
    upload = SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")
    return services.document_add(
        project=project,
        actor=actor,
        kind=DocumentKind.FINANCING_PLAN,
        upload=upload,
        original_name=name,
        content_type="application/pdf",
    )


def a_few_projects(porteur, other_porteur):
    project = ProjectFactory(owner=porteur, contact_email=porteur.email)
    ProjectFactory(owner=other_porteur, contact_email=other_porteur.email, status=Status.COACHING)
    ProjectFactory(owner=None, contact_email="sans.compte@example.org", commune=commune("Arras"))
    return project


def scenario(name, porteur, other_porteur, cheffe):
    """Prepare the data of one page; return (the user to log in or None, the path)."""
    if name == "intake":
        return None, "/deposer/"
    if name == "intake_done":
        return None, "/deposer/merci/"
    if name == "space_empty":
        return porteur, "/espace/"
    if name == "space":
        project = ProjectFactory(owner=porteur, contact_email=porteur.email)
        add_pdf(project, porteur)
        return porteur, "/espace/"
    if name == "porteur_project":
        project = ProjectFactory(owner=porteur, contact_email=porteur.email)
        add_pdf(project, porteur)
        return porteur, f"/espace/dossiers/{project.reference}/"
    if name == "project_edit":
        project = ProjectFactory(owner=porteur, contact_email=porteur.email)
        return porteur, f"/espace/dossiers/{project.reference}/modifier/"
    if name == "claim":
        project = ProjectFactory(owner=None, contact_email=porteur.email)
        return porteur, f"/espace/rattacher/{services.claim_token_make(project)}/"
    if name == "team_pipeline":
        a_few_projects(porteur, other_porteur)
        return cheffe, "/accompagnement/dossiers/"
    if name == "team_project":
        project = a_few_projects(porteur, other_porteur)
        add_pdf(project, porteur)
        return cheffe, f"/accompagnement/dossiers/{project.reference}/"
    raise AssertionError(name)


PAGES = [
    "intake",
    "intake_done",
    "space_empty",
    "space",
    "porteur_project",
    "project_edit",
    "claim",
    "team_pipeline",
    "team_project",
]


@pytest.mark.parametrize("name", PAGES)
def test_pages_have_no_accessibility_violation(
    page, live_server, axe, login, porteur, other_porteur, cheffe, name
):
    user, path = scenario(name, porteur, other_porteur, cheffe)
    if user is not None:
        login(page, user)
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200
    assert axe(page) == []


def test_the_intake_form_with_errors_has_no_accessibility_violation(page, live_server, axe):
    page.goto(f"{live_server.url}/deposer/")
    submit_intake(page)
    page.wait_for_load_state()
    assert page.locator(".invalid-feedback").count() > 10
    assert axe(page) == []

    # A partly valid form, with a field-level error and the server-computed share.
    fill_intake(page, **{"Commune du projet": "Lille", "Code postal": "59000"})
    submit_intake(page)
    page.wait_for_load_state()
    assert page.locator(".invalid-feedback").count() == 2
    assert axe(page) == []


def test_the_team_pipeline_filtered_and_a_submission_by_a_logged_in_porteur_are_accessible(
    page, live_server, axe, login, porteur, other_porteur, cheffe
):
    a_few_projects(porteur, other_porteur)
    login(page, cheffe)
    page.goto(f"{live_server.url}/accompagnement/dossiers/?status=coaching&sort=title")
    assert "En accompagnement" in page.locator("tbody").inner_text()
    assert axe(page) == []

    # A logged-in porteur who submits with their own address sees the dossier in their space.
    visitor = UserFactory(email="deja.inscrite@example.org", password=PASSWORD)
    logout(page)
    login(page, visitor)
    page.goto(f"{live_server.url}/deposer/")
    fill_intake(page, **{"Adresse électronique": visitor.email})
    submit_intake(page)
    page.wait_for_url(f"{live_server.url}/deposer/merci/")
    assert axe(page) == []
    page.goto(f"{live_server.url}/espace/")
    assert "Un four à pain collectif" in page.locator("main").inner_text()
    assert axe(page) == []
