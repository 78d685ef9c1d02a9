"""Every URL of the project, with each of its parameters tampered (a NUL byte, letters for an
id, an id too large for any column), as each role: never a 500.

A NUL byte anywhere in the path or the query string is refused with a 400 before any view
runs (PostgreSQL refuses NUL in text, which made lookups crash).
"""

import re

import pytest
from django.urls import reverse

from tests.test_permission_matrix import MATRIX, World, login, url_names

pytestmark = pytest.mark.django_db

ROLES = ("anonyme", "porteur", "comite", "cheffe")
NUL_VALUES = ("%00", "1%00", "%00.ics")
OTHER_VALUES = ("abc", "9" * 30, "-1", "0", "%C3%A9t%C3%A9")
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@pytest.fixture
def world(request, db):
    return World(request)


@pytest.fixture
def web(client):
    # A 500 is an answer to report, not an exception that hides the table's cell.
    client.raise_request_exception = False
    return client


def routes():
    """(name, route) of every URL pattern, the admin aside."""
    return [(name, route) for name, route in url_names() if name in MATRIX]


def build(route: str, values: dict) -> str:
    return "/" + PARAMETER.sub(lambda match: str(values[match["name"]]), route)


def methods(name: str) -> tuple[str, ...]:
    return MATRIX[name].methods


def tampered_paths(world, name: str, route: str):
    """(path, has a NUL byte) for each parameter of the route replaced by each bad value."""
    valid = MATRIX[name].kwargs(world)
    assert build(route, valid) == reverse(name, kwargs=valid or None)
    for parameter in PARAMETER.finditer(route):
        for value in NUL_VALUES + OTHER_VALUES:
            yield build(route, {**valid, parameter["name"]: value}), value in NUL_VALUES


def answer(client, method: str, path: str, data=None):
    return getattr(client, method.lower())(path, data or {})


@pytest.mark.parametrize("role", ROLES)
def test_no_tampered_url_parameter_answers_500(web, world, role):
    login(web, world.user(role))
    failures = []
    for name, route in routes():
        for path, has_nul in tampered_paths(world, name, route):
            for method in methods(name):
                got = answer(web, method, path, MATRIX[name].data).status_code
                if got >= 500 or (has_nul and got != 400):
                    failures.append(f"{method} {path} ({name}): {got}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_no_tampered_query_string_answers_500(web, world, role):
    login(web, world.user(role))
    failures = []
    for name, _route in routes():
        path = reverse(name, kwargs=MATRIX[name].kwargs(world) or None)
        if "GET" not in methods(name):
            continue
        for query, expected in (
            ("?q=%00", 400),
            ("?page=%00&sort=%00", 400),
            ("?%00=1", 400),
            ("?page=abc&q=" + "9" * 30 + "&sort=-1&status=%C3%A9", None),
            ("?page=" + "9" * 30, None),
        ):
            got = web.get(path + query).status_code
            if got >= 500 or (expected and got != expected):
                failures.append(f"GET {path}{query} ({name}): {got}")
    assert not failures, "\n".join(failures)


def test_a_nul_byte_answers_a_french_400_page(web):
    response = web.get("/agenda/%00.ics")
    assert response.status_code == 400
    assert "Requête invalide" in response.content.decode()


def test_a_nul_byte_in_the_session_cookie_answers_400_not_500(web):
    # PostgreSQL refuses NUL in text: the session lookup by this key would crash.
    web.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    response = web.get("/compte/")
    assert response.status_code == 400
    assert "Requête invalide" in response.content.decode()
