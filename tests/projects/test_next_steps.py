"""The dossier's next step (projects/next_steps.py): one decision, for every status and the facts
of the dossier, of what the porteur reads and what the team does; what the porteur reads matches
what their page offers them."""

import html
import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import FigureReview
from labelling import services as labelling_services
from labelling.models import Outcome
from projects.models import ACTIVE_STATUSES, Document, Status
from projects.next_steps import PorteurStep, dossier_facts, dossier_steps, porteur_next_step
from projects.sections import NextStep, dossier_sections
from tests.campaigns.factories import CampaignFactory, SnapshotFactory
from tests.coaching.factories import FirstMeetingFactory
from tests.factories import CommitteeMemberFactory, ProjectFactory
from tests.labelling.factories import CommitteeSessionFactory, LabellingRequestFactory
from tests.labelling.test_services import complete_dossier

pytestmark = pytest.mark.django_db

LABELS = (f"PS-2030-{n:02d}" for n in itertools.count(1))
ALL_MET = {code: (True, "") for code in ("viable", "solidaire", "pas-de-calais", "partenaire")}


def decide(project, cheffe, outcome, assessments=ALL_MET, overall="favorable"):
    """The committee's decision on the dossier, through the services (votes of four
    organisations, then the decision)."""
    project.status = Status.IN_COMMITTEE
    project.save(update_fields=["status"])
    request = LabellingRequestFactory(project=project)
    for n in range(4):
        labelling_services.vote_cast(
            request=request,
            member=CommitteeMemberFactory(email=f"membre{n}.{project.pk}@example.org"),
            overall=overall,
            assessments=assessments,
        )
    return labelling_services.decision_record(
        request=request, actor=cheffe, outcome=outcome, motivation="Motivation du comité."
    )


# --- The dossiers of every status, in every fact that changes the next step ----------------
# Each builder returns the dossier; the expected `by` says whose step it is.


def contact_no_meeting(porteur, cheffe, partner):
    return ProjectFactory(owner=porteur, coach=cheffe)


def contact_no_cheffe_yet(porteur, cheffe, partner):
    return ProjectFactory(owner=porteur, coach=None)


def contact_meeting_booked(porteur, cheffe, partner):
    project = ProjectFactory(owner=porteur, coach=cheffe)
    FirstMeetingFactory(
        project=project, organiser=cheffe, scheduled_at=timezone.now() + timedelta(days=3)
    )
    return project


def contact_meeting_held(porteur, cheffe, partner):
    project = ProjectFactory(owner=porteur, coach=cheffe)
    FirstMeetingFactory(
        project=project, organiser=cheffe, scheduled_at=timezone.now() - timedelta(days=1)
    )
    return project


def first_meeting_done(porteur, cheffe, partner):
    project = ProjectFactory(owner=porteur, coach=cheffe, status=Status.FIRST_MEETING_DONE)
    FirstMeetingFactory(
        project=project,
        organiser=cheffe,
        scheduled_at=timezone.now() - timedelta(days=2),
        reported_at=timezone.now() - timedelta(days=1),
    )
    return project


def coaching_text_missing(porteur, cheffe, partner):
    project = ProjectFactory(owner=porteur, coach=cheffe, status=Status.COACHING, partner=partner)
    complete_dossier(project, cheffe)
    Document.objects.filter(project=project).delete()
    return project


def coaching_partner_missing(porteur, cheffe, partner):
    project = ProjectFactory(owner=porteur, coach=cheffe, status=Status.COACHING, partner=None)
    complete_dossier(project, cheffe)
    return project


def coaching_report_missing(porteur, cheffe, partner):
    project = ProjectFactory(owner=porteur, coach=cheffe, status=Status.COACHING, partner=partner)
    Document.objects.create(
        project=project, kind="campaign_text", url="", file="projects/x/texte", original_name="t"
    )
    return project


def coaching_complete(porteur, cheffe, partner):
    project = ProjectFactory(owner=porteur, coach=cheffe, status=Status.COACHING, partner=partner)
    complete_dossier(project, cheffe)
    return project


def requested_not_on_agenda(porteur, cheffe, partner):
    project = coaching_complete(porteur, cheffe, partner)
    labelling_services.request_raise(project=project, actor=porteur)
    return project


