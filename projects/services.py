"""Everything that changes a dossier: its submission, its owner, and each status transition.

Views, admin actions, commands and the other apps (coaching, labelling, campaigns) call these
functions, so the status history is always complete.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.services import ServiceRefused, user_create
from outbox import emails
from propulsons.public_cache import public_content_changed

from . import personal_data, uploads
from .models import (
    ACTIVE_STATUSES,
    ALLOWED_TRANSITIONS,
    AnonymisationFailure,
    Document,
    Project,
    ReferenceCounter,
    Status,
    StatusChange,
    private_storage,
)

logger = logging.getLogger(__name__)

CLAIM_SALT = "projects.claim"
CLAIM_MAX_AGE = 60 * 60 * 24 * 30  # a claim link stays valid 30 days
# A porteur may ask for the claim link again at most once in this many minutes per dossier:
# enough to recover from a lost or expired email, too little to flood a mailbox.
CLAIM_RESEND_MINUTES = 10


class TransitionError(ServiceRefused):
    """A transition that the workflow does not allow, or that another request already made."""


# The fields a porteur fills in on the intake form (and may edit before the committee).
INTAKE_FIELDS = (
    "contact_first_name",
    "contact_last_name",
    "contact_email",
    "contact_phone",
    "structure_name",
    "legal_form",
    "siret",
    "title",
    "summary",
    "description",
    "category",
    "commune",
    "total_budget",
    "crowdfunding_amount",
    "financing_type",
    "wished_campaign_start",
    "partner",
    "heard_from",
    "publish_agreed",
)


def _next_reference(year: int) -> str:
    # The counter row is locked by the UPDATE until the transaction ends, so two submissions
    # at the same moment get two different numbers.
    ReferenceCounter.objects.get_or_create(year=year)
    ReferenceCounter.objects.filter(year=year).update(last_number=F("last_number") + 1)
    number = ReferenceCounter.objects.get(year=year).last_number
    return f"P-{year}-{number:04d}"


def claim_token_make(project: Project) -> str:
    return signing.dumps({"project": project.pk}, salt=CLAIM_SALT)


def claim_token_read(token: str) -> int:
    """The project id in a claim link; raises signing.BadSignature when forged or expired."""
    return signing.loads(token, salt=CLAIM_SALT, max_age=CLAIM_MAX_AGE)["project"]


@transaction.atomic
def project_submit(
    *,
    details: dict[str, Any],
    submitted_by: User | None = None,
    now: datetime | None = None,
    notify: bool = True,
) -> Project:
    """Record a dossier from the intake form, in status "prise de contact", and send the emails.

    A new email address gets a porteur account at once, with a link to choose a password. An
    address that already has an account is never attached silently: its owner confirms, through
    the link in the email, while logged in.
    """
    now = now or timezone.now()
    email = details["contact_email"].strip().lower()
    project = Project(
        **{field: details[field] for field in INTAKE_FIELDS if field in details},
        reference=_next_reference(timezone.localtime(now).year),
        status=Status.CONTACT,
        consent_at=now,
    )
    project.contact_email = email
    project.siret = project.siret or ""
    # A stable public address: the title as it was submitted, made unique by the reference.
    project.slug = f"{slugify(project.title)[:80]}-{project.reference.lower()}"

    existing = User.objects.filter(email__iexact=email).first()
    new_account = None
    if existing is None:
        new_account = user_create(
            email=email,
            role=Role.PORTEUR,
            first_name=project.contact_first_name,
            last_name=project.contact_last_name,
            phone=project.contact_phone,
        )
        project.owner = new_account
    elif submitted_by is not None and submitted_by.pk == existing.pk:
        # Logged in with that very address: nothing to confirm.
        project.owner = existing
    elif notify:
        project.claim_link_sent_at = now  # the link leaves with the confirmation below
    project.save()
    StatusChange.objects.create(
        project=project, from_status="", to_status=Status.CONTACT, actor=submitted_by
    )
    # The figures' funnel counts the new contact.
    public_content_changed()

    if not notify:  # demo data and imports: no mail to anyone
        return project
    context: dict[str, Any] = {"project": project}
    if new_account is not None:
        context["uid"] = urlsafe_base64_encode(force_bytes(new_account.pk))
        context["token"] = default_token_generator.make_token(new_account)
    elif project.owner is None:
        context["claim_token"] = claim_token_make(project)
    emails.send("project_submitted", to=[email], context=context)
    emails.send("project_submitted_team", to=[settings.TEAM_EMAIL], context={"project": project})
    return project


@transaction.atomic
def project_claim(*, project: Project, user: User) -> Project:
    """Attach a dossier to the account that owns its contact address, once, on confirmation."""
    if user.email.lower() != project.contact_email.lower():
        raise TransitionError(_("Ce dossier a été déposé avec une autre adresse électronique."))
    updated = Project.objects.filter(pk=project.pk, owner__isnull=True).update(owner=user)
    if not updated:
        project.refresh_from_db(fields=["owner"])
        if project.owner_id != user.pk:
            raise TransitionError(_("Ce dossier est déjà rattaché à un compte."))
        return project
    project.owner = user
    return project


class ClaimLinkThrottled(ServiceRefused):
    """The claim link of this dossier was emailed less than CLAIM_RESEND_MINUTES ago."""


@transaction.atomic
def project_claim_link_resend(*, project: Project, user: User, now: datetime | None = None) -> None:
    """Email the link that attaches `project` to `user`'s account again (the first one was
    lost or has expired), to the dossier's own address, at most once per
    CLAIM_RESEND_MINUTES: a conditional UPDATE, so two clicks send one email."""
    if user.email.lower() != project.contact_email.lower():
        raise TransitionError(_("Ce dossier a été déposé avec une autre adresse électronique."))
    now = now or timezone.now()
    allowed = models.Q(claim_link_sent_at__isnull=True) | models.Q(
        claim_link_sent_at__lte=now - timedelta(minutes=CLAIM_RESEND_MINUTES)
    )
    sent = Project.objects.filter(allowed, pk=project.pk, owner__isnull=True).update(
        claim_link_sent_at=now
    )
    if not sent:
        project.refresh_from_db(fields=["owner", "claim_link_sent_at"])
        if project.owner_id is not None:
            raise TransitionError(_("Ce dossier est déjà rattaché à un compte."))
        raise ClaimLinkThrottled(
            _(
                "Le lien vient de vous être envoyé. Consultez votre messagerie ou réessayez "
                "dans %(minutes)s minutes."
            )
            % {"minutes": CLAIM_RESEND_MINUTES}
        )
    project.claim_link_sent_at = now
    emails.send(
        "project_claim_link",
        to=[project.contact_email],
        context={"project": project, "claim_token": claim_token_make(project)},
    )


@transaction.atomic
def project_assign_coach(*, project: Project, coach: User, actor: User | None) -> Project:
    """Give an active dossier that has no cheffe de projet to `coach`.

    A conditional UPDATE (still without a cheffe, still active): of two cheffes who take the
    same dossier at once, one wins; the other gets a TransitionError naming her colleague.
    """
    if not coach.is_cheffe:
        raise TransitionError(_("Seule une cheffe de projet peut prendre un dossier."))
    updated = Project.objects.filter(
        pk=project.pk, coach__isnull=True, status__in=ACTIVE_STATUSES
    ).update(coach=coach, updated_at=timezone.now())
    if not updated:
        project.refresh_from_db(fields=["coach", "status"])
        if project.coach_id == coach.pk:
            raise TransitionError(_("Ce dossier vous est déjà confié."))
        if project.coach_id is not None:
            raise TransitionError(
                _("%(name)s vient de prendre ce dossier.") % {"name": project.coach}
            )
        raise TransitionError(_("Ce dossier n'est plus actif."))
    project.coach = coach
    return project


@transaction.atomic
def project_update_details(*, project: Project, details: dict[str, Any], actor: User) -> Project:
    """Save the porteur's edits, only while the dossier has not gone before the committee."""
    if not project_details_editable(project):
        raise TransitionError(
            _("Le dossier est devant le comité ou au-delà : il ne peut plus être modifié.")
        )
    changed = [field for field in INTAKE_FIELDS if field in details and field != "contact_email"]
    for field in changed:
        setattr(project, field, details[field])
    project.save(update_fields=[*changed, "updated_at"])
    public_content_changed()
    return project


