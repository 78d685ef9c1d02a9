import re
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.services import ServiceRefused
from accounts.submitted_forms import FORM_KEY_FIELD, form_key_new, submit_once
from campaigns.selectors import pending_declarations
from outbox import selectors as outbox_selectors
from projects.models import ACTIVE_STATUSES, AnonymisationFailure, Project, Status
from projects.permissions import can_manage_projects
from propulsons import typography
from propulsons.counting import count_all
from propulsons.dates import local_day
from propulsons.public_cache import static_fragment
from propulsons.templatetags.form_fields import form_field

from . import calendar, rules, selectors, services
from .forms import (
    FinancingLineFormSet,
    FirstMeetingReportForm,
    FirstMeetingScheduleForm,
    InteractionForm,
    PostponeForm,
    ReminderAnswerForm,
    RewardTierFormSet,
    active_projects,
    report_initial,
)
from .models import CoachSettings, FirstMeeting, Reminder
from .permissions import can_take_project


def _require_team(request) -> None:
    if not can_manage_projects(request.user):
        raise PermissionDenied


def _project(reference: str) -> Project:
    return get_object_or_404(
        Project.objects.select_related("commune", "coach"), reference=reference
    )


def _team_page(project: Project, anchor: str = "accompagnement") -> str:
    return reverse("projects:team_project", args=[project.reference]) + f"#{anchor}"


ACTIVE_SHOWN = 30
REMINDERS_SHOWN = 50
DECLARATIONS_SHOWN = 20
NEW_CONTACTS_SHOWN = 20
# What coaching/_reminder_card.html and a new contact's card read (the dashboard's query-count
# test fails if a template reads a column left out: one query more per row).
CONTACT_FIELDS = ("contact_first_name", "contact_last_name", "contact_phone")
REMINDER_CARD_FIELDS = (
    "due_at",
    "message",
    "failed_at",
    "project__reference",
    "project__title",
    *(f"project__{field}" for field in CONTACT_FIELDS),
    "email__status",
)
NEW_CONTACT_FIELDS = ("reference", "title", "created_at", "commune__name", *CONTACT_FIELDS)


def _answer_form(reminder: Reminder, data=None) -> ReminderAnswerForm:
    # A prefix per reminder: the dashboard holds one inline form per reminder.
    return ReminderAnswerForm(data, prefix=f"rappel-{reminder.pk}")


# The placeholders of coaching/_reminder_actions.html, filled in one pass for each reminder.
ACTION_PLACEHOLDERS = re.compile(r"__(rappel|titre|message|cle|jeton|retour)__")


def _blank_reminder_actions() -> str:
    """coaching/_reminder_actions.html with placeholders for all that differs between two
    reminders or two requests (the CSRF token, the page's path): the same HTML for every
    dashboard of the day (the form's date), kept by static_fragment."""
    return render_to_string(
        "coaching/_reminder_actions.html",
        {
            "form": ReminderAnswerForm(prefix="rappel-__rappel__"),
            "pk": "__rappel__",
            "title": "__titre__",
            "message": "__message__",
            "form_key_field": FORM_KEY_FIELD,
            "csrf_token": "__jeton__",
            "path": "__retour__",
        },
    )


def _reminder_actions(request, reminders: list[Reminder]) -> None:
    """Each reminder's actions (its inline "Noter l'échange" form, "+1 jour", "+1 semaine",
    "Fait", another date), as `reminder.actions`.

    They are the same for every reminder but for its id, title and message and the form's key
    (submit_once tells two forms apart by it): rendered once with placeholders, then filled
    for each reminder, rather than rendered again for each of the 50 a dashboard may show
    (some 60 template nodes and seven form fields each: most of the page's time)."""
    if not reminders:
        return
    html = static_fragment(
        "dashboard-reminder-actions", _blank_reminder_actions, timezone.localdate()
    )
    token, path = get_token(request), conditional_escape(request.path)
    for reminder in reminders:
        values = {
            "rappel": str(reminder.pk),
            "titre": conditional_escape(reminder.project.title),
            "message": conditional_escape(reminder.message),
            "cle": form_key_new(),
            "jeton": token,
            "retour": path,
        }
        # Safe: Django escaped the template's HTML, the values are escaped here, and one pass
        # never replaces inside a value already put in (a title may contain "__message__").
        reminder.actions = SafeString(
            ACTION_PLACEHOLDERS.sub(lambda match: values[match[1]], html)  # noqa: B023
        )


def _quick_form_fields() -> str:
    """The quick entry's fields, blank (today's date): the same for every cheffe of the day."""
    form = InteractionForm(project_choices=active_projects())
    return "".join(form_field(field) for field in form)


