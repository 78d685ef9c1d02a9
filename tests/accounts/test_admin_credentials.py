"""Only the administrator manages other people's credentials in the Django admin.

A cheffe who could set a committee member's password, address, role or organisation could
sign in as that member and vote in the organisation's name: she edits names and phone
numbers only, and the password form is the administrator's.
"""

import pytest

from accounts.models import Role, User
from tests.accounts.admin_forms import change_form_data
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "un-tout-nouveau-mot-de-passe-77"


def password_url(user) -> str:
    return f"/admin/accounts/user/{user.pk}/password/"


def change_url(user) -> str:
    return f"/admin/accounts/user/{user.pk}/change/"


def test_the_cheffe_cannot_open_or_post_a_members_password_form(client, cheffe, committee_member):
    client.force_login(cheffe)
    assert client.get(password_url(committee_member)).status_code in (403, 404)
    response = client.post(
        password_url(committee_member),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code in (403, 404)
    committee_member.refresh_from_db()
    assert committee_member.check_password(PASSWORD)
    assert not committee_member.check_password(NEW_PASSWORD)


def test_the_cheffe_edits_a_members_name_but_none_of_their_credentials(
    client, cheffe, committee_member, partner_organisation
):
    client.force_login(cheffe)
    page = client.get(change_url(committee_member))
    html = page.content.decode()
    assert page.status_code == 200
    for name in ("email", "role", "organisation", "is_active", "password"):
        assert f'name="{name}"' not in html, name
    assert "/password/" not in html
    data = change_form_data(
        page,
        first_name="Marie-Claire",
        email="cheffe.pirate@example.org",
        role=Role.CHEFFE,
        organisation=partner_organisation.pk,
        is_active="",
        is_superuser="on",
        is_staff="on",
        password="md5$x$y",
        groups=[1],
    )
    assert client.post(change_url(committee_member), data).status_code == 302
    member = User.objects.get(pk=committee_member.pk)
    assert member.first_name == "Marie-Claire"
    assert (member.email, member.role, member.organisation_id, member.is_active) == (
        committee_member.email,
        Role.COMITE,
        committee_member.organisation_id,
        True,
    )
    assert (member.is_superuser, member.is_staff) == (False, False)
    assert member.check_password(PASSWORD)
    assert list(member.groups.values_list("name", flat=True)) == ["comite"]


def test_the_cheffe_opening_the_administrators_account_reads_it_without_error(
    client, cheffe, admin_user
):
    client.force_login(cheffe)
    response = client.get(change_url(admin_user))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("email", "role", "organisation", "is_active", "first_name", "password"):
        assert f'name="{name}"' not in html, name
    assert "/password/" not in html
    response = client.post(change_url(admin_user), {"email": "x@example.org", "role": "porteur"})
    assert response.status_code == 403
    assert client.get(password_url(admin_user)).status_code in (403, 404)
    admin_user.refresh_from_db()
    assert (admin_user.email, admin_user.role) == ("admin@propulsons.org", Role.ADMIN)


def test_the_administrator_manages_credentials(
    client, admin_user, committee_member, partner_organisation
):
    client.force_login(admin_user)
    page = client.get(change_url(committee_member))
    assert password_url(committee_member) in page.content.decode()
    data = change_form_data(
        page, email="nouvelle.adresse@example.org", organisation=partner_organisation.pk
    )
    assert client.post(change_url(committee_member), data).status_code == 302
    member = User.objects.get(pk=committee_member.pk)
    assert (member.email, member.organisation) == (
        "nouvelle.adresse@example.org",
        partner_organisation,
    )
    response = client.post(
        password_url(committee_member),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)


def test_the_cheffe_changes_her_own_password_outside_the_admin(client, cheffe):
    # The admin's password form is the administrator's alone, her own included: her account
    # page has its own password change.
    client.force_login(cheffe)
    assert client.get(password_url(cheffe)).status_code in (403, 404)
    assert client.get("/compte/").status_code == 200