EDITABLE_STATUSES = frozenset(
    {Status.CONTACT, Status.FIRST_MEETING_DONE, Status.COACHING, Status.POSTPONED}
)


def project_details_editable(project: Project) -> bool:
    return project.status in EDITABLE_STATUSES


def _transition(
    *, project: Project, to_status: str, actor: User | None, note: str = ""
) -> StatusChange:
    """Move the dossier from its current status to `to_status`, and record the change.

    The UPDATE only matches while the row still has the status this request read, so of two
    concurrent clicks (or workers) exactly one wins; the other gets a TransitionError.
    """
    from_status = project.status
    if to_status not in ALLOWED_TRANSITIONS[from_status]:
        raise TransitionError(
            _("Un dossier « %(from)s » ne peut pas passer à « %(to)s ».")
            % {"from": Status(from_status).label, "to": Status(to_status).label}
        )
    now = timezone.now()
    updated = Project.objects.filter(pk=project.pk, status=from_status).update(
        status=to_status, status_changed_at=now, updated_at=now
    )
    if updated != 1:
        raise TransitionError(
            _("Le statut du dossier vient d'être modifié par ailleurs : rechargez la page.")
        )
    project.status = to_status
    project.status_changed_at = now
    # Every transition counts in the figures' funnel; some publish or unpublish a project.
    public_content_changed()
    return StatusChange.objects.create(
        project=project, from_status=from_status, to_status=to_status, actor=actor, note=note
    )


