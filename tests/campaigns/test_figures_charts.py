"""The figures' periods (presets, the default last complete year of the label) and charts:
per year, per arrondissement, each campaign's collection curve; SVG with a title, a description
and the same numbers as a table."""

import html
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from campaigns import periods, selectors
from campaigns.forms import PeriodForm
from propulsons.charts import bar_chart
from tests.campaigns.factories import CampaignFactory, SnapshotFactory
from tests.factories import ProjectFactory, commune

pytestmark = pytest.mark.django_db


def test_the_label_year_runs_from_october_to_september():
    year = periods.label_year(2016)
    assert (year.start, year.end) == (date(2016, 10, 1), date(2017, 9, 30))
    assert year.label == "Année du label 2016-2017 (octobre à septembre)"


@pytest.mark.parametrize(
    ("today", "first_year"),
    [(date(2026, 12, 1), 2025), (date(2026, 9, 30), 2024), (date(2026, 10, 1), 2025)],
)
def test_the_default_period_is_the_last_complete_year_of_the_label(today, first_year):
    assert periods.last_complete_label_year(today) == periods.label_year(first_year)


def test_the_last_twelve_months_survive_the_29th_of_february():
    assert periods.last_twelve_months(date(2028, 2, 29)).start == date(2027, 3, 1)
    assert periods.last_twelve_months(date(2026, 12, 1)).start == date(2025, 12, 2)


def test_presets_cover_every_year_since_the_label_started():
    keys = [p.key for p in periods.presets(today=date(2026, 12, 1), since=date(2015, 11, 1))]
    assert keys[0] == "12-mois"
    assert "label-2015" in keys and "label-2026" in keys and "label-2014" not in keys
    assert "annee-2015" in keys and "annee-2026" in keys


def test_the_form_picks_a_preset_typed_dates_win_and_bad_input_falls_back(time_machine):
    time_machine.move_to(datetime(2026, 12, 1, 10, tzinfo=UTC), tick=False)
    assert PeriodForm().period() == (date(2025, 10, 1), date(2026, 9, 30))
    assert PeriodForm({"periode": "label-2016"}).period() == (date(2016, 10, 1), date(2017, 9, 30))
    assert PeriodForm({"periode": "annee-2020"}).period() == (date(2020, 1, 1), date(2020, 12, 31))
    typed = PeriodForm({"periode": "label-2016", "start": "2026-01-01", "end": "2026-03-31"})
    assert typed.period() == (date(2026, 1, 1), date(2026, 3, 31))
    wrong = PeriodForm({"start": "2026-03-31", "end": "2026-01-01"})
    assert wrong.period() == (date(2025, 10, 1), date(2026, 9, 30))
    assert "La fin de la période doit suivre son début." in wrong.errors["end"]


def test_the_seeds_bilan_is_one_choice_away(client):
    page = html.unescape(client.get("/chiffres/?periode=label-2016").content.decode())
    assert "Du 1er octobre 2016 au 30 septembre 2017" in page
    assert '<option value="label-2016" selected>' in page


def test_figures_per_year_are_grouped_in_sql(django_assert_num_queries):
    CampaignFactory(launched_on=date(2024, 3, 1), status="succeeded", final_amount=Decimal("100"))
    CampaignFactory(
        launched_on=date(2024, 5, 1),
        status="failed",
        final_amount=Decimal("50"),
        collection_model="keep_it_all",
    )
    CampaignFactory(launched_on=date(2026, 6, 1), status="running")
    with django_assert_num_queries(1):
        rows = selectors.figures_per_year()
    assert [(r.year, r.launched, r.succeeded, r.ended, r.collected) for r in rows] == [
        (2024, 2, 1, 2, Decimal("150")),
        (2025, 0, 0, 0, Decimal("0")),  # a year without a campaign still shows
        (2026, 1, 0, 0, Decimal("0")),
    ]
    assert rows[0].success_rate == 50 and rows[2].success_rate is None


def test_figures_per_arrondissement_count_contacts_campaigns_and_money_of_the_period():
    ProjectFactory(commune=commune("Lens"))
    CampaignFactory(
        project__commune=commune("Arras"),
        launched_on=date(2026, 11, 1),
        status="succeeded",
        final_amount=Decimal("4000"),
    )
    CampaignFactory(project__commune=commune("Arras"), launched_on=date(2020, 1, 1))  # before
    rows = {
        row.name: row
        for row in selectors.figures_per_arrondissement(date(2026, 1, 1), date(2026, 12, 31))
    }
    arras = rows[commune("Arras").arrondissement_name]
    assert (arras.launched, arras.collected) == (1, Decimal("4000"))
    lens = rows[commune("Lens").arrondissement_name]
    assert lens.contacts >= 1


def test_the_figures_page_draws_each_chart_with_its_numbers_as_text(client):
    CampaignFactory(
        project__commune=commune("Arras"),
        launched_on=date(2026, 11, 1),
        status="succeeded",
        final_amount=Decimal("4000"),
    )
    page = client.get("/chiffres/?periode=12-mois").content.decode()
    svgs = re.findall(r"<svg .*?</svg>", page, flags=re.S)
    assert len(svgs) == 3
    for svg in svgs:
        assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    assert "4\u00a0000\u00a0€" in html.unescape(page)
    # The same numbers in tables.
    assert "Les campagnes par année de lancement" in page
    assert "par arrondissement" in page


def test_bars_are_scaled_to_the_largest_value():
    chart = bar_chart(title="t", description="d", items=[("a", 10, "10"), ("b", 5, "5")])
    first, second = chart.bars
    assert first.height == pytest.approx(2 * second.height, abs=0.2)
    assert first.y < second.y


def test_a_project_page_draws_its_campaigns_collection_curve(client):
    campaign = CampaignFactory(starts_on=date(2026, 11, 1), ends_on=date(2026, 12, 10))
    SnapshotFactory(
        campaign=campaign,
        taken_at=datetime(2026, 11, 10, 12, tzinfo=UTC),
        amount=Decimal("1200"),
        contributors=20,
    )
    SnapshotFactory(
        campaign=campaign,
        taken_at=datetime(2026, 11, 20, 12, tzinfo=UTC),
        amount=Decimal("2600"),
        contributors=48,
    )
    SnapshotFactory(
        campaign=campaign,
        taken_at=datetime(2026, 11, 25, 12, tzinfo=UTC),
        amount=Decimal("9999"),
        contributors=99,
        review="pending",
    )
    page = html.unescape(client.get(f"/projets/{campaign.project.slug}/").content.decode())
    assert "La collecte au fil de la campagne" in page
    assert "<polyline" in page
    assert "2\u00a0600\u00a0€" in page and "9\u00a0999" not in page  # unchecked figures stay out


def test_no_arrondissement_chart_when_nothing_was_collected_in_the_period(client):
    ProjectFactory(commune=commune("Lens"))
    page = client.get("/chiffres/?periode=12-mois").content.decode()
    assert 'id="graphique-arrondissements-titre"' not in page
    assert "Dossiers reçus et campagnes lancées pendant la période" in page


def test_the_report_offers_the_same_presets(client, cheffe):
    client.force_login(cheffe)
    page = client.get("/accompagnement/bilan/?periode=label-2016").content.decode()
    assert '<option value="label-2016" selected>' in page
    assert "Période du 1er octobre 2016 au 30 septembre 2017." in html.unescape(page)
