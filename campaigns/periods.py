"""Periods the figures and the funder's report offer in one click.

The label's year runs from October to September (the seed's BILAN covers October 2016 –
September 2017); the default period is the last complete one, so that the page never opens on a
year still running (nor on all time, which the block above already shows).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

LABEL_YEAR_FIRST_MONTH = 10


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: date
    end: date


def label_year(first_year: int) -> Period:
    return Period(
        key=f"label-{first_year}",
        label=_("Année du label %(first)s-%(second)s (octobre à septembre)")
        % {"first": first_year, "second": first_year + 1},
        start=date(first_year, LABEL_YEAR_FIRST_MONTH, 1),
        end=date(first_year + 1, LABEL_YEAR_FIRST_MONTH, 1) - timedelta(days=1),
    )


def calendar_year(year: int) -> Period:
    return Period(
        key=f"annee-{year}",
        label=_("Année %(year)s") % {"year": year},
        start=date(year, 1, 1),
        end=date(year, 12, 31),
    )


def last_twelve_months(today: date) -> Period:
    try:
        a_year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        a_year_ago = today.replace(year=today.year - 1, day=28)
    return Period(
        key="12-mois",
        label=_("Les 12 derniers mois"),
        start=a_year_ago + timedelta(days=1),
        end=today,
    )


def last_complete_label_year(today: date) -> Period:
    first_year = today.year - 1 if today.month >= LABEL_YEAR_FIRST_MONTH else today.year - 2
    return label_year(first_year)


def presets(*, today: date, since: date) -> list[Period]:
    """Every period offered, newest first: the last 12 months, each label year, each calendar
    year, from the label's start to today (years still running included, said by their dates)."""
    first_label_year = since.year if since.month >= LABEL_YEAR_FIRST_MONTH else since.year - 1
    current_label_year = today.year if today.month >= LABEL_YEAR_FIRST_MONTH else today.year - 1
    return [
        last_twelve_months(today),
        *(label_year(year) for year in range(current_label_year, first_label_year - 1, -1)),
        *(calendar_year(year) for year in range(today.year, since.year - 1, -1)),
    ]
