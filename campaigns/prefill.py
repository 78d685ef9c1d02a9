"""What the form of a new campaign starts from, so that nothing is typed twice.

The intake (projects) gave the crowdfunding amount, the financing type and a wished start; the
first meeting's report (coaching) settled the platform, the goal, the duration and the
financing type. Coaching sits above campaigns, so campaigns may not import it: it registers a
provider instead, from its AppConfig.ready (coaching/prefill.py), as the dossier page's
sections do (projects/sections.py). Imports keep going down.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from projects.models import Project
from propulsons.forms import plain_amount

from .models import CampaignFinancing, Platform

# provide(project) -> any of: platform (a Platform), goal (Decimal), financing_type (str),
# duration_days (int), starts_on (date). Where two give a value, the higher order wins; the
# intake's values come first of all.
PROVIDERS: dict[str, tuple[int, Callable[[Project], dict[str, Any]]]] = {}


def register(name: str, *, provide: Callable[[Project], dict[str, Any]], order: int) -> None:
    """Add (or replace) the provider `name`; the higher `order` wins where two give a value."""
    PROVIDERS[name] = (order, provide)


@dataclass(frozen=True)
class CampaignPrefill:
    initial: dict[str, Any] = field(default_factory=dict)
    # The duration agreed at the first meeting, shown next to the dates when they stay blank.
    duration_days: int | None = None


def campaign_prefill(project: Project, *, today: date) -> CampaignPrefill:
    """The initial values of the form of a new campaign for `project`."""
    known: dict[str, Any] = {
        "goal": project.crowdfunding_amount,
        "financing_type": project.financing_type,
        "starts_on": project.wished_campaign_start,
    }
    for _order, provide in sorted(PROVIDERS.values(), key=lambda entry: entry[0]):
        known.update(
            {name: value for name, value in provide(project).items() if value not in (None, "")}
        )

    initial: dict[str, Any] = {}
    platform = known.get("platform")
    if isinstance(platform, Platform) and platform.is_active:
        initial["platform"] = platform.pk
    if known.get("goal"):
        initial["goal"] = plain_amount(known["goal"])
    # "Je ne sais pas encore" has no campaign counterpart: the type stays to be chosen.
    if known.get("financing_type") in CampaignFinancing.values:
        initial["financing_type"] = known["financing_type"]
    # A start already past is no plan; the dates then stay blank, the duration shown beside.
    starts_on = known.get("starts_on")
    duration = known.get("duration_days")
    if starts_on and starts_on >= today:
        initial["starts_on"] = starts_on
        if duration:
            # The start day is the campaign's first day: 45 days from 1 March end on 14 April.
            initial["ends_on"] = starts_on + timedelta(days=duration - 1)
    return CampaignPrefill(initial=initial, duration_days=duration)
