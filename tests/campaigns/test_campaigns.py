"""Managing a campaign: preparation, launch, declared figures, result, follow-up; the map."""

from datetime import date
from decimal import Decimal

import pytest

from campaigns import services
from campaigns.models import Campaign, FigureSnapshot, Platform
from projects.models import Project, Status, StatusChange
from tests.campaigns.factories import CampaignFactory, LabelledProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def labelled(porteur):
    return LabelledProjectFactory(owner=porteur, contact_email=porteur.email)


def campaign_data(**overrides):
    return {
        "platform": Platform.objects.get(slug="ulule").pk,
        "url": "https://fr.ulule.com/four-a-pain/",
        "financing_type": "donation_rewards",
        "collection_model": "all_or_nothing",
        "goal": "6000",
        "starts_on": "2026-12-01",
        "ends_on": "2027-01-10",
    } | overrides


def test_the_cheffe_prepares_launches_follows_and_ends_a_campaign(client, cheffe, labelled):
    client.force_login(cheffe)
    response = client.post(
        f"/accompagnement/dossiers/{labelled.reference}/campagne/", campaign_data()
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.status, campaign.launched_on) == ("preparing", None)

    client.post(f"/accompagnement/campagnes/{campaign.pk}/lancer/")
    campaign.refresh_from_db()
    assert campaign.status == "running" and campaign.launched_on is not None
    assert Project.objects.get(pk=labelled.pk).status == Status.CAMPAIGN_RUNNING

    client.post(
        f"/campagnes/{campaign.pk}/chiffres/",
        {"amount": "1200", "contributors": "25", "source": "platform"},
    )
    client.post(
        f"/campagnes/{campaign.pk}/chiffres/",
        {"amount": "2600", "contributors": "48", "source": "export"},
    )
    assert list(campaign.snapshots.values_list("amount", flat=True)) == [
        Decimal("2600"),
        Decimal("1200"),
    ]

    client.post(
        f"/accompagnement/campagnes/{campaign.pk}/terminer/",
        {"outcome": "succeeded", "final_amount": "6150", "final_contributors": "112"},
    )
    campaign.refresh_from_db()
    assert (campaign.status, campaign.final_amount, campaign.final_contributors) == (
        "succeeded",
        Decimal("6150"),
        112,
    )
    assert Project.objects.get(pk=labelled.pk).status == Status.CAMPAIGN_ENDED
    assert StatusChange.objects.filter(project=labelled, to_status=Status.CAMPAIGN_ENDED).exists()

    client.post(
        f"/accompagnement/campagnes/{campaign.pk}/suivi/",
        {
            "rewards_delivered": "partly",
            "rewards_delivered_on": "2027-02-01",
            "project_carried_out": "true",
        },
    )
    campaign.refresh_from_db()
    assert (campaign.rewards_delivered, campaign.project_carried_out) == ("partly", True)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"goal": "0"}, "goal", "supérieur"),
        ({"ends_on": "2026-11-01"}, "ends_on", "doit suivre son début"),
        ({"platform": ""}, "platform", "obligatoire"),
        ({"url": "pas une adresse"}, "url", "URL valide"),
    ],
)
def test_bad_campaign_input_is_refused_next_to_the_field(
    client, cheffe, labelled, overrides, field, message
):
    client.force_login(cheffe)
    response = client.post(
        f"/accompagnement/dossiers/{labelled.reference}/campagne/", campaign_data(**overrides)
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Campaign.objects.exists()


def test_only_a_labelled_dossier_prepares_a_campaign(cheffe):
    from tests.factories import ProjectFactory

    with pytest.raises(services.CampaignError):
        services.campaign_create(
            project=ProjectFactory(status=Status.COACHING),
            actor=cheffe,
            platform=Platform.objects.get(slug="ulule"),
            financing_type="donation",
            collection_model="keep_it_all",
            goal=Decimal("100"),
        )


def test_the_porteur_declares_figures_of_their_own_campaign_only(client, porteur, other_porteur):
    campaign = CampaignFactory(project__owner=porteur)
    client.force_login(other_porteur)
    assert (
        client.post(
            f"/campagnes/{campaign.pk}/chiffres/", {"amount": "10", "contributors": "1"}
        ).status_code
        == 404
    )
    client.force_login(porteur)
    response = client.post(
        f"/campagnes/{campaign.pk}/chiffres/",
        {"amount": "1500", "contributors": "30", "source": "platform"},
    )
    assert response.status_code == 302
    snapshot = FigureSnapshot.objects.get()
    assert (snapshot.source, snapshot.entered_by) == ("porteur", porteur)


def test_figures_cannot_be_dated_in_the_future_or_negative(client, cheffe):
    campaign = CampaignFactory()
    client.force_login(cheffe)
    client.post(
        f"/campagnes/{campaign.pk}/chiffres/",
        {"amount": "-5", "contributors": "1", "source": "platform"},
    )
    client.post(
        f"/campagnes/{campaign.pk}/chiffres/",
        {"amount": "5", "contributors": "1", "source": "platform", "taken_on": "2099-01-01"},
    )
    assert not FigureSnapshot.objects.exists()


def test_campaign_actions_are_for_the_team(client, porteur, committee_member):
    campaign = CampaignFactory(project__owner=porteur, status="preparing", launched_on=None)
    for user in (porteur, committee_member):
        client.force_login(user)
        assert client.post(f"/accompagnement/campagnes/{campaign.pk}/lancer/").status_code == 403
        assert (
            client.get(
                f"/accompagnement/dossiers/{campaign.project.reference}/campagne/"
            ).status_code
            == 403
        )
    assert Campaign.objects.get().status == "preparing"


def test_a_campaign_dropped_before_launch_is_not_counted(client, cheffe):
    from campaigns.selectors import key_figures

    campaign = CampaignFactory(status="preparing", launched_on=None)
    client.force_login(cheffe)
    client.post(f"/accompagnement/campagnes/{campaign.pk}/abandonner/")
    assert Campaign.objects.get().status == "cancelled"
    assert key_figures().launched == 0


def test_the_cheffe_places_a_project_on_the_map(client, cheffe, labelled):
    client.force_login(cheffe)
    client.post(
        f"/accompagnement/dossiers/{labelled.reference}/carte/",
        {"latitude": "50.43", "longitude": "2.83"},
    )
    labelled.refresh_from_db()
    assert (labelled.latitude, labelled.longitude) == (Decimal("50.43000"), Decimal("2.83000"))
    client.post(
        f"/accompagnement/dossiers/{labelled.reference}/carte/",
        {"latitude": "48.85", "longitude": "2.35"},
    )
    labelled.refresh_from_db()
    assert labelled.latitude == Decimal("50.43000")  # Paris is not in the Pas-de-Calais


def test_the_porteur_chooses_whether_the_project_is_public(client, porteur, labelled):
    client.force_login(porteur)
    client.post(f"/espace/dossiers/{labelled.reference}/publication/", {})
    assert Project.objects.get(pk=labelled.pk).publish_agreed is False
    assert client.get(f"/projets/{labelled.slug}/").status_code == 404
    client.post(f"/espace/dossiers/{labelled.reference}/publication/", {"publish_agreed": "on"})
    assert client.get(f"/projets/{labelled.slug}/").status_code == 200


def test_a_finished_campaign_cannot_be_launched_or_ended_again(cheffe):
    campaign = CampaignFactory(
        status="succeeded",
        final_amount=Decimal("1"),
        final_contributors=1,
        finished_on=date(2026, 11, 20),
    )
    with pytest.raises(services.CampaignError):
        services.campaign_start(campaign=campaign, actor=cheffe)
    with pytest.raises(services.CampaignError):
        services.campaign_finish(
            campaign=campaign,
            actor=cheffe,
            outcome="failed",
            final_amount=Decimal("0"),
            final_contributors=0,
        )


def test_launching_while_the_dossier_is_elsewhere_is_refused_in_french(client, cheffe):
    # A campaign prepared, but the dossier already "campagne en cours" (another campaign).
    campaign = CampaignFactory(status="preparing", launched_on=None)
    client.force_login(cheffe)
    response = client.post(f"/accompagnement/campagnes/{campaign.pk}/lancer/", follow=True)
    assert response.status_code == 200
    assert "ne peut pas passer" in response.content.decode()
    assert Campaign.objects.get().status == "preparing"


def test_a_campaign_on_a_platform_deactivated_since_can_still_be_edited(client, cheffe, labelled):
    from tests.html_forms import form_values

    client.force_login(cheffe)
    url = f"/accompagnement/dossiers/{labelled.reference}/campagne/"
    assert client.post(url, campaign_data()).status_code == 302
    Platform.objects.filter(slug="ulule").update(is_active=False)

    data = form_values(client.get(url).content.decode())
    data["goal"] = "6500"
    assert client.post(url, data).status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.platform.slug, campaign.goal) == ("ulule", Decimal("6500"))
