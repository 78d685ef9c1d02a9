"""One address trying wrong passwords on many accounts is locked out, at a higher threshold
than one account from one address."""

import pytest
from axes.models import AccessAttempt

from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def fail_login(client, email, address="203.0.113.7"):
    return client.post(
        "/compte/connexion/",
        {"username": email, "password": "mauvais-mot-de-passe"},
        REMOTE_ADDR=address,
    )


def login(client, email, address="203.0.113.7"):
    return client.post(
        "/compte/connexion/", {"username": email, "password": PASSWORD}, REMOTE_ADDR=address
    )


def test_an_address_trying_a_few_passwords_on_many_accounts_is_locked_out(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_IP_FAILURE_LIMIT = 20
    accounts = [UserFactory(email=f"compte{number}@example.org") for number in range(8)]
    # Four wrong passwords on each account: never five on one, twenty on the address.
    answers = [
        fail_login(client, account.email).status_code for account in accounts[:5] for _ in range(4)
    ]
    assert answers[:19] == [200] * 19
    assert answers[19] == 429
    # Every account is now refused from this address, even with the right password...
    response = login(client, accounts[7].email)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Connexion temporairement bloquée" in page
    assert "_auth_user_id" not in client.session
    # ...and the failures are recorded on the pairs, none reaching the per-account limit.
    assert max(AccessAttempt.objects.values_list("failures_since_start", flat=True)) == 4


def test_another_address_is_not_locked_out(client, settings):
    settings.AXES_IP_FAILURE_LIMIT = 20
    accounts = [UserFactory(email=f"compte{number}@example.org") for number in range(6)]
    for account in accounts[:5]:
        for _ in range(4):
            fail_login(client, account.email)
    response = login(client, accounts[5].email, address="198.51.100.9")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(accounts[5].pk)


def test_a_few_failures_from_an_address_do_not_lock_other_accounts(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_IP_FAILURE_LIMIT = 20
    first, second = UserFactory(email="un@example.org"), UserFactory(email="deux@example.org")
    for _ in range(5):
        fail_login(client, first.email)
    # The first account is locked from this address; the second is not.
    assert login(client, first.email).status_code == 429
    response = login(client, second.email)
    assert response.status_code == 302


def test_the_team_sees_and_unlocks_a_locked_address(client, cheffe, settings):
    settings.AXES_IP_FAILURE_LIMIT = 6
    accounts = [UserFactory(email=f"compte{number}@example.org") for number in range(3)]
    for account in accounts:
        for _ in range(2):
            fail_login(client, account.email)
    assert login(client, accounts[0].email).status_code == 429
    team = type(client)()
    team.force_login(cheffe)
    page = team.get("/compte/verrous/").content.decode()
    assert "203.0.113.7" in page
    response = team.post("/compte/verrous/", {"ip_address": "203.0.113.7"}, follow=True)
    assert "est débloquée" in response.content.decode()
    assert not AccessAttempt.objects.filter(ip_address="203.0.113.7").exists()
    assert login(client, accounts[0].email).status_code == 302
