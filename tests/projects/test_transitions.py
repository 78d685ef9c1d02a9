"""The dossier's life cycle: one service per transition, the allowed map, races, history."""

import threading

import pytest
from django.db import connection

from projects import services
from projects.models import ALLOWED_TRANSITIONS, Project, Status, StatusChange
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_each_status_has_a_french_label_and_a_plain_explanation():
    from projects.models import STATUS_EXPLANATIONS

    assert set(ALLOWED_TRANSITIONS) == {s.value for s in Status}
    assert set(STATUS_EXPLANATIONS) == {s.value for s in Status}
    assert Status.IN_COMMITTEE.label == "En comité"


def test_the_main_path_runs_from_contact_to_closed_and_is_recorded(cheffe):
    project = ProjectFactory()
    steps = [
        (services.project_record_first_meeting, Status.FIRST_MEETING_DONE),
        (services.project_start_coaching, Status.COACHING),
        (services.project_request_labelling, Status.LABELLING_REQUESTED),
        (services.project_put_before_committee, Status.IN_COMMITTEE),
    ]
    for service, expected in steps:
        service(project=project, actor=cheffe, note=f"vers {expected}")
        assert Project.objects.get(pk=project.pk).status == expected
    services.project_record_committee_outcome(
        project=project, outcome=Status.LABELLED, actor=cheffe
    )
    services.project_start_campaign(project=project, actor=cheffe)
    services.project_end_campaign(project=project, actor=cheffe)
    services.project_close(project=project, actor=cheffe)
    project.refresh_from_db()
    assert project.status == Status.CLOSED
    history = list(
        StatusChange.objects.filter(project=project).values_list("from_status", "to_status")
    )
    assert history == [
        (Status.CONTACT, Status.FIRST_MEETING_DONE),
        (Status.FIRST_MEETING_DONE, Status.COACHING),
        (Status.COACHING, Status.LABELLING_REQUESTED),
        (Status.LABELLING_REQUESTED, Status.IN_COMMITTEE),
        (Status.IN_COMMITTEE, Status.LABELLED),
        (Status.LABELLED, Status.CAMPAIGN_RUNNING),
        (Status.CAMPAIGN_RUNNING, Status.CAMPAIGN_ENDED),
        (Status.CAMPAIGN_ENDED, Status.CLOSED),
    ]
    first = StatusChange.objects.filter(project=project).first()
    assert first.actor == cheffe
    assert first.note == f"vers {Status.FIRST_MEETING_DONE}"


def test_a_transition_outside_the_map_is_refused_and_changes_nothing(cheffe):
    project = ProjectFactory(status=Status.CONTACT)
    with pytest.raises(services.TransitionError, match="ne peut pas passer"):
        services.project_start_campaign(project=project, actor=cheffe)
    assert Project.objects.get(pk=project.pk).status == Status.CONTACT
    assert not StatusChange.objects.filter(project=project).exists()


@pytest.mark.parametrize(
    "status",
    [
        s
        for s in Status
        if s
        not in (
            Status.CLOSED,
            Status.ABANDONED,
            Status.REORIENTED,
            Status.NOT_LABELLED,
            Status.CAMPAIGN_ENDED,
        )
    ],
)
def test_any_active_dossier_can_be_abandoned_or_reoriented(status, cheffe):
    project = ProjectFactory(status=status)
    services.project_abandon(project=project, actor=cheffe, reason="Le porteur renonce.")
    assert Project.objects.get(pk=project.pk).status == Status.ABANDONED
    other = ProjectFactory(status=status)
    services.project_reorient(project=other, actor=cheffe, reason="Vers un prêt d'honneur.")
    change = StatusChange.objects.get(project=other)
    assert (change.from_status, change.to_status, change.note) == (
        status,
        Status.REORIENTED,
        "Vers un prêt d'honneur.",
    )


@pytest.mark.parametrize("status", [Status.CLOSED, Status.ABANDONED, Status.REORIENTED])
def test_a_finished_dossier_cannot_move(status, cheffe):
    project = ProjectFactory(status=status)
    with pytest.raises(services.TransitionError):
        services.project_abandon(project=project, actor=cheffe, reason="x")


def test_abandon_and_reorient_need_a_reason(cheffe):
    project = ProjectFactory()
    with pytest.raises(services.TransitionError, match="raison"):
        services.project_abandon(project=project, actor=cheffe, reason="  ")
    with pytest.raises(services.TransitionError):
        services.project_reorient(project=project, actor=cheffe, reason="")
    assert Project.objects.get(pk=project.pk).status == Status.CONTACT


def test_a_stale_copy_cannot_win_a_second_time(cheffe):
    project = ProjectFactory()
    first_copy = Project.objects.get(pk=project.pk)
    second_copy = Project.objects.get(pk=project.pk)
    services.project_abandon(project=first_copy, actor=cheffe, reason="premier clic")
    with pytest.raises(services.TransitionError, match="vient d'être modifié"):
        services.project_reorient(project=second_copy, actor=cheffe, reason="second clic")
    assert StatusChange.objects.filter(project=project).count() == 1
    assert Project.objects.get(pk=project.pk).status == Status.ABANDONED


def test_an_unknown_committee_outcome_is_refused(cheffe):
    project = ProjectFactory(status=Status.IN_COMMITTEE)
    with pytest.raises(services.TransitionError):
        services.project_record_committee_outcome(
            project=project, outcome=Status.CLOSED, actor=cheffe
        )


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_clicks_record_one_transition():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (SQLite locks the whole file)")
    project = ProjectFactory()
    barrier = threading.Barrier(2)
    outcomes = []

    def click(reason):
        from django.db import connections

        copy = Project.objects.get(pk=project.pk)
        barrier.wait()
        try:
            services.project_abandon(project=copy, actor=None, reason=reason)
            outcomes.append("won")
        except services.TransitionError:
            outcomes.append("lost")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click, args=(f"clic {i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["lost", "won"]
    assert StatusChange.objects.filter(project=project).count() == 1


def test_editing_details_is_refused_once_before_the_committee(porteur):
    project = ProjectFactory(owner=porteur, status=Status.IN_COMMITTEE)
    with pytest.raises(services.TransitionError, match="devant le comité"):
        services.project_update_details(project=project, details={"title": "X"}, actor=porteur)
    assert Project.objects.get(pk=project.pk).title != "X"
