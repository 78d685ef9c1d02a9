import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError

from accounts.admin import UserChangeForm
from accounts.models import Organisation, Role, User
from accounts.services import user_create


@pytest.mark.django_db
def test_a_data_migration_creates_one_group_per_role():
    assert set(Group.objects.values_list("name", flat=True)) >= {c.value for c in Role}
    cheffe_permissions = set(
        Group.objects.get(name="cheffe").permissions.values_list("codename", flat=True)
    )
    assert {"change_organisation", "add_user"} <= cheffe_permissions


@pytest.mark.django_db
def test_a_data_migration_creates_the_six_committee_organisations():
    members = Organisation.objects.filter(is_committee_member=True)
    assert members.count() == 6
    assert members.filter(is_prescribing_partner=True).count() == 5
    assert members.first().name == "Conseil départemental du Pas-de-Calais"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "staff", "superuser"),
    [
        (Role.PORTEUR, False, False),
        (Role.CHEFFE, True, False),
        (Role.ADMIN, True, True),
    ],
)
def test_user_create_gives_each_role_its_flags_and_group(role, staff, superuser):
    user = user_create(email=f"{role}@example.org", role=role, password="x-secret-123")
    user.refresh_from_db()
    assert (user.is_staff, user.is_superuser) == (staff, superuser)
    assert list(user.groups.values_list("name", flat=True)) == [role]


@pytest.mark.django_db
def test_a_committee_member_must_belong_to_an_organisation():
    with pytest.raises(IntegrityError):
        User.objects.create_user(email="membre@example.org", role=Role.COMITE)


@pytest.mark.django_db
def test_only_an_administrator_may_grant_the_administrator_role():
    limited = UserChangeForm(can_grant_admin=False)
    assert Role.ADMIN not in [code for code, _ in limited.fields["role"].choices]
    full = UserChangeForm(can_grant_admin=True)
    assert Role.ADMIN in [code for code, _ in full.fields["role"].choices]


def test_the_admin_form_requires_an_organisation_for_a_committee_member(db):
    form = UserChangeForm(
        data={"email": "m@example.org", "first_name": "M", "last_name": "N", "role": "comite"}
    )
    assert not form.is_valid()
    assert "organisation" in form.errors


def test_the_administrator_creates_a_committee_member_in_the_admin(
    client, cheffe, admin_user, department
):
    data = {
        "email": "nouveau.membre@example.org",
        "first_name": "Nina",
        "last_name": "Membre",
        "phone": "",
        "role": "comite",
        "organisation": department.pk,
    }
    # Creating an account gives an address to sign in with and a role: the administrator's.
    client.force_login(cheffe)
    assert client.post("/admin/accounts/user/add/", data).status_code == 403
    assert not User.objects.filter(email="nouveau.membre@example.org").exists()
    client.force_login(admin_user)
    response = client.post("/admin/accounts/user/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    member = User.objects.get(email="nouveau.membre@example.org")
    assert member.organisation == department
    assert not member.has_usable_password()
    assert list(member.groups.values_list("name", flat=True)) == ["comite"]


def test_a_cheffe_cannot_edit_an_administrator(client, cheffe, admin_user):
    client.force_login(cheffe)
    response = client.post(
        f"/admin/accounts/user/{admin_user.pk}/change/",
        {"email": admin_user.email, "role": "porteur"},
    )
    assert response.status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN
