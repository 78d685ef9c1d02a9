"""After a refusal or an adjournment the porteur reads the motivation, the committee's verdict on
each of the four criteria (over the votes, never which organisation judged what) and what they
can do next: ask again after an adjournment, other routes after a refusal, with their cheffe's
contact. On their dossier page and in the decision email; nothing before the decision."""

import pytest
from django.core import mail

from labelling import services
from labelling.models import Criterion, Outcome
from labelling.selectors import CriterionVerdict, criteria_outcomes
from projects.models import Project, Status
from tests.factories import UserFactory
from tests.labelling.conftest import ALL_MET
from tests.labelling.factories import LabellingRequestFactory
from tests.labelling.test_services import complete_dossier

pytestmark = pytest.mark.django_db

MOTIVATION = "Le plan de financement reste fragile : le comité attend un prévisionnel."


@pytest.fixture
def gaelle():
    return UserFactory(
        email="gaelle.mercier@propulsons.org",
        role="cheffe",
        first_name="Gaëlle",
        last_name="Mercier",
        phone="03 21 00 00 01",
    )


@pytest.fixture
def request_with_votes(members, porteur, gaelle, partner_organisation):
    """Six organisations' votes: "viable" met by some, not by others; "solidaire" met by all;
    "pas-de-calais" met by none; one organisation in conflict of interest (not counted)."""
    request = LabellingRequestFactory(
        project__owner=porteur,
        project__contact_email=porteur.email,
        project__coach=gaelle,
        project__partner=partner_organisation,
    )
    judgements = {
        "conseil-departemental-62": (True, "Viable selon nous"),
        "initiative-pas-de-calais": (False, "Trop fragile selon l'IPC"),
        "pas-de-calais-actif": (False, ""),
        "cigales": (True, ""),
        "caisse-solidaire": (True, ""),
    }
    for slug, viable in judgements.items():
        services.vote_cast(
            request=request,
            member=members[slug],
            overall="favorable" if viable[0] else "unfavorable",
            assessments={**ALL_MET, "viable": viable, "pas-de-calais": (False, "")},
        )
    # A conflict of interest: its judgement (all met) must not turn "not met" into "mixed".
    services.vote_cast(
        request=request,
        member=members["autonomie-et-solidarite"],
        overall="favorable",
        conflict_of_interest=True,
        assessments=ALL_MET,
    )
    return request


def verdicts(request) -> dict[str, str]:
    return {item.criterion.code: item.verdict for item in criteria_outcomes([request])[request.pk]}


def test_each_criterion_is_met_not_met_or_mixed_over_the_counted_votes(request_with_votes):
    assert verdicts(request_with_votes) == {
        "viable": CriterionVerdict.MIXED,
        "solidaire": CriterionVerdict.MET,
        "pas-de-calais": CriterionVerdict.NOT_MET,
        "partenaire": CriterionVerdict.MET,
    }


def test_a_request_without_votes_has_its_criteria_not_assessed():
    request = LabellingRequestFactory()
    assert set(verdicts(request).values()) == {CriterionVerdict.NOT_ASSESSED}
    assert len(verdicts(request)) == Criterion.objects.count() == 4


def test_the_verdicts_of_many_requests_take_two_queries(
    request_with_votes, django_assert_num_queries
):
    others = [LabellingRequestFactory() for _ in range(3)]
    with django_assert_num_queries(2):  # the criteria, then one aggregate over the votes
        result = criteria_outcomes([request_with_votes, *others])
    assert len(result) == 4


def record(request, gaelle, outcome):
    return services.decision_record(
        request=request, actor=gaelle, outcome=outcome, motivation=MOTIVATION
    )


def test_before_the_decision_the_porteur_sees_no_verdict(client, porteur, request_with_votes):
    client.force_login(porteur)
    page = client.get(request_with_votes.project.get_absolute_url()).content.decode()
    assert "quatre critères" not in page
    assert "avis partagés" not in page


