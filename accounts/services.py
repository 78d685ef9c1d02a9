from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import STAFF_ROLES, DeletionRequest, Organisation, Role, User


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
    """Erase a person's account data; the row stays (history points to it), unusable.

    The login journal (django-axes: address, IP, browser) of the old address goes, and the
    admin's journal names the account by its new address (projects/personal_data.py)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    old_email = user.email
    for journal in (AccessAttempt, AccessFailureLog, AccessLog):
        journal.objects.filter(username__iexact=old_email).delete()
    user.email = f"anonyme-utilisateur-{user.pk}@anonyme.invalid"
    user.first_name = ""
    user.last_name = ""
    user.phone = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["email", "first_name", "last_name", "phone", "is_active", "password"])
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr=str(user)[:200])


@transaction.atomic
def deletion_request_create(*, user: User, message: str = "") -> DeletionRequest:
    from propulsons import emails

    request = DeletionRequest.objects.create(user=user, email=user.email, message=message)
    emails.send("deletion_requested", to=[settings.TEAM_EMAIL], context={"request": request})
    return request
