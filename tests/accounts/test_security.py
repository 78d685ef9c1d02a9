"""Login throttling, security headers and the Content-Security-Policy."""

import re
from pathlib import Path

import pytest
from django.core import mail

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def fail_logins(client, email, times=5):
    for _ in range(times):
        client.post("/compte/connexion/", {"username": email, "password": "mauvais-mot-de-passe"})


def test_five_failures_lock_the_account_with_a_french_page(client, porteur):
    fail_logins(client, porteur.email)
    response = client.post("/compte/connexion/", {"username": porteur.email, "password": PASSWORD})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Connexion temporairement bloquée" in page
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not affected.


def test_the_team_unlocks_an_account(client, porteur, cheffe):
    fail_logins(client, porteur.email)
    staff = client.__class__()
    staff.force_login(cheffe)
    page = staff.get("/compte/verrous/").content.decode()
    assert porteur.email in page
    staff.post("/compte/verrous/", {"username": porteur.email})
    assert porteur.email not in staff.get("/compte/verrous/").content.decode().split("<tbody>")[1]
    response = client.post("/compte/connexion/", {"username": porteur.email, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("role", ["anonyme", "porteur", "comite"])
def test_only_the_team_sees_the_lockouts(client, cast, role):
    if cast[role] is not None:
        client.force_login(cast[role])
    assert client.get("/compte/verrous/").status_code in (302, 403)
    assert client.post("/compte/verrous/", {"username": "x@example.org"}).status_code in (302, 403)


def test_resetting_the_password_unlocks_the_account(
    client, porteur, django_capture_on_commit_callbacks
):
    fail_logins(client, porteur.email)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/compte/mot-de-passe/oubli/", {"email": porteur.email})
    link = re.search(r"/compte/mot-de-passe/nouveau/\S+/", mail.outbox[0].body).group(0)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(
        form_url,
        {"new_password1": "nouveau-secret-solide-1", "new_password2": "nouveau-secret-solide-1"},
    )
    response = client.post(
        "/compte/connexion/", {"username": porteur.email, "password": "nouveau-secret-solide-1"}
    )
    assert response.status_code == 302


def test_every_page_sends_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert "https://tile.openstreetmap.org" in directives["img-src"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_no_template_has_an_inline_script_or_style():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        if "emails" in path.parts:
            continue  # emails are not served under the CSP
        text = path.read_text()
        for match in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text):
            offenders.append(f"{path.name}: {match.group(0)}")
        if re.search(r"\sstyle=\"", text) or "<style" in text:
            offenders.append(f"{path.name}: inline style")
    assert offenders == []


def test_session_cookies_are_http_only_and_same_site(settings):
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.CSRF_COOKIE_SAMESITE == "Lax"
    assert len(settings.AUTH_PASSWORD_VALIDATORS) == 4


def test_changing_the_case_of_the_address_does_not_dodge_the_lockout(client, porteur):
    fail_logins(client, porteur.email.upper())
    response = client.post(
        "/compte/connexion/", {"username": f" {porteur.email} ", "password": PASSWORD}
    )
    assert response.status_code == 429
