"""In-process measures against one database, printed as JSON on stdout (run by bench/run.py
and bench/loadtest.py with the environment of bench/benchlib.app_env).

    queries.py pages [--no-count]   the pages to measure, a session cookie per role, and the
                                    SQL queries of each page (Django test Client +
                                    CaptureQueriesContext, after one warm-up request)
    queries.py services             one reminder scan (create from cadences + send the due
                                    ones, emails to the locmem backend) and the funnel
"""

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bench_settings")


@dataclass(frozen=True)
class Page:
    """One page (or export) the bench requests.

    kind: "fixed" pages show a fixed amount of content whatever the data (the issue's targets
    on time and SQL apply), "listing" pages list every published row by nature (CPU per row),
    "page" is every other page. A public page is measured twice for the anonymous visitor:
    as served (from the public page cache once warm) and "rendered", with a query parameter
    no page reads, so that each request misses the cache and renders.
    """

    key: str
    label: str
    name: str  # the URL's name
    role: str  # anonymous, porteur, cheffe, member
    kwargs: tuple[tuple[str, str], ...] = ()  # (URL argument, name in the targets)
    kind: str = "page"
    rendered: bool = False  # request with a cache-missing query parameter
    rows: str = ""  # for a listing: the name in the targets of its number of rows


def _page(key, label, name, role, kwargs=(), **options) -> Page:
    return Page(key, label, name, role, tuple(kwargs.items()) if kwargs else (), **options)


