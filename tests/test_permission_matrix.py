"""Who gets what from every URL of the project: one table, checked role by role.

Every URL pattern (the Django admin aside) must have a row in MATRIX, so that no page can be
added without deciding who may see it. A row names how to build the URL from a small world
of objects owned by `porteur`, the HTTP methods the view accepts, and the answer each role
gets:

- 200, the page;
- LOGIN, a redirection to the login page that comes back to the URL afterwards;
- 302, another redirection (an action done, a team member sent to the team's page...);
- 403, a role that has no business here at all;
- 404, an object that belongs to someone else, so that nobody can probe what exists.

GET is tested for pages; POST (with an empty or minimal body, one that would act if it were
allowed) for the actions that accept nothing else, which must refuse GET. Forms refuse a POST
as they refuse the page, read-only pages refuse POST, and a refused request changes nothing in
the database and sends no mail.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.campaigns.factories import CampaignFactory
from tests.coaching.factories import FirstMeetingFactory, ReminderFactory
from tests.factories import ProjectFactory, UserFactory
from tests.labelling.factories import CommitteeSessionFactory, LabellingRequestFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonyme", "porteur", "autre_porteur", "comite", "cheffe", "admin")
LOGIN = "login"  # 302 to /compte/connexion/?next=<the URL>
REFUSALS = {LOGIN, 403, 404, 405}
LOGIN_PATH = "/compte/connexion/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

GET, POST, FORM = ("GET",), ("POST",), ("GET", "POST")


# --- The world: objects owned by `porteur`, each created only when a URL needs it -------------


# The fixtures of tests/conftest.py behind the roles of the `cast` fixture.
ROLE_FIXTURES = {
    "porteur": "porteur",
    "autre_porteur": "other_porteur",
    "comite": "committee_member",
    "cheffe": "cheffe",
    "admin": "admin_user",
}


class World:
    def __init__(self, request):
        self._request = request

    def user(self, role: str):
        """The account of the role (None for the anonymous visitor), created on first use."""
        if role == "anonyme":
            return None
        return self._request.getfixturevalue(ROLE_FIXTURES[role])

    @property
    def porteur(self):
        return self.user("porteur")

    @property
    def cheffe(self):
        return self.user("cheffe")

    @cached_property
    def dossier(self):
        """A fresh dossier (first contact, details still editable), its first meeting set."""
        project = ProjectFactory(owner=self.porteur, contact_email=self.porteur.email)
        FirstMeetingFactory(project=project, organiser=self.cheffe)
        return project

    @cached_property
    def document(self):
        from django.test import TestCase

        from projects.services import document_add

        # The file moves into place once the row commits.
        with TestCase.captureOnCommitCallbacks(execute=True):
            return document_add(
                project=self.dossier,
                actor=self.porteur,
                kind="financing_plan",
                upload=SimpleUploadedFile("plan.pdf", PDF),
                original_name="plan.pdf",
                content_type="application/pdf",
            )

    @cached_property
    def reminder(self):
        return ReminderFactory(project=self.dossier, recipient=self.cheffe)

    @cached_property
    def failed_email(self):
        from outbox.models import Email

        return Email.objects.create(
            recipients=[self.porteur.email],
            subject="Votre premier rendez-vous",
            text="Bonjour,",
            status="failed",
            attempts=10,
            last_error="SMTPRecipientsRefused",
            next_attempt_at="2026-11-26T08:00:00Z",
            failed_at="2026-11-26T08:00:00Z",
        )

    @cached_property
    def labelling_request(self):
        """The porteur's dossier before the committee, on a session's agenda."""
        return LabellingRequestFactory(project__owner=self.porteur, session__created_by=self.cheffe)

    @cached_property
    def decision(self):
        from labelling.models import Decision

        return Decision.objects.create(
            request=self.labelling_request,
            outcome="labelled",
            proposed_outcome="labelled",
            motivation="Projet solidaire.",
            recorded_by=self.cheffe,
        )

    @cached_property
    def campaign(self):
        """A campaign in preparation for the porteur's labelled, published project."""
        return CampaignFactory(
            project__owner=self.porteur,
            project__status="labelled",
            status="preparing",
            launched_on=None,
        )

    @cached_property
    def declaration(self):
        """Figures the porteur declared, waiting for the team's check."""
        from datetime import UTC, datetime

        from campaigns.models import FigureSnapshot

        return FigureSnapshot.objects.create(
            campaign=self.campaign,
            taken_at=datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
            amount=100,
            contributors=3,
            source="porteur",
            review="pending",
        )

    @cached_property
    def calendar_token(self):
        from coaching.services import calendar_token_renew

        return calendar_token_renew(user=self.cheffe).calendar_token

    @cached_property
    def claim_token(self):
        from projects.services import claim_token_make

        return claim_token_make(ProjectFactory(owner=None, contact_email=self.porteur.email))

    @cached_property
    def pending(self):
        """A dossier submitted with the porteur's address, not attached to their account."""
        return ProjectFactory(owner=None, contact_email=self.porteur.email)

    @cached_property
    def label_number(self):
        from datetime import date

        return ProjectFactory(
            owner=self.porteur,
            status="labelled",
            label_number="VERIF-2026-01",  # apart from the factories' PS-2026-NN
            labelled_on=date(2026, 3, 1),
        ).label_number

    def password_reset(self):
        # Made after logging in: the token covers last_login, which force_login changes.
        return {
            "uidb64": urlsafe_base64_encode(force_bytes(self.porteur.pk)),
            "token": default_token_generator.make_token(self.porteur),
        }

    @cached_property
    def cover(self):
        """The cover of the porteur's published project (its smallest variant's name)."""
        import io

        from PIL import Image

        from campaigns import services

        data = io.BytesIO()
        Image.new("RGB", (600, 300), (10, 20, 30)).save(data, "PNG")
        presentation = services.presentation_update(
            project=self.campaign.project,
            actor=self.porteur,
            cover=SimpleUploadedFile("c.png", data.getvalue()),
            cover_alt="Image",
            video_url="",
        )
        return presentation.cover_stem.rsplit("/", 1)[1] + "-480.webp"

    @cached_property
    def news(self):
        from datetime import date

        from campaigns import services

        return services.news_add(
            project=self.campaign.project,
            actor=self.porteur,
            published_on=date(2026, 11, 1),
            text="Une nouvelle",
        )


