"""Who may see and act on the outbox. Views, templates and tests all ask here."""


def can_manage_emails(user) -> bool:
    """Emails that failed for good, and resending them: the team (cheffes, administrators)."""
    return user.is_authenticated and user.is_active and user.is_team
