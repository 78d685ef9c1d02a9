"""The dashboard as the cheffe's to-do: new contacts taken in one click (her name on the
dossier and a callback reminder), reminders answered by an exchange that closes them, and
"+1 jour" / "+1 semaine"."""

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.messages import get_messages

from accounts.submitted_forms import FORM_KEY_FIELD
from coaching import services
from coaching.models import Interaction, Reminder
from projects.models import Project, Status
from projects.services import TransitionError
from tests.coaching.factories import InteractionFactory, ReminderFactory
from tests.factories import ProjectFactory, UserFactory, commune

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)  # a Thursday, 10:30 in Paris
TODAY = date(2026, 11, 26)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def other_cheffe(db):
    return UserFactory(
        email="cheffe2@propulsons.org", role="cheffe", first_name="Inès", last_name="Roux"
    )


def submitted(day: date, **fields) -> Project:
    project = ProjectFactory(**fields)
    moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=10)
    Project.objects.filter(pk=project.pk).update(created_at=moment, status_changed_at=moment)
    project.refresh_from_db()
    return project


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- Taking a new contact -------------------------------------------------------------------


def test_taking_a_new_contact_makes_it_hers_with_a_callback_in_2_working_days(cheffe):
    project = submitted(TODAY, title="Café des possibles")
    reminder = services.project_take(project=project, cheffe=cheffe)
    project.refresh_from_db()
    assert project.coach == cheffe
    assert Reminder.objects.get() == reminder
    assert (reminder.kind, reminder.key, reminder.recipient) == ("new_contact", "callback", cheffe)
    assert reminder.due_at == datetime(2026, 11, 30, 8, tzinfo=UTC)  # Thursday → Monday
    # The scan knows it: it adds no second callback.
    assert services.reminders_create_from_cadences() == 0


def test_a_contact_taken_late_is_called_back_today(cheffe):
    project = submitted(date(2026, 11, 16))
    reminder = services.project_take(project=project, cheffe=cheffe)
    assert reminder.due_at == datetime(2026, 11, 26, 8, tzinfo=UTC)


def test_of_two_cheffes_taking_the_same_dossier_the_second_is_told_who_won(cheffe, other_cheffe):
    project = submitted(TODAY)
    stale = Project.objects.get(pk=project.pk)  # what the second cheffe's page had read
    services.project_take(project=project, cheffe=cheffe)
    with pytest.raises(TransitionError, match="Gaëlle Mercier vient de prendre ce dossier"):
        services.project_take(project=stale, cheffe=other_cheffe)
    assert Project.objects.get(pk=project.pk).coach == cheffe
    assert list(Reminder.objects.values_list("recipient", flat=True)) == [cheffe.pk]


def test_a_closed_dossier_cannot_be_taken(cheffe):
    project = submitted(TODAY, status=Status.ABANDONED)
    with pytest.raises(TransitionError, match="n'est plus actif"):
        services.project_take(project=project, cheffe=cheffe)
    assert not Reminder.objects.exists()


def test_the_dashboard_lists_new_contacts_oldest_first_with_age_phone_and_take_button(
    client, cheffe
):
    submitted(date(2026, 11, 23), title="Recyclerie de Liévin", commune=commune("Liévin"))
    submitted(date(2026, 11, 25), title="Épicerie de Lens", contact_phone="03 21 00 00 01")
    submitted(TODAY, title="Vélo-école")
    submitted(date(2026, 11, 1), title="Déjà suivi", coach=cheffe)
    submitted(date(2026, 11, 1), title="En accompagnement", status=Status.COACHING)
    client.force_login(cheffe)
    page = page_text(client.get("/accompagnement/"))
    section = page[page.index("Nouveaux contacts à rappeler") : page.index("Suivis à faire")]
    assert section.index("Recyclerie de Liévin") < section.index("Épicerie de Lens")
    assert section.index("Épicerie de Lens") < section.index("Vélo-école")
    assert "Déjà suivi" not in section and "En accompagnement" not in section
    assert "déposé il y a 3 jours" in section and "(Liévin)" in section
    assert "déposé il y a 1 jour" in section and "déposé aujourd'hui" in section
    assert 'href="tel:0321000001"' in section
    assert section.count("Je prends ce dossier") == 3


