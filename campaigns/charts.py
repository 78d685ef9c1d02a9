"""The charts of the figures pages and of a project's page, built from the selectors' figures
(geometry in propulsons.charts; each chart is printed next to a table of the same numbers)."""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from propulsons import typography
from propulsons.charts import BarChart, LineChart, bar_chart, line_chart

from .selectors import ArrondissementFigures, YearFigures


def collected_per_year(years: list[YearFigures]) -> BarChart:
    return bar_chart(
        title=_("Montant collecté par année de lancement des campagnes"),
        description=", ".join(
            _("%(year)s : %(amount)s (%(count)s campagnes)")
            % {"year": row.year, "amount": typography.euros(row.collected), "count": row.launched}
            for row in years
        ),
        items=[(str(row.year), row.collected, typography.euros(row.collected)) for row in years],
    )


def launched_per_year(years: list[YearFigures]) -> BarChart:
    return bar_chart(
        title=_("Campagnes lancées par année"),
        description=", ".join(
            _("%(year)s : %(count)s") % {"year": row.year, "count": row.launched} for row in years
        ),
        items=[(str(row.year), row.launched, str(row.launched)) for row in years],
    )


def collected_per_arrondissement(rows: list[ArrondissementFigures]) -> BarChart:
    return bar_chart(
        title=_("Montant collecté par arrondissement"),
        description=", ".join(
            _("%(name)s : %(amount)s")
            % {"name": row.name, "amount": typography.euros(row.collected)}
            for row in rows
        ),
        items=[(row.name, row.collected, typography.euros(row.collected)) for row in rows],
    )


def collection_curve(
    *,
    points: list[tuple[date, Decimal, int]],
    starts_on: date,
    ends_on: date,
    goal: Decimal | None,
) -> LineChart:
    last_day, last_amount = (points[-1][0], points[-1][1]) if points else (starts_on, 0)
    return line_chart(
        title=_("La collecte au fil de la campagne"),
        description=_(
            "Du %(start)s au %(end)s, objectif %(goal)s ; dernier relevé le %(day)s : %(amount)s."
        )
        % {
            "start": typography.day(starts_on),
            "end": typography.day(ends_on),
            "goal": typography.euros(goal or 0),
            "day": typography.day(last_day),
            "amount": typography.euros(last_amount),
        },
        # Every campaign starts from nothing: the curve rises from its first day.
        points=[(starts_on, Decimal("0"))]
        + [(day, amount) for day, amount, _backers in points if day > starts_on],
        start=starts_on,
        end=max(ends_on, last_day),
        goal=goal,
        goal_text=_("objectif %(goal)s") % {"goal": typography.euros(goal or 0)},
        start_text=typography.day(starts_on, "j F"),
        end_text=typography.day(ends_on, "j F"),
    )