# --- The matrix -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    methods: tuple[str, ...]
    # anonyme, porteur, autre_porteur, comite, cheffe, admin
    answers: tuple
    kwargs: Callable[[World], dict] = field(default=lambda w: {})
    data: dict = field(default_factory=dict)  # the POST body for POST-only actions

    @property
    def expected(self) -> dict:
        return dict(zip(ROLES, self.answers, strict=True))

    @property
    def post_only(self) -> bool:
        return self.methods == POST


EVERYONE = (200, 200, 200, 200, 200, 200)
LOGGED_IN = (LOGIN, 200, 200, 200, 200, 200)
TEAM = (LOGIN, 403, 403, 403, 200, 200)
TEAM_ACTION = (LOGIN, 403, 403, 403, 302, 302)  # done, then back to the page it came from
COMMITTEE = (LOGIN, 403, 403, 200, 200, 200)


def dossier(w):
    return {"reference": w.dossier.reference}


def in_committee(w):
    return {"pk": w.labelling_request.pk}


def session(w):
    return {"pk": w.labelling_request.session_id}


def campaign_dossier(w):
    return {"reference": w.campaign.project.reference}


MATRIX: dict[str, Row] = {
    # Site pages
    "home": Row(GET, EVERYONE),
    "healthz": Row(GET, EVERYONE),
    "legal_notice": Row(GET, EVERYONE),
    # Accounts
    "accounts:home": Row(GET, LOGGED_IN),
    # The team unlocks accounts blocked by too many failed logins.
    "accounts:lockouts": Row(FORM, TEAM),
    "accounts:login": Row(FORM, (200, 302, 302, 302, 302, 302)),
    "accounts:logout": Row(POST, (302, 302, 302, 302, 302, 302)),
    "accounts:password_change": Row(FORM, LOGGED_IN),
    "accounts:password_change_done": Row(GET, LOGGED_IN),
    "accounts:password_reset": Row(FORM, EVERYONE),
    "accounts:password_reset_done": Row(GET, EVERYONE),
    # A valid link moves its token into the session, then asks for the new password.
    "accounts:password_reset_confirm": Row(
        FORM, (302, 302, 302, 302, 302, 302), lambda w: w.password_reset()
    ),
    "accounts:password_reset_complete": Row(GET, EVERYONE),
    # Projects: intake, the porteur's space, the team's pipeline
    "projects:intake": Row(FORM, EVERYONE),
    "projects:intake_done": Row(GET, EVERYONE),
    "projects:porteur_space": Row(GET, LOGGED_IN),
    # Personal data: each account reaches only its own (no object in the URL).
    "projects:personal_data": Row(GET, LOGGED_IN),
    "projects:deletion_request": Row(FORM, LOGGED_IN),
    "projects:privacy_requests": Row(FORM, TEAM),
    # The team is sent to its own page of the dossier.
    "projects:porteur_project": Row(FORM, (LOGIN, 200, 404, 404, 302, 302), dossier),
    "projects:project_edit": Row(FORM, (LOGIN, 200, 404, 404, 200, 200), dossier),
    # Only the account whose address the dossier was submitted with may claim it.
    "projects:claim": Row(
        FORM, (LOGIN, 200, 404, 404, 404, 404), lambda w: {"token": w.claim_token}
    ),
    # Dossiers submitted with the porteur's address, waiting on their space: attached or
    # their link sent again only by that account (unproved address here: back to the space).
    "projects:pending_claim": Row(
        POST, (LOGIN, 302, 404, 404, 404, 404), lambda w: {"reference": w.pending.reference}
    ),
    "projects:pending_resend": Row(
        POST, (LOGIN, 302, 404, 404, 404, 404), lambda w: {"reference": w.pending.reference}
    ),
    # The label is public: its verification page and its badge (projects/views/label.py).
    "projects:label_verify": Row(GET, EVERYONE, lambda w: {"number": w.label_number}),
    "projects:label_badge": Row(GET, EVERYONE, lambda w: {"number": w.label_number, "fmt": "svg"}),
    "projects:document_download": Row(
        GET, (LOGIN, 200, 404, 404, 200, 200), lambda w: {"pk": w.document.pk}
    ),
    "projects:team_pipeline": Row(GET, TEAM),
    "projects:team_project": Row(FORM, TEAM, dossier),
    "projects:team_abandon": Row(POST, TEAM_ACTION, dossier, {"reason": "Plus de nouvelles."}),
    "projects:team_anonymise": Row(
        POST, TEAM_ACTION, dossier, {"reason": "Demande du porteur.", "confirm": "on"}
    ),
    "projects:team_reorient": Row(POST, TEAM_ACTION, dossier, {"reason": "Vers un prêt."}),
    # Messages on the dossier: its porteur and the team; GET goes back to the dossier's thread.
    "projects:dossier_message": Row(FORM, (LOGIN, 302, 404, 404, 302, 302), dossier),
    # Coaching
    "coaching:dashboard": Row(GET, TEAM),
    "coaching:first_meeting_schedule": Row(FORM, TEAM, dossier),
    "coaching:first_meeting_report": Row(FORM, TEAM, dossier),
    "coaching:interaction_create": Row(FORM, TEAM, dossier),
    "coaching:quick_interaction": Row(FORM, TEAM),
    "coaching:reminder_done": Row(POST, TEAM_ACTION, lambda w: {"pk": w.reminder.pk}),
    "coaching:reminder_postpone": Row(
        POST, TEAM_ACTION, lambda w: {"pk": w.reminder.pk}, {"due_on": "2026-12-10"}
    ),
    # "Noter l'échange" on a reminder: its page (with the form) and its POST.
    "coaching:reminder_answer": Row(FORM, TEAM, lambda w: {"pk": w.reminder.pk}),
    # "Je prends ce dossier": a cheffe de projet only (a dossier's cheffe is always one).
    "coaching:project_take": Row(POST, (LOGIN, 403, 403, 403, 302, 403), dossier),
    "coaching:calendar_settings": Row(FORM, TEAM),
    # A cheffe's private feed: the secret address is the key, so no login is asked.
    "coaching:calendar_feed": Row(GET, EVERYONE, lambda w: {"token": w.calendar_token}),
    # Labelling: the committee's pages
    "labelling:index": Row(GET, COMMITTEE),
    "labelling:session_create": Row(FORM, TEAM),
    "labelling:session": Row(GET, COMMITTEE, session),
    "labelling:minutes": Row(GET, COMMITTEE, session),
    "labelling:session_action": Row(POST, TEAM_ACTION, lambda w: {**session(w), "action": "clore"}),
    "labelling:review": Row(FORM, COMMITTEE, in_committee),
    "labelling:opinion": Row(POST, TEAM_ACTION, in_committee, {"cheffe_opinion": "Réservé."}),
    "labelling:close_vote": Row(POST, TEAM_ACTION, in_committee),
    # The team (or the session's chair) records the decision; a member who is not the chair
    # reads the request but may not decide.
    "labelling:decide": Row(
        POST,
        (LOGIN, 403, 403, 403, 302, 302),
        in_committee,
        {"outcome": "postponed", "motivation": "Quorum non atteint."},
    ),
    "labelling:correct": Row(FORM, TEAM, lambda w: {"pk": w.decision.pk}),
    # The porteur asks from their space (refused here: the dossier is incomplete), or the team.
    "labelling:raise_request": Row(POST, (LOGIN, 302, 404, 404, 302, 302), dossier),
    # Campaigns: public pages
    "campaigns:catalogue": Row(GET, EVERYONE),
    "campaigns:project_page": Row(GET, EVERYONE, lambda w: {"slug": w.campaign.project.slug}),
    "campaigns:map": Row(GET, EVERYONE),
    "campaigns:map_points": Row(GET, EVERYONE),
    "campaigns:figures": Row(GET, EVERYONE),
    "campaigns:open_data": Row(GET, EVERYONE),
    "campaigns:open_data_csv": Row(GET, EVERYONE),
    "campaigns:open_data_json": Row(GET, EVERYONE),
    "campaigns:open_data_schema": Row(GET, EVERYONE),
    "campaigns:campaigns_feed": Row(GET, EVERYONE),
    # Campaigns: the team's report and a dossier's campaign
    "campaigns:report": Row(GET, TEAM),
    "campaigns:report_export": Row(GET, TEAM, lambda w: {"fmt": "csv"}),
    "campaigns:campaign_edit": Row(FORM, TEAM, campaign_dossier),
    "campaigns:place_on_map": Row(
        POST, TEAM_ACTION, campaign_dossier, {"latitude": "50.43", "longitude": "2.83"}
    ),
    "campaigns:campaign_action": Row(
        POST, TEAM_ACTION, lambda w: {"pk": w.campaign.pk, "action": "lancer"}
    ),
    # New figures: by the porteur of the campaign or by the team.
    "campaigns:snapshot_create": Row(
        POST,
        (LOGIN, 302, 404, 404, 302, 302),
        lambda w: {"pk": w.campaign.pk},
        {"amount": "100", "contributors": "3", "source": "platform"},
    ),
    # Only the team accepts (or rejects) figures a porteur declared.
    "campaigns:snapshot_review": Row(
        POST, TEAM_ACTION, lambda w: {"pk": w.declaration.pk, "decision": "accepter"}
    ),
    # Only the porteur agrees (or no longer agrees) to publication.
    "campaigns:publication": Row(POST, (LOGIN, 302, 404, 404, 404, 404), campaign_dossier),
    # A project's public presentation: its porteur and the team; its cover, to everyone once
    # the project is published.
    "campaigns:presentation": Row(FORM, (LOGIN, 200, 404, 404, 200, 200), campaign_dossier),
    "campaigns:team_presentation": Row(FORM, (LOGIN, 200, 404, 404, 200, 200), campaign_dossier),
    "campaigns:news_delete": Row(
        POST,
        (LOGIN, 302, 404, 404, 302, 302),
        lambda w: {"reference": w.campaign.project.reference, "pk": w.news.pk},
    ),
    "campaigns:cover": Row(
        GET, EVERYONE, lambda w: {"slug": w.campaign.project.slug, "name": w.cover}
    ),
    # Outbox: the emails that failed for good, and resending one
    "outbox:failed": Row(GET, TEAM),
    "outbox:resend": Row(POST, TEAM_ACTION, lambda w: {"pk": w.failed_email.pk}),
}

