from datetime import UTC, datetime

import factory

from coaching.models import FirstMeeting, Interaction, Reminder
from tests.factories import ProjectFactory, UserFactory


class FirstMeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FirstMeeting

    project = factory.SubFactory(ProjectFactory)
    organiser = factory.SubFactory(UserFactory, role="cheffe")
    scheduled_at = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)
    location = "23 rue du 11 Novembre, Lens"


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    kind = "phone"
    happened_on = factory.LazyFunction(lambda: datetime(2026, 11, 20).date())
    duration_minutes = 30
    phase = "before"

    @factory.post_generation
    def latest(self, create, extracted, **kwargs):
        # As coaching.services.interaction_record does: the dossier keeps its latest exchange.
        if create:
            from django.db.models import Q

            from projects.models import Project

            Project.objects.filter(pk=self.project_id).filter(
                Q(last_interaction_on__isnull=True) | Q(last_interaction_on__lt=self.happened_on)
            ).update(last_interaction_on=self.happened_on)


class ReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reminder

    project = factory.SubFactory(ProjectFactory)
    recipient = factory.SubFactory(UserFactory, role="cheffe")
    kind = "next_action"
    key = factory.Sequence(lambda n: f"k{n}")
    message = "Rappeler le porteur"
    due_at = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
