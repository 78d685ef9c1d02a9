"""Calendar files, built with the icalendar library: the first meeting's invitation and the
cheffe's private feed of appointments and follow-ups."""

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from propulsons.dates import add_days, local_day

PRODID = "-//Propulsons!//Accompagnement//FR"


def _calendar(method: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    return cal


def _meeting_event(meeting) -> Event:
    project = meeting.project
    event = Event()
    event.add("uid", f"premier-rdv-{project.reference}@propulsons.org")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.scheduled_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", f"Propulsons! — premier rendez-vous : {project.title}")
    where = meeting.location or meeting.video_link
    event.add("location", vText(where))
    description = (
        "Premier rendez-vous de 2 heures avec la cheffe de projet de Propulsons! : pertinence "
        "du financement participatif, plan de financement, premiers éléments de la campagne "
        "(objectif de collecte, durée, contreparties)."
    )
    if meeting.video_link:
        description += f"\nLien de visioconférence : {meeting.video_link}"
    event.add("description", description)
    organiser = vCalAddress(f"mailto:{meeting.organiser.email}")
    organiser.params["cn"] = vText(meeting.organiser.get_full_name() or meeting.organiser.email)
    event["organizer"] = organiser
    attendee = vCalAddress(f"mailto:{project.contact_email}")
    attendee.params["cn"] = vText(project.contact_name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", attendee, encode=0)
    return event


def meeting_invitation(meeting) -> str:
    """An invitation the porteur's calendar can add in one click."""
    cal = _calendar(method="REQUEST")
    cal.add_component(_meeting_event(meeting))
    return cal.to_ical().decode()


def cheffe_feed(*, meetings, reminders) -> bytes:
    """The cheffe's appointments and pending follow-ups (all-day events on their due date)."""
    cal = _calendar()
    cal.add("x-wr-calname", "Propulsons! — accompagnement")
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for meeting in meetings:
        cal.add_component(_meeting_event(meeting))
    for reminder in reminders:
        event = Event()
        # A stored date at the end of the calendar still makes an event (it has no day after).
        day = local_day(reminder.due_at)
        event.add("uid", f"rappel-{reminder.pk}@propulsons.org")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", day)
        after = add_days(day, 1)
        if after > day:  # the calendar's last day has no day after: one day is then implied
            event.add("dtend", after)
        event.add("summary", f"À faire — {reminder.project.title} : {reminder.message}")
        event.add(
            "url", f"{settings.SITE_URL}/accompagnement/dossiers/{reminder.project.reference}/"
        )
        cal.add_component(event)
    return cal.to_ical()