def test_one_post_takes_the_dossier_and_the_callback_shows_on_the_dashboard(client, cheffe):
    project = submitted(date(2026, 11, 24), title="Café des possibles")
    client.force_login(cheffe)
    response = client.post(
        f"/accompagnement/dossiers/{project.reference}/prendre/", {"next": "/accompagnement/"}
    )
    assert response.status_code == 302 and response["Location"] == "/accompagnement/"
    project.refresh_from_db()
    assert project.coach == cheffe
    reminder = Reminder.objects.get(project=project, kind="new_contact")
    assert reminder.due_at == datetime(2026, 11, 26, 8, tzinfo=UTC)
    page = page_text(client.get("/accompagnement/"))
    assert "Le dossier « Café des possibles » vous est confié\u00a0; rappel\u00a0: 26" in page
    reminders = page[page.index("Suivis à faire") :]
    assert "Café des possibles" in reminders and "appeler le porteur" in reminders
    assert 'href="tel:+33321000000"' in reminders
    assert "Aucun nouveau contact en attente." in page


def test_the_second_cheffe_to_click_gets_a_clear_message_and_nothing_changes(
    client, cheffe, other_cheffe
):
    project = submitted(TODAY)
    services.project_take(project=project, cheffe=cheffe)
    client.force_login(other_cheffe)
    response = client.post(f"/accompagnement/dossiers/{project.reference}/prendre/")
    assert response.status_code == 302
    assert flashed(response) == ["Gaëlle Mercier vient de prendre ce dossier."]
    assert Project.objects.get(pk=project.pk).coach == cheffe
    assert Reminder.objects.filter(recipient=other_cheffe).count() == 0


@pytest.mark.parametrize("role", ["porteur", "comite", "admin"])
def test_only_a_cheffe_can_take_a_dossier(client, cast, role):
    project = submitted(TODAY, owner=cast["porteur"])
    client.force_login(cast[role])
    response = client.post(f"/accompagnement/dossiers/{project.reference}/prendre/")
    assert response.status_code == 403
    assert Project.objects.get(pk=project.pk).coach is None
    assert not Reminder.objects.exists()


def test_taking_is_a_post(client, cheffe):
    project = submitted(TODAY)
    client.force_login(cheffe)
    assert client.get(f"/accompagnement/dossiers/{project.reference}/prendre/").status_code == 405
    assert Project.objects.get(pk=project.pk).coach is None


# --- Answering a reminder -----------------------------------------------------------------------


def test_an_exchange_answering_a_reminder_closes_it_in_the_same_service(cheffe):
    project = ProjectFactory(coach=cheffe, status=Status.COACHING)
    reminder = ReminderFactory(project=project, recipient=cheffe, due_at=NOW - timedelta(days=2))
    other = ReminderFactory(project=project, recipient=cheffe)
    interaction = services.interaction_record(
        project=project,
        author=cheffe,
        kind="phone",
        happened_on=TODAY,
        duration_minutes=10,
        internal_notes="Il a trouvé un local.",
        answering=reminder,
    )
    reminder.refresh_from_db()
    other.refresh_from_db()
    assert reminder.done_at == NOW and other.done_at is None
    assert interaction.internal_notes == "Il a trouvé un local."
    assert Project.objects.get(pk=project.pk).last_interaction_on == TODAY


