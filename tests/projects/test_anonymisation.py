"""Anonymisation: every personal field of every row of a dossier, files after commit, all or
nothing, and the nightly task going on past a dossier that fails."""

import html
import logging
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessLog
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, models
from django.test import TestCase
from django.utils import timezone

from accounts.models import DeletionRequest, User
from campaigns.models import Campaign, FigureSnapshot
from campaigns.selectors import funnel, key_figures
from coaching.models import FinancingLine, FirstMeeting, Interaction, Reminder, RewardTier
from labelling import selectors as labelling_selectors
from labelling.models import Criterion, CriterionAssessment, Decision, LabellingRequest, Vote
from projects import personal_data, services, tasks
from projects.models import AnonymisationFailure, Document, Project, Status, StatusChange
from tests.campaigns.factories import CampaignFactory
from tests.factories import CommitteeMemberFactory, ProjectFactory, UserFactory
from tests.labelling.factories import CommitteeSessionFactory

pytestmark = pytest.mark.django_db

# The porteur's personal strings: none of them may be left anywhere after the anonymisation.
NAME = "Zoé Marchandise"
EMAIL = "zoe.marchandise@example.org"
PHONE = "0612345678"
MARKERS = ("Marchandise", "marchandise", PHONE, "Boulangerie Zoé")


def _texts(value) -> str:
    return "" if value is None else str(value)


def leftovers() -> list[str]:
    """Every text of every row of the project's models (and the admin's journal) that still
    holds one of the porteur's strings."""
    found = []
    names = {"accounts", "projects", "coaching", "labelling", "campaigns"}
    models_to_scan = [m for m in apps.get_models() if m._meta.app_label in names]
    models_to_scan += [LogEntry, AccessAttempt, AccessLog]
    for model in models_to_scan:
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(
                f, models.CharField | models.TextField | models.FileField | models.JSONField
            )
        ]
        if model is DeletionRequest:
            fields.remove("email")  # kept on purpose: the proof the request was honoured
        for row in model._default_manager.values("pk", *fields):
            for name in fields:
                text = _texts(row[name])
                if any(marker in text for marker in MARKERS):
                    found.append(f"{model._meta.label}.{name} (#{row['pk']}): {text[:60]}")
    return found


def statistics(project: Project, request: LabellingRequest) -> dict:
    tally = labelling_selectors.tally(request)
    return {
        "key_figures": asdict(key_figures()),
        "funnel": [asdict(step) for step in funnel(date(2015, 11, 1), date(2027, 12, 31))],
        "tally": (tally.favorable, tally.unfavorable, tally.abstentions, tally.proposed_outcome),
        "plan": sorted(
            FinancingLine.objects.filter(meeting__project=project).values_list("source", "amount")
        ),
        "rewards": sorted(
            RewardTier.objects.filter(meeting__project=project).values_list("amount", "quantity")
        ),
        "statuses": list(
            StatusChange.objects.filter(project=project).values_list("to_status", flat=True)
        ),
        "project": Project.objects.filter(pk=project.pk)
        .values(
            "reference",
            "status",
            "category",
            "commune",
            "total_budget",
            "crowdfunding_amount",
            "label_number",
            "partner",
        )
        .get(),
    }


def upload(project, actor, name: str) -> Document:
    # The file reaches its final name once the upload commits: run those callbacks here.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.document_add(
            project=project,
            actor=actor,
            kind="financing_plan",
            upload=SimpleUploadedFile(name, b"%PDF-1.4 plan de Zoe Marchandise"),
            original_name=name,
            content_type="application/pdf",
        )


