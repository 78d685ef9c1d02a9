"""Coaching: the first meeting, the follow-up exchanges, and the reminders that keep it going.

Every change of the dossier's status goes through projects.services, so its history stays
complete.
"""

import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.services import ServiceRefused
from outbox import emails
from projects import messaging as project_messaging
from projects import personal_data
from projects import services as project_services
from projects.models import ACTIVE_STATUSES, Project, Status
from projects.personal_data import BLANK, NULL, WITH_ROW, neutral
from propulsons.dates import add_days, local_day, out_of_range
from propulsons.public_cache import public_content_changed

from . import calendar, rules, selectors
from .models import (
    CoachSettings,
    DigestDelivery,
    FinancingLine,
    FirstMeeting,
    Interaction,
    InteractionKind,
    MeetingOutcome,
    Reminder,
    ReminderKind,
    RewardTier,
)

logger = logging.getLogger(__name__)


class CoachingError(ServiceRefused):
    """A coaching action the rules do not allow; its message is for the user."""


def due_moment(day: date) -> datetime:
    """A reminder for a day falls due at REMINDER_HOUR, Paris time."""
    return timezone.make_aware(datetime.combine(day, time(settings.REMINDER_HOUR)))


def _fallback_recipient() -> User | None:
    # For a dossier with no cheffe yet: the longest-serving active cheffe, so that no
    # reminder is left without someone to receive it.
    return User.objects.filter(role=Role.CHEFFE, is_active=True).order_by("date_joined").first()


# --- The first meeting --------------------------------------------------------------------


@transaction.atomic
def first_meeting_schedule(
    *,
    project: Project,
    organiser: User,
    scheduled_at: datetime,
    duration_minutes: int = 120,
    location: str = "",
    video_link: str = "",
) -> FirstMeeting:
    """Set (or move) the first meeting and send the porteur an invitation with an .ics file."""
    if project.status != Status.CONTACT:
        raise CoachingError(_("Le premier rendez-vous a déjà eu lieu pour ce dossier."))
    if not location and not video_link:
        raise CoachingError(_("Indiquez un lieu ou un lien de visioconférence."))
    if problem := out_of_range(scheduled_at):
        raise CoachingError(problem)
    meeting, created = FirstMeeting.objects.update_or_create(
        project=project,
        defaults={
            "organiser": organiser,
            "scheduled_at": scheduled_at,
            "duration_minutes": duration_minutes,
            "location": location,
            "video_link": video_link,
        },
    )
    if project.coach_id is None:
        project.coach = organiser
        project.save(update_fields=["coach", "updated_at"])
    emails.send(
        "first_meeting_invitation",
        to=[project.contact_email],
        context={"project": project, "meeting": meeting, "rescheduled": not created},
        attachments=[("invitation.ics", calendar.meeting_invitation(meeting), "text/calendar")],
    )
    return meeting


REPORT_FIELDS = (
    "relevance",
    "relevance_reasoning",
    "campaign_goal",
    "campaign_duration_days",
    "campaign_financing_type",
    "target_platform",
    "next_steps",
    "outcome",
)


