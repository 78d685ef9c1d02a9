"""Jobs created and kept: recorded with the final result or in the follow-up, counted in the
figures, the funder's report and its exports; one word per campaign status."""

import csv
import html
import io
import json
from datetime import date
from decimal import Decimal

import pytest

from campaigns import selectors
from campaigns.models import Campaign, CampaignStatus
from tests.campaigns.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def finish(client, campaign, **extra):
    return client.post(
        f"/accompagnement/campagnes/{campaign.pk}/terminer/",
        {"outcome": "succeeded", "final_amount": "6150", "final_contributors": "112", **extra},
    )


def test_the_final_result_records_the_jobs_when_the_porteur_knows_them(client, cheffe):
    campaign = CampaignFactory()
    client.force_login(cheffe)
    finish(client, campaign, jobs_created="2", jobs_kept="5")
    campaign.refresh_from_db()
    assert (campaign.status, campaign.jobs_created, campaign.jobs_kept) == ("succeeded", 2, 5)
    page = client.get(f"/accompagnement/dossiers/{campaign.project.reference}/").content.decode()
    assert "Emplois déclarés\u00a0: 2 créés, 5 maintenus." in page


def test_the_jobs_may_come_later_with_the_follow_up(client, cheffe):
    campaign = CampaignFactory()
    client.force_login(cheffe)
    finish(client, campaign)
    campaign.refresh_from_db()
    assert (campaign.jobs_created, campaign.jobs_kept) == (None, None)
    client.post(
        f"/accompagnement/campagnes/{campaign.pk}/suivi/",
        {"rewards_delivered": "yes", "project_carried_out": "true", "jobs_created": "3"},
    )
    campaign.refresh_from_db()
    assert (campaign.jobs_created, campaign.jobs_kept) == (3, None)


def test_a_negative_number_of_jobs_is_refused_and_nothing_is_recorded(client, cheffe):
    campaign = CampaignFactory()
    client.force_login(cheffe)
    finish(client, campaign, jobs_created="-1")
    assert Campaign.objects.get(pk=campaign.pk).status == "running"


def test_key_figures_sum_the_jobs_and_count_the_projects_that_created_some():
    CampaignFactory(status="succeeded", final_amount=Decimal("5000"), jobs_created=2, jobs_kept=1)
    CampaignFactory(status="succeeded", final_amount=Decimal("5000"), jobs_created=0, jobs_kept=4)
    CampaignFactory(status="failed", final_amount=Decimal("100"))
    CampaignFactory(launched_on=None, status="preparing", jobs_created=9)  # not launched
    figures = selectors.key_figures()
    assert (figures.jobs_created, figures.jobs_kept, figures.projects_creating_jobs) == (2, 5, 1)


def test_the_figures_page_and_the_report_show_the_jobs(client, cheffe):
    CampaignFactory(
        status="succeeded",
        final_amount=Decimal("5000"),
        jobs_created=2,
        jobs_kept=3,
        launched_on=date(2026, 11, 1),
    )
    text = "Emplois déclarés à la fin des campagnes\u00a0: 2 créés par 1 projet, 3 maintenus."
    assert text in client.get("/chiffres/").content.decode()

    client.force_login(cheffe)
    query = "start=2026-01-01&end=2026-12-31"
    assert text in client.get(f"/accompagnement/bilan/?{query}").content.decode()
    export = client.get(f"/accompagnement/bilan/export.csv?{query}").getvalue().decode("utf-8-sig")
    (row,) = csv.DictReader(io.StringIO(export), delimiter=";")
    assert (row["Emplois créés"], row["Emplois maintenus"]) == ("2", "3")


def test_the_figures_page_says_when_no_job_was_declared(client):
    CampaignFactory()
    page = client.get("/chiffres/").content.decode()
    assert "Aucun emploi n'a encore été déclaré" in html.unescape(page)


def test_an_interrupted_campaign_has_one_name_everywhere():
    assert CampaignStatus.CANCELLED.label == "Interrompue"
    from campaigns.forms import FinishForm

    labels = dict(FinishForm().fields["outcome"].choices)
    assert {value: str(labels[value]) for value in labels} == {
        status: str(CampaignStatus(status).label) for status in labels
    }


def test_open_data_publishes_the_jobs_as_numbers(client):
    CampaignFactory(status="succeeded", final_amount=Decimal("5000"), jobs_created=2)
    (row,) = json.loads(client.get("/donnees/projets.json").getvalue())["projets"]
    assert (row["emplois_crees"], row["emplois_maintenus"]) == (2, None)