@transaction.atomic
def project_record_first_meeting(
    *, project: Project, actor: User | None, note: str = ""
) -> StatusChange:
    return _transition(project=project, to_status=Status.FIRST_MEETING_DONE, actor=actor, note=note)


@transaction.atomic
def project_start_coaching(*, project: Project, actor: User | None, note: str = "") -> StatusChange:
    return _transition(project=project, to_status=Status.COACHING, actor=actor, note=note)


@transaction.atomic
def project_request_labelling(
    *, project: Project, actor: User | None, note: str = ""
) -> StatusChange:
    return _transition(
        project=project, to_status=Status.LABELLING_REQUESTED, actor=actor, note=note
    )


@transaction.atomic
def project_put_before_committee(
    *, project: Project, actor: User | None, note: str = ""
) -> StatusChange:
    return _transition(project=project, to_status=Status.IN_COMMITTEE, actor=actor, note=note)


COMMITTEE_OUTCOMES = frozenset({Status.LABELLED, Status.NOT_LABELLED, Status.POSTPONED})


@transaction.atomic
def project_record_committee_outcome(
    *, project: Project, outcome: str, actor: User | None, note: str = ""
) -> StatusChange:
    if outcome not in COMMITTEE_OUTCOMES:
        raise TransitionError(_("Issue de comité inconnue."))
    return _transition(project=project, to_status=outcome, actor=actor, note=note)


@transaction.atomic
def project_start_campaign(*, project: Project, actor: User | None, note: str = "") -> StatusChange:
    return _transition(project=project, to_status=Status.CAMPAIGN_RUNNING, actor=actor, note=note)


@transaction.atomic
def project_end_campaign(*, project: Project, actor: User | None, note: str = "") -> StatusChange:
    return _transition(project=project, to_status=Status.CAMPAIGN_ENDED, actor=actor, note=note)


@transaction.atomic
def project_close(*, project: Project, actor: User | None, note: str = "") -> StatusChange:
    return _transition(project=project, to_status=Status.CLOSED, actor=actor, note=note)


@transaction.atomic
def project_abandon(*, project: Project, actor: User | None, reason: str) -> StatusChange:
    if not reason.strip():
        raise TransitionError(_("Indiquez la raison de l'abandon."))
    return _transition(project=project, to_status=Status.ABANDONED, actor=actor, note=reason)


@transaction.atomic
def project_reorient(*, project: Project, actor: User | None, reason: str) -> StatusChange:
    if not reason.strip():
        raise TransitionError(_("Indiquez vers quel dispositif le projet est réorienté."))
    return _transition(project=project, to_status=Status.REORIENTED, actor=actor, note=reason)


def document_add(
    *,
    project: Project,
    actor: User,
    kind: str,
    upload=None,
    url: str = "",
    original_name: str = "",
    content_type: str = "",
) -> Document:
    """Attach a checked file (stored privately under a random name) or a video link.

    The file is written under a temporary name first and renamed to its final one only once
    the row is committed: whatever fails (the insert, the caller's transaction, the disk), no
    file is left under a name a row could point to. Raises OSError when the disk refuses it.
    """
    document = Document(
        project=project,
        kind=kind,
        url=url if upload is None else "",
        original_name=original_name,
        content_type=content_type,
        size=upload.size if upload is not None else 0,
        uploaded_by=actor,
    )
    if upload is None:
        with transaction.atomic():
            document.save()
        return document
    final_name = document.file.field.generate_filename(document, "document")
    temporary_name = uploads.stage_upload(upload, final_name)
    try:
        with transaction.atomic():
            document.file.name = final_name
            document.save()
            uploads.move_into_place_on_commit(temporary_name, final_name)
    except BaseException:
        uploads.discard_staged(temporary_name)
        raise
    return document


