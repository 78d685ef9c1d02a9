"""Bad input, thousands of times: every public form and every form of each role.

Each form gets a Hypothesis strategy that starts from a valid submission and corrupts some of
its fields (empty, very long, unicode, numbers as text, odd dates, ids of nothing, missing
keys). For every example:

- the server never fails: the test client re-raises any exception of a view (a 500);
- a form shown again carries French error messages, each rendered next to its field;
- messages (for the forms that redirect) are French;
- nothing is half-written: a refused submission leaves every tracked table exactly as it was
  (and no file on disk), an accepted one writes complete records.

The world (users, dossiers, sessions, campaigns) is built once per test by fixtures; each
example runs inside a savepoint that is rolled back, so examples do not see each other.

The bugs this fuzzing found are pinned at the end of this file, each by its minimal input
(they were xfail(strict=True) until fixed; they now guard against regressions).

FUZZ_SCALE=5 in the environment multiplies the number of examples (for a deeper run).
"""

import functools
import io
import logging
import os
import re
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.forms.formsets import BaseFormSet
from django.test import Client
from django.utils import timezone
from django.utils.html import conditional_escape
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from accounts.models import Organisation, User
from campaigns.models import Campaign, FigureSnapshot, Platform
from coaching.forms import PostponeForm
from coaching.models import (
    CoachSettings,
    FinancingLine,
    FirstMeeting,
    Interaction,
    Reminder,
    RewardTier,
)
from coaching.services import due_moment
from labelling import services as labelling_services
from labelling.models import (
    CommitteeSession,
    CriterionAssessment,
    Decision,
    LabelCounter,
    LabellingRequest,
    Vote,
)
from projects.models import (
    Category,
    Document,
    DocumentKind,
    FinancingType,
    HeardFrom,
    LegalForm,
    Project,
    ReferenceCounter,
    StatusChange,
)
from tests.campaigns.factories import CampaignFactory, LabelledProjectFactory
from tests.coaching.factories import FirstMeetingFactory, ReminderFactory
from tests.conftest import PASSWORD
from tests.factories import ProjectFactory
from tests.labelling.factories import CommitteeSessionFactory, LabellingRequestFactory

pytestmark = pytest.mark.django_db

SCALE = float(os.environ.get("FUZZ_SCALE", "1"))


def fuzz(examples: int):
    return settings(
        max_examples=max(1, int(examples * SCALE)),
        deadline=None,
        database=None,  # no .hypothesis/ folder in the project
        print_blob=True,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
    )


# --- Strategies -----------------------------------------------------------------------------

ABSENT = "<absent>"  # the key is left out of the submission

# Surrogates cannot be encoded in UTF-8: no browser sends them.
CHARS = st.characters(blacklist_categories=("Cs",))
ODD_STRINGS = [
    "",
    " ",
    "   ",
    "\t\r\n",
    "é",
    "Ça a été l’été à Hénin-Beaumont",
    "🎉🚀👩🏽‍🌾",
    "مرحبا بالعالم",
    "שלום",
    "\u202egnp.exe",
    "\u200b",
    "\ufeff",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "Z̴̡a̵l̶g̷o",
    "\x00",
    "a\x00b",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE projects_project; --",
    "%",
    "_",
    "\\",
    "{{ 7*7 }}",
    "{% debug %}",
    "null",
    "None",
    "true",
    "NaN",
    "-0",
    "0",
    "-1",
    "²",
    "١٢٣",
    "１２３",
    "½",
    "ﬀ",
    "İ",
    "ß",
    "&amp;",
]
ODD_NUMBERS = [
    "1,5",
    "1 000",
    "1 000,50",
    "1\u202f000",
    "1.000,50",
    "1e5",
    "1E-5",
    "1e309",
    "0x10",
    "+5",
    " 5 ",
    "5 €",
    "5.",
    ".5",
    "-0.00",
    "0.001",
    "12.345",
    "9" * 30,
    "-" + "9" * 30,
    "9999999999.99",
    "99999999999.99",
    "NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "١٠٠",
    "٣",
    "²",
    "10⁶",
]
ODD_DATES = [
    "2026-02-30",
    "2026-13-01",
    "2026-00-10",
    "31/12/2026",
    "12/31/2026",
    "2026-1-1",
    "2026/12/01",
    "demain",
    "1er décembre 2026",
    "2026-12-01T10:00",
    " 2026-12-01 ",
    "+2026-12-01",
    "99999-01-01",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "2026-03",
    "03/2027",
    "13/2027",
    "2027-03-28T02:30",  # does not exist in Paris (summer time starts)
    "2026-10-25T02:30",  # happens twice in Paris (summer time ends)
    "2026-12-03T14:00:00+05:00",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "03/12/2026 14:00",
    "2026-12-03 14:00",
]


def long_text():
    return st.builds(
        lambda unit, n: unit * n,
        st.sampled_from(["a", "é", "🎉", "mot ", "<b>", "ا", "9"]),
        st.one_of(
            st.sampled_from([99, 100, 101, 149, 150, 151, 199, 200, 201, 299, 300, 301, 2001]),
            st.integers(20, 2100),
        ),
    )


TEXT = st.one_of(st.sampled_from(ODD_STRINGS), st.text(CHARS, max_size=40), long_text())
NUMBER = st.one_of(
    st.integers(-(10**25), 10**25).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.floats().map(str),
    st.sampled_from(ODD_NUMBERS),
)
DATE = st.one_of(
    st.dates().map(date.isoformat),
    st.dates().map(lambda d: f"{d.day:02d}/{d.month:02d}/{d.year:04d}"),
    st.datetimes().map(lambda d: f"{d:%Y-%m-%dT%H:%M}" if d.year >= 1000 else "0999-01-01"),
    st.sampled_from(ODD_DATES),
)
ID = st.one_of(
    st.integers(-5, 10**6).map(str),
    st.sampled_from(["", "abc", "1.5", "9" * 30, "-1", "0", " 1", "1 ", "١", "1e3"]),
)
CHECKBOX = st.sampled_from(["on", "", "off", "true", "false", "0", "1", "yes", "é", ABSENT])
JUNK = st.one_of(TEXT, NUMBER, DATE, ID, st.just(ABSENT))


def text_of(max_size: int, min_size: int = 1):
    """Plausible free text: accents, emoji, other scripts, markup, up to the field's limit."""
    return st.one_of(
        st.sampled_from(["Un four à pain collectif", "L'épicerie d'Arras", "Café « solidaire »"]),
        st.text(CHARS, min_size=min_size, max_size=min(max_size, 60)),
        st.builds(lambda unit: (unit * max_size)[:max_size], st.sampled_from(["é", "🎉", "a "])),
    )


def choice_of(values):
    return st.sampled_from(list(values))


@functools.cache
def now() -> datetime:
    """The test run's "now", fixed: a strategy must not change between two examples."""
    return timezone.localtime().replace(minute=0, second=0, microsecond=0, tzinfo=None)


def future_datetime():
    return st.datetimes(
        min_value=now() + timedelta(hours=3), max_value=now() + timedelta(days=400)
    ).map(lambda d: d.strftime("%Y-%m-%dT%H:%M" if d.minute % 2 else "%d/%m/%Y %H:%M"))


def past_date(days: int = 300):
    today = now().date()
    return st.dates(min_value=today - timedelta(days=days), max_value=today).map(date.isoformat)


def future_date(days: int = 300):
    today = now().date()
    return st.dates(min_value=today, max_value=today + timedelta(days=days)).map(date.isoformat)


def amount(low="1", high="1000000"):
    return st.decimals(Decimal(low), Decimal(high), places=2).map(str)


@dataclass
class Only:
    """Junk for a field that must not get the generic junk too (a formset's form count: a
    huge one renders 2 000 forms, seconds per example)."""

    strategy: st.SearchStrategy


@st.composite
def submission(draw, valid, junk=None):
    """A valid submission, then some of its fields corrupted (none, after shrinking)."""
    data = dict(draw(valid))
    names = sorted(set(data) | set(junk or {}))
    for name in draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names))):
        strategy = (junk or {}).get(name)
        if isinstance(strategy, Only):
            data[name] = draw(strategy.strategy)
        else:
            data[name] = draw(st.one_of(strategy, JUNK) if strategy is not None else JUNK)
    if draw(st.integers(0, 9)) == 0:  # now and then, a field the form does not know
        data[draw(st.text(CHARS, min_size=1, max_size=12))] = draw(TEXT)
    return {name: value for name, value in data.items() if value != ABSENT}


# --- What is checked for each example -------------------------------------------------------

TRACKED = [
    User,
    Organisation,
    Project,
    StatusChange,
    ReferenceCounter,
    Document,
    FirstMeeting,
    FinancingLine,
    RewardTier,
    Interaction,
    Reminder,
    CoachSettings,
    CommitteeSession,
    LabellingRequest,
    Vote,
    CriterionAssessment,
    Decision,
    LabelCounter,
    Campaign,
    FigureSnapshot,
]
IGNORED_COLUMNS = {"last_login"}  # force_login writes it


