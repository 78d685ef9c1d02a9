"""Who may see each page of the foundation, and what the pages say."""

import html

import pytest

from tests.conftest import PASSWORD

# role -> expected status code; 302 means "sent to the login page".
PAGES = {
    "/": {"anonyme": 200, "porteur": 200, "cheffe": 200, "comite": 200, "admin": 200},
    "/mentions-legales/": {
        "anonyme": 200,
        "porteur": 200,
        "cheffe": 200,
        "comite": 200,
        "admin": 200,
    },
    "/compte/": {"anonyme": 302, "porteur": 200, "cheffe": 200, "comite": 200, "admin": 200},
    "/compte/mot-de-passe/": {
        "anonyme": 302,
        "porteur": 200,
        "cheffe": 200,
        "comite": 200,
        "admin": 200,
    },
    "/admin/": {"anonyme": 302, "porteur": 302, "cheffe": 200, "comite": 302, "admin": 200},
}


@pytest.mark.parametrize(
    ("url", "role"), [(url, role) for url, roles in PAGES.items() for role in roles]
)
def test_each_role_gets_the_expected_answer(client, cast, url, role):
    user = cast[role]
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == PAGES[url][role]
    if response.status_code == 302:
        assert "connexion" in response["Location"] or "login" in response["Location"]


@pytest.mark.django_db
def test_home_page_presents_the_label_and_its_four_criteria(client):
    page = client.get("/").content.decode()
    assert page.count("<h1") == 1
    assert "Déposer un projet" in page
    assert 'href="/deposer/"' in page
    for criterion in [
        "être économiquement viable",
        "être solidaire, de proximité et avoir un impact positif sur le territoire",
        "être situé dans le Pas-de-Calais",
        "être suivi, accompagné ou prescrit par un partenaire de Propulsons!",
    ]:
        assert criterion in page
    # The six committee members come from the database (data migration).
    assert "Conseil départemental du Pas-de-Calais" in page
    assert "Pas-de-Calais Actif" in page
    assert 'lang="fr"' in page
    assert 'href="#contenu"' in page


def test_navigation_shows_each_role_what_it_can_reach(client, cast):
    anonymous_page = client.get("/").content.decode()
    assert "Se connecter" in anonymous_page
    assert "Administration" not in anonymous_page

    client.force_login(cast["porteur"])
    porteur_page = client.get("/").content.decode()
    assert "Mon compte" in porteur_page and "Se déconnecter" in porteur_page
    assert "/admin/" not in porteur_page

    client.force_login(cast["cheffe"])
    assert "/admin/" in client.get("/").content.decode()


@pytest.mark.django_db
def test_legal_notice_explains_personal_data(client):
    page = client.get("/mentions-legales/").content.decode()
    assert "Mentions légales et données personnelles" in page
    assert "Vos droits" in page
    assert "CNIL" in page


def test_the_account_page_shows_the_role_and_organisation(client, committee_member):
    client.force_login(committee_member)
    page = client.get("/compte/").content.decode()
    assert "Membre du comité" in page
    assert committee_member.organisation.name in page


def test_amounts_are_formatted_the_french_way():
    from datetime import date
    from decimal import Decimal

    from django.template import Context, Template

    rendered = Template("{{ amount|euros }} — {{ rate|percent }} — {{ first|day }}").render(
        Context({"amount": Decimal("81125"), "rate": 89, "first": date(2016, 11, 1)})
    )
    assert rendered == "81\xa0125\xa0€ — 89\xa0% — 1er novembre 2016"


def test_post_is_refused_on_read_only_pages(client, db):
    assert client.post("/").status_code == 405
    assert client.post("/healthz").status_code == 405


def test_a_cheffe_logs_into_the_admin_with_her_password(client, cheffe):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": cheffe.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_french_plurals_follow_the_french_rule(client):
    # "0 projet", not "0 projets": the catalogue applies the French plural rule.
    page = client.get("/projets/").content.decode()
    assert "0 projet<" in page or "0 projet\n" in page or ">0 projet" in page
    assert "0 projets" not in page


@pytest.mark.django_db
def test_legal_notice_names_the_host_and_the_publication_director(client, settings):
    settings.LEGAL_HOSTING_PROVIDER = "OVH SAS\n2 rue Kellermann, 59100 Roubaix"
    settings.LEGAL_PUBLICATION_DIRECTOR = "Claire Dupont"
    page = client.get("/mentions-legales/").content.decode()
    assert "Direction de la publication" in page
    assert "Claire Dupont" in page
    assert "OVH SAS<br>2 rue Kellermann, 59100 Roubaix" in page


@pytest.mark.django_db
def test_legal_notice_says_what_the_operator_has_not_set(client, settings):
    settings.LEGAL_HOSTING_PROVIDER = ""
    settings.LEGAL_PUBLICATION_DIRECTOR = ""
    page = html.unescape(client.get("/mentions-legales/").content.decode())
    assert "Non renseignée par l'exploitant." in page  # the publication director
    assert "Non renseigné par l'exploitant." in page  # the host