# A recorded committee decision can be corrected (labelling.decision_correct): these are the
# moves a correction may make, outside the normal life cycle.
OUTCOME_CORRECTIONS = {
    Status.LABELLED: frozenset({Status.NOT_LABELLED, Status.POSTPONED}),
    Status.NOT_LABELLED: frozenset({Status.LABELLED, Status.POSTPONED}),
    Status.POSTPONED: frozenset({Status.LABELLED, Status.NOT_LABELLED}),
}


@transaction.atomic
def project_correct_committee_outcome(
    *, project: Project, from_outcome: str, to_outcome: str, actor: User, note: str
) -> StatusChange:
    if to_outcome not in OUTCOME_CORRECTIONS.get(from_outcome, frozenset()):
        raise TransitionError(_("Cette correction de décision n'est pas possible."))
    now = timezone.now()
    updated = Project.objects.filter(pk=project.pk, status=from_outcome).update(
        status=to_outcome, status_changed_at=now, updated_at=now
    )
    if updated != 1:
        raise TransitionError(
            _(
                "Le dossier a changé de statut depuis la décision : "
                "la correction n'est plus possible."
            )
        )
    project.status = to_outcome
    project.status_changed_at = now
    public_content_changed()
    return StatusChange.objects.create(
        project=project, from_status=from_outcome, to_status=to_outcome, actor=actor, note=note
    )


@transaction.atomic
def project_set_label(*, project: Project, number: str, labelled_on) -> None:
    """The label's number and date, given by the committee's decision (or removed by its
    correction)."""
    project.label_number = number
    project.labelled_on = labelled_on
    project.save(update_fields=["label_number", "labelled_on", "updated_at"])
    public_content_changed()


# --- Personal data (GDPR) -------------------------------------------------------------------

# Dossiers that never went further are anonymised after the retention period.
STOPPED_STATUSES = (Status.CONTACT, Status.ABANDONED, Status.REORIENTED)


class AnonymisationFailed(ServiceRefused):
    """Anonymising a dossier failed and changed nothing (rows and files as they were); the
    failure is recorded for the team. The message is for the user, as every refusal's."""

    def __init__(self, project: Project, error: Exception):
        self.project = project
        self.error = error
        super().__init__(
            _(
                "L'anonymisation du dossier %(reference)s a échoué ; rien n'a été modifié. "
                "L'échec est signalé à l'équipe sur la page des données personnelles."
            )
            % {"reference": project.reference}
        )


def _anonymisation_failure_record(project: Project, error: Exception) -> None:
    """Keep the failure where the team sees it (the personal-data page and the dashboard)."""
    lines = str(error).strip().splitlines()
    summary = f"{type(error).__name__}: {lines[0] if lines else ''}"[:300]
    now = timezone.now()
    try:
        with transaction.atomic():
            updated = AnonymisationFailure.objects.filter(project=project).update(
                last_failed_at=now, attempts=F("attempts") + 1, error=summary
            )
            if not updated:
                AnonymisationFailure.objects.create(
                    project=project, last_failed_at=now, error=summary
                )
    except Exception:
        # The database itself may be what failed: the log keeps it, the next dossiers go on.
        logger.exception("could not record the failed anonymisation of %s", project.reference)


def project_anonymise(*, project: Project, actor: User | None, reason: str) -> bool:
    """Erase the personal data of a dossier as projects/personal_data.py lists it, keep what
    the statistics need (reference, dates, statuses, commune, category, amounts, partner,
    campaigns' figures). Idempotent: False when it was already anonymised.

    All or nothing: the files of its documents leave the disk only once the transaction has
    committed. On failure nothing changes, the failure is logged and recorded for the team,
    and AnonymisationFailed is raised.
    """
    try:
        with transaction.atomic():
            return _anonymise(project=project, actor=actor, reason=reason)
    except Exception as error:
        logger.exception("anonymisation of dossier %s failed", project.reference)
        _anonymisation_failure_record(project, error)
        raise AnonymisationFailed(project, error) from error


