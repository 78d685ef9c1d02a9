"""Pure computations of the coaching rules, read by selectors and services alike (and by views
for a live preview): no query, no write."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from .models import FundingSource, Phase


def crowdfunding_share(lines: list[dict[str, Any]]) -> tuple[Decimal, Decimal | None]:
    """The plan's total and the crowdfunding part of it in percent: computed, never typed."""
    total = sum((line["amount"] for line in lines), Decimal("0"))
    crowdfunding = sum(
        (line["amount"] for line in lines if line["source"] == FundingSource.CROWDFUNDING),
        Decimal("0"),
    )
    if not total:
        return total, None
    return total, (crowdfunding * 100 / total).quantize(Decimal("0.1"))


def phase_for(day: date, started: date | None, ended: date | None) -> str:
    """Before, during or after the campaign, from its dates when they are known."""
    if started is None or day < started:
        return Phase.BEFORE
    if ended is None or day <= ended:
        return Phase.DURING
    return Phase.AFTER


def add_working_days(day: date, days: int) -> date:
    """`days` working days after `day` (Saturdays and Sundays skipped; a weekend day counts
    from the next Monday)."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day
