"""No select shows Django's "---------": every empty choice says, in French, what it means.

Two nets: every page of the permission matrix, fetched as each role that may see it; and every
form of the project rendered on its own (some appear only on a dossier in a given state).
"""

import pytest
from django import forms
from django.urls import reverse

from accounts.forms import EmailAuthenticationForm, EmailPasswordResetForm
from campaigns.forms import (
    CampaignForm,
    CatalogueFilterForm,
    FinishForm,
    FollowUpForm,
    MapPlacementForm,
    PeriodForm,
    SnapshotForm,
)
from coaching.forms import (
    FinancingLineFormSet,
    FirstMeetingReportForm,
    FirstMeetingScheduleForm,
    InteractionForm,
    PostponeForm,
    RewardTierFormSet,
    active_projects,
)
from labelling.forms import (
    AgendaAddForm,
    AttendanceForm,
    CorrectionForm,
    DecisionForm,
    OpinionForm,
    SessionForm,
    VoteForm,
)
from labelling.models import Criterion
from projects.forms import (
    DocumentForm,
    PipelineFilterForm,
    ProjectDetailsForm,
    ProjectIntakeForm,
    ReasonForm,
)
from propulsons.forms import DASH, EmptyChoiceLabels
from tests.labelling.factories import CommitteeSessionFactory
from tests.test_permission_matrix import MATRIX, ROLES, World, login

pytestmark = pytest.mark.django_db

PAGES = [
    pytest.param(name, role, id=f"{name}-{role}")
    for name, row in MATRIX.items()
    if "GET" in row.methods
    for role in ROLES
    if row.expected[role] == 200
]


@pytest.mark.parametrize(("name", "role"), PAGES)
def test_no_page_shows_the_dash_as_an_empty_choice(client, request, name, role):
    world = World(request)
    login(client, world.user(role))
    response = client.get(reverse(name, kwargs=MATRIX[name].kwargs(world) or None))
    assert response.status_code == 200
    if response["Content-Type"].startswith("text/html"):
        assert DASH not in response.content.decode()


def every_form() -> list:
    return [
        EmailAuthenticationForm(),
        EmailPasswordResetForm(),
        ProjectDetailsForm(),
        ProjectIntakeForm(),
        DocumentForm(),
        ReasonForm(),
        PipelineFilterForm(),
        FirstMeetingScheduleForm(),
        FirstMeetingReportForm(),
        FinancingLineFormSet(),
        RewardTierFormSet(),
        InteractionForm(),
        InteractionForm(project_choices=active_projects()),
        PostponeForm(),
        SessionForm(),
        OpinionForm(),
        AgendaAddForm(),
        VoteForm(criteria=list(Criterion.objects.all())),
        DecisionForm(proposed="labellise"),
        CorrectionForm(proposed="labellise"),
        CampaignForm(),
        SnapshotForm(),
        SnapshotForm(porteur=True),
        FinishForm(),
        FollowUpForm(),
        MapPlacementForm(),
        CatalogueFilterForm(arrondissements=[("arras", "Arras")]),
        PeriodForm(),
    ]


def test_no_form_shows_the_dash_as_an_empty_choice(project, committee_member):
    rendered = [*every_form(), AttendanceForm(session=CommitteeSessionFactory())]
    for form in rendered:
        assert DASH not in str(form), type(form).__name__


def test_every_form_of_the_project_labels_its_empty_choices():
    """A form added later inherits the mixin too (the Django admin's aside)."""
    import accounts.forms
    import campaigns.forms
    import coaching.forms
    import labelling.forms
    import projects.forms

    modules = (accounts.forms, campaigns.forms, coaching.forms, labelling.forms, projects.forms)
    missing = [
        f"{module.__name__}.{name}"
        for module in modules
        for name, value in vars(module).items()
        if isinstance(value, type)
        and issubclass(value, forms.BaseForm)
        and value.__module__ == module.__name__
        and not issubclass(value, EmptyChoiceLabels)
    ]
    assert missing == []


def empty_choice(form, name: str) -> str:
    field = form.fields[name]
    if isinstance(field, forms.ModelChoiceField):
        return str(field.empty_label)
    return next(str(text) for value, text in field.choices if value == "")


@pytest.mark.parametrize(
    ("form", "name", "label"),
    [
        (CampaignForm, "platform", "Choisir une plateforme"),
        (FirstMeetingReportForm, "target_platform", "Pas encore choisie"),
        (PipelineFilterForm, "category", "Toutes les catégories"),
        (CatalogueFilterForm, "category", "Toutes les catégories"),
        (ProjectDetailsForm, "partner", "Aucun pour l'instant"),
        (AgendaAddForm, "request", "Choisir une demande"),
        (ProjectIntakeForm, "legal_form", "Choisir une forme juridique"),
        (DocumentForm, "kind", "Choisir un type de document"),
        (InteractionForm, "phase", "Déduite des dates de la campagne"),
        (PipelineFilterForm, "status", "Dossiers actifs"),
        (CatalogueFilterForm, "platform", "Toutes les plateformes"),
    ],
)
def test_specific_empty_labels(form, name, label):
    assert empty_choice(form(), name) == label


def test_the_intake_and_the_catalogue_show_their_empty_labels(client):
    intake = client.get(reverse("projects:intake")).content.decode()
    assert '<option value="" selected>Choisir une catégorie</option>' in intake
    catalogue = client.get(reverse("campaigns:catalogue")).content.decode()
    assert '<option value="" selected>Toutes les catégories</option>' in catalogue
