"""An amount saved as 5000.00 shows as 5000 in the number field that edits it."""

from decimal import Decimal

import pytest

from tests.campaigns.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def test_the_dossier_form_shows_saved_amounts_as_typed(client, porteur):
    from tests.factories import ProjectFactory

    project = ProjectFactory(
        owner=porteur,
        total_budget=Decimal("40000.00"),
        crowdfunding_amount=Decimal("1250.50"),
    )
    client.force_login(porteur)
    page = client.get(f"/espace/dossiers/{project.reference}/modifier/").content.decode()
    assert 'value="40000"' in page and 'value="40000.00"' not in page
    assert 'value="1250.50"' in page


def test_the_campaign_form_shows_its_goal_as_typed(client, cheffe):
    campaign = CampaignFactory(status="preparing", launched_on=None, goal=Decimal("6000.00"))
    client.force_login(cheffe)
    page = client.get(
        f"/accompagnement/dossiers/{campaign.project.reference}/campagne/"
    ).content.decode()
    assert 'value="6000"' in page and 'value="6000.00"' not in page
