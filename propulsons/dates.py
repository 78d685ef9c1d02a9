"""Dates the application can handle: one range for every date a person types, and date
arithmetic that survives an extreme stored value.

Python's dates stop at 9999-12-31: one reminder due then made the calendar feed fail for ever
(the day after it cannot be computed). Every date and date-time field of a form or of the
admin is checked by `date_in_range` (model fields carry it as a validator, plain form fields
list it), and the code that adds days to a stored date goes through `add_days` and
`local_day`, which never raise.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

from . import typography

# Propulsons! started in 2015: nothing it records happened before.
EARLIEST = date(2015, 1, 1)
# Plans (campaigns, follow-ups, meetings) are made at most this many years ahead.
YEARS_AHEAD = 5


def latest_plannable(today: date | None = None) -> date:
    today = today or timezone.localdate()
    return add_days(today, 365 * YEARS_AHEAD + YEARS_AHEAD // 4 + 1)


@deconstructible
class DateInRange:
    """A date (or a date-time) between EARLIEST and YEARS_AHEAD years from today."""

    def __call__(self, value: date | datetime | None) -> None:
        if value is None:
            return
        day = value.date() if isinstance(value, datetime) else value
        latest = latest_plannable()
        if not EARLIEST <= day <= latest:
            raise ValidationError(
                _("Choisissez une date entre le %(earliest)s et le %(latest)s.")
                % {"earliest": typography.day(EARLIEST), "latest": typography.day(latest)},
                code="date_out_of_range",
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DateInRange)

    def __hash__(self) -> int:
        return hash(DateInRange)


date_in_range = DateInRange()


def out_of_range(*values: date | datetime | None) -> str | None:
    """For the services, whose callers are not all forms: why one of these dates is refused."""
    for value in values:
        try:
            date_in_range(value)
        except ValidationError as error:
            return error.messages[0]
    return None


def add_days(day: date, days: int) -> date:
    """`day + days`, held at the ends of the calendar instead of raising OverflowError."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def local_day(moment: datetime) -> date:
    """The local date of a moment; at the ends of the calendar, its date as stored."""
    try:
        return timezone.localdate(moment)
    except OverflowError:
        return moment.date()


# Two days inside the calendar's ends, so that any time zone can still show them.
LAST_MOMENT = datetime.max.replace(tzinfo=UTC) - timedelta(days=2)
FIRST_MOMENT = datetime.min.replace(tzinfo=UTC) + timedelta(days=2)


def add_to_moment(moment: datetime, delta: timedelta) -> datetime:
    """`moment + delta`, held inside the ends of the calendar instead of raising OverflowError."""
    try:
        return moment + delta
    except OverflowError:
        return LAST_MOMENT if delta > timedelta(0) else FIRST_MOMENT
