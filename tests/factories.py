from datetime import UTC, datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from accounts.models import Organisation, Role, User
from projects.models import Commune, Project, Status


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"organisation-{n}")
    name = factory.LazyAttribute(lambda o: f"Organisation {o.slug}")
    short_name = factory.LazyAttribute(lambda o: o.slug)
    is_committee_member = True
    is_prescribing_partner = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"utilisateur{n}@example.org")
    first_name = "Prénom"
    last_name = "Nom"
    role = Role.PORTEUR
    is_staff = factory.LazyAttribute(lambda u: u.role in {Role.CHEFFE, Role.ADMIN})
    is_superuser = factory.LazyAttribute(lambda u: u.role == Role.ADMIN)

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        from tests.conftest import PASSWORD

        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])
            self.groups.set(Group.objects.filter(name=self.role))


class CommitteeMemberFactory(UserFactory):
    role = Role.COMITE
    organisation = factory.SubFactory(OrganisationFactory)


def commune(name: str = "Lens") -> Commune:
    return Commune.objects.get(name=name)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    reference = factory.Sequence(lambda n: f"P-2026-{n + 9000:04d}")
    status = Status.CONTACT
    owner = factory.SubFactory(UserFactory)
    contact_first_name = "Paul"
    contact_last_name = "Porteur"
    contact_email = factory.LazyAttribute(lambda p: p.owner.email if p.owner else "x@example.org")
    contact_phone = "+33321000000"
    structure_name = "Association Exemple"
    legal_form = "association"
    title = factory.Sequence(lambda n: f"Projet exemple {n}")
    slug = factory.LazyAttribute(lambda p: f"projet-{p.reference.lower()}")
    summary = "Un projet de proximité."
    description = "Une description complète du projet."
    category = "food"
    commune = factory.LazyFunction(commune)
    total_budget = Decimal("20000")
    crowdfunding_amount = Decimal("5000")
    financing_type = "donation_rewards"
    heard_from = "partner"
    consent_at = factory.LazyFunction(lambda: datetime(2026, 1, 5, 9, 0, tzinfo=UTC))


def intake_details(**overrides) -> dict:
    """What projects.services.project_submit receives from a complete intake form."""
    return {
        "contact_first_name": "Paul",
        "contact_last_name": "Porteur",
        "contact_email": "nouveau.porteur@example.org",
        "contact_phone": "0321000000",
        "structure_name": "Asso",
        "legal_form": "association",
        "title": "Un nouveau projet",
        "summary": "Résumé",
        "description": "Description",
        "category": "food",
        "commune": commune("Lens"),
        "total_budget": 1000,
        "crowdfunding_amount": 500,
        "financing_type": "donation",
        "heard_from": "partner",
        **overrides,
    }
