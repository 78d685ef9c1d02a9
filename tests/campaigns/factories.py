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


class SnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FigureSnapshot

    campaign = factory.SubFactory(CampaignFactory)
    taken_at = factory.Faker("date_time_this_year", tzinfo=__import__("datetime").UTC)
    amount = Decimal("1000")
    contributors = 20
    source = "platform"