@transaction.atomic
def first_meeting_report(
    *,
    meeting: FirstMeeting,
    actor: User,
    report: dict[str, Any],
    financing_lines: list[dict[str, Any]],
    rewards: list[dict[str, Any]],
) -> FirstMeeting:
    """Record the meeting's report; the first time, move the dossier on as its outcome says.

    `financing_lines` and `rewards` are the complete lists the report holds after this save
    (the unchanged rows too, e.g. from RowsFormSet.rows()): the rows are rewritten from them.
    """
    # The first report moves the dossier on: claimed with a conditional UPDATE, so that of two
    # saves at once (a double click) only one makes the transitions; the other is a re-save.
    now = timezone.now()
    first_time = bool(
        FirstMeeting.objects.filter(pk=meeting.pk, reported_at__isnull=True).update(reported_at=now)
    )
    if first_time:
        meeting.reported_at = now
    else:
        meeting.refresh_from_db(fields=["reported_at"])
    for field in REPORT_FIELDS:
        setattr(meeting, field, report.get(field))
    meeting.target_platform = report.get("target_platform")
    for field in ("relevance", "relevance_reasoning", "campaign_financing_type", "next_steps"):
        setattr(meeting, field, getattr(meeting, field) or "")
    meeting.save()
    meeting.financing_lines.all().delete()
    FinancingLine.objects.bulk_create(
        [FinancingLine(meeting=meeting, **line) for line in financing_lines]
    )
    meeting.rewards.all().delete()
    RewardTier.objects.bulk_create([RewardTier(meeting=meeting, **reward) for reward in rewards])
    # The rewards show on the project's public page.
    public_content_changed()

    project = meeting.project
    if first_time:
        project_services.project_record_first_meeting(
            project=project,
            actor=actor,
            note=_("Pertinence du financement participatif : %(verdict)s")
            % {"verdict": meeting.get_relevance_display()},
        )
        reason = meeting.next_steps or meeting.relevance_reasoning or meeting.get_outcome_display()
        if meeting.outcome == MeetingOutcome.CONTINUE:
            project_services.project_start_coaching(project=project, actor=actor)
        elif meeting.outcome == MeetingOutcome.REORIENT:
            project_services.project_reorient(project=project, actor=actor, reason=reason)
        elif meeting.outcome == MeetingOutcome.STOP:
            project_services.project_abandon(project=project, actor=actor, reason=reason)
    return meeting


# --- Follow-up exchanges ------------------------------------------------------------------


@transaction.atomic
def interaction_record(
    *,
    project: Project,
    author: User,
    kind: str,
    happened_on: date,
    duration_minutes: int,
    internal_notes: str = "",
    shared_note: str = "",
    next_action: str = "",
    next_action_due: date | None = None,
    phase: str | None = None,
    answering: Reminder | None = None,
) -> Interaction:
    """Log an exchange; its phase comes from the campaign's dates when they are known, and a
    next action with a due date becomes a reminder.

    `answering`: the reminder this exchange answers, closed in the same transaction (a
    conditional UPDATE: closed once, even if the cheffe also ticked it in another tab).
    """
    if next_action_due and not next_action:
        raise CoachingError(_("Indiquez la prochaine action à faire."))
    if answering is not None and answering.project_id != project.pk:
        raise CoachingError(_("Ce rappel concerne un autre dossier."))
    if problem := out_of_range(happened_on, next_action_due):
        raise CoachingError(problem)
    started, ended = selectors.campaign_dates(project)
    if started is not None or not phase:
        phase = rules.phase_for(happened_on, started, ended)
    interaction = Interaction.objects.create(
        project=project,
        author=author,
        kind=kind,
        happened_on=happened_on,
        duration_minutes=duration_minutes,
        phase=phase,
        internal_notes=internal_notes,
        shared_note=shared_note,
        next_action=next_action,
        next_action_due=next_action_due,
    )
    # The dossier keeps the date of its latest exchange (an older one logged late changes
    # nothing).
    Project.objects.filter(pk=project.pk).filter(
        Q(last_interaction_on__isnull=True) | Q(last_interaction_on__lt=happened_on)
    ).update(last_interaction_on=happened_on)
    if project.coach_id is None and author.is_cheffe:
        project.coach = author
        project.save(update_fields=["coach", "updated_at"])
    if next_action_due:
        Reminder.objects.create(
            project=project,
            recipient=project.coach or author,
            kind=ReminderKind.NEXT_ACTION,
            key=f"interaction-{interaction.pk}",
            message=next_action,
            due_at=due_moment(next_action_due),
            interaction=interaction,
        )
    if answering is not None:
        Reminder.objects.filter(pk=answering.pk, done_at__isnull=True).update(
            done_at=timezone.now()
        )
    _close_answered_chases(project.pk)
    return interaction


# The cadence reminders that any exchange answers ("aucun échange depuis…", the callback).
CHASE_KINDS = (
    ReminderKind.NEW_CONTACT,
    ReminderKind.COACHING_SILENCE,
    ReminderKind.LABELLED_WEEKLY,
)


