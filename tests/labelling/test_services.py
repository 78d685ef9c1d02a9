"""Requests, the agenda, votes (one per organisation, editable until closed) and decisions."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, connection
from django.utils import timezone

from coaching.models import Reminder
from coaching.services import reminders_send_due
from labelling import services
from labelling.models import Decision, LabellingRequest, Outcome, Vote
from projects.models import Document, Project, Status, StatusChange
from tests.coaching.factories import FirstMeetingFactory
from tests.factories import CommitteeMemberFactory, ProjectFactory
from tests.labelling.conftest import ALL_MET
from tests.labelling.factories import CommitteeSessionFactory, LabellingRequestFactory

pytestmark = pytest.mark.django_db


def complete_dossier(project, cheffe):
    from decimal import Decimal

    from coaching.models import FinancingLine, RewardTier

    meeting = FirstMeetingFactory(
        project=project,
        organiser=cheffe,
        reported_at=timezone.now(),
        relevance="relevant",
        campaign_goal=Decimal("5000"),
        campaign_duration_days=40,
    )
    FinancingLine.objects.create(meeting=meeting, source="crowdfunding", amount=Decimal("5000"))
    RewardTier.objects.create(meeting=meeting, amount=Decimal("10"), description="Merci")
    Document.objects.create(
        project=project, kind="campaign_text", url="", file="projects/x/texte", original_name="t"
    )
    return meeting


# --- Raising a request ---------------------------------------------------------------------------


def test_an_incomplete_dossier_cannot_ask_for_the_label(porteur):
    project = ProjectFactory(owner=porteur, status=Status.COACHING, partner=None)
    with pytest.raises(services.LabellingError, match="pas complet"):
        services.request_raise(project=project, actor=porteur)
    assert Project.objects.get(pk=project.pk).status == Status.COACHING


def test_the_checklist_says_what_is_missing(porteur, cheffe, partner_organisation):
    from labelling.selectors import completeness, completeness_percent

    project = ProjectFactory(owner=porteur, status=Status.COACHING, partner=None)
    items = completeness(project, for_team=True)
    assert completeness_percent(items) == 0
    project.partner = partner_organisation
    project.save()
    complete_dossier(project, cheffe)
    items = completeness(project, for_team=False)
    assert [item.done for item in items] == [True] * 5
    assert completeness_percent(items) == 100


def test_a_complete_dossier_asks_for_the_label(porteur, cheffe, partner_organisation):
    project = ProjectFactory(owner=porteur, status=Status.COACHING, partner=partner_organisation)
    complete_dossier(project, cheffe)
    request = services.request_raise(project=project, actor=porteur)
    assert request.requested_by == porteur
    assert Project.objects.get(pk=project.pk).status == Status.LABELLING_REQUESTED
    with pytest.raises(services.LabellingError):
        services.request_raise(project=project, actor=porteur)
    assert LabellingRequest.objects.count() == 1


# --- The agenda and the invitations --------------------------------------------------------------


def test_putting_a_request_on_the_agenda_needs_an_opinion_and_moves_the_dossier(cheffe):
    project = ProjectFactory(status=Status.LABELLING_REQUESTED)
    request = LabellingRequest.objects.create(project=project)
    session = CommitteeSessionFactory(invited_at=None)
    with pytest.raises(services.LabellingError, match="avis"):
        services.request_put_on_agenda(request=request, session=session, actor=cheffe)
    services.request_set_opinion(request=request, actor=cheffe, opinion="Favorable.")
    services.request_put_on_agenda(request=request, session=session, actor=cheffe)
    assert Project.objects.get(pk=project.pk).status == Status.IN_COMMITTEE
    change = StatusChange.objects.get(project=project)
    assert change.to_status == Status.IN_COMMITTEE and change.actor == cheffe


def test_the_agenda_can_be_reordered(cheffe):
    session = CommitteeSessionFactory()
    first, second, third = (
        LabellingRequestFactory(session=session, agenda_order=i) for i in (1, 2, 3)
    )
    services.request_move_on_agenda(request=third, actor=cheffe, up=True)
    order = list(session.requests.order_by("agenda_order").values_list("pk", flat=True))
    assert order == [first.pk, third.pk, second.pk]


def test_members_are_invited_with_the_agenda_and_reminded_48_hours_before_the_deadline(
    cheffe, members, django_capture_on_commit_callbacks, time_machine
):
    session = CommitteeSessionFactory(invited_at=None)
    request = LabellingRequestFactory(session=session, project__title="Ressourcerie des Caps")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.session_invite(session=session, actor=cheffe) == 6
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in members.values())
    assert "Ressourcerie des Caps" in mail.outbox[0].body
    reminders = Reminder.objects.filter(kind="committee_vote")
    assert reminders.count() == 6
    assert {r.due_at for r in reminders} == {session.vote_deadline - timedelta(hours=48)}

    # Two organisations vote; at the reminder time only the four others are reminded.
    for slug in ("cigales", "caisse-solidaire"):
        services.vote_cast(
            request=request, member=members[slug], overall="favorable", assessments=ALL_MET
        )
    mail.outbox.clear()
    time_machine.move_to(session.vote_deadline - timedelta(hours=47), tick=False)
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        assert reminders_send_due() == 4
    reminded = {message.to[0] for message in mail.outbox}
    assert members["cigales"].email not in reminded
    assert members["conseil-departemental-62"].email in reminded
    assert f"/comite/demandes/{request.pk}/" in mail.outbox[0].body
    assert reminders_send_due() == 0


# --- Votes ---------------------------------------------------------------------------------


def test_a_vote_is_final_a_second_one_is_refused_and_changes_nothing(members, cheffe):
    request = LabellingRequestFactory()
    member = members["cigales"]
    services.vote_cast(request=request, member=member, overall="abstention", assessments=ALL_MET)
    with pytest.raises(services.LabellingError, match="déjà voté"):
        services.vote_cast(
            request=request,
            member=member,
            overall="unfavorable",
            assessments={**ALL_MET, "viable": (False, "Trop fragile")},
        )
    vote = Vote.objects.get()
    assert (vote.organisation, vote.overall) == (member.organisation, "abstention")
    assert not vote.assessments.filter(met=False).exists()
    assert vote.assessments.count() == 4
    services.request_close_vote(request=request, actor=cheffe)
    with pytest.raises(services.LabellingError, match="clos"):
        services.vote_cast(request=request, member=member, overall="favorable", assessments=ALL_MET)
    assert Vote.objects.get().overall == "abstention"


def test_a_second_member_of_the_same_organisation_cannot_vote_again(members):
    request = LabellingRequestFactory()
    colleague = CommitteeMemberFactory(
        email="collegue.cigales@example.org", organisation=members["cigales"].organisation
    )
    services.vote_cast(
        request=request, member=members["cigales"], overall="favorable", assessments=ALL_MET
    )
    with pytest.raises(services.LabellingError, match="déjà voté"):
        services.vote_cast(
            request=request, member=colleague, overall="abstention", assessments=ALL_MET
        )
    vote = Vote.objects.get()
    assert (vote.member, vote.overall) == (members["cigales"], "favorable")


def test_the_database_refuses_a_second_vote_of_an_organisation(members):
    request = LabellingRequestFactory()
    member = members["cigales"]
    Vote.objects.create(
        request=request, organisation=member.organisation, member=member, overall="favorable"
    )
    with pytest.raises(IntegrityError):
        Vote.objects.create(
            request=request, organisation=member.organisation, member=member, overall="abstention"
        )


def test_votes_are_refused_when_the_session_is_closed_or_the_request_not_on_agenda(members, cheffe):
    request = LabellingRequestFactory()
    services.session_close(session=request.session, actor=cheffe)
    with pytest.raises(services.LabellingError):
        services.vote_cast(
            request=request, member=members["cigales"], overall="favorable", assessments=ALL_MET
        )
    waiting = LabellingRequest.objects.create(
        project=ProjectFactory(status=Status.LABELLING_REQUESTED)
    )
    with pytest.raises(services.LabellingError):
        services.vote_cast(
            request=waiting, member=members["cigales"], overall="favorable", assessments=ALL_MET
        )
    assert not Vote.objects.exists()


def test_a_vote_must_judge_the_four_criteria(members):
    request = LabellingRequestFactory()
    with pytest.raises(services.LabellingError, match="quatre critères"):
        services.vote_cast(
            request=request,
            member=members["cigales"],
            overall="favorable",
            assessments={"viable": (True, "")},
        )


def test_only_committee_members_vote(cheffe):
    with pytest.raises(services.LabellingError):
        services.vote_cast(
            request=LabellingRequestFactory(),
            member=cheffe,
            overall="favorable",
            assessments=ALL_MET,
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_submissions_leave_exactly_one_vote_and_refuse_the_other():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (SQLite locks the whole file)")
    from accounts.models import Organisation

    organisation = Organisation.objects.get(slug="cigales")
    first = CommitteeMemberFactory(email="m1@example.org", organisation=organisation)
    second = CommitteeMemberFactory(email="m2@example.org", organisation=organisation)
    request = LabellingRequestFactory()
    barrier = threading.Barrier(2)
    errors = []

    def submit(member, overall):
        from django.db import connections

        barrier.wait()
        try:
            services.vote_cast(request=request, member=member, overall=overall, assessments=ALL_MET)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=submit, args=(first, "favorable")),
        threading.Thread(target=submit, args=(second, "abstention")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # One wins, the other is told, in French, that the organisation has already voted.
    assert len(errors) == 1, errors
    assert isinstance(errors[0], services.LabellingError)
    assert "déjà voté" in str(errors[0])
    assert Vote.objects.filter(request=request).count() == 1
    assert Vote.objects.get(request=request).assessments.count() == 4


# --- Decisions -----------------------------------------------------------------------------


def vote_all(request, members, overall="favorable", slugs=None):
    for slug in slugs or list(members)[:4]:
        services.vote_cast(
            request=request, member=members[slug], overall=overall, assessments=ALL_MET
        )


def test_recording_the_decision_labels_the_project_and_emails_the_porteur(
    members, cheffe, django_capture_on_commit_callbacks
):
    request = LabellingRequestFactory(project__title="Brasserie du port")
    vote_all(request, members)
    with django_capture_on_commit_callbacks(execute=True):
        decision = services.decision_record(
            request=request, actor=cheffe, outcome=Outcome.LABELLED, motivation="Projet solide."
        )
    project = Project.objects.get(pk=request.project_id)
    assert project.status == Status.LABELLED
    assert project.labelled_on == timezone.localdate()
    assert project.label_number == decision.label_number == f"PS-{timezone.localdate().year}-01"
    assert (decision.favorable, decision.quorum_reached, decision.departs_from_proposal) == (
        4,
        True,
        False,
    )
    request.refresh_from_db()
    assert request.vote_closed_at is not None
    (message,) = mail.outbox
    assert message.to == [project.contact_email]
    assert "Labellisé" in message.subject
    assert "Projet solide." in message.body
    assert "favorable" not in message.body.lower().replace("avis favorable", "")


def test_a_decision_departing_from_the_tally_is_marked(members, cheffe):
    request = LabellingRequestFactory()
    vote_all(request, members)
    decision = services.decision_record(
        request=request,
        actor=cheffe,
        outcome=Outcome.POSTPONED,
        motivation="Le comité demande un prévisionnel sur trois ans.",
    )
    assert decision.departs_from_proposal
    assert decision.proposed_outcome == Outcome.LABELLED
    assert Project.objects.get(pk=request.project_id).status == Status.POSTPONED


def test_a_decision_needs_a_motivation_and_is_recorded_once(members, cheffe):
    request = LabellingRequestFactory()
    vote_all(request, members)
    with pytest.raises(services.LabellingError, match="motivée"):
        services.decision_record(
            request=request, actor=cheffe, outcome=Outcome.LABELLED, motivation=" "
        )
    assert Project.objects.get(pk=request.project_id).status == Status.IN_COMMITTEE
    services.decision_record(
        request=request, actor=cheffe, outcome=Outcome.LABELLED, motivation="Oui."
    )
    with pytest.raises(services.LabellingError):
        services.decision_record(
            request=request, actor=cheffe, outcome=Outcome.NOT_LABELLED, motivation="Non."
        )
    assert Decision.objects.count() == 1


def test_a_correction_is_a_new_audited_record(members, cheffe, django_capture_on_commit_callbacks):
    request = LabellingRequestFactory()
    vote_all(request, members)
    original = services.decision_record(
        request=request, actor=cheffe, outcome=Outcome.LABELLED, motivation="Oui."
    )
    with django_capture_on_commit_callbacks(execute=True):
        correction = services.decision_correct(
            decision=original,
            actor=cheffe,
            outcome=Outcome.POSTPONED,
            motivation="Pièce manquante découverte après la séance.",
            reason="Erreur matérielle",
        )
    original.refresh_from_db()
    assert original.outcome == Outcome.LABELLED  # untouched
    assert correction.corrects == original
    project = Project.objects.get(pk=request.project_id)
    assert project.status == Status.POSTPONED
    assert project.label_number == ""
    assert StatusChange.objects.filter(
        project=project, to_status=Status.POSTPONED, note="Erreur matérielle"
    ).exists()
    assert "corrigée" in mail.outbox[-1].body
    with pytest.raises(services.LabellingError):
        services.decision_correct(
            decision=original, actor=cheffe, outcome=Outcome.LABELLED, motivation="x", reason="y"
        )


def test_closing_the_session_closes_every_vote(cheffe):
    session = CommitteeSessionFactory()
    requests = [LabellingRequestFactory(session=session) for _ in range(3)]
    services.session_close(session=session, actor=cheffe)
    assert all(LabellingRequest.objects.get(pk=r.pk).vote_closed_at for r in requests)
    with pytest.raises(services.LabellingError):
        services.session_close(session=session, actor=cheffe)


def test_decisions_and_votes_cannot_be_edited_or_deleted_in_the_admin(
    client, admin_user, members, cheffe
):
    request = LabellingRequestFactory()
    vote = services.vote_cast(
        request=request, member=members["cigales"], overall="favorable", assessments=ALL_MET
    )
    decision = Decision.objects.create(
        request=request,
        outcome="labelled",
        proposed_outcome="labelled",
        motivation="Oui.",
        recorded_by=cheffe,
    )
    client.force_login(admin_user)
    for url in (
        f"/admin/labelling/decision/{decision.pk}/change/",
        f"/admin/labelling/vote/{vote.pk}/change/",
    ):
        response = client.post(
            url, {"outcome": "not_labelled", "overall": "unfavorable", "motivation": "Non."}
        )
        assert response.status_code == 403
    assert (
        client.post(f"/admin/labelling/decision/{decision.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    decision.refresh_from_db()
    vote.refresh_from_db()
    assert (decision.outcome, vote.overall) == ("labelled", "favorable")
    assert (
        client.get(f"/admin/labelling/decision/{decision.pk}/change/").status_code == 200
    )  # readable
