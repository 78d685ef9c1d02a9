from datetime import date
from decimal import Decimal

import factory

from campaigns.models import Campaign, FigureSnapshot, Platform
from tests.factories import ProjectFactory


class LabelledProjectFactory(ProjectFactory):
    status = "labelled"
    label_number = factory.Sequence(lambda n: f"PS-2026-{n:02d}")
    labelled_on = date(2026, 6, 1)
    publish_agreed = True


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    project = factory.SubFactory(LabelledProjectFactory, status="campaign_running")
    platform = factory.LazyFunction(lambda: Platform.objects.get(slug="ulule"))
    url = "https://fr.ulule.com/exemple/"
    financing_type = "donation_rewards"
    collection_model = "all_or_nothing"
    goal = Decimal("5000")
    starts_on = date(2026, 11, 1)
    ends_on = date(2026, 12, 10)
    status = "running"
    launched_on = date(2026, 11, 1)

    @factory.post_generation
    def followed(self, create, extracted, **kwargs):
        # As campaigns.services.campaign_create does: the project's pages follow it.
        if create and not (self.status == "cancelled" and self.launched_on is None):
            type(self.project).objects.filter(pk=self.project_id).update(current_campaign=self)


class SnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FigureSnapshot
        skip_postgeneration_save = True

    campaign = factory.SubFactory(CampaignFactory)
    taken_at = factory.Faker("date_time_this_year", tzinfo=__import__("datetime").UTC)
    amount = Decimal("1000")
    contributors = 20
    source = "platform"

    @factory.post_generation
    def declared(self, create, extracted, **kwargs):
        if create:
            from campaigns.services import campaign_refresh_declared

            campaign_refresh_declared(campaign=self.campaign)


def declared_figures(campaign, **fields) -> FigureSnapshot:
    """Figures a porteur declared on `campaign`, waiting for the team's check."""
    from django.utils import timezone

    values = {
        "taken_at": timezone.now(),
        "amount": Decimal("1500"),
        "contributors": 12,
        "source": "porteur",
        "review": "pending",
    }
    return FigureSnapshot.objects.create(campaign=campaign, **(values | fields))
