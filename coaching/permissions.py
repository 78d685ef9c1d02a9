from accounts.models import User
from projects.models import Project
from projects.permissions import COMMITTEE_VISIBLE_STATUSES, can_manage_projects


def can_read_coaching_notes(user: User, project: Project) -> bool:
    """Internal notes: the team always; committee members only while the dossier is before
    the committee; never the porteur (who reads the notes shared with them)."""
    if can_manage_projects(user):
        return True
    return (
        user.is_authenticated
        and user.is_committee_member
        and (project.status in COMMITTEE_VISIBLE_STATUSES)
    )


def can_take_project(user: User) -> bool:
    """ "Je prends ce dossier": a cheffe de projet (a dossier's cheffe is always one)."""
    return user.is_authenticated and user.is_active and user.is_cheffe