@functools.cache
def _state_queries() -> list[tuple[str, str]]:
    queries = []
    for model in TRACKED:
        columns = ", ".join(
            connection.ops.quote_name(field.column)
            for field in model._meta.concrete_fields
            if field.attname not in IGNORED_COLUMNS
        )
        queries.append((model.__name__, f"SELECT {columns} FROM {model._meta.db_table}"))
    attendees = CommitteeSession.attendees.through._meta.db_table
    queries.append(("CommitteeSession.attendees", f"SELECT * FROM {attendees}"))
    return queries


def db_state() -> dict:
    """Every row of every tracked table (plain SQL: this runs twice per example)."""
    state = {}
    with connection.cursor() as cursor:
        for name, sql in _state_queries():
            cursor.execute(sql)
            state[name] = sorted(cursor.fetchall(), key=repr)
    return state


def changed(before: dict, after: dict) -> set[str]:
    return {name for name in before if before[name] != after[name]}


def files_on_disk(settings) -> set[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


ENGLISH = re.compile(
    r"\b(this|field|enter|ensure|value|values|must|select|required|characters?|constraint|"
    r"violated|already|exists|please|invalid|should|the|is|are|with|and|not|has|have|least|"
    r"most|digits|number|whole|choice|available|submit|password|too|short|common|entirely|"
    r"numeric|similar|didn|match|again|couldn|interpreted|ambiguous|exist|null|allowed)\b",
    re.IGNORECASE,
)
FRENCH = re.compile(
    r"[àâäéèêëîïôöùûüçœÀÂÉÈÊÎÔÙÛÇ«»’]|\b(le|la|les|un|une|des|du|de|ce|cet|cette|est|vous|"
    r"votre|saisissez|indiquez|choisissez|pas|au|aux|doit|ne|sont|champ|pour|et|ou|en)\b",
    re.IGNORECASE,
)


def submitted_values(data) -> list[str]:
    values = []
    for value in (data or {}).values():
        if isinstance(value, str) and value.strip():
            values += [value, value.strip()]
    return sorted(set(values), key=len, reverse=True)


def assert_french(message: str, data=None) -> None:
    # An error may repeat what was typed (an invalid choice): that part is not judged.
    own_words = str(message)
    for value in submitted_values(data):  # (a whole echo, not the « é » inside a word)
        own_words = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", own_words)
    assert not ENGLISH.search(own_words), f"English error message: {message!r}"
    assert FRENCH.search(own_words), f"error message not in French: {message!r}"


def assert_errors_shown(response, form, data) -> None:
    """Every error of the form is French, and shown next to its field."""
    html = response.content.decode()
    forms = [form] if not isinstance(form, BaseFormSet) else form.forms
    if isinstance(form, BaseFormSet):
        for message in form.non_form_errors():
            assert_french(message, data)
            assert conditional_escape(message) in html, f"formset error not shown: {message!r}"
    for one in forms:
        for name, messages in one.errors.items():
            for message in messages:
                assert_french(message, data)
            if name == "__all__":
                for message in messages:
                    assert conditional_escape(message) in html, f"form error not shown: {message}"
                continue
            field = one[name]
            if field.is_hidden:  # hidden inputs are never typed in (formset ids)
                continue
            auto_id = field.auto_id
            assert f'id="error_1_{auto_id}"' in html or f'id="{auto_id}_error"' in html, (
                f"the error of {name!r} is not next to its field"
            )
            for message in messages:
                assert conditional_escape(message) in html, f"error of {name!r} not shown"


def outcome(response) -> None:
    """Counted by Hypothesis (--hypothesis-show-statistics): accepted and refused examples."""
    levels = ",".join(level for level, _ in messages_of(response))
    event(f"HTTP {response.status_code} {levels}".strip())


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m.message)) for m in get_messages(response.wsgi_request)]


def assert_messages_french(response, data) -> list[tuple[str, str]]:
    messages = messages_of(response)
    for _level, message in messages:
        assert_french(message, data)
    return messages


def bound_forms(response, names):
    if response.context is None:
        return []
    found = []
    for name in names:
        form = response.context.get(name)
        if form is not None and getattr(form, "is_bound", False):
            found.append(form)
    return found


def assert_shown_again(response, names, payload, before, after) -> None:
    """A refused submission: the form again, every error French and next to its field (or a
    French message saying why), and nothing written."""
    forms = bound_forms(response, names)
    if payload:  # (an empty POST shows the blank form again, which is fine)
        assert forms, "the form is not shown again"
        refused = any(not form.is_valid() for form in forms)
        explained = any(level == "error" for level, _ in messages_of(response))
        assert refused or explained, "the form is shown again without any error"
    for form in forms:
        assert_errors_shown(response, form, payload)
    assert changed(before, after) == set()


@contextmanager
def example():
    """One example: a fresh rate limit, and every write rolled back afterwards."""
    with transaction.atomic():
        cache.clear()
        yield
        transaction.set_rollback(True)


_CLIENT = {}


def client_for(user) -> Client:
    """A client with fresh cookies, logged in as `user` (None: anonymous).

    One client serves every example: a new one would load the middleware again, and
    WhiteNoise's reads every static file when it starts. It re-raises a view's exception (500).
    """
    client = _CLIENT.setdefault("client", Client())
    client.cookies.clear()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _quiet_axes():
    # django-axes logs every login at INFO: thousands of lines, and time.
    logger = logging.getLogger("axes")
    level = logger.level
    logger.setLevel(logging.WARNING)
    yield
    logger.setLevel(level)


@pytest.fixture(autouse=True)
def _locmem_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.UPLOAD_MAX_BYTES = 64 * 1024  # so that "too big" is cheap to send


def redirect_to(response) -> str:
    return response["Location"] if response.status_code == 302 else ""


# --- The public intake form, and the porteur's edit of the same fields ----------------------

COMMUNES = [
    ("Saint-Pol-sur-Ternoise", "62130"),
    ("saint pol sur ternoise (62130)", "62130"),
    ("Lens", "62300"),
    ("BETHUNE", "62400"),
    ("Arras", "62000"),
    ("Hénin-Beaumont", "62110"),
    ("Sains-lès-Marquion", "62860"),
]


@st.composite
def budget(draw):
    total = draw(st.decimals(Decimal("1"), Decimal("9999999999.99"), places=2))
    share = draw(st.decimals(Decimal("0.01"), Decimal("1"), places=2))
    part = min(total, max(Decimal("0.01"), (total * share).quantize(Decimal("0.01"))))
    return {"total_budget": str(total), "crowdfunding_amount": str(part)}


def details(partner_pk: int, emails: list[str]):
    """What a porteur types in the dossier's fields, in plausible variety."""
    fields = st.fixed_dictionaries(
        {
            "contact_first_name": text_of(100),
            "contact_last_name": text_of(100),
            "contact_email": st.sampled_from(emails),
            "contact_phone": st.sampled_from(
                ["06 12 34 56 78", "+33612345678", "03.21.00.00.00", "+32 2 123 45 67"]
            ),
            "structure_name": text_of(200),
            "legal_form": choice_of(LegalForm.values),
            "siret": st.sampled_from(["", "732 829 320 00074", "73282932000074"]),
            "title": text_of(150),
            "summary": text_of(300),
            "description": text_of(3000),
            "category": choice_of(Category.values),
            "financing_type": choice_of(FinancingType.values),
            "wished_campaign_start": st.sampled_from(["", "2027-03", "03/2028", ABSENT]),
            "partner": st.sampled_from(["", str(partner_pk)]),
            "heard_from": choice_of(HeardFrom.values),
            "publish_agreed": st.sampled_from(["on", ABSENT]),
        }
    )
    commune = choice_of(COMMUNES).map(lambda c: {"commune_name": c[0], "postal_code": c[1]})
    return st.tuples(fields, commune, budget()).map(
        lambda parts: {name: value for part in parts for name, value in part.items()}
    )


DETAILS_JUNK = {
    "siret": st.sampled_from(
        [
            "12345678901234",
            "732 829 320 0007",
            "٧٣٢٨٢٩٣٢٠٠٠٠٧٤",
            "７３２８２９３２０００７４",
            "abc",
        ]
    ),
    "postal_code": st.sampled_from(
        ["62", "6213", "621300", "59000", "62 130", "٦٢١٣٠", "６２１３０"]
    ),
    "contact_phone": st.sampled_from(["0", "+33", "06" * 12, "+999 1234", "téléphone", "112"]),
    "contact_email": st.sampled_from(
        ["pas-une-adresse", "a@b", "élodie@exemple.fr", "x" * 250 + "@example.org", "@example.org"]
    ),
    "total_budget": NUMBER,
    "crowdfunding_amount": NUMBER,
    "commune_name": st.sampled_from(["Lille", "Paris", "Lens (59000)", "Saint Pol", "(", "62"]),
}
DETAILS_CHANGES = {"Project", "StatusChange", "ReferenceCounter", "User"}


