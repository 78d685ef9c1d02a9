"""Everything that changes a dossier: its submission, its owner, and each status transition.

Views, admin actions, commands and the other apps (coaching, labelling, campaigns) call these
functions, so the status history is always complete.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.services import ServiceRefused, user_create
from propulsons import emails

from .models import (
    ALLOWED_TRANSITIONS,
    Document,
    Project,
    ReferenceCounter,
    Status,
    StatusChange,
)

CLAIM_SALT = "projects.claim"
CLAIM_MAX_AGE = 60 * 60 * 24 * 30  # a claim link stays valid 30 days


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
    project.save()
    StatusChange.objects.create(
        project=project, from_status="", to_status=Status.CONTACT, actor=submitted_by
    )

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


@transaction.atomic
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
    """Attach a checked file (stored privately under a random name) or a video link."""
    document = Document(
        project=project,
        kind=kind,
        url=url if upload is None else "",
        original_name=original_name,
        content_type=content_type,
        size=upload.size if upload is not None else 0,
        uploaded_by=actor,
    )
    if upload is not None:
        document.file.save(original_name or "document", upload, save=False)
    document.save()
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


# --- Personal data (GDPR) -------------------------------------------------------------------

# Other apps register what they hold about a dossier's people (coaching notes...), so that
# anonymising a dossier erases it too.
PERSONAL_DATA_ERASERS: list[Callable[[Project], None]] = []

# Dossiers that never went further are anonymised after the retention period.
STOPPED_STATUSES = (Status.CONTACT, Status.ABANDONED, Status.REORIENTED)


@transaction.atomic
def project_anonymise(*, project: Project, actor: User | None, reason: str) -> bool:
    """Erase the personal data of a dossier, keep what the statistics need (reference, dates,
    statuses, commune, category, amounts, partner, campaigns' figures). Idempotent."""
    now = timezone.now()
    claimed = Project.objects.filter(pk=project.pk, anonymised_at__isnull=True).update(
        anonymised_at=now
    )
    if not claimed:
        return False
    reference = project.reference
    Project.objects.filter(pk=project.pk).update(
        contact_first_name="Anonyme",
        contact_last_name="",
        contact_email=f"anonyme-{project.pk}@anonyme.invalid",
        contact_phone="",
        structure_name=_("Structure anonymisée"),
        siret="",
        title=_("Dossier anonymisé %(reference)s") % {"reference": reference},
        summary="",
        description="",
        slug=f"anonyme-{reference.lower()}",
        owner=None,
        publish_agreed=False,
        latitude=None,
        longitude=None,
        wished_campaign_start=None,
        updated_at=now,
    )
    StatusChange.objects.filter(project=project).update(note="")
    for document in project.documents.all():
        if document.file:
            document.file.delete(save=False)
    project.documents.all().delete()
    for erase in PERSONAL_DATA_ERASERS:
        erase(project)
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


def projects_anonymise_expired(*, now: datetime | None = None) -> int:
    """Anonymise the dossiers stopped for longer than the retention period; a second run finds
    nothing more to do."""
    now = now or timezone.now()
    limit = now - timedelta(days=settings.DATA_RETENTION_DAYS)
    expired = Project.objects.filter(
        status__in=STOPPED_STATUSES, status_changed_at__lt=limit, anonymised_at__isnull=True
    )
    count = 0
    for project in expired.iterator():
        count += project_anonymise(
            project=project, actor=None, reason=_("durée de conservation écoulée")
        )
    return count


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


@transaction.atomic
def deletion_request_process(*, request, actor: User) -> int:
    """Honour a porteur's erasure request: anonymise their dossiers, then their account."""
    from accounts.models import DeletionRequest
    from accounts.services import user_erase

    updated = DeletionRequest.objects.filter(pk=request.pk, processed_at__isnull=True).update(
        processed_at=timezone.now(), processed_by=actor
    )
    if not updated:
        raise TransitionError(_("Cette demande a déjà été traitée."))
    count = 0
    if request.user is not None:
        for project in Project.objects.filter(owner=request.user):
            count += project_anonymise(
                project=project, actor=actor, reason=_("demande d'effacement du porteur")
            )
        user_erase(user=request.user)
    return count