def test_a_reminder_of_another_dossier_cannot_be_answered(cheffe):
    project = ProjectFactory(coach=cheffe)
    reminder = ReminderFactory(recipient=cheffe)
    with pytest.raises(services.CoachingError):
        services.interaction_record(
            project=project,
            author=cheffe,
            kind="phone",
            happened_on=TODAY,
            duration_minutes=10,
            answering=reminder,
        )
    assert not Interaction.objects.exists()
    reminder.refresh_from_db()
    assert reminder.done_at is None


def test_the_dashboard_offers_an_inline_form_prefilled_from_the_reminder(client, cheffe):
    project = ProjectFactory(coach=cheffe, status=Status.COACHING, title="Ressourcerie")
    reminder = ReminderFactory(
        project=project, recipient=cheffe, message="Rappeler la banque", due_at=NOW
    )
    client.force_login(cheffe)
    page = page_text(client.get("/accompagnement/"))
    form = page[page.index(f'action="/accompagnement/rappels/{reminder.pk}/noter/"') :]
    form = form[: form.index("</form>")]
    prefix = f"rappel-{reminder.pk}"
    assert '<option value="phone" selected>' in form
    assert f'name="{prefix}-happened_on" value="2026-11-26"' in form
    assert f'name="{prefix}-duration_minutes" value="15"' in form
    assert "Rappeler la banque" in form
    assert 'name="next" value="/accompagnement/"' in form
    card = page[page.index(f'id="rappel-{reminder.pk}"') :]
    for label in ("Noter l'échange", "+1 jour", "+1 semaine", "Fait", "Autre date"):
        assert label in card
    assert 'href="tel:+33321000000"' in card