@fuzz(120)
@given(data=st.data())
def test_intake_form(data, porteur):
    partner = Organisation.objects.get(slug="initiative-pas-de-calais").pk
    emails = [
        "camille@example.org",
        "Camille.Lefebvre@Example.org ",
        porteur.email,
        "PORTEUR@example.org",
    ]
    payload = data.draw(
        submission(details(partner, emails).map(lambda d: {**d, "consent": "on"}), DETAILS_JUNK)
    )
    payload["website"] = ""  # the honeypot: a person never fills it in
    # The form's key (a form sent twice is recognised): absent, well formed, or junk.
    key = data.draw(st.one_of(st.just(ABSENT), st.just("k" * 32), JUNK), label="form key")
    if key != ABSENT:
        payload["form_key"] = key
    user = data.draw(st.sampled_from([None, porteur]), label="logged in as")
    with example():
        client = client_for(user)
        before = db_state()
        response = client.post("/deposer/", payload)
        outcome(response)
        after = db_state()
        assert response.status_code in (200, 302)
        assert_messages_french(response, payload)
        if response.status_code == 200:
            assert_shown_again(response, ["form"], payload, before, after)
            return
        assert redirect_to(response) == "/deposer/merci/"
        assert changed(before, after) <= DETAILS_CHANGES
        assert len(after["Project"]) == len(before["Project"]) + 1
        project = Project.objects.order_by("-pk").first()
        history = list(project.status_changes.values_list("from_status", "to_status"))
        assert history == [("", "contact")]
        assert project.reference and project.slug and project.consent_at
        email = payload["contact_email"].strip().lower()
        assert project.contact_email == email
        assert project.title == payload["title"].strip()
        if project.owner is None:  # an existing account confirms before it gets the dossier
            assert User.objects.filter(email__iexact=email).exists()
            assert user is None or user.email != email
        else:
            assert project.owner.email == email


@fuzz(80)
@given(data=st.data())
def test_project_edit_form(data, porteur, cheffe, project):
    partner = Organisation.objects.get(slug="initiative-pas-de-calais").pk
    payload = data.draw(
        submission(details(partner, [porteur.email, "autre@example.org"]), DETAILS_JUNK)
    )
    user = data.draw(st.sampled_from([porteur, cheffe]), label="logged in as")
    url = f"/espace/dossiers/{project.reference}/modifier/"
    with example():
        client = client_for(user)
        before = db_state()
        response = client.post(url, payload)
        outcome(response)
        after = db_state()
        assert response.status_code in (200, 302)
        assert_messages_french(response, payload)
        if response.status_code == 200:
            assert_shown_again(response, ["form"], payload, before, after)
            return
        expected = (
            f"/espace/dossiers/{project.reference}/"
            if user == porteur
            else f"/accompagnement/dossiers/{project.reference}/"
        )
        assert redirect_to(response) == expected
        assert changed(before, after) <= {"Project"}
        saved = Project.objects.get(pk=project.pk)
        assert saved.title == payload["title"].strip()
        assert saved.contact_email == project.contact_email  # not editable
        assert saved.status == project.status
        assert saved.crowdfunding_amount <= saved.total_budget


# --- Accounts -------------------------------------------------------------------------------


@fuzz(150)
@given(data=st.data())
def test_login_form(data, porteur):
    valid = st.fixed_dictionaries(
        {
            "username": st.sampled_from(
                [porteur.email, " Porteur@Example.org ", "inconnu@example.org"]
            ),
            "password": st.sampled_from([PASSWORD, PASSWORD.upper(), ""]),
            "next": st.sampled_from(
                [
                    "",
                    "/espace/",
                    "https://evil.example/",
                    "//evil.example/",
                    "javascript:alert(1)",
                    ABSENT,
                ]
            ),
        }
    )
    payload = data.draw(submission(valid))
    with example():
        client = client_for(None)
        before = db_state()
        response = client.post("/compte/connexion/", payload)
        outcome(response)
        after = db_state()
        assert response.status_code in (200, 302)
        assert_messages_french(response, payload)
        if response.status_code == 200:
            assert_shown_again(response, ["form"], payload, before, after)
            return
        assert changed(before, after) == set()
        assert_stays_on_site(redirect_to(response))  # never to another site
        assert client.session.get("_auth_user_id") == str(porteur.pk)


@fuzz(80)
@given(data=st.data())
def test_password_reset_form(data, porteur):
    valid = st.fixed_dictionaries(
        {"email": st.sampled_from([porteur.email, "PORTEUR@example.org", "inconnu@example.org"])}
    )
    payload = data.draw(submission(valid))
    with example():
        client = client_for(None)
        before = db_state()
        response = client.post("/compte/mot-de-passe/oubli/", payload)
        outcome(response)
        after = db_state()
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert_shown_again(response, ["form"], payload, before, after)
        else:
            assert redirect_to(response) == "/compte/mot-de-passe/oubli/envoye/"
            assert changed(before, after) == set()


@fuzz(100)
@given(data=st.data())
def test_password_change_form(data, porteur):
    new = st.sampled_from(
        ["un-nouveau-mot-de-passe-solide-2026", "Éléphant rose à pois 42", "azerty", "porteur2026"]
    )
    valid = st.tuples(st.sampled_from([PASSWORD, "faux"]), new).map(
        lambda t: {"old_password": t[0], "new_password1": t[1], "new_password2": t[1]}
    )
    payload = data.draw(submission(valid))
    with example():
        client = client_for(porteur)
        before = db_state()
        response = client.post("/compte/mot-de-passe/", payload)
        outcome(response)
        after = db_state()
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert_shown_again(response, ["form"], payload, before, after)
            return
        assert redirect_to(response) == "/compte/mot-de-passe/modifie/"
        assert changed(before, after) == {"User"}
        assert User.objects.get(pk=porteur.pk).check_password(payload["new_password1"])


# --- Documents ------------------------------------------------------------------------------


def _zip(member: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, "contenu")
    return buffer.getvalue()


FILE_HEADS = [
    b"%PDF-1.7\n",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff\xe0",
    b"GIF89a",
    b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    _zip("word/document.xml"),
    _zip("xl/workbook.xml"),
    _zip("mimetype"),
    b"PK\x03\x04",
    b"MZ\x90\x00",
    b"#!/bin/sh\n",
    b"<html><script>alert(1)</script>",
    b"",
]
# Printable names without the characters that would break the multipart encoding itself.
FILE_NAME = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='"/\\'),
    min_size=1,
    max_size=60,
).map(lambda name: name.strip() or "x")


@st.composite
def upload(draw):
    head = draw(st.sampled_from(FILE_HEADS))
    size = draw(st.sampled_from([0, 10, 1000, 64 * 1024 + 1]))
    body = head + draw(st.binary(max_size=50)) + b"\0" * max(0, size - len(head))
    name = draw(
        st.one_of(
            FILE_NAME,
            st.sampled_from(["plan.pdf", "Budget prévisionnel 2027.xlsx", "a" * 250 + ".pdf"]),
        )
    )
    return SimpleUploadedFile(name, body)


@fuzz(150)
@given(data=st.data())
def test_document_form(data, porteur, cheffe, project, settings):
    valid = st.one_of(
        st.fixed_dictionaries(
            {"kind": choice_of(set(DocumentKind.values) - {"video"}), "upload": upload()}
        ),
        st.fixed_dictionaries(
            {
                "kind": st.just("video"),
                "url": st.sampled_from(
                    [
                        "https://www.youtube.com/watch?v=abc",
                        "vimeo.com/123",
                        "https://x.org/" + "a" * 190,
                    ]
                ),
            }
        ),
    )
    junk = {"kind": st.sampled_from(["video", "VIDEO", "autre"]), "upload": upload(), "url": TEXT}
    payload = data.draw(submission(valid, junk))
    sent = payload.get("upload")
    user = data.draw(st.sampled_from([porteur, cheffe]), label="logged in as")
    url = (
        f"/espace/dossiers/{project.reference}/"
        if user == porteur
        else f"/accompagnement/dossiers/{project.reference}/"
    )
    with example():
        if sent is not None and hasattr(sent, "seek"):
            sent.seek(0)
        client = client_for(user)
        files = files_on_disk(settings)
        before = db_state()
        response = client.post(url, payload)
        outcome(response)
        after = db_state()
        assert response.status_code in (200, 302)
        assert_messages_french(response, payload)
        if response.status_code == 200:
            assert_shown_again(response, ["document_form"], payload, before, after)
            assert files_on_disk(settings) == files
            return
        assert redirect_to(response) == url + "#documents"
        assert changed(before, after) == {"Document"}
        document = Document.objects.order_by("-pk").first()
        new_files = files_on_disk(settings) - files
        if payload["kind"] == "video":
            assert document.url and not document.file and not new_files
        else:
            assert not document.url and document.file and document.original_name
            assert len(new_files) == 1 and new_files.pop().stat().st_size == document.size
            assert document.content_type and document.uploaded_by == user