def _close_answered_chases(project_id: int) -> None:
    """Close at once the chase reminders an exchange just made pointless, by the same rule that
    drops them unsent when they fall due (REMINDER_STILL_RELEVANT): logged from the dossier
    page rather than from the reminder, the call must not leave it red on the dashboard."""
    pending = Reminder.objects.pending().filter(project_id=project_id, kind__in=CHASE_KINDS)
    answered = [
        reminder.pk
        for reminder in pending.select_related("project")
        if not REMINDER_STILL_RELEVANT[reminder.kind](reminder)
    ]
    if answered:
        Reminder.objects.filter(pk__in=answered, done_at__isnull=True).update(
            done_at=timezone.now()
        )


# --- Reminders ----------------------------------------------------------------------------


@transaction.atomic
def reminder_mark_done(*, reminder: Reminder, actor: User) -> Reminder:
    updated = Reminder.objects.filter(pk=reminder.pk, done_at__isnull=True).update(
        done_at=timezone.now()
    )
    if not updated:
        raise CoachingError(_("Ce rappel est déjà marqué comme fait."))
    reminder.refresh_from_db()
    return reminder


@transaction.atomic
def reminder_postpone(*, reminder: Reminder, actor: User, due_on: date) -> Reminder:
    """Move a reminder to another day; it will be emailed again then."""
    if due_on < timezone.localdate():
        raise CoachingError(_("Choisissez une date à venir."))
    if problem := out_of_range(due_on):
        raise CoachingError(problem)
    # Postponing also re-arms a reminder that was given up on.
    updated = Reminder.objects.filter(pk=reminder.pk, done_at__isnull=True).update(
        due_at=due_moment(due_on),
        sent_at=None,
        claimed_until=None,
        claim_token=None,
        attempts=0,
        next_attempt_at=None,
        failed_at=None,
    )
    if not updated:
        raise CoachingError(_("Ce rappel est déjà marqué comme fait."))
    reminder.refresh_from_db()
    return reminder


def reminder_postpone_by(*, reminder: Reminder, actor: User, days: int) -> Reminder:
    """ "+1 jour", "+1 semaine": from its due day, or from today when it is already late."""
    start = max(local_day(reminder.due_at), timezone.localdate())
    return reminder_postpone(reminder=reminder, actor=actor, due_on=add_days(start, days))


# --- New contacts -------------------------------------------------------------------------


def callback_due_on(project: Project, today: date) -> date:
    """A new contact is called back within NEW_CONTACT_CALLBACK_WORKING_DAYS working days of
    its submission; one taken late is due today, never in the past."""
    due = rules.add_working_days(
        local_day(project.created_at), settings.NEW_CONTACT_CALLBACK_WORKING_DAYS
    )
    return max(due, today)


CALLBACK_KEY = "callback"


def _callback_reminder(project: Project, recipient: User, today: date) -> Reminder:
    return Reminder(
        project=project,
        recipient=recipient,
        kind=ReminderKind.NEW_CONTACT,
        key=CALLBACK_KEY,
        message=_(
            "Nouveau contact déposé le %(date)s\u00a0: appeler le porteur pour fixer le premier "
            "rendez-vous."
        )
        % {"date": local_day(project.created_at).strftime("%d/%m/%Y")},
        due_at=due_moment(callback_due_on(project, today)),
    )


@transaction.atomic
def project_take(*, project: Project, cheffe: User) -> Reminder | None:
    """ "Je prends ce dossier": the dossier becomes the cheffe's, and a new contact gets its
    callback reminder (the cadence's, so a later scan adds nothing). Of two cheffes who click
    at once, one wins; the other gets a TransitionError (projects.services)."""
    project_services.project_assign_coach(project=project, coach=cheffe, actor=cheffe)
    if project.status != Status.CONTACT or project.last_interaction_on is not None:
        return None
    reminder = _callback_reminder(project, cheffe, timezone.localdate())
    existing = Reminder.objects.filter(
        project=project, kind=reminder.kind, key=reminder.key
    ).first()
    if existing is None:
        reminder.save()
        return reminder
    # One left by the scan for the cheffe who had the dossier before: now hers.
    Reminder.objects.filter(pk=existing.pk, done_at__isnull=True).update(recipient=cheffe)
    existing.refresh_from_db()
    return existing


def _cadence_reminder(project, kind, key, message, due_at, recipient) -> Reminder:
    return Reminder(
        project=project,
        recipient=recipient,
        kind=kind,
        key=key,
        message=message,
        due_at=due_at,
    )