def test_saving_the_inline_form_logs_the_exchange_and_closes_the_reminder(client, cheffe):
    project = ProjectFactory(coach=cheffe, status=Status.COACHING, title="Ressourcerie")
    reminder = ReminderFactory(
        project=project,
        recipient=cheffe,
        message="Rappeler la banque",
        due_at=NOW - timedelta(days=3),
    )
    prefix = f"rappel-{reminder.pk}"
    client.force_login(cheffe)
    response = client.post(
        f"/accompagnement/rappels/{reminder.pk}/noter/",
        {
            f"{prefix}-kind": "phone",
            f"{prefix}-happened_on": "2026-11-26",
            f"{prefix}-duration_minutes": "15",
            f"{prefix}-internal_notes": "La banque accorde le prêt.",
            "next": "/accompagnement/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/accompagnement/"
    interaction = Interaction.objects.get()
    assert (interaction.project, interaction.author, interaction.kind) == (project, cheffe, "phone")
    assert interaction.internal_notes == "La banque accorde le prêt."
    reminder.refresh_from_db()
    assert reminder.done_at is not None
    page = page_text(client.get("/accompagnement/"))
    assert (
        f"L'échange est enregistré dans le dossier {project.reference} et le rappel "
        "«\u00a0Rappeler la banque\u00a0» est clos." in page
    )
    assert f'id="rappel-{reminder.pk}"' not in page


def test_a_next_action_typed_when_answering_becomes_the_next_reminder(client, cheffe):
    project = ProjectFactory(coach=cheffe, status=Status.COACHING)
    reminder = ReminderFactory(project=project, recipient=cheffe, due_at=NOW)
    prefix = f"rappel-{reminder.pk}"
    client.force_login(cheffe)
    client.post(
        f"/accompagnement/rappels/{reminder.pk}/noter/",
        {
            f"{prefix}-kind": "phone",
            f"{prefix}-happened_on": "2026-11-26",
            f"{prefix}-duration_minutes": "15",
            f"{prefix}-next_action": "Relire le budget",
            f"{prefix}-next_action_due": "2026-12-02",
        },
    )
    pending = Reminder.objects.pending().get()
    assert pending.message == "Relire le budget"
    assert pending.due_at == datetime(2026, 12, 2, 8, tzinfo=UTC)


def test_a_wrong_answer_is_shown_again_with_its_errors_and_closes_nothing(client, cheffe):
    project = ProjectFactory(coach=cheffe, status=Status.COACHING)
    reminder = ReminderFactory(project=project, recipient=cheffe, message="Rappeler la banque")
    prefix = f"rappel-{reminder.pk}"
    client.force_login(cheffe)
    response = client.post(
        f"/accompagnement/rappels/{reminder.pk}/noter/",
        {
            f"{prefix}-kind": "phone",
            f"{prefix}-happened_on": "2026-11-26",
            f"{prefix}-duration_minutes": "0",
            f"{prefix}-internal_notes": "Gardé tel quel",
            "next": "/accompagnement/",
        },
    )
    assert response.status_code == 200
    page = page_text(response)
    assert "Indiquez une durée d'au moins 1 minute." in page
    assert "Gardé tel quel" in page and "Rappeler la banque" in page
    assert 'name="next" value="/accompagnement/"' in page
    assert not Interaction.objects.exists()
    reminder.refresh_from_db()
    assert reminder.done_at is None


@pytest.mark.parametrize(("role", "status"), [("porteur", 403), ("comite", 403)])
def test_others_cannot_answer_a_cheffes_reminder(client, cast, role, status):
    reminder = ReminderFactory(recipient=cast["cheffe"])
    prefix = f"rappel-{reminder.pk}"
    client.force_login(cast[role])
    data = {f"{prefix}-kind": "phone", f"{prefix}-happened_on": "2026-11-26"}
    data[f"{prefix}-duration_minutes"] = "15"
    assert client.post(f"/accompagnement/rappels/{reminder.pk}/noter/", data).status_code == status
    assert client.get(f"/accompagnement/rappels/{reminder.pk}/noter/").status_code == status
    reminder.refresh_from_db()
    assert reminder.done_at is None and not Interaction.objects.exists()


def test_a_cheffe_cannot_close_another_cheffes_reminder_by_answering_it(
    client, cheffe, other_cheffe
):
    reminder = ReminderFactory(recipient=cheffe)
    prefix = f"rappel-{reminder.pk}"
    client.force_login(other_cheffe)
    response = client.post(
        f"/accompagnement/rappels/{reminder.pk}/noter/",
        {
            f"{prefix}-kind": "phone",
            f"{prefix}-happened_on": "2026-11-26",
            f"{prefix}-duration_minutes": "15",
        },
    )
    assert response.status_code == 404
    reminder.refresh_from_db()
    assert reminder.done_at is None and not Interaction.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, cheffe):
    reminder = ReminderFactory(recipient=cheffe)
    response = client.post(f"/accompagnement/rappels/{reminder.pk}/noter/", {})
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]


# --- Postponing by a day or a week -----------------------------------------------------------


def test_plus_one_day_moves_a_late_reminder_to_tomorrow(client, cheffe):
    reminder = ReminderFactory(recipient=cheffe, due_at=NOW - timedelta(days=3))
    client.force_login(cheffe)
    response = client.post(
        f"/accompagnement/rappels/{reminder.pk}/reporter/",
        {"days": "1", "next": "/accompagnement/"},
    )
    assert response["Location"] == "/accompagnement/"
    reminder.refresh_from_db()
    assert reminder.due_at == datetime(2026, 11, 27, 8, tzinfo=UTC)
    assert flashed(response) == ["Rappel reporté au 27/11/2026."]


def test_plus_one_week_moves_a_coming_reminder_a_week_after_its_day(client, cheffe):
    reminder = ReminderFactory(recipient=cheffe, due_at=datetime(2026, 11, 28, 8, tzinfo=UTC))
    client.force_login(cheffe)
    client.post(f"/accompagnement/rappels/{reminder.pk}/reporter/", {"days": "7"})
    reminder.refresh_from_db()
    assert reminder.due_at == datetime(2026, 12, 5, 8, tzinfo=UTC)