def _anonymise(*, project: Project, actor: User | None, reason: str) -> bool:
    now = timezone.now()
    claimed = Project.objects.filter(pk=project.pk, anonymised_at__isnull=True).update(
        anonymised_at=now, updated_at=now
    )
    if not claimed:
        return False
    files = personal_data.erase_dossier_rows(project)
    public_content_changed()
    transaction.on_commit(lambda: personal_data.remove_files(files))
    if actor is not None:
        from django.contrib.admin.models import CHANGE, LogEntry

        LogEntry.objects.log_actions(
            user_id=actor.pk,
            queryset=Project.objects.filter(pk=project.pk),
            action_flag=CHANGE,
            change_message=_("Dossier anonymisé : %(reason)s") % {"reason": reason},
            single_object=True,
        )
    project.refresh_from_db()
    return True


def projects_anonymise_expired(*, now: datetime | None = None) -> tuple[int, int]:
    """Anonymise the dossiers stopped for longer than the retention period, oldest first, each
    in its own transaction: one that fails is logged and recorded, and the others go on.
    Returns (anonymised, failed); a second run finds nothing more to do but the failures."""
    now = now or timezone.now()
    limit = now - timedelta(days=settings.DATA_RETENTION_DAYS)
    expired = list(
        Project.objects.filter(
            status__in=STOPPED_STATUSES, status_changed_at__lt=limit, anonymised_at__isnull=True
        ).order_by("status_changed_at", "pk")
    )
    done = failed = 0
    for project in expired:
        try:
            done += project_anonymise(
                project=project, actor=None, reason=_("durée de conservation écoulée")
            )
        except AnonymisationFailed:
            failed += 1  # logged and recorded by project_anonymise
    return done, failed


def personal_data_export(*, user: User) -> dict[str, Any]:
    """Everything Propulsons! holds about a porteur, for the right of access (JSON)."""
    projects = (
        Project.objects.filter(owner=user)
        .select_related("commune", "partner")
        .prefetch_related("status_changes", "documents", "labelling_requests__decisions")
    )
    data: dict[str, Any] = {
        "compte": {
            "adresse_electronique": user.email,
            "prenom": user.first_name,
            "nom": user.last_name,
            "telephone": user.phone,
            "inscrit_le": user.date_joined.isoformat(),
            "derniere_connexion": user.last_login.isoformat() if user.last_login else None,
        },
        "dossiers": [],
    }
    for project in projects:
        data["dossiers"].append(
            {
                "reference": project.reference,
                "statut": project.get_status_display(),
                "contact": {
                    "prenom": project.contact_first_name,
                    "nom": project.contact_last_name,
                    "adresse_electronique": project.contact_email,
                    "telephone": project.contact_phone,
                },
                "structure": {
                    "nom": project.structure_name,
                    "forme_juridique": project.get_legal_form_display(),
                    "siret": project.siret,
                },
                "projet": {
                    "titre": project.title,
                    "resume": project.summary,
                    "description": project.description,
                    "categorie": project.get_category_display(),
                    "commune": project.commune.name,
                    "budget_total": str(project.total_budget),
                    "montant_participatif": str(project.crowdfunding_amount),
                    "type_financement": project.get_financing_type_display(),
                    "partenaire": str(project.partner or ""),
                    "presentation_publique_acceptee": project.publish_agreed,
                },
                "consentement_le": project.consent_at.isoformat(),
                "historique": [
                    {"statut": change.get_to_status_display(), "le": change.created_at.isoformat()}
                    for change in project.status_changes.all()
                ],
                "documents": [
                    {
                        "type": document.get_kind_display(),
                        "nom": document.original_name or document.url,
                        "depose_le": document.uploaded_at.isoformat(),
                    }
                    for document in project.documents.all()
                ],
                "decisions_du_comite": [
                    {
                        "decision": decision.get_outcome_display(),
                        "motivation": decision.motivation,
                        "le": decision.recorded_at.isoformat(),
                    }
                    for request in project.labelling_requests.all()
                    for decision in request.decisions.all()
                ],
            }
        )
    for extend in PERSONAL_DATA_EXPORTERS:
        extend(user, data)
    return data


# Other apps add what they hold about the porteur to the export (the notes shared with them).
PERSONAL_DATA_EXPORTERS: list[Callable[[User, dict], None]] = []