DOSSIER = {"reference": "dossier"}
PORTEUR_DOSSIER = {"reference": "porteur_dossier"}
PAGES = [
    # The floor: the middleware stack and an empty response (bench/urls.py).
    _page("floor", "Plancher (vue triviale)", "bench_floor", "anonymous"),
    _page("healthz", "healthz", "healthz", "anonymous"),
    # Public pages, as served to a visitor (cached) and rendered.
    _page("home", "Accueil", "home", "anonymous", kind="public"),
    _page("home_rendered", "Accueil (rendue)", "home", "anonymous", rendered=True),
    _page("catalogue", "Catalogue", "campaigns:catalogue", "anonymous", kind="public"),
    _page(
        "catalogue_rendered",
        "Catalogue (rendu)",
        "campaigns:catalogue",
        "anonymous",
        kind="fixed",
        rendered=True,
    ),
    _page(
        "project",
        "Page projet",
        "campaigns:project_page",
        "anonymous",
        {"slug": "slug"},
        kind="public",
    ),
    _page(
        "project_rendered",
        "Page projet (rendue)",
        "campaigns:project_page",
        "anonymous",
        {"slug": "slug"},
        kind="fixed",
        rendered=True,
    ),
    _page("figures", "Chiffres", "campaigns:figures", "anonymous", kind="public"),
    _page(
        "figures_rendered",
        "Chiffres (rendus)",
        "campaigns:figures",
        "anonymous",
        kind="fixed",
        rendered=True,
    ),
    _page("map", "Carte", "campaigns:map", "anonymous", kind="public"),
    _page("map_rendered", "Carte (rendue)", "campaigns:map", "anonymous", rendered=True),
    _page("legal_notice", "Mentions légales", "legal_notice", "anonymous"),
    _page("open_data", "Données ouvertes", "campaigns:open_data", "anonymous"),
    _page("open_data_schema", "Schéma des données", "campaigns:open_data_schema", "anonymous"),
    _page("campaigns_feed", "Flux Atom", "campaigns:campaigns_feed", "anonymous"),
    _page(
        "label_verify",
        "Vérification du label",
        "projects:label_verify",
        "anonymous",
        {"number": "label"},
    ),
    _page(
        "label_badge",
        "Badge du label (SVG)",
        "projects:label_badge",
        "anonymous",
        {"number": "label", "fmt": "svg_format"},
    ),
    _page("intake", "Dépôt de projet", "projects:intake", "anonymous"),
    _page("intake_done", "Dépôt : merci", "projects:intake_done", "anonymous"),
    _page("login", "Connexion", "accounts:login", "anonymous"),
    _page("password_reset", "Mot de passe oublié", "accounts:password_reset", "anonymous"),
    _page("password_reset_done", "Lien envoyé", "accounts:password_reset_done", "anonymous"),
    _page(
        "password_reset_complete",
        "Mot de passe changé",
        "accounts:password_reset_complete",
        "anonymous",
    ),
    # Full listings: every published project or campaign, by nature.
    _page(
        "map_points",
        "Carte : points JSON",
        "campaigns:map_points",
        "anonymous",
        kind="listing",
        rows="published",
    ),
    _page(
        "open_data_csv",
        "Données CSV",
        "campaigns:open_data_csv",
        "anonymous",
        kind="listing",
        rows="published",
    ),
    _page(
        "open_data_json",
        "Données JSON",
        "campaigns:open_data_json",
        "anonymous",
        kind="listing",
        rows="published",
    ),
    _page(
        "report_csv",
        "Bilan CSV",
        "campaigns:report_export",
        "cheffe",
        {"fmt": "csv_format"},
        kind="listing",
        rows="report_rows",
    ),
    _page(
        "report_xlsx",
        "Bilan XLSX",
        "campaigns:report_export",
        "cheffe",
        {"fmt": "xlsx_format"},
        kind="listing",
        rows="report_rows",
    ),
    # The porteur.
    _page("porteur_space", "Espace porteur", "projects:porteur_space", "porteur", kind="fixed"),
    _page(
        "porteur_project",
        "Dossier (porteur)",
        "projects:porteur_project",
        "porteur",
        PORTEUR_DOSSIER,
    ),
    _page(
        "project_edit", "Modifier le dossier", "projects:project_edit", "porteur", PORTEUR_DOSSIER
    ),
    _page(
        "presentation",
        "Présentation publique",
        "campaigns:presentation",
        "porteur",
        PORTEUR_DOSSIER,
    ),
    _page("personal_data", "Mes données (JSON)", "projects:personal_data", "porteur"),
    _page("deletion_request", "Demande d'effacement", "projects:deletion_request", "porteur"),
    _page("account", "Compte", "accounts:home", "porteur"),
    _page("password_change", "Changer de mot de passe", "accounts:password_change", "porteur"),
    _page(
        "password_change_done", "Mot de passe modifié", "accounts:password_change_done", "porteur"
    ),
    # The cheffe de projet.
    _page("dashboard", "Tableau de bord", "coaching:dashboard", "cheffe", kind="fixed"),
    _page("pipeline", "Dossiers", "projects:team_pipeline", "cheffe", kind="fixed"),
    _page("team_project", "Dossier (équipe)", "projects:team_project", "cheffe", DOSSIER),
    _page(
        "first_meeting_schedule",
        "Fixer le 1er rendez-vous",
        "coaching:first_meeting_schedule",
        "cheffe",
        DOSSIER,
    ),
    _page(
        "first_meeting_report",
        "Compte rendu du 1er rendez-vous",
        "coaching:first_meeting_report",
        "cheffe",
        DOSSIER,
    ),
    _page(
        "interaction_create", "Noter un échange", "coaching:interaction_create", "cheffe", DOSSIER
    ),
    _page("quick_interaction", "Échange rapide", "coaching:quick_interaction", "cheffe"),
    _page(
        "reminder_answer",
        "Noter l'échange d'un rappel",
        "coaching:reminder_answer",
        "cheffe",
        {"pk": "reminder"},
    ),
    _page("calendar_settings", "Agenda", "coaching:calendar_settings", "cheffe"),
    _page("campaign_edit", "Campagne", "campaigns:campaign_edit", "cheffe", DOSSIER),
    _page(
        "team_presentation",
        "Présentation (équipe)",
        "campaigns:team_presentation",
        "cheffe",
        DOSSIER,
    ),
    _page("report", "Bilan", "campaigns:report", "cheffe"),
    _page("privacy_requests", "Données personnelles", "projects:privacy_requests", "cheffe"),
    _page("lockouts", "Comptes bloqués", "accounts:lockouts", "cheffe"),
    _page("failed_emails", "E-mails en échec", "outbox:failed", "cheffe"),
    _page("session_create", "Nouvelle séance", "labelling:session_create", "cheffe"),
    _page(
        "session_team",
        "Séance (cheffe)",
        "labelling:session",
        "cheffe",
        {"pk": "session"},
        kind="fixed",
    ),
    _page("minutes", "Procès-verbal", "labelling:minutes", "cheffe", {"pk": "session"}),
    _page("correct", "Corriger une décision", "labelling:correct", "cheffe", {"pk": "decision"}),
    # The committee member.
    _page("committee_home", "Comité (accueil)", "labelling:index", "member"),
    _page(
        "session_member",
        "Séance (membre)",
        "labelling:session",
        "member",
        {"pk": "session"},
        kind="fixed",
    ),
    _page(
        "review", "Demande (membre)", "labelling:review", "member", {"pk": "request"}, kind="fixed"
    ),
]

# Pages answering GET that the bench does not request, and why (tests/test_bench_pages.py
# fails when a page of the permission matrix is in neither list).
NOT_MEASURED = {
    "accounts:password_reset_confirm": "a one-time link from an email",
    "projects:claim": "a one-time link from an email",
    "coaching:calendar_feed": "a cheffe's secret address; the generator makes none",
    "projects:document_download": "the generated data has no files",
    "campaigns:cover": "the generated data has no files",
    "projects:dossier_message": "a GET only sends back to the dossier's thread",
}