def test_postponing_needs_a_day_or_a_known_step(client, cheffe):
    reminder = ReminderFactory(recipient=cheffe)
    client.force_login(cheffe)
    for data in ({}, {"days": "3"}):
        client.post(f"/accompagnement/rappels/{reminder.pk}/reporter/", data)
        reminder.refresh_from_db()
        assert reminder.due_at == datetime(2026, 11, 26, 8, tzinfo=UTC)


# --- The dossier page's reminders ---------------------------------------------------------


def test_the_dossier_page_offers_to_answer_and_postpone_its_reminders(client, cheffe):
    project = ProjectFactory(coach=cheffe, status=Status.COACHING)
    reminder = ReminderFactory(project=project, recipient=cheffe, message="Relire le budget")
    client.force_login(cheffe)
    page = page_text(client.get(f"/accompagnement/dossiers/{project.reference}/"))
    section = page[page.index('id="accompagnement"') :]
    answer = f"/accompagnement/rappels/{reminder.pk}/noter/?next="
    assert answer in section
    assert "+1 jour" in section and "+1 semaine" in section
    # The answer page says which reminder it closes, and goes back to the dossier.
    target = section[section.index(answer) :].split('"')[0]
    page = page_text(client.get(target))
    assert "Relire le budget" in page and "L'enregistrer clôt le rappel." in page
    assert f'value="/accompagnement/dossiers/{project.reference}/#accompagnement"' in page


# --- Her active dossiers: the table and the quick entry's suggestions -----------------------


def suggestions(response) -> list[str]:
    datalist = re.search(r'<datalist id="dossiers-actifs">(.*?)</datalist>', page_text(response))
    return re.findall(r'<option value="([^"]+)">', datalist[1])


def test_the_quick_entry_suggests_her_active_dossiers_that_moved_last_first(
    client, cheffe, other_cheffe
):
    """The dashboard reads her active dossiers once: its table lists them waiting longest for
    news first, the quick entry (here and on its own page) suggests them moved last first."""
    quiet = submitted(TODAY - timedelta(days=9), coach=cheffe, status=Status.COACHING)
    moved = submitted(TODAY - timedelta(days=1), coach=cheffe, status=Status.LABELLED)
    middle = submitted(TODAY - timedelta(days=4), coach=cheffe, status=Status.CONTACT)
    Project.objects.filter(pk=moved.pk).update(last_interaction_on=TODAY - timedelta(days=20))
    Project.objects.filter(pk=middle.pk).update(last_interaction_on=TODAY - timedelta(days=2))
    submitted(TODAY, coach=cheffe, status=Status.CLOSED, title="Dossier clos")
    submitted(TODAY, coach=other_cheffe, status=Status.COACHING, title="Dossier d'Inès")
    client.force_login(cheffe)
    dashboard = client.get("/accompagnement/")
    expected = [moved.reference, middle.reference, quiet.reference]
    assert suggestions(dashboard) == expected
    assert suggestions(client.get("/accompagnement/echanges/nouveau/")) == expected
    # The table: never an exchange first, then the oldest exchange.
    table = [project.reference for project in dashboard.context["active_projects"]]
    assert table == [quiet.reference, moved.reference, middle.reference]
    row = re.search(rf'<tr><td><a href="[^"]+{quiet.reference}/">(.*?)</tr>', page_text(dashboard))
    assert f'{quiet.title}</a> <span class="text-body-secondary">({quiet.commune.name})' in row[1]
    assert "Dossier clos" not in page_text(dashboard)


def test_a_cut_list_of_reminders_says_how_many_there_are(client, cheffe, monkeypatch):
    from coaching import views

    monkeypatch.setattr(views, "REMINDERS_SHOWN", 2)
    for hours in (1, 2):
        ReminderFactory(recipient=cheffe, due_at=NOW + timedelta(hours=hours))
    client.force_login(cheffe)
    assert "premiers suivis" not in page_text(client.get("/accompagnement/"))
    ReminderFactory(recipient=cheffe, due_at=NOW + timedelta(days=3))
    page = page_text(client.get("/accompagnement/"))
    assert "Les 2 premiers suivis sur 3\u00a0: marquez-les faits pour voir la suite." in page


