"""The first meeting's report, given to the form of a new campaign (campaigns/prefill.py)."""

from typing import Any

from campaigns import prefill

from .models import FirstMeeting


def report_campaign_plan(project) -> dict[str, Any]:
    """The campaign the first meeting's report settled: platform, goal, duration, type."""
    meeting = (
        FirstMeeting.objects.filter(project=project, reported_at__isnull=False)
        .select_related("target_platform")
        .first()
    )
    if meeting is None:
        return {}
    return {
        "platform": meeting.target_platform,
        "goal": meeting.campaign_goal,
        "duration_days": meeting.campaign_duration_days,
        "financing_type": meeting.campaign_financing_type,
    }


prefill.register("coaching", provide=report_campaign_plan, order=10)