def full_dossier(cheffe, *, status=Status.CAMPAIGN_ENDED, reference=None) -> Project:
    """A dossier with every kind of row, each text naming the porteur."""
    owner = UserFactory(email=EMAIL, first_name="Zoé", last_name="Marchandise", phone=PHONE)
    extra = {"reference": reference} if reference else {}
    project = ProjectFactory(
        owner=owner,
        status=status,
        coach=cheffe,
        contact_first_name="Zoé",
        contact_last_name="Marchandise",
        contact_email=EMAIL,
        contact_phone=PHONE,
        structure_name="Boulangerie Zoé Marchandise",
        siret="73282932000074",
        title="Le fournil de Zoé Marchandise",
        summary=f"Le projet de {NAME}.",
        description=f"{NAME} ouvre un fournil ; appelez-la au {PHONE}.",
        label_number="PS-2026-07",
        publish_agreed=True,
        latitude=Decimal("50.43"),
        longitude=Decimal("2.83"),
        **extra,
    )
    for to_status in (
        Status.CONTACT,
        Status.FIRST_MEETING_DONE,
        Status.COACHING,
        Status.LABELLING_REQUESTED,
        Status.IN_COMMITTEE,
        Status.LABELLED,
        Status.CAMPAIGN_RUNNING,
        Status.CAMPAIGN_ENDED,
    ):
        StatusChange.objects.create(
            project=project, to_status=to_status, actor=cheffe, note=f"Échange avec {NAME}"
        )
    meeting = FirstMeeting.objects.create(
        project=project,
        organiser=cheffe,
        scheduled_at=datetime(2026, 3, 3, 13, tzinfo=UTC),
        location=f"Chez {NAME}, 3 rue Haute, Lens",
        video_link="https://visio.example.org/marchandise",
        reported_at=datetime(2026, 3, 3, 16, tzinfo=UTC),
        relevance="yes",
        relevance_reasoning=f"{NAME} a une clientèle fidèle.",
        next_steps=f"Rappeler {NAME}.",
        outcome="continue",
    )
    FinancingLine.objects.create(
        meeting=meeting, source="own_funds", label=f"Apport de {NAME}", amount=Decimal("12000")
    )
    FinancingLine.objects.create(
        meeting=meeting, source="crowdfunding", label="Ulule", amount=Decimal("8000")
    )
    RewardTier.objects.create(
        meeting=meeting, amount=Decimal("20"), description=f"Un pain signé {NAME}", quantity=50
    )
    interaction = Interaction.objects.create(
        project=project,
        author=cheffe,
        kind="phone",
        happened_on=date(2026, 4, 2),
        phase="before",
        internal_notes=f"{NAME} est inquiète.",
        shared_note=f"Bravo {NAME} !",
        next_action=f"Rappeler {NAME} au {PHONE}",
        next_action_due=date(2026, 4, 20),  # the dated next action that used to block it all
    )
    Reminder.objects.create(
        project=project,
        recipient=cheffe,
        kind="next_action",
        key=f"interaction-{interaction.pk}",
        message=f"Rappeler {NAME}",
        due_at=datetime(2026, 4, 20, 7, tzinfo=UTC),
        interaction=interaction,
        last_error=f"refusé pour {EMAIL}",
    )
    session = CommitteeSessionFactory(created_by=cheffe)
    request = LabellingRequest.objects.create(
        project=project,
        requested_by=owner,
        session=session,
        cheffe_opinion=f"Avis favorable sur le fournil de {NAME}.",
        vote_closed_at=timezone.now(),
    )
    criteria = list(Criterion.objects.all())
    for overall in ("favorable", "favorable", "favorable", "unfavorable"):
        member = CommitteeMemberFactory()
        vote = Vote.objects.create(
            request=request,
            organisation=member.organisation,
            member=member,
            overall=overall,
            comment=f"{NAME} connaît son métier.",
        )
        CriterionAssessment.objects.bulk_create(
            CriterionAssessment(vote=vote, criterion=c, met=True, comment=f"Critère vu avec {NAME}")
            for c in criteria
        )
    original = Decision.objects.create(
        request=request,
        outcome="labelled",
        proposed_outcome="labelled",
        motivation=f"Le projet de {NAME} remplit les critères.",
        favorable=3,
        unfavorable=1,
        quorum_reached=True,
        label_number="PS-2026-07",
        recorded_by=cheffe,
    )
    Decision.objects.create(
        request=request,
        outcome="labelled",
        proposed_outcome="labelled",
        motivation=f"Motivation corrigée pour {NAME}.",
        corrects=original,
        correction_reason=f"Faute de frappe dans le nom de {NAME}.",
        favorable=3,
        unfavorable=1,
        quorum_reached=True,
        recorded_by=cheffe,
    )
    campaign = CampaignFactory(
        project=project,
        url="https://fr.ulule.com/fournil-zoe-marchandise/",
        status="succeeded",
        launched_on=date(2026, 6, 1),
        finished_on=date(2026, 7, 10),
        final_amount=Decimal("9100"),
        final_contributors=140,
    )
    FigureSnapshot.objects.create(
        campaign=campaign,
        taken_at=datetime(2026, 6, 15, tzinfo=UTC),
        amount=Decimal("4000"),
        contributors=60,
        source="platform",
    )
    for changed in (Project.objects.filter(pk=project.pk), User.objects.filter(pk=owner.pk)):
        LogEntry.objects.log_actions(
            user_id=cheffe.pk,
            queryset=changed,
            action_flag=CHANGE,
            change_message='[{"changed": {"fields": ["title"]}}]',
            single_object=True,
        )
    # Her logins, and a failed one, in django-axes' journal.
    login = {"ip_address": "192.0.2.7", "user_agent": "Firefox", "http_accept": "*/*"}
    AccessLog.objects.create(username=EMAIL, path_info="/compte/connexion/", **login)
    AccessAttempt.objects.create(
        username=EMAIL.upper(),
        path_info="/compte/connexion/",
        get_data="",
        post_data=f"username={EMAIL}",
        failures_since_start=1,
        **login,
    )
    return project


