from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import STAFF_ROLES, DeletionRequest, Organisation, Role, User


class ServiceRefused(Exception):
    """A service refused an action: the rules do not allow it, or the state it was asked from
    has just moved (a double click, two people on the same dossier). Its message is French and
    meant for the user.

    Every app's refusal (TransitionError, CoachingError, LabellingError, CampaignError) is one,
    so that a view, or propulsons.middleware.ServiceRefusedMiddleware for a view that forgot,
    turns any of them into a message rather than a 500.
    """


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


@transaction.atomic
def user_erase(*, user: User) -> None:
    """Erase a person's account data; the row stays (history points to it), unusable."""
    user.email = f"anonyme-utilisateur-{user.pk}@anonyme.invalid"
    user.first_name = ""
    user.last_name = ""
    user.phone = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["email", "first_name", "last_name", "phone", "is_active", "password"])


@transaction.atomic
def deletion_request_create(*, user: User, message: str = "") -> DeletionRequest:
    from propulsons import emails

    request = DeletionRequest.objects.create(user=user, email=user.email, message=message)
    emails.send("deletion_requested", to=[settings.TEAM_EMAIL], context={"request": request})
    return request