# The active statuses the "no exchange for COACHING_SILENCE_DAYS" cadence chases: a live
# campaign has its own call cadence, a labelled dossier its weekly one.
SILENCE_STATUSES = frozenset(ACTIVE_STATUSES - {Status.CAMPAIGN_RUNNING, Status.LABELLED})


def reminders_create_from_cadences(*, now: datetime | None = None) -> int:
    """Create the reminders the cadence rules call for; running it again creates nothing new.

    Each reminder is keyed by the date it is about (the last exchange, the campaign's end), and
    the (dossier, kind, key) unique constraint absorbs repeats.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    fallback = _fallback_recipient()
    reminders: list[Reminder] = []

    # A new contact that a cheffe has (taken, or given in the admin) but not called yet.
    new_contacts = Project.objects.filter(
        status=Status.CONTACT,
        coach__isnull=False,
        last_interaction_on__isnull=True,
        first_meeting__isnull=True,
    ).select_related("coach")
    for project in new_contacts:
        reminders.append(_callback_reminder(project, project.coach, today))

    # Any active dossier without news, but a live campaign (its own call cadence) and a
    # labelled one (weekly, below).
    silence = settings.COACHING_SILENCE_DAYS
    quiet = (
        Project.objects.filter(status__in=SILENCE_STATUSES)
        .filter(
            # A superset, cut in SQL; the exact local-day test is below.
            Q(last_interaction_on__lte=add_days(today, -silence))
            | Q(
                last_interaction_on__isnull=True,
                status_changed_at__lte=now - timedelta(silence - 1),
            )
        )
        # A new contact whose first meeting is set is not waiting for news.
        .exclude(status=Status.CONTACT, first_meeting__isnull=False)
    )
    for project in quiet.select_related("coach"):
        since = project.last_interaction_on or local_day(project.status_changed_at)
        if add_days(since, silence) <= today and (project.coach or fallback):
            reminders.append(
                _cadence_reminder(
                    project,
                    ReminderKind.COACHING_SILENCE,
                    f"since-{since.isoformat()}",
                    _("Aucun échange depuis le %(date)s : prendre des nouvelles.")
                    % {"date": since.strftime("%d/%m/%Y")},
                    due_moment(add_days(since, silence)),
                    project.coach or fallback,
                )
            )

    # Labelled, the campaign not started yet: a call every LABELLED_CALL_DAYS, counted from
    # the last exchange or the label, whichever is later.
    weekly = settings.LABELLED_CALL_DAYS
    for project in Project.objects.filter(status=Status.LABELLED).select_related("coach"):
        since = max(
            filter(None, [project.last_interaction_on, local_day(project.status_changed_at)])
        )
        if add_days(since, weekly) <= today and (project.coach or fallback):
            reminders.append(
                _cadence_reminder(
                    project,
                    ReminderKind.LABELLED_WEEKLY,
                    f"since-{since.isoformat()}",
                    _(
                        "Labellisé, campagne pas encore lancée\u00a0: faire le point avec le "
                        "porteur (dernier échange ou label le %(date)s)."
                    )
                    % {"date": since.strftime("%d/%m/%Y")},
                    due_moment(add_days(since, weekly)),
                    project.coach or fallback,
                )
            )

    call_silence = timedelta(days=settings.CAMPAIGN_CALL_SILENCE_DAYS)
    live = selectors.with_campaign_dates(
        Project.objects.filter(status=Status.CAMPAIGN_RUNNING).select_related("coach")
    ).annotate(
        last_call_on=Max(
            "interactions__happened_on", filter=Q(interactions__kind=InteractionKind.PHONE)
        )
    )
    for project in live:
        started = local_day(project.campaign_started_at or project.status_changed_at)
        since = max(filter(None, [project.last_call_on, started]))
        if add_days(since, call_silence.days) <= today and (project.coach or fallback):
            reminders.append(
                _cadence_reminder(
                    project,
                    ReminderKind.CAMPAIGN_SILENCE,
                    f"since-{since.isoformat()}",
                    _("Campagne en cours sans appel depuis le %(date)s : appeler le porteur.")
                    % {"date": since.strftime("%d/%m/%Y")},
                    due_moment(add_days(since, call_silence.days)),
                    project.coach or fallback,
                )
            )

    longest = max(settings.AFTER_CAMPAIGN_CALL_DAYS, default=0)
    ended = (
        selectors.with_campaign_dates(
            Project.objects.filter(status__in=[Status.CAMPAIGN_ENDED, Status.CLOSED])
        )
        .filter(campaign_ended_at__gte=now - timedelta(days=longest + 1))
        .select_related("coach")
    )
    for project in ended:
        end = local_day(project.campaign_ended_at)
        for days in settings.AFTER_CAMPAIGN_CALL_DAYS:
            if add_days(end, days) <= today and (project.coach or fallback):
                reminders.append(
                    _cadence_reminder(
                        project,
                        ReminderKind.AFTER_CAMPAIGN,
                        f"J+{days}",
                        _("Appel J+%(days)s après la fin de la campagne.") % {"days": days},
                        due_moment(add_days(end, days)),
                        project.coach or fallback,
                    )
                )

    existing = set(
        Reminder.objects.filter(project__in={r.project_id for r in reminders}).values_list(
            "project_id", "kind", "key"
        )
    )
    new = [r for r in reminders if (r.project_id, r.kind, r.key) not in existing]
    # A concurrent scan may insert the same rows meanwhile: the constraint absorbs them.
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# Other apps register, per reminder kind, a check that the reminder still matters when it falls
# due (e.g. labelling: the organisation has not voted yet). A reminder that no longer matters
# is closed without an email.
REMINDER_STILL_RELEVANT: dict[str, Callable[[Reminder], bool]] = {}


def _since(reminder: Reminder) -> date | None:
    """The day a cadence reminder counts from (its key "since-YYYY-MM-DD")."""
    try:
        return date.fromisoformat(reminder.key.removeprefix("since-"))
    except ValueError:
        return None


def _no_news_since(reminder: Reminder, statuses) -> bool:
    # Still worth an email only while the dossier is in the statuses the cadence chases, and
    # no exchange was logged after the day it counts from.
    project = reminder.project
    since = _since(reminder)
    return project.status in statuses and not (
        since and project.last_interaction_on and project.last_interaction_on > since
    )


REMINDER_STILL_RELEVANT[ReminderKind.NEW_CONTACT] = lambda reminder: (
    reminder.project.status == Status.CONTACT and reminder.project.last_interaction_on is None
)
REMINDER_STILL_RELEVANT[ReminderKind.COACHING_SILENCE] = lambda reminder: _no_news_since(
    reminder, SILENCE_STATUSES
)
REMINDER_STILL_RELEVANT[ReminderKind.LABELLED_WEEKLY] = lambda reminder: _no_news_since(
    reminder, {Status.LABELLED}
)


class _LostClaim(Exception):
    """This worker's claim expired and another worker took the row."""