def test_an_erasure_request_leaves_nothing_personal_keeps_the_figures_and_removes_the_files(
    cheffe, django_capture_on_commit_callbacks
):
    project = full_dossier(cheffe)
    documents = [upload(project, cheffe, "plan-zoe-marchandise.pdf")]
    documents.append(upload(project, project.owner, "budget.pdf"))
    Document.objects.create(
        project=project,
        kind="video",
        url="https://video.example.org/zoe-marchandise",
        uploaded_by=project.owner,
    )
    paths = [Path(document.file.path) for document in documents]
    assert all(path.exists() for path in paths)
    request = project.labelling_requests.get()
    before = statistics(project, request)
    assert leftovers()  # the scan sees them before
    erasure = DeletionRequest.objects.create(
        user=project.owner, email=EMAIL, message=f"Effacez tout, {NAME}"
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert services.deletion_request_process(request=erasure, actor=cheffe) == 1

    assert leftovers() == []
    assert statistics(project, request) == before
    assert not any(path.exists() for path in paths)
    assert not Document.objects.filter(project=project).exists()
    assert not Reminder.objects.filter(project=project).exists()
    interaction = Interaction.objects.get(project=project)
    assert (interaction.next_action, interaction.next_action_due) == ("", None)
    project.refresh_from_db()
    assert project.anonymised_at is not None and project.owner is None
    assert (project.publish_agreed, project.latitude, project.slug) == (
        False,
        None,
        f"anonyme-{project.reference.lower()}",
    )
    assert Campaign.objects.get(project=project).url == ""
    assert not AnonymisationFailure.objects.exists()


def test_the_team_button_anonymises_a_dossier_with_a_dated_next_action(
    client, cheffe, django_capture_on_commit_callbacks
):
    project = ProjectFactory(status=Status.ABANDONED, coach=cheffe)
    Interaction.objects.create(
        project=project,
        author=cheffe,
        kind="phone",
        happened_on=date(2026, 4, 2),
        phase="before",
        next_action="Rappeler",
        next_action_due=date(2026, 4, 20),
    )
    client.force_login(cheffe)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/accompagnement/dossiers/{project.reference}/anonymiser/",
            {"reason": "Demande par téléphone", "confirm": "on"},
            follow=True,
        )
    assert response.status_code == 200
    assert "Le dossier est anonymisé" in response.content.decode()
    assert Project.objects.get(pk=project.pk).anonymised_at is not None


@pytest.fixture
def failing(monkeypatch):
    """Make the anonymisation of the given dossiers fail at its very end, after their
    documents were deleted in the transaction (as the check constraint used to)."""
    doomed: set[int] = set()

    def rows(project):
        if project.pk in doomed:
            raise IntegrityError("CHECK constraint failed: simulated\nDETAIL: Zoé Marchandise")
        return Project.objects.none()

    entry = personal_data.Entry(model=Project, dossier=rows)
    monkeypatch.setitem(personal_data.REGISTRY, "tests.Failing", entry)
    return doomed


def test_a_failed_anonymisation_keeps_the_files_and_the_rows_and_tells_the_team(
    client, cheffe, failing, django_capture_on_commit_callbacks
):
    project = full_dossier(cheffe)
    document = upload(project, cheffe, "plan.pdf")
    path = Path(document.file.path)
    failing.add(project.pk)

    client.force_login(cheffe)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/accompagnement/dossiers/{project.reference}/anonymiser/",
            {"reason": "Demande écrite", "confirm": "on"},
            follow=True,
        )
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert f"L'anonymisation du dossier {project.reference} a échoué" in page
    assert path.exists()
    project.refresh_from_db()
    assert project.anonymised_at is None and project.contact_email == EMAIL
    assert Document.objects.filter(pk=document.pk).exists()
    assert client.get(f"/documents/{document.pk}/").status_code == 200
    failure = AnonymisationFailure.objects.get(project=project)
    assert failure.error == "IntegrityError: CHECK constraint failed: simulated"
    # The team sees it on the personal-data page and on the dashboard.
    privacy = html.unescape(client.get("/accompagnement/donnees-personnelles/").content.decode())
    assert "Anonymisations en échec" in privacy and project.reference in privacy
    assert "1 dossier n'a pas pu être anonymisé" in html.unescape(
        client.get("/accompagnement/").content.decode()
    )

    # Once the cause is fixed, the next attempt succeeds and clears the failure.
    failing.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.project_anonymise(project=project, actor=cheffe, reason="encore")
    assert not path.exists()
    assert not AnonymisationFailure.objects.exists()
    assert "n'a pas pu" not in html.unescape(client.get("/accompagnement/").content.decode())