# --- The cheffe de projet: first meeting, report, exchanges, reminders, agenda -------------

DATETIME_JUNK = st.one_of(DATE, st.datetimes().map(lambda d: d.isoformat()), TEXT)


@pytest.fixture
def coaching_world(porteur, cheffe):
    return {
        "new": ProjectFactory(owner=porteur, contact_email=porteur.email),
        "rescheduled": FirstMeetingFactory(
            project__owner=porteur, organiser=cheffe, project__coach=cheffe
        ).project,
        "coaching": ProjectFactory(owner=porteur, status="coaching", coach=cheffe),
    }


@fuzz(140)
@given(data=st.data())
def test_first_meeting_schedule_form(data, cheffe, coaching_world):
    valid = st.fixed_dictionaries(
        {
            "scheduled_at": future_datetime(),
            "duration_minutes": st.sampled_from(["120", "90", "15", "480"]),
            "location": st.one_of(st.just(""), text_of(300)),
            "video_link": st.sampled_from(
                ["", "https://visio.example.org/propulsons", "meet.jit.si/propulsons-42"]
            ),
        }
    ).filter(lambda d: d["location"].strip() or d["video_link"])
    junk = {"scheduled_at": DATETIME_JUNK, "duration_minutes": NUMBER, "video_link": TEXT}
    payload = data.draw(submission(valid, junk))
    which = data.draw(st.sampled_from(sorted(coaching_world)), label="dossier")
    project = coaching_world[which]
    url = f"/accompagnement/dossiers/{project.reference}/premier-rendez-vous/"
    with example():
        client = client_for(cheffe)
        before = db_state()
        response = client.post(url, payload)
        outcome(response)
        after = db_state()
        assert response.status_code in (200, 302)
        messages = assert_messages_french(response, payload)
        if response.status_code == 200:
            assert_shown_again(response, ["form"], payload, before, after)
            return
        assert (
            redirect_to(response) == f"/accompagnement/dossiers/{project.reference}/#accompagnement"
        )
        if which == "coaching":  # the first meeting is behind this dossier: refused
            assert [level for level, _ in messages] == ["error"]
            assert changed(before, after) == set()
            return
        assert changed(before, after) <= {"FirstMeeting", "Project"}
        meeting = FirstMeeting.objects.get(project=project)
        assert meeting.organiser == cheffe
        assert meeting.location or meeting.video_link
        assert Project.objects.get(pk=project.pk).coach == cheffe
        assert Project.objects.get(pk=project.pk).status == "contact"


@pytest.fixture
def meeting(porteur, cheffe, project):
    return FirstMeetingFactory(project=project, organiser=cheffe)