def requested_next_session_planned(porteur, cheffe, partner):
    CommitteeSessionFactory(held_at=timezone.now() + timedelta(days=12), invited_at=None)
    return requested_not_on_agenda(porteur, cheffe, partner)


def requested_on_agenda(porteur, cheffe, partner):
    project = ProjectFactory(
        owner=porteur, coach=cheffe, status=Status.LABELLING_REQUESTED, partner=partner
    )
    LabellingRequestFactory(project=project, session=CommitteeSessionFactory(invited_at=None))
    return project


def in_committee(porteur, cheffe, partner):
    project = ProjectFactory(owner=porteur, coach=cheffe, status=Status.IN_COMMITTEE)
    LabellingRequestFactory(project=project)
    return project


def postponed_complete(porteur, cheffe, partner):
    project = coaching_complete(porteur, cheffe, partner)
    decide(project, cheffe, Outcome.POSTPONED)
    project.refresh_from_db()
    return project


def postponed_text_missing(porteur, cheffe, partner):
    project = postponed_complete(porteur, cheffe, partner)
    Document.objects.filter(project=project).delete()
    return project


def not_labelled(porteur, cheffe, partner):
    project = ProjectFactory(owner=porteur, coach=cheffe, partner=partner)
    decide(project, cheffe, Outcome.NOT_LABELLED, overall="unfavorable")
    project.refresh_from_db()
    return project


def labelled_no_campaign(porteur, cheffe, partner):
    return ProjectFactory(
        owner=porteur, coach=cheffe, status=Status.LABELLED, label_number=next(LABELS)
    )


def labelled_campaign_prepared(porteur, cheffe, partner):
    project = labelled_no_campaign(porteur, cheffe, partner)
    CampaignFactory(
        project=project,
        status="preparing",
        launched_on=None,
        starts_on=timezone.localdate() + timedelta(days=10),
        ends_on=timezone.localdate() + timedelta(days=50),
    )
    return project


def _running(porteur, cheffe, **campaign):
    project = ProjectFactory(
        owner=porteur, coach=cheffe, status=Status.CAMPAIGN_RUNNING, label_number=next(LABELS)
    )
    today = timezone.localdate()
    return CampaignFactory(
        project=project,
        starts_on=today - timedelta(days=20),
        launched_on=today - timedelta(days=20),
        **{"ends_on": today + timedelta(days=20), **campaign},
    )


def running(porteur, cheffe, partner):
    return _running(porteur, cheffe).project


def running_figures_pending(porteur, cheffe, partner):
    campaign = _running(porteur, cheffe)
    SnapshotFactory(campaign=campaign, source="porteur", review=FigureReview.PENDING)
    return campaign.project


def running_past_its_end(porteur, cheffe, partner):
    return _running(porteur, cheffe, ends_on=timezone.localdate() - timedelta(days=2)).project


def _ended(porteur, cheffe, **follow_up):
    project = ProjectFactory(
        owner=porteur, coach=cheffe, status=Status.CAMPAIGN_ENDED, label_number=next(LABELS)
    )
    today = timezone.localdate()
    CampaignFactory(
        project=project,
        status="succeeded",
        starts_on=today - timedelta(days=60),
        launched_on=today - timedelta(days=60),
        ends_on=today - timedelta(days=10),
        finished_on=today - timedelta(days=10),
        final_amount=Decimal("6000"),
        final_contributors=80,
        **follow_up,
    )
    return project


def ended_follow_up_to_do(porteur, cheffe, partner):
    return _ended(porteur, cheffe)


def ended_follow_up_done(porteur, cheffe, partner):
    return _ended(
        porteur,
        cheffe,
        rewards_delivered="yes",
        rewards_delivered_on=timezone.localdate(),
        project_carried_out=True,
    )


def closed(porteur, cheffe, partner):
    return ProjectFactory(owner=porteur, coach=cheffe, status=Status.CLOSED)


def abandoned(porteur, cheffe, partner):
    return ProjectFactory(owner=porteur, coach=cheffe, status=Status.ABANDONED)


def reoriented(porteur, cheffe, partner):
    return ProjectFactory(owner=porteur, coach=cheffe, status=Status.REORIENTED)