def test_an_erasure_request_that_fails_stays_to_process_with_a_french_message(
    client, cheffe, failing, django_capture_on_commit_callbacks
):
    project = full_dossier(cheffe)
    path = Path(upload(project, cheffe, "plan.pdf").file.path)
    erasure = DeletionRequest.objects.create(user=project.owner, email=EMAIL, message="Merci")
    failing.add(project.pk)
    client.force_login(cheffe)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accompagnement/donnees-personnelles/", {"request": erasure.pk}, follow=True
        )
    assert response.status_code == 200
    assert "a échoué\u00a0; rien n'a été modifié" in html.unescape(response.content.decode())
    erasure.refresh_from_db()
    assert (erasure.processed_at, erasure.message) == (None, "Merci")
    assert User.objects.get(pk=project.owner_id).email == EMAIL
    assert path.exists()
    assert AnonymisationFailure.objects.filter(project=project).exists()


def test_the_nightly_task_goes_on_past_a_failing_dossier_and_reports_it(
    client, cheffe, settings, time_machine, failing, caplog, django_capture_on_commit_callbacks
):
    time_machine.move_to(datetime(2026, 11, 26, 3, 30, tzinfo=UTC), tick=False)
    settings.DATA_RETENTION_DAYS = 3 * 365
    ages = [datetime(2021, 1, 1, tzinfo=UTC), datetime(2022, 1, 1, tzinfo=UTC)]
    ages.append(datetime(2023, 1, 1, tzinfo=UTC))
    dossiers = []
    for age in ages:
        project = ProjectFactory(status=Status.ABANDONED, coach=cheffe)
        Interaction.objects.create(
            project=project,
            author=cheffe,
            kind="phone",
            happened_on=date(2020, 12, 1),
            phase="before",
            next_action="Rappeler",
            next_action_due=date(2020, 12, 20),
        )
        Project.objects.filter(pk=project.pk).update(status_changed_at=age)
        dossiers.append(project)
    oldest, failing_one, newest = dossiers
    path = Path(upload(failing_one, cheffe, "plan.pdf").file.path)
    failing.add(failing_one.pk)

    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        assert tasks.anonymise_expired_dossiers() == 2
    anonymised = set(Project.objects.filter(anonymised_at__isnull=False))
    assert anonymised == {oldest, newest}
    assert path.exists()
    assert any(failing_one.reference in record.getMessage() for record in caplog.records)
    assert AnonymisationFailure.objects.get().project == failing_one
    client.force_login(cheffe)
    assert "1 dossier n'a pas pu être anonymisé" in html.unescape(
        client.get("/accompagnement/").content.decode()
    )

    # The next night, a second failure counts as one more attempt; then it works.
    time_machine.shift(timedelta(days=1))
    assert tasks.anonymise_expired_dossiers() == 0
    assert AnonymisationFailure.objects.get().attempts == 2
    failing.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.anonymise_expired_dossiers() == 1
    assert not path.exists()
    assert not AnonymisationFailure.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_with_real_transactions_only_the_committed_dossiers_lose_their_files(
    cheffe, settings, failing
):
    settings.DATA_RETENTION_DAYS = 30
    long_ago = timezone.now() - timedelta(days=365)
    kept, erased = (ProjectFactory(status=Status.ABANDONED) for _ in range(2))
    Project.objects.filter(pk__in=[kept.pk, erased.pk]).update(status_changed_at=long_ago)
    kept_path = Path(upload(kept, cheffe, "a.pdf").file.path)
    erased_path = Path(upload(erased, cheffe, "b.pdf").file.path)
    failing.add(kept.pk)

    assert tasks.anonymise_expired_dossiers() == 1

    assert kept_path.exists() and Document.objects.filter(project=kept).exists()
    assert not erased_path.exists() and not Document.objects.filter(project=erased).exists()
    assert AnonymisationFailure.objects.get().project_id == kept.pk
