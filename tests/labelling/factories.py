from datetime import timedelta

import factory
from django.utils import timezone

from labelling.models import CommitteeSession, LabellingRequest
from tests.factories import ProjectFactory, UserFactory


class CommitteeSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitteeSession

    held_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    vote_deadline = factory.LazyAttribute(lambda s: s.held_at)
    location = "Conseil départemental, Arras"
    created_by = factory.SubFactory(UserFactory, role="cheffe")
    invited_at = factory.LazyFunction(timezone.now)


class LabellingRequestFactory(factory.django.DjangoModelFactory):
    """A request on a session's agenda, its dossier before the committee."""

    class Meta:
        model = LabellingRequest

    project = factory.SubFactory(ProjectFactory, status="in_committee")
    session = factory.SubFactory(CommitteeSessionFactory)
    cheffe_opinion = "Avis favorable de la cheffe de projet."
    agenda_order = 1