def test_after_a_refusal_the_porteur_reads_the_verdicts_and_other_routes(
    client, porteur, gaelle, request_with_votes, partner_organisation
):
    record(request_with_votes, gaelle, Outcome.NOT_LABELLED)
    client.force_login(porteur)
    page = client.get(request_with_votes.project.get_absolute_url()).content.decode()
    assert "le comité attend un prévisionnel" in page
    assert "L’avis du comité sur les quatre critères" in page
    for code, verdict, label in (
        ("viable", "mixed", "avis partagés"),
        ("solidaire", "met", "rempli"),
        ("pas-de-calais", "not_met", "non rempli"),
        ("partenaire", "met", "rempli"),
    ):
        criterion = Criterion.objects.get(code=code)
        assert (
            f'{criterion.label}</span>\u00a0: <span class="criterion-verdict criterion-{verdict}">'
            f"{label}</span>"
        ) in page.replace("&#x27;", "'"), code
    # Other routes: the solidarity finance partners, the dossier's own partner first.
    assert "d’autres voies restent ouvertes" in page
    assert f"{partner_organisation.name}, qui suit déjà votre projet" in page
    assert "Les Cigales du Pas-de-Calais" in page
    # The cheffe's contact.
    assert "Gaëlle Mercier" in page and 'href="tel:0321000001"' in page
    # Never who voted what: no vote, no organisation's comment, no count.
    for secret in ("Trop fragile", "Viable selon nous", "Défavorable", "Favorable", "A voté"):
        assert secret not in page
    # Not the adjournment's way forward.
    assert "demandez à nouveau la labellisation" not in page


def test_after_an_adjournment_the_porteur_can_ask_again(
    client, porteur, gaelle, request_with_votes
):
    project = request_with_votes.project
    complete_dossier(project, gaelle)
    record(request_with_votes, gaelle, Outcome.POSTPONED)
    client.force_login(porteur)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "L’avis du comité sur les quatre critères" in page
    assert "demandez à nouveau la labellisation" in page
    assert f'href="{project.get_absolute_url()}#labellisation"' in page
    # The checklist's button, which the porteur may use themselves.
    raise_url = f"/comite/dossiers/{project.reference}/demander/"
    assert f'action="{raise_url}"' in page
    assert "Sans le label" not in page
    client.post(raise_url)
    assert Project.objects.get(pk=project.pk).status == Status.LABELLING_REQUESTED
    # Asked again: the verdicts of the adjournment are history, the next step the team's.
    page = client.get(project.get_absolute_url()).content.decode()
    assert "L’avis du comité sur les quatre critères" not in page
    assert "Ajourné" in page  # the decision itself stays


def test_the_refusal_email_carries_the_motivation_and_the_verdicts(
    porteur, gaelle, request_with_votes, partner_organisation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record(request_with_votes, gaelle, Outcome.NOT_LABELLED)
    (message,) = mail.outbox
    assert message.to == [porteur.email]
    body = message.body
    assert "prévisionnel" in body
    assert "L’avis du comité sur les quatre critères\u00a0:" in body
    assert "\u00a0: avis partagés" in body and "\u00a0: non rempli" in body
    assert f"{partner_organisation.name}, qui suit déjà votre projet" in body
    assert "gaelle.mercier@propulsons.org" in body
    html_body = message.alternatives[0][0]
    assert "avis partagés" in html_body and "d’autres voies restent ouvertes" in html_body
    for secret in ("Trop fragile", "Viable selon nous", "Défavorable"):
        assert secret not in body and secret not in html_body


def test_the_adjournment_email_says_how_to_ask_again(
    gaelle, request_with_votes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record(request_with_votes, gaelle, Outcome.POSTPONED)
    (message,) = mail.outbox
    assert "demandez à nouveau la labellisation depuis votre dossier" in message.body
    assert "\u00a0: rempli" in message.body
    assert "Sans le label" not in message.body


def test_a_labelled_projects_email_has_no_verdicts(
    gaelle, request_with_votes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record(request_with_votes, gaelle, Outcome.LABELLED)
    (message,) = mail.outbox
    assert "quatre critères" not in message.body


def test_the_verdicts_stay_when_the_team_moves_an_adjourned_dossier_back_to_coaching(
    client, porteur, gaelle, request_with_votes
):
    from projects import services as project_services

    record(request_with_votes, gaelle, Outcome.POSTPONED)
    project = Project.objects.get(pk=request_with_votes.project_id)
    project_services.project_start_coaching(project=project, actor=gaelle)
    client.force_login(porteur)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "L’avis du comité sur les quatre critères" in page
    assert "demandez à nouveau la labellisation" in page