P, T, N = PorteurStep.PORTEUR, PorteurStep.TEAM, PorteurStep.NOTHING
SCENARIOS = [
    (Status.CONTACT, contact_no_meeting, T),
    (Status.CONTACT, contact_no_cheffe_yet, T),
    (Status.CONTACT, contact_meeting_booked, P),
    (Status.CONTACT, contact_meeting_held, T),
    (Status.FIRST_MEETING_DONE, first_meeting_done, P),
    (Status.COACHING, coaching_text_missing, P),
    (Status.COACHING, coaching_partner_missing, P),
    (Status.COACHING, coaching_report_missing, T),
    (Status.COACHING, coaching_complete, P),
    (Status.LABELLING_REQUESTED, requested_not_on_agenda, T),
    (Status.LABELLING_REQUESTED, requested_next_session_planned, T),
    (Status.LABELLING_REQUESTED, requested_on_agenda, T),
    (Status.IN_COMMITTEE, in_committee, T),
    (Status.POSTPONED, postponed_complete, P),
    (Status.POSTPONED, postponed_text_missing, P),
    (Status.NOT_LABELLED, not_labelled, P),
    (Status.LABELLED, labelled_no_campaign, T),
    (Status.LABELLED, labelled_campaign_prepared, T),
    (Status.CAMPAIGN_RUNNING, running, P),
    (Status.CAMPAIGN_RUNNING, running_figures_pending, P),
    (Status.CAMPAIGN_RUNNING, running_past_its_end, P),
    (Status.CAMPAIGN_ENDED, ended_follow_up_to_do, T),
    (Status.CAMPAIGN_ENDED, ended_follow_up_done, T),
    (Status.CLOSED, closed, N),
    (Status.ABANDONED, abandoned, N),
    (Status.REORIENTED, reoriented, N),
]
IDS = [f"{status.value}-{build.__name__}" for status, build, _ in SCENARIOS]

# What a porteur's step leads to, on their page: the element and the action it holds.
ACTIONS = {
    "titre-rdv": "premier rendez-vous, 2 heures",
    "documents": 'enctype="multipart/form-data"',
    "labellisation": "/demander/",
    "nouveaux-chiffres": 'name="amount"',
    "decision-comite": "Et maintenant",
}


def test_every_status_has_its_scenarios():
    assert {status for status, _, _ in SCENARIOS} == set(Status)


@pytest.fixture
def setting(porteur, cheffe, partner_organisation):
    def build(builder):
        project = builder(porteur, cheffe, partner_organisation)
        project.refresh_from_db()
        return project

    return build


@pytest.mark.parametrize(("status", "builder", "by"), SCENARIOS, ids=IDS)
def test_each_status_and_fact_has_a_porteur_step_and_a_team_step_or_none(
    setting, cheffe, status, builder, by
):
    project = setting(builder)
    assert project.status == status
    facts = dossier_facts([project])[project.pk]
    team_context = dossier_sections(project, user=cheffe, for_team=True)
    steps = dossier_steps(project, facts=facts, team_context=team_context)
    assert steps.porteur.text.strip()
    assert steps.porteur.by == by
    if by == PorteurStep.PORTEUR:
        assert steps.porteur.url and steps.porteur.link_label
    else:
        assert not steps.porteur.url
    if status in ACTIVE_STATUSES:
        # An active dossier always has something for the team (at least "Noter un échange").
        assert isinstance(steps.team, NextStep)
    elif status in (Status.CLOSED, Status.ABANDONED, Status.REORIENTED):
        assert steps.team is None, "nothing is left for the team on a finished dossier"
    else:
        assert steps.team is None or isinstance(steps.team, NextStep)


@pytest.mark.parametrize(("status", "builder", "by"), SCENARIOS, ids=IDS)
def test_the_porteur_step_matches_what_their_page_offers(
    client, setting, porteur, status, builder, by
):
    project = setting(builder)
    step = porteur_next_step(project, dossier_facts([project])[project.pk])
    client.force_login(porteur)
    page = client.get(project.get_absolute_url()).content.decode()
    assert html.escape(step.text, quote=False) in page.replace("&#x27;", "'")
    if by == PorteurStep.PORTEUR:
        target, _, anchor = step.url.partition("#")
        assert f'href="{step.url}"' in page
        if target == project.get_absolute_url():
            # The step's link leads to a place of this page, which holds the action.
            assert f'id="{anchor}"' in page, anchor
            at = page.index(f'id="{anchor}"')
            assert ACTIONS[anchor] in page[at - 400 : at + 3000], anchor
        else:
            # Another page of the porteur's: it opens for them.
            assert client.get(target).status_code == 200
    for offer in step.team_offers:
        assert offer not in page, f"the team's {offer} shows on the porteur's page"
    space = client.get("/espace/").content.decode()
    assert html.escape(step.text, quote=False) in space.replace("&#x27;", "'")
    if step.url:
        assert f'href="{step.url}"' in space