def deletion_request_process(*, request, actor: User) -> int:
    """Honour a porteur's erasure request: anonymise their dossiers, then their account; the
    request's message is erased, its address kept as the proof. All or nothing: if a dossier
    fails, the request stays to be processed (AnonymisationFailed, recorded for the team)."""
    try:
        return _deletion_request_process(request=request, actor=actor)
    except AnonymisationFailed as failure:
        # The record written inside the rolled-back transaction is gone: write it again.
        _anonymisation_failure_record(failure.project, failure.error)
        raise


@transaction.atomic
def _deletion_request_process(*, request, actor: User) -> int:
    from accounts.models import DeletionRequest
    from accounts.services import user_erase

    updated = DeletionRequest.objects.filter(pk=request.pk, processed_at__isnull=True).update(
        processed_at=timezone.now(), processed_by=actor, message=""
    )
    if not updated:
        raise TransitionError(_("Cette demande a déjà été traitée."))
    count = 0
    if request.user is not None:
        for project in Project.objects.filter(owner=request.user).order_by("pk"):
            count += project_anonymise(
                project=project, actor=actor, reason=_("demande d'effacement du porteur")
            )
        user_erase(user=request.user)
    return count


# --- Private files and their rows -----------------------------------------------------------


@dataclass
class PrivateFilesReport:
    files: int = 0
    orphans: int = 0
    orphans_removed: int = 0
    orphans_too_young: int = 0
    moves_completed: int = 0
    moves_pending: int = 0
    rows_without_file: list[str] = dataclass_field(default_factory=list)

    @property
    def orphans_left(self) -> int:
        """Orphans old enough to remove and still there."""
        return self.orphans - self.orphans_removed - self.orphans_too_young

    @property
    def healthy(self) -> bool:
        return not (self.orphans_left or self.moves_pending or self.rows_without_file)


def _private_file_fields():
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            if isinstance(model_field, models.FileField) and model_field.storage is private_storage:
                yield model, model_field.name


def _private_file_rows() -> dict[str, str]:
    """Every private file a row points to: storage name -> the row, for the report."""
    rows = {}
    for model, name in _private_file_fields():
        for pk, file_name in (
            model._default_manager.exclude(**{name: ""}).values_list("pk", name).iterator()
        ):
            rows[file_name] = f"{model._meta.label} {pk}"
    return rows


def _is_referenced(file_name: str) -> bool:
    return any(
        model._default_manager.filter(**{name: file_name}).exists()
        for model, name in _private_file_fields()
    )


def private_files_check(*, clean: bool = False, now: datetime | None = None) -> PrivateFilesReport:
    """Compare the private files with the rows that point to them: files without a row
    (orphans), rows without their file, uploads committed but not yet moved into place.

    With `clean`, orphans older than PRIVATE_FILES_ORPHAN_MIN_AGE_HOURS are removed (never
    younger ones: an upload may be in flight, its row not yet committed) and interrupted moves
    are completed. Rows without a file are only reported: what to do is a person's decision.
    """
    now = now or timezone.now()
    oldest_kept = now - timedelta(hours=settings.PRIVATE_FILES_ORPHAN_MIN_AGE_HOURS)
    report = PrivateFilesReport()
    # Rows first: a file whose row commits after this read is younger than the age limit.
    rows = _private_file_rows()
    root = Path(private_storage.location)
    on_disk, pending = set(), set()
    for path in sorted(root.rglob("*")) if root.exists() else []:
        if not path.is_file():
            continue
        name = path.relative_to(root).as_posix()
        on_disk.add(name)
        report.files += 1
        if name in rows:
            continue
        final = name.removesuffix(uploads.TEMPORARY_SUFFIX)
        if uploads.is_temporary(name) and final in rows and not (root / final).exists():
            # The row committed but the process stopped before renaming its file.
            if clean and uploads.finish_move(name, final):
                report.moves_completed += 1
                on_disk.add(final)
            else:
                report.moves_pending += 1
                pending.add(final)
            continue
        report.orphans += 1
        try:
            modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        except FileNotFoundError:
            continue
        if modified > oldest_kept:
            report.orphans_too_young += 1
        elif clean and not _is_referenced(name):
            path.unlink(missing_ok=True)
            report.orphans_removed += 1
    report.rows_without_file = sorted(
        f"{row} ({name})"
        for name, row in rows.items()
        if name not in on_disk and name not in pending and not (root / name).exists()
    )
    return report