def _claim(reminder_id: int, now: datetime) -> str | None:
    """Take a due reminder for this worker (outbox's claim discipline: a token valid from the
    moment it is taken, every later write conditional on it); None if another has it."""
    from outbox.services import row_claim

    return row_claim(
        Reminder.objects.due(now).filter(pk=reminder_id),
        seconds=settings.REMINDER_CLAIM_SECONDS,
    )


def _reminder_process(reminder_id: int, token: str) -> bool:
    """Turn a claimed reminder into its email; True when an email was written.

    One transaction marks the reminder sent (only if this worker still holds the token) and
    writes its outbox row: the reminder becomes exactly one email, whose delivery is the
    outbox's (at least once, retried).
    """
    reminder = Reminder.objects.select_related("project", "recipient").get(pk=reminder_id)
    still_relevant = REMINDER_STILL_RELEVANT.get(reminder.kind)
    relevant = still_relevant is None or still_relevant(reminder)
    with transaction.atomic():
        # Ticked "fait" (or closed with its vote) since the claim: no email, and nothing to mark.
        if Reminder.objects.filter(pk=reminder_id, done_at__isnull=False).exists():
            return False
        held = Reminder.objects.filter(pk=reminder_id, claim_token=token, done_at__isnull=True)
        if not relevant:
            # It no longer matters (e.g. the member's organisation has voted): closed, no email.
            if not held.update(done_at=timezone.now(), claim_token=None, claimed_until=None):
                raise _LostClaim
            return False
        marked = held.update(
            sent_at=timezone.now(),
            attempts=F("attempts") + 1,
            last_error="",
            next_attempt_at=None,
            claim_token=None,
            claimed_until=None,
        )
        if not marked:
            raise _LostClaim
        email = emails.send(
            "reminder",
            to=[reminder.recipient.email],
            context={"reminder": reminder, "project": reminder.project},
        )
        Reminder.objects.filter(pk=reminder_id).update(email=email)
    return True


