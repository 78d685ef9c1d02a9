"""Every page of the permission matrix, in a real Chromium, as each role that may see it.

For each role, the crawl logs in once through the real form, then visits every HTML page that
MATRIX (tests/test_permission_matrix.py) answers with a 200 for that role, and checks it with
axe-core (WCAG 2 A and AA) and a few rules of the site's skeleton: one <h1>, the page in
French, the skip link to the <main id="contenu">, no id used twice. The forms are then sent
empty (their text fields cleared) and the page with its errors is checked the same way.

Every failure of a role is collected, and the test reports them all at once.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from propulsons.typography import spacing_defects
from tests.test_permission_matrix import MATRIX, POST, ROLES, World

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

# Pages of the matrix that are no HTML page: JSON, CSV, calendars and downloads.
NOT_HTML = {
    "healthz",
    "projects:personal_data",
    "projects:document_download",
    "coaching:calendar_feed",
    "campaigns:open_data_csv",
    "campaigns:open_data_json",
    "campaigns:open_data_schema",
    "campaigns:map_points",
    "projects:label_badge",
    "campaigns:campaigns_feed",
    "campaigns:report_export",
    "campaigns:cover",
}


def html_pages(role: str) -> list[str]:
    """The URL names of the HTML pages that MATRIX lets the role see (a GET answered 200)."""
    return [
        name
        for name, row in MATRIX.items()
        if name not in NOT_HTML and row.methods != POST and row.expected[role] == 200
    ]


@dataclass(frozen=True)
class ErrorForm:
    """A form sent empty, by the role, to check the page that shows its errors."""

    name: str
    role: str
    button: str | None  # None: the errors come from the query string
    query: str = ""
    # The URL, when it is not the row's URL built from the world.
    path: Callable[[World], str] | None = None


def reset_link(world: World) -> str:
    """The link of a password-reset email; it redirects to the form for the new password."""
    return reverse("accounts:password_reset_confirm", kwargs=world.password_reset())


ERROR_FORMS = [
    ErrorForm("accounts:login", "anonyme", "Se connecter"),
    ErrorForm("accounts:password_reset", "anonyme", "Recevoir le lien"),
    ErrorForm(
        "accounts:password_reset_confirm", "anonyme", "Enregistrer le mot de passe", path=reset_link
    ),
    ErrorForm("projects:intake", "anonyme", "Envoyer mon projet"),
    ErrorForm("campaigns:figures", "anonyme", None, "?start=2020-01-01&end=2019-01-01"),
    ErrorForm("accounts:password_change", "porteur", "Enregistrer le nouveau mot de passe"),
    ErrorForm("projects:project_edit", "porteur", "Enregistrer"),
    ErrorForm("projects:porteur_project", "porteur", "Ajouter"),
    ErrorForm("labelling:review", "comite", "Enregistrer le vote"),
    # The dossier shows one section at a time: the address opens the documents' one.
    ErrorForm("projects:team_project", "cheffe", "Ajouter", "#documents"),
    ErrorForm("coaching:first_meeting_schedule", "cheffe", "Enregistrer et envoyer l'invitation"),
    ErrorForm("coaching:first_meeting_report", "cheffe", "Enregistrer le compte rendu"),
    ErrorForm("coaching:interaction_create", "cheffe", "Enregistrer l'échange"),
    ErrorForm("coaching:quick_interaction", "cheffe", "Enregistrer l'échange"),
    ErrorForm("labelling:session_create", "cheffe", "Créer la séance"),
    ErrorForm("labelling:correct", "cheffe", "Enregistrer la correction"),
    ErrorForm("campaigns:campaign_edit", "cheffe", "Enregistrer"),
    ErrorForm("campaigns:presentation", "porteur", "Publier la nouvelle"),
]

# Clears the form's text fields and chooses the empty option of its lists: "sent empty".
CLEAR_FORM = """button => {
  for (const field of button.form.elements) {
    if (field.type === "hidden" || field.disabled || field.readOnly) continue;
    if (field.tagName === "TEXTAREA" || (field.tagName === "INPUT"
        && !["checkbox", "radio", "submit", "button", "file"].includes(field.type))) {
      field.value = "";
    } else if (field.tagName === "SELECT" && [...field.options].some(o => o.value === "")) {
      field.value = "";
    }
  }
}"""

# The site's skeleton, as every page must have it.
SKELETON_PROBLEMS = """() => {
  const problems = [];
  const headings = document.querySelectorAll("h1").length;
  if (headings !== 1) problems.push(`${headings} <h1> instead of one`);
  if (document.documentElement.lang !== "fr") {
    problems.push(`<html lang="${document.documentElement.lang}">, not "fr"`);
  }
  if (!document.querySelector('a[href="#contenu"]')) problems.push("no skip link to #contenu");
  const main = document.getElementById("contenu");
  if (!main || main.tagName !== "MAIN") problems.push("#contenu is not the <main>");
  const counts = {};
  for (const element of document.querySelectorAll("[id]")) {
    counts[element.id] = (counts[element.id] || 0) + 1;
  }
  const twice = Object.keys(counts).filter(id => counts[id] > 1);
  if (twice.length) problems.push(`ids used more than once: ${twice.join(", ")}`);
  return problems;
}"""

ERROR_STATE = (
    "main .is-invalid, main .invalid-feedback, main .errorlist, main [role=alert], "
    "main .alert-danger"
)


@pytest.fixture
def local_page(page, live_server):
    # Every page is local: a locator that finds nothing in 10 seconds never will.
    page.set_default_timeout(10_000)
    # The map's tiles come from OpenStreetMap: the crawl does not depend on the network.
    page.route(lambda url: not url.startswith(live_server.url), lambda route: route.abort())
    return page


def check(page, axe, what: str) -> list[str]:
    """The skeleton's problems, axe-core's violations and the French typography's defects
    (a plain space before : ; ! ? » € %, propulsons/typography.py) of the page, each named."""
    failures = [f"{what}: {problem}" for problem in page.evaluate(SKELETON_PROBLEMS)]
    for defect in spacing_defects(page.evaluate("document.body.innerText")):
        failures.append(f"{what}: typography, a plain space in {defect!r}")
    for violation in axe(page):
        failures.append(
            f"{what}: axe {violation['id']} ({violation['help']}) at {violation['nodes']}"
        )
    return failures


def visit(page, url: str, what: str) -> list[str]:
    """Go to the page; say why, if it is not the HTML page expected."""
    response = page.goto(url)
    if response is None or response.status != 200:
        return [f"{what}: answered {response and response.status}, expected 200"]
    content_type = response.header_value("content-type") or ""
    if not content_type.startswith("text/html"):
        return [f"{what}: answered {content_type!r}, not an HTML page (add it to NOT_HTML?)"]
    return []


def send_empty(page, form: ErrorForm, what: str) -> list[str]:
    """Clear the form that holds the button, send it, and check that errors are shown."""
    if form.button is not None:
        button = page.locator("main").get_by_role("button", name=form.button, exact=True)
        button.evaluate(CLEAR_FORM)
        with page.expect_navigation() as navigation:
            button.click()
        response = navigation.value
        if response is None or response.status != 200:
            return [f"{what}: answered {response and response.status}, expected 200"]
    if page.locator(ERROR_STATE).count() == 0:
        return [f"{what}: sent empty, the page shows no error ({page.url})"]
    return []


def test_the_crawl_knows_every_page_it_skips():
    assert not NOT_HTML - MATRIX.keys(), f"not in MATRIX any more: {NOT_HTML - MATRIX.keys()}"
    for form in ERROR_FORMS:
        assert form.name in MATRIX, form.name
        if form.path is None:
            assert form.name in html_pages(form.role), f"{form.role} cannot see {form.name}"


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_may_see_has_no_accessibility_violation(
    local_page, live_server, axe, login, request, role
):
    page = local_page
    world = World(request)
    user = world.user(role)
    # URLs first: every object the role's pages show exists before the role logs in.
    paths = {
        name: reverse(name, kwargs=MATRIX[name].kwargs(world) or None) for name in html_pages(role)
    }
    forms = [form for form in ERROR_FORMS if form.role == role]
    if user is not None:
        login(page, user)

    failures, visited, with_errors = [], 0, 0
    for name, path in paths.items():
        what = f"{name} {path} as {role}"
        problems = visit(page, f"{live_server.url}{path}", what)
        failures += problems or check(page, axe, what)
        visited += 1

    for form in forms:
        # After logging in: a password-reset token covers the account's last login.
        path = form.path(world) if form.path else paths[form.name]
        what = f"{form.name} {path}{form.query} as {role}, with errors"
        problems = visit(page, f"{live_server.url}{path}{form.query}", what)
        if form.name not in paths and not problems:
            # A page outside the crawl (reached by a redirection): checked without errors too.
            failures += check(page, axe, f"{form.name} {page.url} as {role}")
            visited += 1
        problems = problems or send_empty(page, form, what)
        failures += problems or check(page, axe, what)
        with_errors += 1

    report = "\n".join(f"- {failure}" for failure in failures)
    assert not failures, (
        f"{len(failures)} problem(s) on the {visited} page(s) and {with_errors} form(s) with "
        f"errors seen as {role}:\n{report}"
    )


# A page wider than the phone: the element that sticks out furthest, to name the culprit.
SIDEWAYS = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  let widest = null, right = width;
  for (const element of document.querySelectorAll("body *")) {
    const box = element.getBoundingClientRect();
    if (box.right > right + 1 && !element.closest(".table-responsive, .overflow-auto")) {
      right = box.right;
      widest = element;
    }
  }
  const name = widest ? widest.tagName.toLowerCase() + (widest.id ? "#" + widest.id : "")
    + (widest.className && typeof widest.className === "string"
       ? "." + widest.className.trim().split(/\\s+/).join(".") : "") : "?";
  return `${document.documentElement.scrollWidth} px wide (${name})`;
}"""


@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_on_a_phone(local_page, live_server, axe, login, request, role):
    """At 390 px, every page of every role fits the screen: wide tables scroll inside their own
    box, never the page, and axe-core still passes (a box that scrolls must take the keyboard's
    focus)."""
    page = local_page
    page.set_viewport_size({"width": 390, "height": 844})
    world = World(request)
    paths = {
        name: reverse(name, kwargs=MATRIX[name].kwargs(world) or None) for name in html_pages(role)
    }
    if (user := world.user(role)) is not None:
        login(page, user)
    failures = []
    for name, path in paths.items():
        what = f"{name} {path} as {role}"
        problems = visit(page, f"{live_server.url}{path}", what)
        if not problems and (wide := page.evaluate(SIDEWAYS)):
            problems = [f"{what}: {wide}"]
        failures += problems or check(page, axe, f"{what} at 390 px")
    report = "\n".join(f"- {failure}" for failure in failures)
    assert not failures, f"{len(failures)} of {len(paths)} page(s) scroll sideways:\n{report}"
