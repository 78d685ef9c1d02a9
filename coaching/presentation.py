"""The first meeting's rewards, given to the project's public page (campaigns/presentation.py)."""

from campaigns import presentation

from .models import RewardTier


def report_rewards(project_id: int) -> list[presentation.Reward]:
    """The rewards of the reported first meeting (one query)."""
    rows = RewardTier.objects.filter(
        meeting__project_id=project_id, meeting__reported_at__isnull=False
    ).values_list("amount", "description", "quantity")
    return [presentation.Reward(*row) for row in rows]


presentation.register_rewards("coaching", report_rewards)