def _reminder_record_failure(reminder_id: int, token: str, error: Exception) -> None:
    """Back off (next_attempt_at), or give up after REMINDER_MAX_ATTEMPTS; only while this
    worker still holds the claim."""
    from outbox.services import retry_delay

    held = Reminder.objects.filter(pk=reminder_id, claim_token=token)
    attempts = (held.values_list("attempts", flat=True).first() or 0) + 1
    now = timezone.now()
    give_up = attempts >= settings.REMINDER_MAX_ATTEMPTS
    recorded = held.update(
        attempts=attempts,
        last_error=f"{type(error).__name__}: {error}"[:300],
        next_attempt_at=now + retry_delay(attempts),
        failed_at=now if give_up else None,
        claim_token=None,
        claimed_until=None,
    )
    if not recorded:
        logger.warning(
            "reminder %s failed (%s) but this worker no longer holds its claim", reminder_id, error
        )
    else:
        logger.warning("reminder %s not processed (attempt %s): %s", reminder_id, attempts, error)


def reminders_send_due(*, now: datetime | None = None, batch: int = 200) -> int:
    """Turn every due reminder into one email (in the outbox); the number of emails written.

    Two workers, or a doubled or retried run, cannot write the same reminder's email twice:
    each row is claimed with a token before it is processed, and marked sent in the same
    transaction as its email only if the token is still held. A failure backs the reminder
    off; after REMINDER_MAX_ATTEMPTS it is given up on and shown to the team.
    """
    now = now or timezone.now()
    sent = 0
    tried: set[int] = set()
    # Batch after batch until nothing is due: a reminder is tried at most once per run, and
    # one that fails is backed off (next_attempt_at), so none holds back the others.
    while True:
        due = Reminder.objects.due(now).order_by("due_at", "id").values_list("pk", flat=True)
        ids = [pk for pk in due[: batch + len(tried)] if pk not in tried][:batch]
        if not ids:
            break
        for reminder_id in ids:
            tried.add(reminder_id)
            token = _claim(reminder_id, now)
            if token is None:
                continue
            try:
                sent += _reminder_process(reminder_id, token)
            except _LostClaim:
                logger.warning(
                    "reminder %s: this worker no longer holds its claim (it expired and "
                    "another worker took it): left to that worker",
                    reminder_id,
                )
            except Exception as error:  # any failure: retried later with a growing delay
                _reminder_record_failure(reminder_id, token, error)
    return sent


# --- The daily digest and the calendar feed ---------------------------------------------------


def digest_content(*, user: User, today: date) -> dict[str, Any]:
    pending = Reminder.objects.pending().filter(recipient=user).select_related("project")
    start_of_today = due_moment(today).replace(hour=0)
    return {
        "overdue": list(pending.filter(due_at__lt=start_of_today)),
        "due_today": list(
            pending.filter(due_at__gte=start_of_today, due_at__lt=start_of_today + timedelta(1))
        ),
        "appointments": list(
            FirstMeeting.objects.filter(
                Q(organiser=user) | Q(project__coach=user),
                reported_at__isnull=True,
                scheduled_at__gte=start_of_today,
                scheduled_at__lt=start_of_today + timedelta(days=8),
            ).select_related("project")
        ),
        # The porteurs' messages she has not read yet: with the digest, they come here rather
        # than one email each (projects/messaging.py, coaching/activity.py).
        "porteur_messages": list(
            project_messaging.unread_for_team(user).filter(project__coach=user)
        ),
    }