@require_safe
@login_required
def dashboard(request):
    """The cheffe's day: new contacts to take, what is late or due today, what comes, then
    appointments and her portfolio."""
    _require_team(request)
    user = request.user
    now = timezone.now()
    today = timezone.localdate()
    end_of_today = services.due_moment(today).replace(hour=23, minute=59)
    upcoming = Reminder.objects.pending().filter(
        recipient=user, due_at__lte=end_of_today + timedelta(days=7)
    )
    # Only the columns the cards show: the dashboard's rows are wide (a dossier has some forty
    # columns) and reading, compiling and building them all was a good part of its time.
    reminders = list(
        upcoming.select_related("project", "email")
        .only(*REMINDER_CARD_FIELDS)
        .order_by("due_at", "id")[:REMINDERS_SHOWN]
    )
    _reminder_actions(request, reminders)
    mine = Project.objects.filter(coach=user)
    portfolio = dict(mine.values_list("status").annotate(n=Count("id")).order_by())
    # Read once for the table (the pipeline lists the others) and the quick entry.
    active = selectors.active_dossiers(user)
    # New contacts nobody has taken yet, the oldest first: the day's first calls.
    new_contacts = list(
        Project.objects.filter(status=Status.CONTACT, coach__isnull=True)
        .select_related("commune")
        .only(*NEW_CONTACT_FIELDS)
        .order_by("created_at", "id")[: NEW_CONTACTS_SHOWN + 1]
    )
    for project in new_contacts:
        project.age_in_days = (today - local_day(project.created_at)).days
    appointments = (
        FirstMeeting.objects.filter(
            reported_at__isnull=True, scheduled_at__gte=now - timedelta(hours=2)
        )
        .filter(project__coach=user)
        .select_related("project")
        .only("scheduled_at", "location", "video_link", "project__reference", "project__title")
        .order_by("scheduled_at")[:20]
    )
    # Figures porteurs declared wait for the team before they reach the public pages.
    declarations = list(
        pending_declarations().only(
            "amount",
            "contributors",
            "taken_at",
            "campaign__goal",
            "campaign__project__reference",
            "campaign__project__title",
        )[: DECLARATIONS_SHOWN + 1]
    )
    declarations_count = (
        pending_declarations().count()
        if len(declarations) > DECLARATIONS_SHOWN
        else len(declarations)
    )
    start_of_today = end_of_today.replace(hour=0, minute=0)
    # Her reminders are counted only when the list is cut: else the list is the count.
    cut = {"reminders_count": upcoming} if len(reminders) == REMINDERS_SHOWN else {}
    badges = {"reminders_count": len(reminders)} | count_all(
        **cut,
        unassigned=Project.objects.filter(coach__isnull=True, status__in=ACTIVE_STATUSES),
        # Shown to the whole team: a dossier whose personal data could not be erased.
        anonymisation_failures=AnonymisationFailure.objects.all(),
        # What did not leave: emails that failed for good, and her reminders among them.
        failed_emails=outbox_selectors.failed_emails(),
        failed_reminders=Reminder.objects.failed().filter(recipient=user),
    )
    return render(
        request,
        "coaching/dashboard.html",
        {
            "declarations": declarations[:DECLARATIONS_SHOWN],
            "declarations_count": declarations_count,
            "reminders": reminders,
            "urgent_reminders": [r for r in reminders if r.due_at <= end_of_today],
            "later_reminders": [r for r in reminders if r.due_at > end_of_today],
            "end_of_today": end_of_today,
            "start_of_today": start_of_today,
            "new_contacts": new_contacts[:NEW_CONTACTS_SHOWN],
            "more_new_contacts": len(new_contacts) > NEW_CONTACTS_SHOWN,
            "can_take": can_take_project(user),
            "portfolio": [(status, portfolio.get(status.value, 0)) for status in Status],
            "portfolio_total": sum(portfolio.values()),
            "active_projects": active[:ACTIVE_SHOWN],
            "appointments": appointments,
            "quick_form_fields": static_fragment(
                "dashboard-quick-form", _quick_form_fields, timezone.localdate()
            ),
            "suggestions": selectors.suggested(active),
            "active_count": sum(portfolio.get(status, 0) for status in ACTIVE_STATUSES),
            # The badges' counts, in one query.
            **badges,
        },
    )


@require_POST
@login_required
def project_take(request, reference: str):
    """ "Je prends ce dossier": one click sets the cheffe and schedules the callback."""
    if not can_take_project(request.user):
        raise PermissionDenied
    project = _project(reference)
    try:
        reminder = services.project_take(project=project, cheffe=request.user)
    except ServiceRefused as error:
        messages.error(request, str(error))
        return _back(request)
    if reminder is not None:
        messages.success(
            request,
            _("Le dossier « %(title)s » vous est confié\u00a0; rappel\u00a0: %(day)s.")
            % {"title": project.title, "day": typography.day(local_day(reminder.due_at))},
        )
    else:
        messages.success(
            request, _("Le dossier « %(title)s » vous est confié.") % {"title": project.title}
        )
    return _back(request)


