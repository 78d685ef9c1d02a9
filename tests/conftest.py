"""The named cast of the test suite, and the switches for tests that need real services.

A test that needs PostgreSQL, Redis, Chromium or axe-core skips with a clear reason on a
newcomer's machine that lacks them, but fails when CI=true: CI must run everything.
"""

import os
import re
from pathlib import Path

import pytest

from tests.factories import (
    CommitteeMemberFactory,
    OrganisationFactory,
    ProjectFactory,
    UserFactory,
)

# Playwright's sync API runs an event loop in the test thread; the ORM refuses to run there
# unless told it is safe (it is: tests are single-threaded).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, reason: str) -> None:
    """Skip on a developer machine without the dependency; fail in CI, which must have it."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI must run this test, but: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _celery_eager():
    # Tasks run inline in tests (mail lands in mail.outbox); the real-worker test uses its own
    # client. The setting is read once by Celery, so it is set on the app itself.
    from propulsons.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _emails_in_french_typography():
    """Every email the suite sends reads as French expects: no plain space before : ; ! ? » €
    % nor after « (propulsons/typography.py), in its subject, text and HTML."""
    yield
    from django.core import mail

    from propulsons.typography import spacing_defects

    defects = []
    for message in getattr(mail, "outbox", []):
        parts = [message.subject, message.body]
        parts += [content for content, _type in getattr(message, "alternatives", [])]
        for part in parts:
            # Markup is no text: "<a href=...>" and attributes hold no typography.
            text = re.sub(r"<[^>]*>", "", str(part))
            defects += [f"{message.subject!r}: {defect!r}" for defect in spacing_defects(text)]
    if defects:
        pytest.fail("plain spaces in emails:\n" + "\n".join(defects[:10]), pytrace=False)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    settings.PUBLIC_MEDIA_ROOT = tmp_path / "public-media"
    # A fast hasher: the suite creates many accounts; the real one is tested by Django.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The whole-page cache of the public pages is off: factories write rows without the
    # services that invalidate it, and the local-memory cache outlives each test's rollback.
    # tests/propulsons/test_public_cache.py turns it on (see propulsons.public_cache).
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def page_cache(settings):
    """The public pages' cache turned on (and the data kept per public content version with
    them: propulsons.public_cache.versioned_data), in a local memory emptied around the test."""
    from django.core.cache import cache

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "public-pages-tests",
        }
    }
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


# Reference data written by data migrations; a transactional test's flush removes it.
REFERENCE_DATA_LOADERS = [
    ("accounts.migrations.0002_roles", "create_role_groups"),
    ("accounts.migrations.0003_committee_organisations", "create_organisations"),
    ("projects.migrations.0002_load_communes", "load_communes"),
    ("projects.migrations.0004_cheffe_permissions", "grant"),
    ("campaigns.migrations.0002_platforms", "create_platforms"),
    ("campaigns.migrations.0003_cheffe_permissions", "grant"),
    ("coaching.migrations.0002_cheffe_permissions", "grant"),
    ("labelling.migrations.0002_criteria", "create_criteria"),
    ("labelling.migrations.0002_criteria", "grant"),
]


@pytest.fixture(scope="session")
def _migrated_apps(django_db_setup, django_db_blocker):
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    with django_db_blocker.unblock():
        return MigrationLoader(connection).project_state().apps


@pytest.fixture(autouse=True)
def _reference_data(request, _migrated_apps):
    """Reload the data migrations' rows before a database test if a flush removed them.

    Django's serialized_rollback cannot do it here: Playwright runs an event loop, and the
    connection that holds the serialized copy belongs to the context outside that loop.
    """
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    )
    if not uses_db:
        return
    # Also for plain tests: pytest may run one after a transactional test has flushed.
    request.getfixturevalue("_django_db_helper")
    from importlib import import_module

    from projects.models import Commune

    if Commune.objects.exists():
        return
    for module, function in REFERENCE_DATA_LOADERS:
        getattr(import_module(module), function)(_migrated_apps, None)


# --- The cast -------------------------------------------------------------------------------

PASSWORD = "mot-de-passe-de-test-42"


@pytest.fixture
def porteur(db):
    return UserFactory(email="porteur@example.org", first_name="Paul", last_name="Porteur")


@pytest.fixture
def other_porteur(db):
    return UserFactory(email="autre.porteur@example.org", first_name="Olga", last_name="Autre")


@pytest.fixture
def cheffe(db):
    return UserFactory(
        email="cheffe@propulsons.org", role="cheffe", first_name="Gaëlle", last_name="Mercier"
    )


@pytest.fixture
def admin_user(db):
    return UserFactory(email="admin@propulsons.org", role="admin", first_name="Ada")


@pytest.fixture
def department(db):
    return OrganisationFactory(
        slug="conseil-departemental-62", is_prescribing_partner=False, short_name="Département"
    )


@pytest.fixture
def partner_organisation(db):
    return OrganisationFactory(slug="pas-de-calais-actif", short_name="France Active")


@pytest.fixture
def committee_member(department):
    return CommitteeMemberFactory(email="membre.cd62@example.org", organisation=department)


@pytest.fixture
def other_committee_member(partner_organisation):
    return CommitteeMemberFactory(email="membre.fa@example.org", organisation=partner_organisation)


@pytest.fixture
def project(porteur):
    return ProjectFactory(owner=porteur, contact_email=porteur.email)


@pytest.fixture
def other_project(other_porteur):
    return ProjectFactory(owner=other_porteur, contact_email=other_porteur.email)


@pytest.fixture
def cast(porteur, other_porteur, cheffe, committee_member, admin_user):
    """Every role by the name used in permission tables; None is the anonymous visitor."""
    return {
        "anonyme": None,
        "porteur": porteur,
        "autre_porteur": other_porteur,
        "cheffe": cheffe,
        "comite": committee_member,
        "admin": admin_user,
    }


# --- Browser tests --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Bootstrap's colour transitions then end at once: axe-core never measures a button caught
    # half-way into its hover colours (the pointer may rest where a click left it).
    return {**browser_context_args, "reduced_motion": "reduce"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    require(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM}")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def axe(live_server):
    """Run axe-core (WCAG 2 A and AA) on the page and return its violations.

    The site's Content-Security-Policy ("script-src 'self'") refuses an inline copy of the
    script; a same-origin address, answered by Playwright, passes it with the policy kept on.
    """
    require(AXE_SCRIPT.exists(), "axe-core is not installed: run `npm ci`")
    address = f"{live_server.url}/__tests__/axe.min.js"

    def run(page):
        # A check made while a click's navigation is still under way would inject the script
        # into the page being left ("add_script_tag" on a null document): wait for the page.
        page.wait_for_load_state("load")
        page.route(
            address,
            lambda route: route.fulfill(path=AXE_SCRIPT, content_type="application/javascript"),
        )
        page.add_script_tag(url=address)
        # A bounded run: a stuck page fails the test instead of stalling the suite.
        result = page.evaluate(
            """async () => await Promise.race([
                axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']}),
                new Promise((_, reject) =>
                    setTimeout(() => reject(new Error('axe-core: no result in 60 s')), 60000)),
            ])"""
        )
        return [
            {
                "id": violation["id"],
                "help": violation["help"],
                "nodes": [node["target"] for node in violation["nodes"]][:5],
            }
            for violation in result["violations"]
        ]

    return run


def click_and_wait(target) -> None:
    """Click what follows a link or sends a form, and wait until the page it leads to has
    loaded: a check made sooner reads (or injects axe into) the page being left, which passes
    alone and fails on a loaded machine."""
    with target.page.expect_navigation(wait_until="load"):
        target.click()


def open_account_menu(page) -> None:
    """Open the account dropdown of the main menu (where "Mon compte", "Administration" and
    "Se déconnecter" are), opening the collapsed menu first on a narrow screen."""
    toggler = page.get_by_role("button", name="Ouvrir le menu")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
        # "show" comes once the opening animation is over: a click during it may miss.
        page.locator("#menu-principal.show").wait_for()
    account = page.get_by_role("button", name=re.compile(r"menu du compte"))
    if account.get_attribute("aria-expanded") != "true":
        account.click()
    page.locator("#menu-compte + .dropdown-menu").wait_for(state="visible")


def logout(page) -> None:
    """Log out through the account menu, and wait for the page it leads to."""
    open_account_menu(page)
    click_and_wait(page.get_by_role("button", name="Se déconnecter"))


@pytest.fixture
def login(live_server):
    """Log a user in through the real login form."""

    def do_login(page, user):
        page.goto(f"{live_server.url}/compte/connexion/")
        page.get_by_label("Adresse électronique").fill(user.email)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(lambda url: "/connexion/" not in url)

    return do_login
