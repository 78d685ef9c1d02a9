"""Numbers that are identifiers (a row's id in an anchor, a hidden field's value) are written
without the thousands separator the French locale puts in numbers: `{{ x.pk }}` writes
"12 345" once there are 12 345 rows, and a link to "#chiffres-12345" or a posted "12 345"
no longer finds its row. Found by a test that ran after enough others for its rows to pass 999.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from projects.models import Status
from tests.campaigns.factories import CampaignFactory, LabelledProjectFactory, declared_figures

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# {{ something.pk }} or {{ something.id }} with no filter: localised, so "12 345".
LOCALISED_ID = re.compile(r"\{\{\s*(?:[a-zA-Z_]+\.)*(?:pk|id)\s*\}\}")


def test_no_template_writes_an_identifier_as_a_localised_number():
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        for match in LOCALISED_ID.finditer(path.read_text())
    ]
    assert not found, "write them {{ x.pk|unlocalize }} ({% load l10n %}): " + ", ".join(found)


@pytest.mark.django_db
def test_the_dashboards_link_finds_the_figures_row_whatever_its_number(client, cheffe):
    today = timezone.localdate()
    campaign = CampaignFactory(
        project=LabelledProjectFactory(status=Status.CAMPAIGN_RUNNING, coach=cheffe),
        starts_on=today - timedelta(days=5),
        ends_on=today + timedelta(days=25),
    )
    declared_figures(campaign, pk=12345)
    client.force_login(cheffe)
    dashboard = client.get("/accompagnement/").content.decode()
    assert "#chiffres-12345" in dashboard
    dossier = client.get(f"/accompagnement/dossiers/{campaign.project.reference}/")
    assert 'id="chiffres-12345"' in dossier.content.decode()
