from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import (
    STAFF_ROLES,
    DeletionRequest,
    Organisation,
    Role,
    SubmittedForm,
    User,
)


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


def user_mark_email_verified(*, user: User) -> None:
    """The person opened a link mailed to their address: it is theirs (idempotent)."""
    now = timezone.now()
    if User.objects.filter(pk=user.pk, email=user.email, email_verified_at__isnull=True).update(
        email_verified_at=now
    ):
        user.email_verified_at = now


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
    user.email_verified_at = None
    user.set_unusable_password()
    user.save(
        update_fields=[
            "email",
            "first_name",
            "last_name",
            "phone",
            "is_active",
            "password",
            "email_verified_at",
        ]
    )
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr=str(user)[:200])


class ErasureAlreadyRequested(ServiceRefused):
    """The porteur already has an erasure request waiting for the team."""


@transaction.atomic
def deletion_request_create(*, user: User, message: str = "") -> DeletionRequest:
    from outbox import emails

    already = _(
        "Votre demande d'effacement est déjà enregistrée : l'équipe la traite dans le mois."
    )
    if DeletionRequest.objects.filter(user=user, processed_at__isnull=True).exists():
        raise ErasureAlreadyRequested(already)
    try:
        # Two clicks at once: the constraint (one pending request per person) keeps one.
        with transaction.atomic():
            request = DeletionRequest.objects.create(user=user, email=user.email, message=message)
    except IntegrityError as error:
        raise ErasureAlreadyRequested(already) from error
    emails.send("deletion_requested", to=[settings.TEAM_EMAIL], context={"request": request})
    return request


# --- Forms sent twice -------------------------------------------------------------------------

# How long a form's key is remembered: a browser retrying, or a user coming back to the tab.
SUBMITTED_FORM_KEPT = timedelta(days=7)


def submitted_form_run(*, key: str, action: Callable[[], str]) -> tuple[str, bool]:
    """Run `action` (it writes, and returns the path of the page that shows the result) once
    for this key: `(path, True)` the first time; `(the first time's path, False)` after.

    The key's row is inserted in the same transaction as the action's writes: a second
    request with the same key waits on the unique index until the first one commits (then it
    finds the key and runs nothing) or rolls back (then it runs the action itself). An empty
    key runs the action every time.
    """
    if not key:
        return action(), True
    with transaction.atomic():
        try:
            with transaction.atomic():
                SubmittedForm.objects.create(key=key)
        except IntegrityError:
            path = SubmittedForm.objects.filter(key=key).values_list("result_path", flat=True)
            return path.first() or "", False
        path = action()
        SubmittedForm.objects.filter(key=key).update(result_path=path[:500])
        SubmittedForm.objects.filter(created_at__lt=timezone.now() - SUBMITTED_FORM_KEPT).delete()
    return path, True
