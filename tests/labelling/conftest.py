import pytest

from accounts.models import Organisation
from tests.factories import CommitteeMemberFactory


@pytest.fixture
def organisations(db):
    """The six committee organisations of the data migration, in display order."""
    return list(Organisation.objects.filter(is_committee_member=True))


@pytest.fixture
def members(organisations):
    """One committee member per organisation, keyed by the organisation's slug."""
    return {
        organisation.slug: CommitteeMemberFactory(
            email=f"membre.{organisation.slug}@example.org", organisation=organisation
        )
        for organisation in organisations
    }


ALL_MET = {
    "viable": (True, ""),
    "solidaire": (True, ""),
    "pas-de-calais": (True, ""),
    "partenaire": (True, ""),
}