def test_a_booked_first_meeting_is_not_announced_as_still_to_be_set(client, porteur, cheffe):
    """The old fixed text said "la cheffe de projet vous contacte pour fixer un premier
    rendez-vous" right under the meeting already booked."""
    project = contact_meeting_booked(porteur, cheffe, None)
    client.force_login(porteur)
    for url in (project.get_absolute_url(), "/espace/"):
        page = client.get(url).content.decode()
        assert "pour fixer" not in page, url
        assert "Votre premier rendez-vous est fixé au" in page, url


def test_an_ended_campaign_does_not_ask_the_porteur_for_the_team_only_forms(
    client, porteur, cheffe
):
    """The old fixed text asked the porteur to enter the final result and the rewards'
    follow-up, forms only the team has."""
    project = ended_follow_up_to_do(porteur, cheffe, None)
    client.force_login(porteur)
    for url in (project.get_absolute_url(), "/espace/"):
        page = client.get(url).content.decode()
        assert "Indiquez le résultat final" not in page, url
        assert "votre cheffe de projet fait le point avec vous" in page, url
    page = client.get(project.get_absolute_url()).content.decode()
    assert 'id="suivi-campagne"' not in page
    assert 'id="resultat-final"' not in page
    # The team's page has the follow-up form the step speaks of.
    client.force_login(cheffe)
    team_page = client.get(reverse("projects:team_project", args=[project.reference]))
    assert 'id="suivi-campagne"' in team_page.content.decode()
    # And reads there what the porteur was told, from the same decision.
    assert "Le porteur lit\u00a0: «&nbsp;Votre campagne est terminée" in team_page.content.decode()


def test_the_space_reads_the_next_steps_of_many_dossiers_in_a_constant_number_of_queries(
    client, porteur, cheffe, partner_organisation, django_assert_max_num_queries
):
    builders = [contact_meeting_booked, coaching_text_missing, in_committee, running]
    for builder in builders:
        builder(porteur, cheffe, partner_organisation)
    client.force_login(porteur)
    with django_assert_max_num_queries(25) as few:
        client.get("/espace/")
    for builder in builders * 2:
        builder(porteur, cheffe, partner_organisation)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/espace/").content.decode()
    assert page.count('class="porteur-next-step') == 12


def test_the_meeting_moment_and_campaign_end_are_written_in_the_step(porteur, cheffe):
    project = ProjectFactory(owner=porteur, coach=cheffe)
    FirstMeetingFactory(
        project=project,
        organiser=cheffe,
        scheduled_at=timezone.make_aware(timezone.datetime(2030, 3, 4, 14, 30)),
    )
    text = porteur_next_step(project, dossier_facts([project])[project.pk]).text
    assert "lundi 4 mars 2030, 14h30" in text
    campaign = _running(porteur, cheffe, ends_on=date(2030, 6, 30))
    text = porteur_next_step(
        campaign.project, dossier_facts([campaign.project])[campaign.project.pk]
    ).text
    assert "30 juin 2030" in text


def test_an_unscheduled_request_says_when_the_next_session_is(
    porteur, cheffe, partner_organisation
):
    session = CommitteeSessionFactory(
        held_at=timezone.make_aware(timezone.datetime(2030, 1, 15, 14, 0)), invited_at=None
    )
    project = requested_not_on_agenda(porteur, cheffe, partner_organisation)
    text = porteur_next_step(project, dossier_facts([project])[project.pk]).text
    assert "la prochaine est prévue le 15 janvier 2030" in text
    session.delete()
    text = porteur_next_step(project, dossier_facts([project])[project.pk]).text
    assert "prochaine est prévue" not in text and "prochaine séance du comité" in text


def test_before_a_cheffe_is_named_the_team_says_it_will_introduce_her(porteur):
    project = ProjectFactory(owner=porteur, coach=None)
    text = porteur_next_step(project, dossier_facts([project])[project.pk]).text
    assert text.startswith("L'équipe de Propulsons! vous présente votre cheffe de projet")
