"""Personal data: what each model holds about people, and what anonymisation does with it.

This registry is the one list. Every text, e-mail, URL and file field of every model of the
project is in it, either as personal (with what anonymisation writes there) or as kept (with
why it is not personal or must stay, e.g. for the statistics). Projects and accounts are
declared at the bottom of this module; coaching, labelling and campaigns declare theirs from
their services module (loaded by their AppConfig.ready), so imports keep going down.
tests/projects/test_personal_data_registry.py fails when a field is in neither list.

Anonymising a dossier (projects.services.project_anonymise) applies the registry: for each
model tied to a dossier, its rows either get the values below or are deleted; the files of
deleted rows are removed from the disk only once the transaction has committed.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# --- What anonymisation does with a field -------------------------------------------------


@dataclass(frozen=True)
class Erase:
    """A personal field: anonymisation writes `value` there (a value, or a function of the
    dossier returning one: a neutral value that stays unique, a reference…)."""

    value: Any = ""
    what: str = "blank"

    def value_for(self, project) -> Any:
        return self.value(project) if callable(self.value) else self.value


BLANK = Erase("", "blank")
NULL = Erase(None, "blank")


def neutral(value: Any) -> Erase:
    """A personal field that may not be empty: replaced with a neutral value."""
    return Erase(value, "neutral value")


# A personal field of rows that anonymisation deletes (their files with them, after commit).
WITH_ROW = Erase(None, "row deleted")


@dataclass(frozen=True)
class Keep:
    """A field that is not personal (a code, an amount, a reference) or must be kept: why."""

    reason: str


@dataclass(frozen=True)
class Entry:
    model: type[models.Model]
    # The lookup from a row to its dossier's id ("project", "meeting__project"), or a function
    # returning the dossier's rows; None for data that is not a dossier's (accounts, reference
    # tables): `erased_by` then says which service erases it, if any.
    dossier: str | Callable[[Any], models.QuerySet] | None
    fields: dict[str, Erase | Keep] = field(default_factory=dict)
    delete_rows: bool = False
    erased_by: str = ""

    @property
    def label(self) -> str:
        return self.model._meta.label

    def personal(self) -> dict[str, Erase]:
        return {name: how for name, how in self.fields.items() if isinstance(how, Erase)}

    def rows(self, project) -> models.QuerySet:
        if callable(self.dossier):
            return self.dossier(project)
        return self.model._default_manager.filter(**{self.dossier: project.pk})


REGISTRY: dict[str, Entry] = {}


def register(
    model: type[models.Model],
    *,
    dossier: str | Callable[[Any], models.QuerySet] | None,
    personal: dict[str, Erase] | None = None,
    keep: dict[str, str] | None = None,
    delete_rows: bool = False,
    erased_by: str = "",
) -> Entry:
    """Declare a model's fields: the personal ones with what anonymisation writes there (or
    WITH_ROW when the dossier's rows are deleted), the others with why they are kept."""
    personal, keep = personal or {}, keep or {}
    if set(personal) & set(keep):
        raise ValueError(f"{model._meta.label}: a field is both personal and kept")
    if any((how is WITH_ROW) != delete_rows for how in personal.values()):
        raise ValueError(f"{model._meta.label}: WITH_ROW is for (and only for) deleted rows")
    entry = Entry(
        model=model,
        dossier=dossier,
        fields={**personal, **{name: Keep(reason) for name, reason in keep.items()}},
        delete_rows=delete_rows,
        erased_by=erased_by,
    )
    REGISTRY[entry.label] = entry
    return entry


def describe() -> list[tuple[str, str, str]]:
    """(model, field, what anonymisation does), for people and for the docs."""
    table = []
    for entry in REGISTRY.values():
        for name, how in entry.fields.items():
            if isinstance(how, Keep):
                table.append((entry.label, name, f"kept: {how.reason}"))
            elif entry.dossier is None:
                table.append((entry.label, name, f"{how.what} by {entry.erased_by}"))
            else:
                table.append((entry.label, name, how.what))
    return table


# --- Applying it to a dossier -----------------------------------------------------------------


def erase_dossier_rows(project) -> list[tuple[Any, str]]:
    """Erase every personal field of the dossier's rows, delete the rows that go; return the
    files of the deleted rows as (storage, name): the caller removes them after commit."""
    files: list[tuple[Any, str]] = []
    for entry in REGISTRY.values():
        if entry.dossier is None:
            continue
        rows = entry.rows(project)
        if entry.delete_rows:
            for file_field in entry.model._meta.concrete_fields:
                if isinstance(file_field, models.FileField):
                    names = rows.exclude(**{file_field.name: ""}).values_list(
                        file_field.name, flat=True
                    )
                    files += [(file_field.storage, name) for name in names if name]
            # Files a row names without a FileField (a cover's resized variants).
            erasure_files = getattr(entry.model, "erasure_files", None)
            if erasure_files is not None:
                files += erasure_files(rows)
            rows.delete()
        elif entry.personal():
            rows.update(**{name: how.value_for(project) for name, how in entry.personal().items()})
    return files


def remove_files(files: list[tuple[Any, str]]) -> None:
    """Run after commit: a file that cannot be removed is logged (the orphan-file check finds
    it later); the committed anonymisation stands and the others are still removed."""
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("personal data: could not remove the file %s", name)


# --- Projects and accounts ----------------------------------------------------------------


def _emails_of(project) -> models.QuerySet:
    from outbox.models import Email

    about = Q(subject__contains=project.reference) | Q(text__contains=project.reference)
    if project.owner_id and project.owner.email:
        # Recipients are a JSON list: its text holds the address between quotes.
        about |= Q(recipients__icontains=f'"{project.owner.email}"')
    return Email.objects.filter(about)


