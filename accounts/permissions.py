"""Who may reach what, in one place: used by views, templates and tests alike."""

from accounts.models import User


def can_use_admin(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.is_team
