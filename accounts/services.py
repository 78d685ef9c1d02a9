from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import STAFF_ROLES, Organisation, Role, User


def user_apply_role(*, user: User) -> None:
    """Make the Django flags and the role's group follow `user.role`.

    Each role is a group (created by a data migration) carrying the admin permissions the role
    needs; administrators are superusers. Called whenever a user is created or changes role.
    """
    user.is_staff = user.role in STAFF_ROLES
    user.is_superuser = user.role == Role.ADMIN
    user.save(update_fields=["is_staff", "is_superuser"])
    user.groups.set(Group.objects.filter(name=user.role))


@transaction.atomic
def user_create(
    *,
    email: str,
    role: str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    organisation: Organisation | None = None,
    phone: str = "",
) -> User:
    user = User.objects.create_user(
        email=email,
        password=password,
        role=role,
        first_name=first_name,
        last_name=last_name,
        organisation=organisation,
        phone=phone,
    )
    user_apply_role(user=user)
    return user
