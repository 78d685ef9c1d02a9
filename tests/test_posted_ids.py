"""Ids posted by the team's forms, tampered: letters, 30 digits, signs, other scripts' digits.

A view that reads an id itself answers 400 with a French message; a form field refuses it
next to the field. Never a 500, and nothing changes.
"""

import pytest
from django.urls import reverse

from tests.test_permission_matrix import World, database_state, dossier, login

pytestmark = pytest.mark.django_db

BAD_IDS = ("abc", "9" * 30, "-1", "1.5", "", " ", "١٢", "1e3", "0x10")


@pytest.fixture
def world(request, db):
    return World(request)


@pytest.fixture
def web(client, world):
    # A 500 is an answer to report, not an exception.
    client.raise_request_exception = False
    login(client, world.cheffe)
    return client


def session_url(world, action: str) -> str:
    return reverse(
        "labelling:session_action",
        kwargs={"pk": world.labelling_request.session_id, "action": action},
    )


# (name, how to build the URL, the field holding an id, whether the view reads it itself)
ID_POSTS = [
    ("privacy_requests", lambda w: reverse("projects:privacy_requests"), "request", True),
    ("agenda_up", lambda w: session_url(w, "monter"), "request", True),
    ("agenda_down", lambda w: session_url(w, "descendre"), "request", True),
    ("agenda_add", lambda w: session_url(w, "inscrire"), "request", False),
    ("attendance", lambda w: session_url(w, "presences"), "organisations", False),
    (
        "first_meeting_report",
        lambda w: reverse("coaching:first_meeting_report", kwargs=dossier(w)),
        "target_platform",
        False,
    ),
    ("quick_interaction", lambda w: reverse("coaching:quick_interaction"), "project", False),
]


@pytest.mark.parametrize(
    ("url", "field", "read_by_the_view"),
    [pytest.param(url, field, own, id=name) for name, url, field, own in ID_POSTS],
)
def test_a_tampered_posted_id_never_answers_500(web, world, url, field, read_by_the_view):
    path = url(world)
    for value in BAD_IDS:
        before = database_state()
        response = web.post(path, {field: value}, follow=True)
        assert response.status_code < 500, f"{field}={value!r}: {response.status_code}"
        assert database_state() == before, f"{field}={value!r} changed the database"
        if read_by_the_view:
            assert response.status_code == 400, f"{field}={value!r}: {response.status_code}"
            page = response.content.decode()
            assert "Requête invalide" in page
            assert "ne désigne aucun élément valable" in page


def test_a_nul_byte_in_a_value_a_view_reads_itself_is_refused(web, world, porteur):
    for path, data in (
        (reverse("accounts:lockouts"), {"username": "porteur@example.org\x00"}),
        (reverse("accounts:lockouts"), {"ip_address": "203.0.113.7\x00"}),
        (reverse("projects:privacy_requests"), {"request": "1\x00"}),
        (session_url(world, "monter"), {"request": "\x00"}),
    ):
        before = database_state()
        response = web.post(path, data)
        assert response.status_code == 400, path
        assert "Requête invalide" in response.content.decode()
        assert database_state() == before


def test_a_nul_byte_in_the_erasure_request_message_is_refused(client, porteur):
    client.raise_request_exception = False
    client.force_login(porteur)
    before = database_state()
    response = client.post(reverse("projects:deletion_request"), {"message": "Effacez\x00"})
    assert response.status_code == 400
    assert "contient un caractère interdit" in response.content.decode()
    assert database_state() == before