def report_valid():
    line = st.fixed_dictionaries(
        {
            "source": st.sampled_from(["own_funds", "bank_loan", "grant", "crowdfunding", "other"]),
            "label": st.one_of(st.just(""), text_of(200)),
            "amount": amount(),
            "acquired": st.sampled_from(["on", ABSENT]),
        }
    )
    reward = st.fixed_dictionaries(
        {
            "amount": amount("1", "5000"),
            "description": text_of(300),
            "quantity": st.sampled_from(["", "50", "1"]),
        }
    )
    empty_line = {"source": "", "label": "", "amount": ""}
    empty_reward = {"amount": "", "description": "", "quantity": ""}

    def rows(prefix, items, empty, total):
        flat = {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0"}
        for index in range(total):
            item = items[index] if index < len(items) else empty
            flat.update({f"{prefix}-{index}-{name}": value for name, value in item.items()})
        return flat

    main = st.fixed_dictionaries(
        {
            "relevance": st.sampled_from(["relevant", "conditional", "not_relevant"]),
            "relevance_reasoning": text_of(2000),
            "campaign_goal": st.one_of(st.just(""), amount()),
            "campaign_duration_days": st.sampled_from(["", "1", "45", "120"]),
            "campaign_financing_type": st.sampled_from(["", *FinancingType.values]),
            "target_platform": st.sampled_from(
                ["", *[str(pk) for pk in Platform.objects.values_list("pk", flat=True)]]
            ),
            "next_steps": st.one_of(st.just(""), text_of(500)),
            "outcome": st.sampled_from(["continue", "reorient", "stop"]),
        }
    )
    return st.tuples(
        main,
        st.lists(line, max_size=3).map(lambda items: rows("plan", items, empty_line, 3)),
        st.lists(reward, max_size=3).map(
            lambda items: rows("contreparties", items, empty_reward, 3)
        ),
    ).map(lambda parts: {name: value for part in parts for name, value in part.items()})


MANAGEMENT_JUNK = st.sampled_from(["", "-1", "abc", "0", "1", "2", "5", "٣", " 2 ", ABSENT])


REPORT_NAMES = [
    "relevance",
    "relevance_reasoning",
    "campaign_goal",
    "campaign_duration_days",
    "campaign_financing_type",
    "target_platform",
    "next_steps",
    "outcome",
    *[
        f"{prefix}-{count}"
        for prefix in ("plan", "contreparties")
        for count in ("TOTAL_FORMS", "INITIAL_FORMS")
    ],
    *[f"plan-{i}-{name}" for i in range(3) for name in ("source", "label", "amount", "acquired")],
    *[
        f"contreparties-{i}-{name}"
        for i in range(3)
        for name in ("amount", "description", "quantity")
    ],
]


def report_junk():
    junk = {}
    for name in REPORT_NAMES:
        if name.endswith(("TOTAL_FORMS", "INITIAL_FORMS")):
            junk[name] = Only(MANAGEMENT_JUNK)
        elif name.endswith(("amount", "quantity", "campaign_goal", "campaign_duration_days")):
            junk[name] = NUMBER
        elif name.endswith(("source", "relevance", "outcome", "target_platform")):
            junk[name] = st.one_of(ID, st.sampled_from(["ulule", "Relevant", "continue "]))
    return junk


@fuzz(150)
@given(data=st.data())
def test_first_meeting_report_form(data, cheffe, project, meeting):
    valid = report_valid()
    payload = data.draw(submission(valid, report_junk()))
    if data.draw(st.integers(0, 9), label="tamper ids") == 0:
        payload[
            data.draw(
                st.sampled_from(
                    ["plan-0-id", "plan-1-meeting", "contreparties-0-id", "plan-0-DELETE"]
                )
            )
        ] = data.draw(ID)
    url = f"/accompagnement/dossiers/{project.reference}/compte-rendu/"
    with example():
        client = client_for(cheffe)
        before = db_state()
        response = client.post(url, payload)
        outcome(response)
        after = db_state()
        assert response.status_code in (200, 302)
        assert_messages_french(response, payload)
        if response.status_code == 200:
            names = ["form", "lines", "rewards"]
            assert_shown_again(response, names, payload, before, after)
            return
        assert (
            redirect_to(response) == f"/accompagnement/dossiers/{project.reference}/#accompagnement"
        )
        assert changed(before, after) <= {
            "FirstMeeting",
            "FinancingLine",
            "RewardTier",
            "Project",
            "StatusChange",
        }
        saved = FirstMeeting.objects.get(pk=meeting.pk)
        assert saved.reported_at is not None and saved.relevance and saved.outcome
        moved = {"continue": "coaching", "reorient": "reoriented", "stop": "abandoned"}
        history = list(
            StatusChange.objects.filter(project=project).values_list("to_status", flat=True)
        )
        assert history[-2:] == ["first_meeting_done", moved[saved.outcome]]
        assert Project.objects.get(pk=project.pk).status == moved[saved.outcome]
        assert all(line.amount > 0 for line in saved.financing_lines.all())
        assert all(reward.amount > 0 and reward.description for reward in saved.rewards.all())


@fuzz(130)
@given(data=st.data())
def test_interaction_form(data, cheffe, project, other_project):
    valid = st.fixed_dictionaries(
        {
            "kind": st.sampled_from(["phone", "proofreading", "video", "meeting", "press"]),
            "happened_on": past_date(),
            "duration_minutes": st.sampled_from(["30", "5", "120", "1"]),
            "phase": st.sampled_from(["", "before", "during", "after"]),
            "internal_notes": st.one_of(st.just(""), text_of(2000)),
            "shared_note": st.one_of(st.just(""), text_of(2000)),
            "next_action": st.one_of(st.just(""), text_of(300)),
            "next_action_due": st.one_of(st.just(""), future_date()),
        }
    ).filter(lambda d: d["next_action"].strip() or not d["next_action_due"])
    junk = {
        "happened_on": DATE,
        "next_action_due": DATE,
        "duration_minutes": NUMBER,
        "project": ID,
    }
    quick = data.draw(st.booleans(), label="from the dashboard")
    if quick:
        valid = valid.map(lambda d: {**d, "project": str(other_project.pk)})
    payload = data.draw(submission(valid, junk))
    url = (
        "/accompagnement/echanges/nouveau/"
        if quick
        else f"/accompagnement/dossiers/{project.reference}/echanges/nouveau/"
    )
    with example():
        client = client_for(cheffe)
        before = db_state()
        response = client.post(url, payload)
        outcome(response)
        after = db_state()
        assert response.status_code in (200, 302)
        assert_messages_french(response, payload)
        if response.status_code == 200:
            assert_shown_again(response, ["form"], payload, before, after)
            return
        target = other_project if quick else project
        expected = (
            "/accompagnement/"
            if quick
            else f"/accompagnement/dossiers/{target.reference}/#accompagnement"
        )
        assert redirect_to(response) == expected
        assert changed(before, after) <= {"Interaction", "Reminder", "Project"}
        interaction = Interaction.objects.order_by("-pk").first()
        assert interaction.project == target and interaction.phase
        reminders = Reminder.objects.filter(interaction=interaction)
        if interaction.next_action_due:
            (reminder,) = reminders
            assert reminder.message == interaction.next_action
            assert reminder.due_at == due_moment(interaction.next_action_due)
        else:
            assert not reminders.exists()


@pytest.fixture
def reminder(cheffe, project):
    return ReminderFactory(project=project, recipient=cheffe)


NEXT_URLS = [
    ABSENT,
    "/accompagnement/",
    "/accompagnement/dossiers/P-2026-0001/#accompagnement",
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "javascript:alert(1)",
    "http://testserver/accompagnement/",
]


def assert_stays_on_site(location: str) -> None:
    parts = urlsplit(location)
    assert parts.scheme in ("", "http") and parts.netloc in ("", "testserver"), location
    assert not location.startswith(("//", "/\\")), location


@fuzz(120)
@given(data=st.data())
def test_reminder_postpone_form(data, cheffe, reminder):
    valid = st.fixed_dictionaries({"due_on": future_date(), "next": st.sampled_from(NEXT_URLS)})
    payload = data.draw(submission(valid, {"due_on": DATE, "next": TEXT}))
    url = f"/accompagnement/rappels/{reminder.pk}/reporter/"
    with example():
        client = client_for(cheffe)
        before = db_state()
        response = client.post(url, payload)
        outcome(response)
        after = db_state()
        assert response.status_code == 302
        assert_stays_on_site(redirect_to(response))
        messages = assert_messages_french(response, payload)
        levels = [level for level, _ in messages]
        assert levels in (["success"], ["error"])
        if levels == ["error"]:
            assert changed(before, after) == set()
            return
        assert changed(before, after) <= {"Reminder"}
        saved = Reminder.objects.get(pk=reminder.pk)
        assert saved.sent_at is None and saved.done_at is None
        day = PostponeForm.base_fields["due_on"].to_python(payload["due_on"])
        assert saved.due_at == due_moment(day)


@fuzz(60)
@given(data=st.data())
def test_calendar_settings_form(data, cheffe):
    payload = data.draw(
        submission(
            st.fixed_dictionaries(
                {
                    "action": st.sampled_from(["renew", "revoke", "digest"]),
                    "daily_digest": st.sampled_from(["on", ABSENT]),
                }
            ),
            {"action": st.sampled_from(["RENEW", "renew ", "supprimer"])},
        )
    )
    with example():
        client = client_for(cheffe)
        before = db_state()
        response = client.post("/accompagnement/agenda/", payload)
        outcome(response)
        after = db_state()
        assert response.status_code == 302
        assert redirect_to(response) == "/accompagnement/agenda/"
        assert_messages_french(response, payload)
        action = payload.get("action")
        if action not in ("renew", "revoke", "digest"):
            assert changed(before, after) == set()
            return
        preferences = CoachSettings.objects.filter(user=cheffe).first()
        if action == "renew":
            assert preferences.calendar_token
        elif action == "revoke":
            assert preferences is None or preferences.calendar_token is None
        else:
            assert preferences.daily_digest == (payload.get("daily_digest") == "on")


def refused_for_a_nul_byte(response, payload) -> bool:
    """A NUL byte anywhere in a query string is refused before any view, with a French 400
    (propulsons.middleware.RefuseNulBytesMiddleware): nothing else to check then."""
    if not any("\x00" in f"{key}{value}" for key, value in payload.items()):
        return False
    assert response.status_code == 400
    assert "caractère interdit" in response.content.decode()
    return True


@fuzz(90)
@given(data=st.data())
def test_pipeline_filters(data, cheffe, project, other_project):
    partner = Organisation.objects.get(slug="initiative-pas-de-calais").pk
    valid = st.fixed_dictionaries(
        {
            "q": st.one_of(
                st.just(""), st.sampled_from(["Paul", project.reference, "four à pain"])
            ),
            "status": st.sampled_from(["", "contact", "coaching"]),
            "commune": st.sampled_from(["", "Lens", "lens"]),
            "category": st.sampled_from(["", *Category.values]),
            "partner": st.sampled_from(["", str(partner)]),
            "contact_from": st.one_of(st.just(""), past_date()),
            "contact_to": st.one_of(st.just(""), future_date()),
            "sort": st.sampled_from(
                ["", "-created_at", "title", "commune__name", "-crowdfunding_amount"]
            ),
            "page": st.sampled_from([ABSENT, "1", "2"]),
        }
    )
    payload = data.draw(submission(valid, {"page": st.one_of(ID, NUMBER)}))
    with example():
        response = client_for(cheffe).get("/accompagnement/dossiers/", payload)
        if refused_for_a_nul_byte(response, payload):
            return
        outcome(response)
        assert response.status_code == 200
        for form in bound_forms(response, ["filters"]):
            assert_errors_shown(response, form, payload)


@pytest.fixture
def closed_project(porteur):
    return ProjectFactory(owner=porteur, status="closed")


@fuzz(100)
@given(data=st.data())
def test_abandon_and_reorient_reasons(data, cheffe, project, closed_project):
    closed = closed_project
    payload = data.draw(
        submission(st.fixed_dictionaries({"reason": text_of(2000)}), {"reason": TEXT})
    )
    action = data.draw(st.sampled_from(["abandonner", "reorienter"]), label="action")
    target = data.draw(st.sampled_from([project, closed]), label="dossier")
    url = f"/accompagnement/dossiers/{target.reference}/{action}/"
    with example():
        client = client_for(cheffe)
        before = db_state()
        response = client.post(url, payload)
        outcome(response)
        after = db_state()
        assert response.status_code in (302, 400)
        messages = assert_messages_french(response, payload)
        levels = [level for level, _ in messages]
        if response.status_code == 400 or levels == ["error"]:
            assert target == closed or levels == ["error"]
            assert changed(before, after) == set()
            return
        assert levels == ["success"]
        assert redirect_to(response) == f"/accompagnement/dossiers/{target.reference}/"
        assert changed(before, after) == {"Project", "StatusChange"}
        change = StatusChange.objects.filter(project=target).order_by("-pk").first()
        assert change.to_status == {"abandonner": "abandoned", "reorienter": "reoriented"}[action]
        assert change.note == payload["reason"].strip() and change.actor == cheffe


# --- The committee: sessions, votes, opinions, decisions, corrections ----------------------


@pytest.fixture
def committee_world(porteur, cheffe, committee_member, other_committee_member):
    session = CommitteeSessionFactory(created_by=cheffe, chair=other_committee_member)
    request = LabellingRequestFactory(
        project__owner=porteur, project__contact_email=porteur.email, session=session
    )
    # The chair's organisation has voted: the tally, and so the decision form, is theirs to see.
    labelling_services.vote_cast(
        request=request,
        member=other_committee_member,
        overall="abstention",
        assessments={
            code: (True, "") for code in ("viable", "solidaire", "pas-de-calais", "partenaire")
        },
    )
    decided = LabellingRequestFactory(project__owner=porteur, session=session, agenda_order=2)
    decision = labelling_services.decision_record(
        request=decided, actor=cheffe, outcome="labelled", motivation="Projet solide et utile."
    )
    waiting = LabellingRequestFactory(
        project__status="labelling_requested", session=None, cheffe_opinion="Avis favorable."
    )
    return {"session": session, "request": request, "decision": decision, "waiting": waiting}


@fuzz(120)
@given(data=st.data())
def test_session_form(data, cheffe, committee_member, porteur):
    valid = st.tuples(
        future_datetime(),
        st.sampled_from(["", "https://visio.example.org/comite"]),
        st.one_of(st.just(""), text_of(300)),
        st.sampled_from(["", str(cheffe.pk), str(committee_member.pk)]),
    ).map(
        lambda t: {
            "held_at": t[0],
            "vote_deadline": t[0],
            "video_link": t[1],
            "location": t[2] if (t[2].strip() or t[1]) else "Arras",
            "chair": t[3],
        }
    )
    junk = {
        "held_at": DATETIME_JUNK,
        "vote_deadline": st.one_of(DATETIME_JUNK, future_datetime()),
        "chair": st.one_of(ID, st.just(str(porteur.pk))),
        "video_link": TEXT,
    }
    payload = data.draw(submission(valid, junk))
    with example():
        client = client_for(cheffe)
        before = db_state()
        response = client.post("/comite/seances/nouvelle/", payload)
        outcome(response)
        after = db_state()
        assert response.status_code in (200, 302)
        assert_messages_french(response, payload)
        if response.status_code == 200:
            assert_shown_again(response, ["form"], payload, before, after)
            return
        session = CommitteeSession.objects.order_by("-pk").first()
        assert redirect_to(response) == f"/comite/seances/{session.pk}/"
        assert changed(before, after) == {"CommitteeSession"}
        assert session.created_by == cheffe and (session.location or session.video_link)
        assert session.vote_deadline <= session.held_at + timedelta(days=1)


CRITERIA = ("viable", "solidaire", "pas-de-calais", "partenaire")


@fuzz(110)
@given(data=st.data())
def test_vote_form(data, committee_member, committee_world):
    request = committee_world["request"]
    fields = {"overall": st.sampled_from(["favorable", "unfavorable", "abstention"])}
    fields["comment"] = st.one_of(st.just(""), text_of(2000))
    fields["conflict_of_interest"] = st.sampled_from(["on", ABSENT])
    for code in CRITERIA:
        fields[f"criterion_{code}"] = st.sampled_from(["yes", "no"])
        fields[f"criterion_{code}_comment"] = st.one_of(st.just(""), text_of(500))
    payload = data.draw(submission(st.fixed_dictionaries(fields)))
    url = f"/comite/demandes/{request.pk}/"
    with example():
        client = client_for(committee_member)
        before = db_state()
        response = client.post(url, payload)
        outcome(response)
        after = db_state()
        assert response.status_code in (200, 302)
        assert_messages_french(response, payload)
        if response.status_code == 200:
            assert_shown_again(response, ["vote_form"], payload, before, after)
            return
        assert redirect_to(response) == url
        assert changed(before, after) <= {"Vote", "CriterionAssessment"}
        vote = Vote.objects.get(request=request, organisation=committee_member.organisation)
        assert vote.overall == payload["overall"] and vote.member == committee_member
        assert vote.assessments.count() == len(CRITERIA)


@fuzz(120)
@given(data=st.data())
def test_decision_form(data, cheffe, other_committee_member, committee_world):
    request = committee_world["request"]
    valid = st.fixed_dictionaries(
        {
            "outcome": st.sampled_from(["labelled", "not_labelled", "postponed"]),
            "motivation": st.one_of(st.just("Court."), text_of(2000)),
        }
    )
    payload = data.draw(submission(valid))
    user = data.draw(
        st.sampled_from([cheffe, other_committee_member]), label="who (cheffe or chair)"
    )
    url = f"/comite/demandes/{request.pk}/decision/"
    with example():
        client = client_for(user)
        before = db_state()
        response = client.post(url, payload)
        outcome(response)
        after = db_state()
        assert response.status_code in (302, 400)
        assert_messages_french(response, payload)
        if response.status_code == 400:
            assert_shown_again(response, ["form"], payload, before, after)
            return
        assert redirect_to(response) == f"/comite/demandes/{request.pk}/"
        decision = Decision.objects.get(request=request)
        project = Project.objects.get(pk=request.project_id)
        assert project.status == decision.outcome == payload["outcome"]
        assert StatusChange.objects.filter(project=project, to_status=decision.outcome).exists()
        assert LabellingRequest.objects.get(pk=request.pk).vote_closed_at is not None
        assert bool(project.label_number) == (decision.outcome == "labelled")
        assert decision.label_number == project.label_number


@fuzz(60)
@given(data=st.data())
def test_opinion_form(data, cheffe, committee_world):
    request = committee_world["request"]
    payload = data.draw(submission(st.fixed_dictionaries({"cheffe_opinion": text_of(3000)})))
    with example():
        client = client_for(cheffe)
        before = db_state()
        response = client.post(f"/comite/demandes/{request.pk}/avis/", payload)
        outcome(response)
        after = db_state()
        assert response.status_code == 302
        assert redirect_to(response) == f"/comite/demandes/{request.pk}/"
        levels = [level for level, _ in assert_messages_french(response, payload)]
        if levels == ["error"]:
            assert changed(before, after) == set()
        else:
            assert levels == ["success"] and changed(before, after) <= {"LabellingRequest"}
            saved = LabellingRequest.objects.get(pk=request.pk).cheffe_opinion
            assert saved == payload["cheffe_opinion"].strip()


@fuzz(80)
@given(data=st.data())
def test_correction_form(data, cheffe, committee_world):
    decision = committee_world["decision"]
    valid = st.fixed_dictionaries(
        {
            "outcome": st.sampled_from(["labelled", "not_labelled", "postponed"]),
            "motivation": text_of(2000),
            "reason": text_of(2000),
        }
    )
    payload = data.draw(submission(valid))
    url = f"/comite/decisions/{decision.pk}/corriger/"
    with example():
        client = client_for(cheffe)
        before = db_state()
        response = client.post(url, payload)
        outcome(response)
        after = db_state()
        assert response.status_code in (200, 302)
        assert_messages_french(response, payload)
        if response.status_code == 200:
            assert_shown_again(response, ["form"], payload, before, after)
            return
        assert redirect_to(response) == f"/comite/demandes/{decision.request_id}/"
        correction = Decision.objects.get(corrects=decision)
        project = Project.objects.get(pk=decision.request.project_id)
        assert project.status == correction.outcome == payload["outcome"]
        assert correction.correction_reason == payload["reason"].strip()
        assert bool(project.label_number) == (correction.outcome == "labelled")


@fuzz(60)
@given(data=st.data())
def test_session_agenda_and_attendance_forms(data, cheffe, committee_world):
    session = committee_world["session"]
    waiting = committee_world["waiting"]
    organisations = [
        str(pk)
        for pk in Organisation.objects.filter(is_committee_member=True).values_list("pk", flat=True)
    ]
    action = data.draw(st.sampled_from(["inscrire", "presences"]), label="action")
    if action == "inscrire":
        payload = data.draw(
            submission(
                st.fixed_dictionaries({"request": st.just(str(waiting.pk))}), {"request": ID}
            )
        )
    else:
        payload = data.draw(
            st.lists(st.one_of(st.sampled_from(organisations), ID), max_size=6).map(
                lambda ids: {"organisations": ids}
            )
        )
    with example():
        client = client_for(cheffe)
        before = db_state()
        response = client.post(f"/comite/seances/{session.pk}/{action}/", payload)
        outcome(response)
        after = db_state()
        assert response.status_code == 302
        assert redirect_to(response) == f"/comite/seances/{session.pk}/"
        messages = assert_messages_french(response, {"v": " ".join(map(str, payload.values()))})
        if [level for level, _ in messages] != ["success"]:
            assert changed(before, after) == set()
        elif action == "inscrire":
            assert changed(before, after) <= {
                "LabellingRequest",
                "Project",
                "StatusChange",
                "Reminder",
            }
            assert LabellingRequest.objects.get(pk=waiting.pk).session == session
        else:
            assert changed(before, after) <= {"CommitteeSession.attendees"}


# --- Campaigns ----------------------------------------------------------------------------


@pytest.fixture
def campaign_world(porteur):
    labelled = LabelledProjectFactory(owner=porteur, contact_email=porteur.email)
    preparing = CampaignFactory(
        project=LabelledProjectFactory(owner=porteur), status="preparing", launched_on=None
    )
    running = CampaignFactory(project__owner=porteur, project__contact_email=porteur.email)
    finished = CampaignFactory(
        project__owner=porteur,
        project__status="campaign_ended",
        status="succeeded",
        finished_on=date(2026, 12, 10),
        final_amount=Decimal("6000"),
        final_contributors=80,
    )
    not_labelled = ProjectFactory(owner=porteur, status="coaching")
    return {
        "labelled": labelled,
        "preparing": preparing,
        "running": running,
        "finished": finished,
        "not_labelled": not_labelled,
    }


@fuzz(140)
@given(data=st.data())
def test_campaign_form(data, cheffe, campaign_world):
    platforms = [
        str(pk) for pk in Platform.objects.filter(is_active=True).values_list("pk", flat=True)
    ]
    today = now().date()
    valid = st.tuples(
        st.fixed_dictionaries(
            {
                "platform": st.sampled_from(platforms),
                "url": st.sampled_from(
                    [
                        "",
                        "https://fr.ulule.com/four-a-pain/",
                        "www.kisskissbankbank.com/fr/projects/x",
                    ]
                ),
                "financing_type": st.sampled_from(
                    ["donation", "donation_rewards", "loan", "equity", "royalties"]
                ),
                "collection_model": st.sampled_from(["all_or_nothing", "keep_it_all"]),
                "goal": amount("1", "10000000"),
            }
        ),
        st.integers(0, 200),
        st.integers(0, 90),
        st.booleans(),
    ).map(
        lambda t: {
            **t[0],
            "starts_on": (today + timedelta(days=t[1])).isoformat() if t[3] else "",
            "ends_on": (today + timedelta(days=t[1] + t[2])).isoformat() if t[3] else "",
        }
    )
    junk = {
        "goal": NUMBER,
        "starts_on": DATE,
        "ends_on": DATE,
        "platform": st.one_of(ID, st.just("ulule")),
        "url": TEXT,
    }
    payload = data.draw(submission(valid, junk))
    which = data.draw(st.sampled_from(["labelled", "preparing", "not_labelled"]), label="dossier")
    world = campaign_world[which]
    project = world if isinstance(world, Project) else world.project
    url = f"/accompagnement/dossiers/{project.reference}/campagne/"
    with example():
        client = client_for(cheffe)
        before = db_state()
        response = client.post(url, payload)
        outcome(response)
        after = db_state()
        assert response.status_code in (200, 302)
        assert_messages_french(response, payload)
        if response.status_code == 200:
            assert_shown_again(response, ["form"], payload, before, after)
            return
        assert redirect_to(response) == f"/accompagnement/dossiers/{project.reference}/#campagne"
        assert which != "not_labelled"
        assert changed(before, after) <= {"Campaign", "Project"}  # (its current campaign)
        campaign = Campaign.objects.filter(project=project).order_by("-pk").first()
        assert campaign.goal == Decimal(payload["goal"]) and campaign.status == "preparing"
        assert (
            campaign.ends_on is None
            or campaign.starts_on is None
            or campaign.ends_on >= campaign.starts_on
        )


@fuzz(150)
@given(data=st.data())
def test_snapshot_form(data, porteur, cheffe, campaign_world):
    campaign = campaign_world["running"]
    user = data.draw(st.sampled_from([porteur, cheffe]), label="logged in as")
    valid = st.fixed_dictionaries(
        {
            "amount": amount("0", "100000"),
            "contributors": st.integers(0, 5000).map(str),
            "source": st.sampled_from(["platform", "export", "porteur"]),
            "taken_on": st.one_of(st.just(""), past_date(20)),
        }
    )
    junk = {"amount": NUMBER, "contributors": NUMBER, "taken_on": DATE}
    payload = data.draw(submission(valid, junk))
    with example():
        client = client_for(user)
        before = db_state()
        response = client.post(f"/campagnes/{campaign.pk}/chiffres/", payload)
        outcome(response)
        after = db_state()
        assert response.status_code == 302
        expected = (
            f"/espace/dossiers/{campaign.project.reference}/#campagne"
            if user == porteur
            else f"/accompagnement/dossiers/{campaign.project.reference}/#campagne"
        )
        assert redirect_to(response) == expected
        levels = [level for level, _ in assert_messages_french(response, payload)]
        if levels == ["error"]:
            assert changed(before, after) == set()
            return
        assert levels == ["success"]
        assert changed(before, after) <= {"FigureSnapshot", "Campaign"}  # (latest figures)
        snapshot = FigureSnapshot.objects.order_by("-pk").first()
        assert snapshot.amount == Decimal(payload["amount"].strip()) and snapshot.entered_by == user
        assert snapshot.source == ("porteur" if user == porteur else payload["source"])
        assert snapshot.taken_at <= timezone.now()
        # A porteur's figures wait for the team: the campaign's public figures do not move.
        if user == porteur:
            assert snapshot.review == "pending" and "Campaign" not in changed(before, after)
        else:
            assert snapshot.review == "accepted"


@fuzz(40)
@given(data=st.data())
def test_snapshot_review(data, porteur, cheffe, campaign_world):
    campaign = campaign_world["running"]
    declared = FigureSnapshot.objects.create(
        campaign=campaign,
        taken_at=timezone.now(),
        amount=Decimal("300"),
        contributors=9,
        source="porteur",
        entered_by=porteur,
        review="pending",
    )
    decision = data.draw(
        st.one_of(st.sampled_from(["accepter", "refuser"]), TEXT), label="decision"
    )
    with example():
        client = client_for(cheffe)
        before = db_state()
        response = client.post(
            f"/accompagnement/chiffres/{declared.pk}/{quote(decision, safe='')}/"
        )
        outcome(response)
        after = db_state()
        review = FigureSnapshot.objects.get(pk=declared.pk).review
        if decision in ("accepter", "refuser"):
            assert response.status_code == 302
            assert review == ("accepted" if decision == "accepter" else "rejected")
            assert changed(before, after) <= {"FigureSnapshot", "Campaign"}
        else:
            # An unknown decision is not a page (404); one with a NUL byte is refused before
            # any view (the French 400 of RefuseNulBytesMiddleware).
            assert response.status_code == (400 if "\x00" in decision else 404)
            assert review == "pending" and changed(before, after) == set()


@fuzz(120)
@given(data=st.data())
def test_finish_form(data, cheffe, campaign_world):
    campaign = campaign_world["running"]
    valid = st.fixed_dictionaries(
        {
            "outcome": st.sampled_from(["succeeded", "failed", "cancelled"]),
            "final_amount": amount("0", "100000"),
            "final_contributors": st.integers(0, 5000).map(str),
            "finished_on": st.one_of(st.just(""), past_date(20)),
        }
    )
    junk = {
        "final_amount": NUMBER,
        "final_contributors": NUMBER,
        "finished_on": DATE,
        "outcome": st.sampled_from(["running", "preparing"]),
    }
    payload = data.draw(submission(valid, junk))
    with example():
        client = client_for(cheffe)
        before = db_state()
        response = client.post(f"/accompagnement/campagnes/{campaign.pk}/terminer/", payload)
        outcome(response)
        after = db_state()
        assert response.status_code == 302
        assert (
            redirect_to(response)
            == f"/accompagnement/dossiers/{campaign.project.reference}/#campagne"
        )
        levels = [level for level, _ in assert_messages_french(response, payload)]
        if levels == ["error"]:
            assert changed(before, after) == set()
            return
        assert levels == ["success"]
        assert changed(before, after) == {"Campaign", "Project", "StatusChange"}
        saved = Campaign.objects.get(pk=campaign.pk)
        assert saved.status == payload["outcome"] and saved.finished_on
        assert saved.ends_on >= saved.starts_on
        assert Project.objects.get(pk=campaign.project_id).status == "campaign_ended"


@fuzz(60)
@given(data=st.data())
def test_follow_up_form(data, cheffe, campaign_world):
    campaign = campaign_world["finished"]
    valid = st.fixed_dictionaries(
        {
            "rewards_delivered": st.sampled_from(["", "yes", "partly", "no"]),
            "rewards_delivered_on": st.one_of(st.just(""), past_date()),
            "project_carried_out": st.sampled_from(["unknown", "true", "false"]),
        }
    )
    payload = data.draw(submission(valid, {"rewards_delivered_on": DATE}))
    with example():
        client = client_for(cheffe)
        before = db_state()
        response = client.post(f"/accompagnement/campagnes/{campaign.pk}/suivi/", payload)
        outcome(response)
        after = db_state()
        assert response.status_code == 302
        levels = [level for level, _ in assert_messages_french(response, payload)]
        if levels == ["error"]:
            assert changed(before, after) == set()
        else:
            assert levels == ["success"] and changed(before, after) <= {"Campaign"}


@fuzz(80)
@given(data=st.data())
def test_map_placement_form(data, cheffe, campaign_world):
    project = campaign_world["labelled"]
    valid = st.one_of(
        st.fixed_dictionaries(
            {
                "latitude": st.decimals(Decimal("49.9"), Decimal("51.2"), places=5).map(str),
                "longitude": st.decimals(Decimal("1.3"), Decimal("3.3"), places=5).map(str),
            }
        ),
        st.just({"latitude": "", "longitude": ""}),
    )
    payload = data.draw(submission(valid, {"latitude": NUMBER, "longitude": NUMBER}))
    with example():
        client = client_for(cheffe)
        before = db_state()
        response = client.post(f"/accompagnement/dossiers/{project.reference}/carte/", payload)
        outcome(response)
        after = db_state()
        assert response.status_code == 302
        levels = [level for level, _ in assert_messages_french(response, payload)]
        if levels == ["error"]:
            assert changed(before, after) == set()
            return
        assert levels == ["success"] and changed(before, after) <= {"Project"}
        saved = Project.objects.get(pk=project.pk)
        assert (saved.latitude is None) == (saved.longitude is None)


# --- Public and team filters (GET) ----------------------------------------------------------


@fuzz(90)
@given(data=st.data())
def test_catalogue_filters(data, campaign_world):
    valid = st.fixed_dictionaries(
        {
            "q": st.sampled_from(["", "projet", "Lens", "é"]),
            "commune": st.sampled_from(["", "1"]),
            "arrondissement": st.sampled_from(["", "621", "622"]),
            "category": st.sampled_from(["", *Category.values]),
            "status": st.sampled_from(
                ["", "a-venir", "en-cours", "derniere-ligne-droite", "reussie"]
            ),
            "financing": st.sampled_from(["", "donation", "loan"]),
            "platform": st.sampled_from(["", "ulule", "kisskissbankbank"]),
            "sort": st.sampled_from(["", "recent", "title", "collected", "ending"]),
            "page": st.sampled_from([ABSENT, "1", "2"]),
        }
    )
    payload = data.draw(submission(valid, {"page": st.one_of(ID, NUMBER)}))
    with example():
        response = client_for(None).get("/projets/", payload)
        if refused_for_a_nul_byte(response, payload):
            return
        outcome(response)
        assert response.status_code == 200
        for form in bound_forms(response, ["filters"]):
            assert_errors_shown(response, form, payload)


@fuzz(90)
@given(data=st.data())
def test_period_filters(data, cheffe, campaign_world):
    valid = st.fixed_dictionaries(
        {
            "start": st.one_of(st.just(""), past_date(3000)),
            "end": st.one_of(st.just(""), past_date(30)),
        }
    )
    payload = data.draw(submission(valid, {"start": DATE, "end": DATE}))
    page = data.draw(
        st.sampled_from(
            [
                "/chiffres/",
                "/accompagnement/bilan/",
                "/accompagnement/bilan/export.csv",
                "/accompagnement/bilan/export.xlsx",
            ]
        ),
        label="page",
    )
    with example():
        user = None if page == "/chiffres/" else cheffe
        response = client_for(user).get(page, payload)
        if refused_for_a_nul_byte(response, payload):
            return
        outcome(response)
        assert response.status_code == 200
        if response.streaming:  # an export: its rows are read (and may fail) as it is sent
            response.getvalue()
        for form in bound_forms(response, ["period"]):
            assert_errors_shown(response, form, payload)


# --- Deterministic cases --------------------------------------------------------------------


def test_login_lockout_is_a_french_page_not_an_error(client, porteur):
    for _ in range(6):
        response = client.post(
            "/compte/connexion/", {"username": porteur.email, "password": "mauvais"}
        )
    assert response.status_code in (200, 403, 429)
    page = response.content.decode()
    assert "Connexion temporairement bloquée" in page or "incorrect" in page
    assert not ENGLISH.search(re.sub(r"<[^>]+>", " ", page.split("<main", 1)[-1])[:2000])


# --- Regressions: the bugs this fuzzing found (all fixed), each by its minimal input -------


def test_siret_of_superscript_digits_is_refused_in_french(client):
    """A SIRET of 14 "²" was a 500: siret_is_valid trusted str.isdigit(), and int("²") raises."""
    from tests.projects.test_intake import valid_data

    cache.clear()
    response = client.post("/deposer/", valid_data(siret="²" * 14))
    assert response.status_code == 200
    assert "SIRET" in response.context["form"].errors["siret"][0]


def test_upload_named_without_letters_is_kept_as_document_with_its_type_s_extension(
    client, porteur, project
):
    """A file named « 🎉 » got Django's bare English « Bad Request (400) »:
    get_valid_filename() raises SuspiciousFileOperation for a name with no letter or digit."""
    client.force_login(porteur)
    upload = SimpleUploadedFile("🎉", b"%PDF-1.7 un plan de financement")
    response = client.post(
        f"/espace/dossiers/{project.reference}/", {"kind": "financing_plan", "upload": upload}
    )
    assert response.status_code == 302
    assert project.documents.get().original_name == "document.pdf"


def test_corrupt_office_document_is_refused_in_french(client, porteur, project):
    """A ZIP whose « mimetype » entry holds corrupt deflate data was a 500: _zip_type only
    caught BadZipFile, not zlib.error (nor EOFError, NotImplementedError…)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text" * 20)
    data = bytearray(buffer.getvalue())
    for index in range(38, 48):  # the compressed bytes of the first entry
        data[index] ^= 0xFF
    client.force_login(porteur)
    upload = SimpleUploadedFile("dossier.odt", bytes(data))
    response = client.post(
        f"/espace/dossiers/{project.reference}/", {"kind": "other", "upload": upload}
    )
    assert response.status_code == 200
    assert "n'est pas accepté" in response.context["document_form"].errors["upload"][0]


def test_session_on_the_last_day_of_year_9999_is_refused(client, cheffe):
    """A session on 31/12/9999 was a 500: SessionForm.clean computes held_at + 1 day."""
    client.force_login(cheffe)
    response = client.post(
        "/comite/seances/nouvelle/",
        {"held_at": "9999-12-31T20:00", "vote_deadline": "9999-12-31T20:00", "location": "Arras"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors


@pytest.mark.parametrize(
    ("scheduled_at", "duration"),
    [("9999-12-31T23:00", "120"), ("2027-01-12T10:00", "4193443380")],
)
def test_first_meeting_ending_after_year_9999_is_refused(
    client, cheffe, project, scheduled_at, duration
):
    """A meeting ending after year 9999 was a 500 (FirstMeeting.ends_at, for the .ics): at the
    end of 9999, or with an absurd duration, which nothing bounded on SQLite (the 32 767 of a
    PositiveSmallIntegerField is only checked by PostgreSQL)."""
    client.force_login(cheffe)
    response = client.post(
        f"/accompagnement/dossiers/{project.reference}/premier-rendez-vous/",
        {"scheduled_at": scheduled_at, "duration_minutes": duration, "location": "Lens"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors


@pytest.mark.parametrize("form", ["chiffres", "terminer"])
def test_contributors_beyond_the_integer_column_are_refused(client, cheffe, campaign_world, form):
    """A count of contributors beyond the column's range was a 500 (OverflowError on SQLite,
    DataError on PostgreSQL): the IntegerFields had no max_value."""
    campaign = campaign_world["running"]
    client.force_login(cheffe)
    url, data = {
        "chiffres": (
            f"/campagnes/{campaign.pk}/chiffres/",
            {"amount": "10", "contributors": "9" * 20, "source": "platform"},
        ),
        "terminer": (
            f"/accompagnement/campagnes/{campaign.pk}/terminer/",
            {"outcome": "succeeded", "final_amount": "10", "final_contributors": "9" * 20},
        ),
    }[form]
    response = client.post(url, data)
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]


def test_campaign_finished_before_it_started_is_refused(client, cheffe, campaign_world):
    """« Terminée le » before the campaign's start was a 500: ends_on became that date and the
    campaign_ends_after_it_starts CHECK constraint failed (IntegrityError)."""
    campaign = campaign_world["running"]  # started on 1 November 2026
    client.force_login(cheffe)
    response = client.post(
        f"/accompagnement/campagnes/{campaign.pk}/terminer/",
        {
            "outcome": "succeeded",
            "final_amount": "6000",
            "final_contributors": "80",
            "finished_on": "2026-10-01",
        },
    )
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]


@pytest.mark.parametrize("action", ["reporter", "fait"])
def test_reminder_next_that_is_not_a_path_goes_to_the_dashboard(client, cheffe, reminder, action):
    """next=é was a 500 (NoReverseMatch): redirect() tried a `next` without « / » or « . » as
    a URL name."""
    client.force_login(cheffe)
    data = {"next": "é", "due_on": (now().date() + timedelta(days=3)).isoformat()}
    response = client.post(f"/accompagnement/rappels/{reminder.pk}/{action}/", data)
    assert response.status_code == 302
    assert response["Location"] == "/accompagnement/"


@pytest.mark.parametrize(
    "url",
    [
        "/chiffres/?end=9999-12-31",
        "/chiffres/?start=0001-01-01",
        "/accompagnement/bilan/?end=9999-12-31",
        "/accompagnement/bilan/export.csv?start=0001-01-01",
    ],
)
def test_period_at_the_ends_of_the_calendar(client, cheffe, url):
    """A period ending 31/12/9999 or starting 1/1/1 was a 500 on the public figures and the
    funder's report: day_start(end + 1 day) overflows, and midnight of 1/1/1 in Paris is still
    year 0 in UTC."""
    client.force_login(cheffe)
    response = client.get(url)
    assert response.status_code == 200
    if response.streaming:  # an export: its rows are read (and may fail) as it is sent
        response.getvalue()


def test_attendance_with_an_id_beyond_the_integers(client, cheffe, committee_world):
    """An attendance checkbox value beyond SQLite's integers was a 500 (pk__in is not
    range-checked by Django, unlike exact lookups). Tampered input only."""
    client.force_login(cheffe)
    session = committee_world["session"]
    response = client.post(
        f"/comite/seances/{session.pk}/presences/", {"organisations": ["9" * 30]}
    )
    assert response.status_code == 302