# --- The blank forms, rendered once a day ------------------------------------------------------


def test_the_dashboards_blank_forms_come_from_the_cache_filled_for_each_request(
    cheffe, page_cache, time_machine
):
    """With the cache on (production), a reminder's actions and the quick entry's fields are
    rendered once a day: every later dashboard fills them in with its own CSRF token, path,
    reminders and form keys, and its forms work."""
    from django.test import Client

    first, second = (
        ReminderFactory(recipient=cheffe, due_at=NOW + timedelta(hours=hours), message=message)
        for hours, message in ((1, "Rappeler <Léa>"), (2, "Relire le budget"))
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(cheffe)

    def dashboard():
        response = client.get("/accompagnement/")
        rendered = {template.name for template in response.templates}
        return page_text(response), "coaching/_reminder_actions.html" in rendered

    page, rendered = dashboard()
    assert rendered
    again, rendered = dashboard()
    assert not rendered
    assert f"/accompagnement/rappels/{second.pk}/fait/" in again
    assert "Rappeler <Léa>" in again and "__" not in again.split("<main", 1)[1]
    assert 'name="happened_on" value="2026-11-26"' in again  # the quick entry's date
    # The same page but for the CSRF tokens and the form keys.
    changing = re.compile(rf'name="(csrfmiddlewaretoken|{FORM_KEY_FIELD})" value="[^"]+"')
    assert changing.sub("", again) == changing.sub("", page)
    action = f"/accompagnement/rappels/{first.pk}/fait/"
    form = re.search(rf'<form method="post" action="{action}">(.*?)</form>', again)[1]
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    assert fields["next"] == "/accompagnement/"
    assert client.post(action, fields).status_code == 302
    assert Reminder.objects.get(pk=first.pk).done_at is not None
    # The next day, the date moves.
    time_machine.move_to(NOW + timedelta(days=1), tick=False)
    page, rendered = dashboard()
    assert rendered and 'name="happened_on" value="2026-11-27"' in page


# --- Queries ------------------------------------------------------------------------------------


def test_the_dashboard_queries_do_not_grow_with_contacts_and_reminders(
    client, cheffe, django_assert_max_num_queries
):
    def add(count: int) -> None:
        for index in range(count):
            project = ProjectFactory(coach=cheffe, status=Status.COACHING)
            InteractionFactory(project=project)
            ReminderFactory(
                recipient=cheffe, project=project, due_at=NOW + timedelta(days=index % 9 - 3)
            )
            submitted(TODAY - timedelta(days=index))

    add(2)
    client.force_login(cheffe)
    client.get("/accompagnement/")  # the session, warmed
    with django_assert_max_num_queries(15) as small:
        client.get("/accompagnement/")
    add(12)
    with django_assert_max_num_queries(15) as large:
        response = client.get("/accompagnement/")
    assert len(small.captured_queries) == len(large.captured_queries)
    assert page_text(response).count("Je prends ce dossier") == 14


@pytest.mark.django_db(transaction=True)
def test_two_cheffes_clicking_at_once_one_takes_the_dossier_one_callback(cheffe, other_cheffe):
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (SQLite locks the whole file)")
    project = ProjectFactory()
    barrier = threading.Barrier(2)
    outcomes = []

    def click(user):
        from django.db import connections

        copy = Project.objects.get(pk=project.pk)
        barrier.wait()
        try:
            services.project_take(project=copy, cheffe=user)
            outcomes.append("won")
        except TransitionError:
            outcomes.append("lost")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click, args=(user,)) for user in (cheffe, other_cheffe)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["lost", "won"]
    winner = Project.objects.get(pk=project.pk).coach
    assert list(Reminder.objects.values_list("recipient", flat=True)) == [winner.pk]