# (name, role) -> why the answer differs from the matrix today. Each one is a bug to fix.
KNOWN_BUGS: dict[tuple[str, str], str] = {}


# --- Helpers ------------------------------------------------------------------------------------


def url_names(resolver=None, prefix: str = "", namespace: str = ""):
    """(full name, route) of every URL pattern, recursively, the admin aside."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith("admin/"):
            continue
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_names(entry, route, inner)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else f"<unnamed> {route}"), route


def cases(roles_for=lambda name, row: ROLES):
    params = []
    for name, row in MATRIX.items():
        for role in roles_for(name, row):
            marks = ()
            if (name, role) in KNOWN_BUGS:
                marks = pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[name, role])
            params.append(pytest.param(name, role, marks=marks, id=f"{name}-{role}"))
    return params


SNAPSHOT_APPS = {"accounts", "axes", "projects", "coaching", "labelling", "campaigns", "outbox"}


@cache
def snapshot_queries() -> list[tuple[str, str]]:
    """One plain SELECT per table of the project (the reference communes aside)."""
    quote = connection.ops.quote_name
    queries = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label not in SNAPSHOT_APPS or meta.label_lower == "projects.commune":
            continue
        # last_login: force_login writes it.
        columns = [quote(f.column) for f in meta.local_concrete_fields if f.name != "last_login"]
        sql = f"SELECT {', '.join(columns)} FROM {quote(meta.db_table)} ORDER BY 1"
        queries.append((meta.label, sql))
    return queries


def database_state() -> dict:
    """Every row of the project's own tables, read without the ORM's overhead (it is read
    twice for each refused request)."""
    with connection.cursor() as cursor:
        state = {}
        for label, sql in snapshot_queries():
            cursor.execute(sql)
            state[label] = cursor.fetchall()
    return state


def changes(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


def check_answer(response, expected, path: str) -> None:
    location = response.get("Location", "")
    got = response.status_code
    if expected == LOGIN:
        assert got == 302, f"expected a redirection to the login page, got {got}"
        parts = urlsplit(location)
        assert parts.path == LOGIN_PATH, f"expected the login page, redirected to {location}"
        assert parse_qs(parts.query).get("next") == [path], f"wrong next= in {location}"
    elif expected == 302:
        assert got == 302, f"expected a redirection, got {got}"
        assert urlsplit(location).path != LOGIN_PATH, f"unexpectedly sent to log in: {location}"
    else:
        assert got == expected, f"expected {expected}, got {got} {location}".strip()


@pytest.fixture
def world(request, db):
    return World(request)


@pytest.fixture
def browser(client):
    # A 500 is an answer to report, not an exception that hides the table's cell.
    client.raise_request_exception = False
    return client


def login(client, user) -> None:
    if user is not None:
        client.force_login(user)


def send(client, method: str, path: str, data=None, watch: bool = True):
    """Send the request; say what it changed in the database and the outbox, if watched."""
    before, outbox = database_state() if watch else {}, len(mail.outbox)
    response = getattr(client, method.lower())(path, data or {})
    changed = changes(before, database_state()) if watch else []
    if len(mail.outbox) != outbox:
        changed.append("mail sent")
    return response, changed


def visit(client, world, name: str, role: str, method: str, data=None, watch: bool = True):
    """Log in as the role, build the URL of the row, and send the request."""
    login(client, world.user(role))  # first: a password reset token covers last_login
    path = reverse(name, kwargs=MATRIX[name].kwargs(world) or None)
    return (path, *send(client, method, path, data, watch))


# --- Tests --------------------------------------------------------------------------------------


def test_every_url_has_a_row_in_the_matrix():
    names = [name for name, _route in url_names()]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    missing = sorted(set(names) - set(MATRIX))
    extra = sorted(set(MATRIX) - set(names))
    assert not missing, f"URLs with no row in MATRIX (decide who may see them): {missing}"
    assert not extra, f"rows of MATRIX with no URL any more: {extra}"
    assert not duplicates, f"URL names used twice: {duplicates}"
    with_action = sorted(name for name, route in url_names() if "<str:action>" in route)
    assert with_action == sorted(ACTIONS), "list the actions of each URL that takes one"


@pytest.mark.parametrize(("name", "role"), cases())
def test_each_role_gets_the_expected_answer(browser, world, name, role):
    row = MATRIX[name]
    expected = row.expected[role]
    method = "POST" if row.post_only else "GET"
    path, response, changed = visit(
        browser, world, name, role, method, row.data, watch=expected in REFUSALS
    )
    check_answer(response, expected, path)
    if expected in REFUSALS:
        assert not changed, f"a refused {method} changed {changed}"


def first_allowed_role(row: Row) -> str:
    """A logged-in role the row lets in."""
    return next(role for role in ROLES[1:] if row.expected[role] not in REFUSALS)


@pytest.mark.parametrize("name", [name for name, row in MATRIX.items() if row.post_only])
def test_post_only_actions_refuse_get(browser, world, name):
    role = first_allowed_role(MATRIX[name])
    _path, response, changed = visit(browser, world, name, role, "GET")
    assert response.status_code == 405
    assert not changed


@pytest.mark.parametrize("name", [name for name, row in MATRIX.items() if row.methods == GET])
def test_read_only_pages_refuse_post(browser, world, name):
    role = first_allowed_role(MATRIX[name])
    _path, response, changed = visit(browser, world, name, role, "POST")
    assert response.status_code == 405
    assert not changed


@pytest.mark.parametrize(
    ("name", "role"),
    cases(
        lambda name, row: [r for r in ROLES if row.methods == FORM and row.expected[r] in REFUSALS]
    ),
)
def test_forms_refuse_a_post_as_they_refuse_the_page(browser, world, name, role):
    """Who may not see a form may not send it either: same refusal, nothing changed."""
    path, response, changed = visit(browser, world, name, role, "POST")
    check_answer(response, MATRIX[name].expected[role], path)
    assert not changed, f"a refused POST changed {changed}"


# --- Someone else's objects, beyond the six roles of the matrix ---------------------------------


def another_cheffes_reminder(w):
    other = UserFactory(email="autre.cheffe@propulsons.org", role="cheffe")
    return {"pk": ReminderFactory(project=w.dossier, recipient=other).pk}


def session_with_nothing_before_the_committee(w):
    return {"pk": CommitteeSessionFactory(created_by=w.cheffe).pk}


def request_not_yet_before_the_committee(w):
    from labelling.models import LabellingRequest
    from projects.models import Status

    project = ProjectFactory(owner=w.porteur, status=Status.LABELLING_REQUESTED)
    return {"pk": LabellingRequest.objects.create(project=project, requested_by=w.porteur).pk}


OTHERS_OBJECTS = [
    # (URL name, role, kwargs, method, body): each answers 404 and changes nothing.
    ("coaching:reminder_done", "cheffe", another_cheffes_reminder, "POST", {}),
    (
        "coaching:reminder_postpone",
        "cheffe",
        another_cheffes_reminder,
        "POST",
        {"due_on": "2026-12-10"},
    ),
    ("coaching:reminder_answer", "cheffe", another_cheffes_reminder, "GET", {}),
    (
        "coaching:reminder_answer",
        "cheffe",
        another_cheffes_reminder,
        "POST",
        {"happened_on": "2026-11-26", "kind": "phone", "duration_minutes": "10"},
    ),
    ("labelling:session", "comite", session_with_nothing_before_the_committee, "GET", {}),
    ("labelling:minutes", "comite", session_with_nothing_before_the_committee, "GET", {}),
    ("labelling:review", "comite", request_not_yet_before_the_committee, "GET", {}),
    ("labelling:review", "comite", request_not_yet_before_the_committee, "POST", {}),
]


@pytest.mark.parametrize(
    ("name", "role", "kwargs", "method", "data"),
    [pytest.param(*case, id=f"{case[0]}-{case[1]}-{case[3]}") for case in OTHERS_OBJECTS],
)
def test_objects_out_of_reach_answer_404(browser, world, name, role, kwargs, method, data):
    path = reverse(name, kwargs=kwargs(world))
    login(browser, world.user(role))
    response, changed = send(browser, method, path, data)
    check_answer(response, 404, path)
    assert not changed, f"a refused {method} changed {changed}"


# --- Every action of the URLs that take one ------------------------------------------------------

ACTIONS = {
    "labelling:session_action": [
        "inscrire",
        "monter",
        "descendre",
        "inviter",
        "presences",
        "clore",
    ],
    "campaigns:campaign_action": ["lancer", "terminer", "suivi", "abandonner"],
}
UNKNOWN_ACTION = "inconnue"
# Moving a request on the agenda names the request; the other actions are sent empty.
ACTION_BODIES = {
    "monter": lambda w: {"request": w.labelling_request.pk},
    "descendre": lambda w: {"request": w.labelling_request.pk},
}
KNOWN_ACTION_BUGS: dict[tuple[str, str, str], str] = {}


def action_cases():
    params = []
    for name, actions in ACTIONS.items():
        for action in [*actions, UNKNOWN_ACTION]:
            for role in ROLES:
                marks = ()
                if (name, action, role) in KNOWN_ACTION_BUGS:
                    reason = KNOWN_ACTION_BUGS[name, action, role]
                    marks = pytest.mark.xfail(strict=True, reason=reason)
                params.append(
                    pytest.param(name, action, role, marks=marks, id=f"{name}-{action}-{role}")
                )
    return params


@pytest.mark.parametrize(("name", "action", "role"), action_cases())
def test_every_action_answers_as_its_row_says(browser, world, name, action, role):
    """A minimal body: refused to those the row refuses; otherwise back to the page, never a
    500 (an unknown action is a 404 for the team)."""
    expected = MATRIX[name].expected[role]
    if action == UNKNOWN_ACTION and expected not in REFUSALS:
        expected = 404
    path = reverse(name, kwargs={**MATRIX[name].kwargs(world), "action": action})
    body = ACTION_BODIES.get(action, lambda w: {})(world)
    login(browser, world.user(role))
    response, changed = send(browser, "POST", path, body)
    check_answer(response, expected, path)
    if expected in REFUSALS:
        assert not changed, f"a refused POST changed {changed}"