def _declare() -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from accounts.models import DeletionRequest, Organisation, SubmittedForm, User
    from outbox.models import Email

    from .models import (
        AnonymisationFailure,
        Commune,
        Document,
        Project,
        ReferenceCounter,
        StatusChange,
        StatusCount,
    )

    register(
        Project,
        dossier="pk",
        personal={
            "contact_first_name": neutral("Anonyme"),
            "contact_last_name": BLANK,
            "contact_email": neutral(lambda p: f"anonyme-{p.pk}@anonyme.invalid"),
            "contact_phone": BLANK,
            "structure_name": neutral(lambda p: _("Structure anonymisée")),
            "siret": BLANK,
            "title": neutral(
                lambda p: _("Dossier anonymisé %(reference)s") % {"reference": p.reference}
            ),
            "summary": BLANK,
            "description": BLANK,
            "slug": neutral(lambda p: f"anonyme-{p.reference.lower()}"),
            "owner": NULL,
            "publish_agreed": neutral(False),
            "latitude": NULL,
            "longitude": NULL,
            "wished_campaign_start": NULL,
        },
        keep={
            "reference": "the dossier's number, not personal; statistics and history",
            "status": "a code; the funnel and the figures",
            "legal_form": "a code; statistics per kind of structure",
            "category": "a code; statistics per category",
            "financing_type": "a code; statistics",
            "heard_from": "a code; statistics on how porteurs hear of the label",
            "label_number": "the public register of labels given",
            "claim_link_sent_at": "a date; when a link was emailed, not to whom",
        },
    )
    register(
        StatusChange,
        dossier="project",
        personal={"note": BLANK},
        keep={"from_status": "a code; the funnel", "to_status": "a code; the funnel"},
    )
    register(
        Document,
        dossier="project",
        delete_rows=True,
        personal={
            "file": WITH_ROW,
            "url": WITH_ROW,
            "original_name": WITH_ROW,
            "content_type": WITH_ROW,
        },
        keep={"kind": "a code (the row is deleted anyway)"},
    )
    register(
        LogEntry,
        # The admin's journal names the dossier as it was when each entry was written (an
        # erased account's entries are renamed by accounts.services.user_erase).
        erased_by="accounts.services.user_erase, for the entries about an erased account",
        dossier=lambda project: LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Project), object_id=str(project.pk)
        ),
        personal={
            "object_repr": neutral(
                lambda p: (
                    _("%(reference)s — Dossier anonymisé %(reference)s")
                    % {"reference": p.reference}
                )
            )
        },
        keep={
            "object_id": "the row's id",
            "change_message": "the names of the changed fields, or the anonymisation's reason",
        },
    )
    register(
        User,
        dossier=None,
        erased_by="accounts.services.user_erase (a porteur's erasure request)",
        personal={
            "first_name": BLANK,
            "last_name": BLANK,
            "email": neutral(lambda user: f"anonyme-utilisateur-{user.pk}@anonyme.invalid"),
            "phone": BLANK,
            "password": neutral("(unusable)"),
            "email_verified_at": NULL,
        },
        keep={"role": "a code"},
    )
    for journal in (AccessAttempt, AccessFailureLog, AccessLog):
        # The login journal of django-axes: an erased account's rows are deleted.
        register(
            journal,
            dossier=None,
            erased_by="accounts.services.user_erase (rows of the old address deleted)",
            personal={
                name: WITH_ROW
                for name in ("username", "ip_address", "user_agent", "http_accept", "path_info")
                + (("get_data", "post_data") if journal is AccessAttempt else ())
            },
            keep={"session_hash": "a hash, no personal data"} if journal is AccessLog else {},
            delete_rows=True,
        )
    register(
        DeletionRequest,
        dossier=None,
        erased_by="projects.services.deletion_request_process (when processed)",
        personal={"message": BLANK},
        keep={"email": "proof that the request was received and honoured (accountability)"},
    )
    register(
        Organisation,
        dossier=None,
        keep={
            name: "the committee's organisations: public, not about a person"
            for name in ("name", "short_name", "slug", "description", "website")
        },
    )
    register(
        Commune,
        dossier=None,
        keep={
            name: "reference data (INSEE)"
            for name in ("insee_code", "name", "postal_codes", "arrondissement_code")
        }
        | {"arrondissement_name": "reference data (INSEE)"},
    )
    register(ReferenceCounter, dossier=None)
    register(
        StatusCount,
        dossier=None,
        keep={"status": "a code; how many dossiers are in it (projects/status_counts.py)"},
    )
    register(
        Email,
        # An email about the dossier (its reference in the subject or text) or addressed to its
        # porteur goes with it, sent or not: it is a copy of what the other tables held.
        dossier=_emails_of,
        delete_rows=True,
        personal={
            name: WITH_ROW for name in ("recipients", "subject", "text", "html", "attachments")
        }
        | {"last_error": WITH_ROW},
        keep={
            "name": "the template's code",
            "status": "a code",
            "claim_token": "a random token",
        },
    )
    register(
        SubmittedForm,
        dossier=None,
        keep={
            "key": "a random token and the account's id, never what the form said",
            "result_path": "the address of the page the form led to (a reference at most)",
        },
    )
    register(
        AnonymisationFailure,
        # A successful anonymisation deletes the record of its earlier failures.
        dossier="project",
        delete_rows=True,
        keep={"error": "the kind of error and its first line, never the row's values"},
    )


_declare()