@require_http_methods(["GET", "POST"])
@login_required
def first_meeting_schedule(request, reference: str):
    _require_team(request)
    project = _project(reference)
    meeting = FirstMeeting.objects.filter(project=project).first()
    form = FirstMeetingScheduleForm(request.POST or None, instance=meeting)
    if request.method == "POST" and form.is_valid():

        def schedule() -> str:
            services.first_meeting_schedule(
                project=project, organiser=request.user, **form.cleaned_data
            )
            messages.success(
                request, _("Le rendez-vous est enregistré ; le porteur a reçu une invitation.")
            )
            return _team_page(project)

        try:
            # Sent twice, the porteur would get two invitations.
            return submit_once(request, schedule, fallback=_team_page(project))
        except ServiceRefused as error:
            messages.error(request, str(error))
            return redirect(_team_page(project))
    if project.status != Status.CONTACT and request.method == "GET":
        messages.info(request, _("Le premier rendez-vous a déjà eu lieu pour ce dossier."))
        return redirect(_team_page(project))
    return render(
        request, "coaching/first_meeting_schedule.html", {"project": project, "form": form}
    )


@require_http_methods(["GET", "POST"])
@login_required
def first_meeting_report(request, reference: str):
    _require_team(request)
    project = _project(reference)
    meeting = FirstMeeting.objects.filter(project=project).first()
    if meeting is None:
        messages.error(request, _("Fixez d'abord le premier rendez-vous."))
        return redirect("coaching:first_meeting_schedule", reference=reference)
    data = request.POST or None
    # Prefilled on the page only: what is posted is what she saw, the prefill included.
    initial, plan_initial = report_initial(meeting, project=project) if data is None else ({}, [])
    form = FirstMeetingReportForm(data, instance=meeting, initial=initial)
    lines = FinancingLineFormSet(data, instance=meeting, prefix="plan", initial=plan_initial)
    rewards = RewardTierFormSet(data, instance=meeting, prefix="contreparties")
    if request.method == "POST" and form.is_valid() and lines.is_valid() and rewards.is_valid():

        def report() -> str:
            services.first_meeting_report(
                meeting=meeting,
                actor=request.user,
                report=form.cleaned_data,
                financing_lines=lines.rows(),
                rewards=rewards.rows(),
            )
            messages.success(request, _("Le compte rendu du premier rendez-vous est enregistré."))
            return _team_page(project)

        try:
            return submit_once(request, report, fallback=_team_page(project))
        except ServiceRefused as error:
            # The dossier moved meanwhile (the team abandoned it, another tab saved first).
            messages.error(request, str(error))
            return redirect(_team_page(project))
    if request.method == "POST" and lines.is_valid():
        plan = lines.rows()
    else:
        plan = plan_initial or [
            {"amount": line.amount, "source": line.source} for line in meeting.financing_lines.all()
        ]
    total, share = rules.crowdfunding_share(plan)
    return render(
        request,
        "coaching/first_meeting_report.html",
        {
            "project": project,
            "meeting": meeting,
            "form": form,
            "lines": lines,
            "rewards": rewards,
            "plan_total": total,
            "plan_share": share,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def interaction_create(request, reference: str | None = None):
    """Log an exchange, from a dossier's page or (choosing the dossier) from the dashboard."""
    _require_team(request)
    project = _project(reference) if reference else None
    choices = None if project else active_projects()
    form = InteractionForm(request.POST or None, project_choices=choices)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        target = project or data.pop("project")
        data.pop("project", None)
        back = reverse("coaching:dashboard") if project is None else _team_page(target)

        def record() -> str:
            services.interaction_record(project=target, author=request.user, **data)
            messages.success(
                request,
                _("L'échange est enregistré dans le dossier %(ref)s.") % {"ref": target.reference},
            )
            return back

        try:
            # Sent twice, the same exchange would be logged twice.
            return submit_once(request, record, fallback=back)
        except ServiceRefused as error:
            messages.error(request, str(error))
            return redirect(_team_page(target))
    suggestions = [] if project else selectors.suggested(selectors.active_dossiers(request.user))
    return render(
        request,
        "coaching/interaction_form.html",
        {"project": project, "form": form, "suggestions": suggestions},
    )


def _back_path(request) -> str | None:
    """The page the form was on (a dossier or the dashboard), never off the site."""
    target = request.POST.get("next") or request.GET.get("next", "")
    # A path only (never a URL name for redirect() to resolve), on this site.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return None


def _back(request):
    """Back to the page the form was on (a dossier or the dashboard), never off the site."""
    target = _back_path(request)
    return HttpResponseRedirect(target) if target else redirect("coaching:dashboard")


def _own_reminder(request, pk: int) -> Reminder:
    _require_team(request)
    reminder = get_object_or_404(Reminder.objects.select_related("project"), pk=pk)
    if reminder.recipient_id != request.user.pk and not request.user.is_administrator:
        raise Http404
    return reminder


@require_POST
@login_required
def reminder_done(request, pk: int):
    reminder = _own_reminder(request, pk)
    try:
        services.reminder_mark_done(reminder=reminder, actor=request.user)
        messages.success(request, _("Rappel marqué comme fait."))
    except ServiceRefused as error:
        messages.error(request, str(error))
    return _back(request)


@require_POST
@login_required
def reminder_postpone(request, pk: int):
    """To a day picked in the calendar, or by "+1 jour" / "+1 semaine"."""
    reminder = _own_reminder(request, pk)
    form = PostponeForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["due_on"]:
                reminder = services.reminder_postpone(
                    reminder=reminder, actor=request.user, due_on=form.cleaned_data["due_on"]
                )
            else:
                reminder = services.reminder_postpone_by(
                    reminder=reminder, actor=request.user, days=form.cleaned_data["days"]
                )
            messages.success(
                request,
                _("Rappel reporté au %(day)s.")
                % {"day": local_day(reminder.due_at).strftime("%d/%m/%Y")},
            )
        except ServiceRefused as error:
            messages.error(request, str(error))
    else:
        messages.error(
            request, " ".join(error for errors in form.errors.values() for error in errors)
        )
    return _back(request)


@require_http_methods(["GET", "POST"])
@login_required
def reminder_answer(request, pk: int):
    """ "Noter l'échange": log the exchange that answers a reminder, and close the reminder.

    The dashboard holds this form inline in each reminder; this page shows it alone (from a
    dossier's page, or again with its errors).
    """
    reminder = _own_reminder(request, pk)
    project = reminder.project
    form = _answer_form(reminder, request.POST or None)
    back = _back_path(request) or reverse("coaching:dashboard")
    if request.method == "POST" and form.is_valid():

        def record() -> str:
            services.interaction_record(
                project=project, author=request.user, answering=reminder, **form.cleaned_data
            )
            messages.success(
                request,
                _(
                    "L'échange est enregistré dans le dossier %(ref)s et le rappel "
                    "« %(message)s » est clos."
                )
                % {"ref": project.reference, "message": reminder.message},
            )
            return back

        try:
            # Sent twice, the same exchange would be logged twice.
            return submit_once(request, record, fallback=back)
        except ServiceRefused as error:
            messages.error(request, str(error))
            return redirect(back)
    return render(
        request,
        "coaching/interaction_form.html",
        {"project": project, "form": form, "reminder": reminder, "next": back},
    )


@require_http_methods(["GET", "POST"])
@login_required
def calendar_settings(request):
    _require_team(request)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "renew":
            services.calendar_token_renew(user=request.user)
            messages.success(request, _("Nouvelle adresse créée ; l'ancienne ne fonctionne plus."))
        elif action == "revoke":
            services.calendar_token_revoke(user=request.user)
            messages.success(request, _("L'adresse de l'agenda est désactivée."))
        elif action == "digest":
            enabled = request.POST.get("daily_digest") == "on"
            services.digest_set(user=request.user, enabled=enabled)
            messages.success(
                request,
                _("Récapitulatif quotidien activé.")
                if enabled
                else _("Récapitulatif quotidien désactivé."),
            )
        return redirect("coaching:calendar_settings")
    preferences = CoachSettings.objects.filter(user=request.user).first()
    feed_url = None
    if preferences and preferences.calendar_token:
        feed_url = request.build_absolute_uri(
            reverse("coaching:calendar_feed", args=[preferences.calendar_token])
        )
    return render(
        request,
        "coaching/calendar_settings.html",
        {
            "feed_url": feed_url,
            "daily_digest": preferences.daily_digest if preferences else True,
        },
    )


@require_safe
def calendar_feed(request, token: str):
    """A cheffe's private feed; the secret address is the only key, so no login is asked."""
    preferences = (
        CoachSettings.objects.select_related("user")
        .filter(calendar_token=token, user__is_active=True)
        .first()
    )
    if preferences is None or not preferences.user.is_team:
        raise Http404
    user = preferences.user
    since = timezone.now() - timedelta(days=30)
    meetings = FirstMeeting.objects.filter(
        project__coach=user, scheduled_at__gte=since
    ).select_related("project", "organiser")
    reminders = Reminder.objects.pending().filter(recipient=user).select_related("project")
    response = HttpResponse(
        calendar.cheffe_feed(meetings=meetings, reminders=reminders),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="propulsons.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
