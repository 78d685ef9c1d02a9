"""Key figures and the funnel, computed from the data (never typed in)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from campaigns import selectors
from projects.models import StatusChange
from tests.campaigns.factories import CampaignFactory, SnapshotFactory
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_no_data_gives_zeros_and_no_rates():
    figures = selectors.key_figures()
    assert (figures.launched, figures.contributors, figures.collected) == (0, 0, Decimal("0"))
    assert figures.success_rate is None and figures.average_contribution is None
    steps = selectors.funnel(date(2016, 10, 1), date(2017, 9, 30))
    assert [step.count for step in steps] == [0, 0, 0, 0, 0, 0]
    assert steps[0].percent_of_first is None


def test_what_each_campaign_counts_for():
    CampaignFactory(status="succeeded", final_amount=Decimal("5015"), final_contributors=90)
    # A failed all-or-nothing campaign collected nothing: its contributors were refunded.
    CampaignFactory(
        status="failed",
        collection_model="all_or_nothing",
        final_amount=Decimal("2100"),
        final_contributors=38,
    )
    # A failed keep-it-all campaign keeps what it collected.
    CampaignFactory(
        status="failed",
        collection_model="keep_it_all",
        final_amount=Decimal("800"),
        final_contributors=15,
    )
    # An interrupted campaign is still counted as launched.
    CampaignFactory(
        status="cancelled",
        collection_model="keep_it_all",
        final_amount=Decimal("300"),
        final_contributors=5,
    )
    # Cancelled before it went live: never launched.
    CampaignFactory(status="cancelled", launched_on=None, starts_on=None)
    # A live campaign counts its latest declared figures.
    live = CampaignFactory(status="running")
    SnapshotFactory(
        campaign=live,
        taken_at=datetime(2026, 11, 5, tzinfo=UTC),
        amount=Decimal("900"),
        contributors=30,
    )
    SnapshotFactory(
        campaign=live,
        taken_at=datetime(2026, 11, 20, tzinfo=UTC),
        amount=Decimal("1500"),
        contributors=40,
    )
    SnapshotFactory(
        campaign=live,
        taken_at=datetime(2026, 11, 10, tzinfo=UTC),
        amount=Decimal("1200"),
        contributors=35,
    )

    figures = selectors.key_figures()
    assert figures.launched == 5
    assert figures.collected == Decimal("5015") + Decimal("800") + Decimal("300") + Decimal("1500")
    assert figures.contributors == 90 + 15 + 5 + 40
    assert (figures.succeeded, figures.ended) == (1, 4)
    assert figures.success_rate == 25
    assert figures.average_contribution == Decimal("51")  # 7615 / 150


def test_the_all_time_figures_are_summed_from_the_years_in_one_read_of_the_campaigns(
    django_assert_num_queries,
):
    """The figures page's total comes from its per-year query (one read of the campaigns)
    and says what key_figures() says; a project creating jobs in two years counts once."""
    twice = ProjectFactory()
    CampaignFactory(
        project=twice,
        status="succeeded",
        launched_on=date(2019, 3, 1),
        final_amount=Decimal("4000"),
        final_contributors=60,
        jobs_created=2,
    )
    CampaignFactory(
        project=twice,
        status="running",
        launched_on=date(2022, 5, 1),
        declared_amount=Decimal("900"),
        declared_contributors=12,
        jobs_created=1,
        jobs_kept=3,
    )
    CampaignFactory(
        status="failed",
        collection_model="all_or_nothing",
        launched_on=date(2022, 6, 1),
        final_amount=Decimal("2100"),
        final_contributors=38,
    )
    CampaignFactory(status="cancelled", launched_on=None, starts_on=None, jobs_created=4)
    with django_assert_num_queries(2):
        total, years = selectors.figures_all_time()
    assert total == selectors.key_figures()
    assert total.projects_creating_jobs == 1
    assert [(y.year, y.launched) for y in years] == [(2019, 1), (2020, 0), (2021, 0), (2022, 2)]
    assert years == selectors.figures_per_year()


def test_a_period_counts_the_campaigns_launched_in_it():
    CampaignFactory(
        launched_on=date(2017, 9, 6),
        status="succeeded",
        final_amount=Decimal("5015"),
        final_contributors=90,
    )
    CampaignFactory(
        launched_on=date(2017, 10, 1),
        status="succeeded",
        final_amount=Decimal("1000"),
        final_contributors=10,
    )
    period = selectors.key_figures(date(2016, 10, 1), date(2017, 9, 30))
    assert (period.launched, period.collected, period.contributors) == (1, Decimal("5015"), 90)


def dated_change(project, status, day):
    change = StatusChange.objects.create(project=project, to_status=status)
    StatusChange.objects.filter(pk=change.pk).update(
        created_at=datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    )


def test_the_funnel_counts_each_step_by_when_it_happened():
    inside, early, late = ProjectFactory(), ProjectFactory(), ProjectFactory()
    dated_change(inside, "contact", date(2016, 10, 5))
    dated_change(inside, "first_meeting_done", date(2016, 11, 5))
    dated_change(inside, "labelling_requested", date(2017, 2, 5))
    # Contacted before the period, met during it: counts as a meeting, not a contact.
    dated_change(early, "contact", date(2016, 9, 20))
    dated_change(early, "first_meeting_done", date(2016, 10, 10))
    # A step after the period does not count.
    dated_change(late, "contact", date(2017, 9, 1))
    dated_change(late, "first_meeting_done", date(2017, 10, 2))
    CampaignFactory(
        project=inside,
        launched_on=date(2017, 6, 1),
        status="succeeded",
        finished_on=date(2017, 7, 1),
        final_amount=1,
        final_contributors=1,
    )
    steps = selectors.funnel(date(2016, 10, 1), date(2017, 9, 30))
    assert [(s.label, s.count) for s in steps] == [
        ("Prises de contact", 2),
        ("Premiers rendez-vous", 2),
        ("Demandes de labellisation", 1),
        ("Projets labellisés", 0),
        ("Campagnes lancées", 1),
        ("Campagnes réussies", 1),
    ]
    assert [s.percent_of_first for s in steps] == [100, 100, 50, 0, 50, 50]


def test_the_demo_data_gives_the_seeds_figures(client):
    call_command("load_demo")
    figures = selectors.key_figures()
    assert (figures.launched, figures.contributors, figures.collected) == (
        21,
        1413,
        Decimal("81125"),
    )
    steps = selectors.funnel(date(2016, 10, 1), date(2017, 9, 30))
    assert [s.count for s in steps[:3]] == [52, 42, 10]
    page = client.get("/chiffres/").content.decode()
    assert ">21<" in page
    assert "1\xa0413" in page
    assert "81\xa0125\u00a0€" in page
    period = client.get("/chiffres/", {"start": "2016-10-01", "end": "2017-09-30"}).content.decode()
    assert ">52<" in period and ">42<" in period and ">10<" in period
    from campaigns.models import Campaign

    indelab = Campaign.objects.get(project__title__startswith="Indelab")
    assert (indelab.final_amount, indelab.final_contributors, indelab.goal) == (
        Decimal("5015"),
        90,
        Decimal("5000"),
    )
    assert indelab.finished_on.year == 2017 and indelab.finished_on.month == 10
    garage = Campaign.objects.get(project__title="Le Garage solidaire de l'Artois")
    assert (garage.final_amount, garage.final_contributors) == (Decimal("1245"), 44)
    home = client.get("/").content.decode()
    assert "81\xa0125\u00a0€" in home and "1\xa0413" in home


def test_the_figures_page_says_what_counts(client):
    page = client.get("/chiffres/").content.decode()
    assert "Ce que comptent ces chiffres" in page
    assert "interrompue ou échouée reste comptée" in page
    response = client.get("/chiffres/", {"start": "2017-09-30", "end": "2016-10-01"})
    assert response.status_code == 200
    assert "La fin de la période doit suivre son début" in response.content.decode()


def test_the_figures_page_uses_a_constant_number_of_queries(client, django_assert_max_num_queries):
    for _ in range(20):
        campaign = CampaignFactory()
        SnapshotFactory(campaign=campaign)
    # All time, per year, the period, the funnel (2), per arrondissement (2).
    for query in ("", "?periode=12-mois", "?start=2026-01-01&end=2026-12-31"):
        with django_assert_max_num_queries(7):
            assert client.get(f"/chiffres/{query}").status_code == 200
