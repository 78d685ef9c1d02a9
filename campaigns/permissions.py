"""Who may change what a project's public page shows."""

from accounts.models import User
from projects.models import Project
from projects.permissions import can_manage_projects


def can_edit_presentation(user: User, project: Project) -> bool:
    """The cover, the video and the news: the porteur of the dossier, or the team."""
    if not user.is_authenticated or not user.is_active:
        return False
    return project.owner_id == user.pk or can_manage_projects(user)