def _targets() -> tuple[dict, dict]:
    """The objects the pages show, chosen the same way at every scale, and their users."""
    from django.db.models import Count

    from accounts.models import User
    from campaigns.forms import PeriodForm
    from campaigns.selectors import public_projects
    from campaigns.views.report import _launched
    from coaching.models import Reminder
    from labelling.models import CommitteeSession, Decision
    from projects.models import Project

    cheffe = User.objects.get(email="cheffe.generee@propulsons.org")
    member = User.objects.filter(email__startswith="membre.genere.").order_by("email").first()
    # The most recently labelled published project with a campaign (50 figure snapshots).
    project = (
        public_projects()
        .filter(current_campaign__isnull=False)
        .order_by("-labelled_on", "-pk")
        .first()
    )
    # The cheffe's dossier with a campaign whose status changed last.
    dossier = (
        Project.objects.filter(coach=cheffe, current_campaign__isnull=False)
        .order_by("-status_changed_at", "-pk")
        .first()
    )
    # The latest committee session with requests on its agenda, and its first request.
    session = (
        CommitteeSession.objects.annotate(n=Count("requests"))
        .filter(n__gt=0)
        .order_by("-held_at", "-pk")
        .first()
    )
    request = session.requests.order_by("pk").first()
    reminder = (
        Reminder.objects.filter(recipient=cheffe, done_at__isnull=True).order_by("pk").first()
    )
    start, end = PeriodForm(None).period()
    targets = {
        "slug": project.slug,
        "label": project.label_number,
        "porteur_dossier": project.reference,
        "dossier": dossier.reference,
        "session": session.pk,
        "session_requests": session.n,
        "request": request.pk,
        "decision": Decision.objects.order_by("-pk").values_list("pk", flat=True).first(),
        "reminder": reminder.pk,
        "svg_format": "svg",
        "csv_format": "csv",
        "xlsx_format": "xlsx",
        "published": public_projects().count(),
        "report_rows": _launched(start, end).count(),
    }
    users = {"cheffe": cheffe, "member": member, "porteur": project.owner}
    return targets, users


def page_path(page: Page, targets: dict) -> str:
    from django.urls import reverse

    return reverse(page.name, kwargs={arg: targets[name] for arg, name in page.kwargs})


def _shape(sql: str) -> str:
    """A statement without its literals, to find the ones repeated per row (N+1)."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(\.\d+)?\b", "?", sql)
    return re.sub(r"\(\?(, \?)*\)", "(?…)", sql)


def pages(count: bool) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()  # lets the test Client's "testserver" host in
    targets, users = _targets()
    clients, cookies = {"anonymous": Client()}, {}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
        cookies[role] = clients[role].cookies["sessionid"].value

    rows = []
    for page in PAGES:
        path = page_path(page, targets)
        row = {
            "key": page.key,
            "label": page.label,
            "name": page.name,
            "path": path,
            "role": page.role,
            "kind": page.kind,
            "rendered": page.rendered,
            "rows": targets[page.rows] if page.rows else None,
        }
        if count:
            client = clients[page.role]
            client.get(path)  # warm-up: per-process caches (content types, templates…)
            counts, statements = [], []
            for _ in range(2):
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(path + ("?bench-miss=1" if page.rendered else ""))
                counts.append(len(captured.captured_queries))
                statements = [query["sql"] for query in captured.captured_queries]
            repeated = Counter(_shape(sql) for sql in statements)
            row.update(
                status=response.status_code,
                queries=max(counts),
                repeated=[
                    {"times": times, "sql": shape[:240]}
                    for shape, times in repeated.most_common(5)
                    if times > 1
                ],
            )
        rows.append(row)
    return {"targets": targets, "cookies": cookies, "pages": rows}


def _timed(function, repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return times, result


def services(funnel_repeat: int) -> dict:
    from datetime import timedelta

    from django.core import mail
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.utils import timezone

    from campaigns.selectors import figures_start, funnel
    from coaching import services as coaching
    from coaching.models import Reminder

    now = timezone.now()
    due_before = Reminder.objects.due(now).count()
    # In a transaction rolled back at the end: the databases stay as generated, so that the
    # next run reuses them unchanged (what runs on commit, such as sending emails, does not).
    with (
        transaction.atomic(),
        override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
    ):
        mail.outbox = []
        started = time.perf_counter()
        created = coaching.reminders_create_from_cadences()
        middle = time.perf_counter()
        sent = coaching.reminders_send_due()
        ended = time.perf_counter()
        emails = len(mail.outbox)
        transaction.set_rollback(True)
    scan = {
        "create_s": round(middle - started, 4),
        "send_s": round(ended - middle, 4),
        "total_s": round(ended - started, 4),
        "created": created,
        "sent": sent,
        "emails": emails,
        "due_before": due_before,
    }

    today = timezone.localdate()
    periods = {
        "all_time": (figures_start(), today),
        "last_365_days": (today - timedelta(days=365), today),
        "last_30_days": (today - timedelta(days=30), today),
    }
    funnels = {}
    for name, (start, end) in periods.items():
        times, steps = _timed(lambda start=start, end=end: funnel(start, end), funnel_repeat)
        with CaptureQueriesContext(connection) as captured:
            funnel(start, end)
        funnels[name] = {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "median_s": round(statistics.median(times), 4),
            "max_s": round(max(times), 4),
            "queries": len(captured.captured_queries),
            "first_step": steps[0].count,
        }
    return {"reminder_scan": scan, "funnel": funnels}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    pages_parser = commands.add_parser("pages")
    pages_parser.add_argument("--no-count", action="store_true")
    services_parser = commands.add_parser("services")
    services_parser.add_argument("--funnel-repeat", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    if args.command == "pages":
        result = pages(count=not args.no_count)
    else:
        result = services(args.funnel_repeat)
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
