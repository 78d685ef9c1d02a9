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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bench_settings")

# (key, label, path with {placeholders}, role). "healthz" is the framework's floor: a trivial
# view doing one SELECT 1.
PAGES = [
    ("home", "Accueil", "/", "anonymous"),
    ("catalogue", "Catalogue", "/projets/", "anonymous"),
    ("project", "Page projet", "/projets/{slug}/", "anonymous"),
    ("map", "Carte", "/carte/", "anonymous"),
    ("figures", "Chiffres", "/chiffres/", "anonymous"),
    ("open_data", "Données", "/donnees/", "anonymous"),
    ("open_data_json", "Données JSON", "/donnees/projets.json", "anonymous"),
    ("porteur_space", "Espace porteur", "/espace/", "porteur"),
    ("dashboard", "Tableau de bord", "/accompagnement/", "cheffe"),
    ("pipeline", "Dossiers", "/accompagnement/dossiers/", "cheffe"),
    ("report", "Bilan", "/accompagnement/bilan/", "cheffe"),
    ("session_team", "Séance (cheffe)", "/comite/seances/{session}/", "cheffe"),
    ("session_member", "Séance (membre)", "/comite/seances/{session}/", "member"),
    ("review", "Demande (membre)", "/comite/demandes/{request}/", "member"),
    ("healthz", "healthz (plancher)", "/healthz", "anonymous"),
]


def _targets() -> tuple[dict, dict]:
    """The objects the pages show, chosen the same way at every scale, and their users."""
    from django.db.models import Count

    from accounts.models import User
    from campaigns.selectors import public_projects
    from labelling.models import CommitteeSession

    cheffe = User.objects.get(email="cheffe.generee@propulsons.org")
    member = User.objects.filter(email__startswith="membre.genere.").order_by("email").first()
    # The most recently labelled published project with a campaign (50 figure snapshots).
    project = (
        public_projects()
        .filter(current_campaign__isnull=False)
        .order_by("-labelled_on", "-pk")
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
    targets = {
        "slug": project.slug,
        "session": session.pk,
        "session_requests": session.n,
        "request": request.pk,
    }
    users = {"cheffe": cheffe, "member": member, "porteur": project.owner}
    return targets, users


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
    for key, label, template, role in PAGES:
        path = template.format(**targets)
        row = {
            "key": key,
            "label": label,
            "path": path,
            "template": template.replace("{", "<").replace("}", ">"),
            "role": role,
        }
        if count:
            client = clients[role]
            client.get(path)  # warm-up: per-process caches (content types, templates…)
            counts, statements = [], []
            for _ in range(2):
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(path)
                counts.append(len(captured.captured_queries))
                statements = [query["sql"] for query in captured.captured_queries]
            repeated = Counter(_shape(sql) for sql in statements)
            row.update(
                status=response.status_code,
                queries=max(counts),
                bytes=len(response.content),
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
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.utils import timezone

    from campaigns.selectors import figures_start, funnel
    from coaching import services as coaching
    from coaching.models import Reminder

    now = timezone.now()
    due_before = Reminder.objects.due(now).count()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        started = time.perf_counter()
        created = coaching.reminders_create_from_cadences()
        middle = time.perf_counter()
        sent = coaching.reminders_send_due()
        ended = time.perf_counter()
        emails = len(mail.outbox)
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