# --- Framework work per row -------------------------------------------------------------------


FIELD_TEMPLATES = ("bootstrap5/", "django/forms/")


def test_the_dashboard_does_not_repeat_framework_work_per_row(client, cheffe):
    """reverse() and the form fields' rendering do not grow with the rows: the links of each
    row come from one reverse() per pattern ({% row_url %}), a reminder's inline form is
    rendered once and copied with its id."""
    from unittest import mock

    from django.urls.resolvers import URLResolver
    from django.utils import translation

    translation.gettext("")  # so that _trans holds its gettext itself
    counts = {"reverse": 0, "gettext": 0}
    reverse_with_prefix = URLResolver._reverse_with_prefix
    gettext = translation._trans.gettext

    def counted(name, function):
        def wrapper(*args, **kwargs):
            counts[name] += 1
            return function(*args, **kwargs)

        return wrapper

    def add(count: int) -> None:
        for index in range(count):
            project = ProjectFactory(coach=cheffe, status=Status.COACHING)
            InteractionFactory(project=project)
            ReminderFactory(
                recipient=cheffe, project=project, due_at=NOW + timedelta(days=index % 9 - 3)
            )
            submitted(TODAY - timedelta(days=index))

    def measured() -> dict:
        counts.update(reverse=0, gettext=0)
        with (
            mock.patch.object(
                URLResolver, "_reverse_with_prefix", counted("reverse", reverse_with_prefix)
            ),
            mock.patch.object(translation._trans, "gettext", counted("gettext", gettext)),
        ):
            response = client.get("/accompagnement/")
        assert response.status_code == 200
        # The templates of crispy-forms and of Django's widgets, rendered per field.
        counts["field templates"] = len(
            [t for t in response.templates if t.name and t.name.startswith(FIELD_TEMPLATES)]
        )
        return dict(counts), response

    add(2)
    client.force_login(cheffe)
    client.get("/accompagnement/")  # the session and the row_url patterns, warmed
    small, _response = measured()
    add(12)
    large, response = measured()
    page = page_text(response)
    assert page.count("Enregistrer et clore le rappel") == 14
    assert large["reverse"] == small["reverse"] <= 20
    # Each reminder's links and inline form carry its own id.
    for reminder in Reminder.objects.all():
        assert f'action="/accompagnement/rappels/{reminder.pk}/noter/"' in page
        assert f'name="rappel-{reminder.pk}-kind"' in page
        assert f'id="id_rappel-{reminder.pk}-next_action_due"' in page
    assert "__rappel__" not in page and "__cle__" not in page
    # Each inline form has its own key (submit_once tells a double click by it).
    keys = re.findall(r'name="form_key" value="([^"]+)"', response.content.decode())
    assert len(keys) == len(set(keys)) >= 14


def test_a_reminders_actions_carry_its_own_title_and_message_escaped(client, cheffe):
    project = ProjectFactory(
        coach=cheffe, status=Status.COACHING, title="<b>Atelier</b> __message__"
    )
    reminder = ReminderFactory(
        recipient=cheffe, project=project, due_at=NOW, message='Rappeler "vite" & __titre__'
    )
    client.force_login(cheffe)
    page = client.get("/accompagnement/").content.decode()
    card = page[page.index(f'id="rappel-{reminder.pk}"') :]
    card = card[: card.index("</li>")]
    assert "<b>Atelier" not in card
    assert (
        '<span class="visually-hidden">\u00a0: &lt;b&gt;Atelier&lt;/b&gt; __message__, '
        "Rappeler &quot;vite&quot; &amp; __titre__</span>" in card
    )
    assert f'action="/accompagnement/rappels/{reminder.pk}/reporter/"' in card
    assert f'id="report-{reminder.pk}"' in card
