"""Who may see and do what with a dossier. Views, templates and tests all ask here."""

from accounts.models import User

from .models import Project, Status

# While a dossier is before the committee, its members read it (and its documents).
COMMITTEE_VISIBLE_STATUSES = frozenset({Status.IN_COMMITTEE})


def can_view_project(user: User, project: Project) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_team:
        return True
    if user.is_committee_member:
        return project.status in COMMITTEE_VISIBLE_STATUSES
    return project.owner_id == user.pk


def can_manage_projects(user: User) -> bool:
    """The team's pipeline and its transitions: the cheffes de projet and administrators."""
    return user.is_authenticated and user.is_active and user.is_team


def can_edit_project(user: User, project: Project) -> bool:
    from .services import project_details_editable

    is_owner = user.is_authenticated and project.owner_id == user.pk
    return (is_owner or can_manage_projects(user)) and project_details_editable(project)


def can_add_document(user: User, project: Project) -> bool:
    is_owner = user.is_authenticated and project.owner_id == user.pk
    return (is_owner and project.is_active) or can_manage_projects(user)


def can_message(user: User, project: Project) -> bool:
    """Messages on the dossier: its owner and the team, never another porteur nor the
    committee (the thread is between the porteur and their cheffe de projet)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return project.owner_id == user.pk or user.is_team