def digest_send(*, user: User, today: date | None = None) -> bool:
    """Put a cheffe's digest of the day in the outbox, at most once a day; False when nothing
    was queued.

    The day's DigestDelivery row and the outbox email are written in one transaction: a worker
    killed before it commits leaves neither (a later run of the day sends it), and once it
    commits the outbox delivers the email (at least once, retried).
    """
    today = today or timezone.localdate()
    preferences = CoachSettings.objects.filter(user=user).first()
    if preferences is not None and not preferences.daily_digest:
        return False
    if DigestDelivery.objects.filter(user=user, day=today).exists():
        return False
    content = digest_content(user=user, today=today)
    try:
        with transaction.atomic():
            # The unique (user, day) row is the claim: a concurrent run fails here and writes
            # no email.
            delivery = DigestDelivery.objects.create(user=user, day=today)
            if not any(content.values()):
                return False  # nothing to say today: recorded, no email
            delivery.email = emails.send(
                "daily_digest",
                to=[user.email],
                context={
                    "user": user,
                    "todo_count": len(content["overdue"]) + len(content["due_today"]),
                    **content,
                },
            )
            delivery.save(update_fields=["email"])
    except IntegrityError:
        return False  # another run queued it meanwhile
    return True


def calendar_token_renew(*, user: User) -> CoachSettings:
    """A new secret address for the cheffe's calendar feed; the old one stops working."""
    from .models import new_calendar_token

    preferences, _ = CoachSettings.objects.get_or_create(user=user)
    preferences.calendar_token = new_calendar_token()
    preferences.save(update_fields=["calendar_token"])
    return preferences


def calendar_token_revoke(*, user: User) -> None:
    CoachSettings.objects.filter(user=user).update(calendar_token=None)


def digest_set(*, user: User, enabled: bool) -> CoachSettings:
    preferences, _ = CoachSettings.objects.get_or_create(user=user)
    preferences.daily_digest = enabled
    preferences.save(update_fields=["daily_digest"])
    return preferences


# What coaching holds about people, and what anonymising a dossier does with it.
personal_data.register(
    FirstMeeting,
    dossier="project",
    personal={
        "location": BLANK,
        "video_link": BLANK,
        "relevance_reasoning": BLANK,
        "next_steps": BLANK,
    },
    keep={
        "relevance": "a code; statistics",
        "outcome": "a code; the funnel",
        "campaign_financing_type": "a code",
    },
)
personal_data.register(
    FinancingLine,
    dossier="meeting__project",
    personal={"label": BLANK},
    keep={"source": "a code; the crowdfunding share (with the amount)"},
)
personal_data.register(
    RewardTier,
    dossier="meeting__project",
    personal={"description": neutral(lambda project: _("Contrepartie"))},
)
personal_data.register(
    Interaction,
    dossier="project",
    # The due date goes with the action's text (a next action with a date needs a text).
    personal={
        "internal_notes": BLANK,
        "shared_note": BLANK,
        "next_action": BLANK,
        "next_action_due": NULL,
    },
    keep={"kind": "a code; coaching time per kind", "phase": "a code; statistics"},
)
personal_data.register(
    Reminder,
    dossier="project",
    delete_rows=True,
    personal={"message": WITH_ROW, "last_error": WITH_ROW, "link": WITH_ROW},
    keep={
        "kind": "a code (the row is deleted)",
        "key": "a code (the row is deleted)",
        "claim_token": "a random token (the row is deleted)",
    },
)
personal_data.register(
    CoachSettings,
    dossier=None,
    keep={"calendar_token": "a team member's secret, not a dossier's data"},
)
personal_data.register(DigestDelivery, dossier=None)


def _export_shared_notes(user, data: dict) -> None:
    notes = Interaction.objects.filter(project__owner=user).exclude(shared_note="")
    by_reference: dict[str, list] = {}
    for note in notes.select_related("project"):
        by_reference.setdefault(note.project.reference, []).append(
            {
                "le": note.happened_on.isoformat(),
                "type": note.get_kind_display(),
                "note": note.shared_note,
            }
        )
    for dossier in data["dossiers"]:
        dossier["notes_de_la_cheffe_de_projet"] = by_reference.get(dossier["reference"], [])


project_services.PERSONAL_DATA_EXPORTERS.append(_export_shared_notes)
