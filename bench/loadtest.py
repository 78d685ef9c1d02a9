"""`make loadtest`: a bounded load test of gunicorn on loopback.

C clients (default 50) for T seconds (default 30) over the public pages and the porteur's
space (with a session cookie), against the scale-100 bench database: the one given by
--database-url, else propulsons_bench_<scale> when `make bench` generated it with today's
generator (reused), else one generated for the run and dropped afterwards (unless --keep).
Bounded in time (no request starts after T, each has a timeout) and in count
(--max-requests). Reports the requests, the errors
(non-2xx or exceptions) and p50/p95/p99; exits 1 if there was any error.
"""

import argparse
import json
import secrets
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import benchlib as b

# (label, path with {placeholders}, role): the public pages and the porteur's space.
PAGES = [
    ("Accueil", "/", "anonymous"),
    ("Catalogue", "/projets/", "anonymous"),
    ("Page projet", "/projets/{slug}/", "anonymous"),
    ("Carte", "/carte/", "anonymous"),
    ("Chiffres", "/chiffres/", "anonymous"),
    ("Données", "/donnees/", "anonymous"),
    ("Données JSON", "/donnees/projets.json", "anonymous"),
    ("Espace porteur", "/espace/", "porteur"),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Bounded load test (see bench/README.md)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds")
    parser.add_argument("--max-requests", type=int, default=100_000, help="hard cap")
    parser.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--scale", type=float, default=100.0, help="dataset to create if needed")
    parser.add_argument("--database-url", help="an existing database with generated data")
    parser.add_argument("--admin-url", default=b.ADMIN_URL, help="PostgreSQL maintenance URL")
    parser.add_argument("--keep", action="store_true", help="keep a database created here")
    parser.add_argument("--output", type=Path, default=b.BENCH / "loadtest.json")
    return parser.parse_args()


class Load:
    """The clients: each cycles through the pages (from its own offset) until the deadline or
    the request cap; every outcome is recorded."""

    def __init__(self, port, pages, cookies, *, deadline, max_requests, timeout):
        self.port, self.pages, self.cookies = port, pages, cookies
        self.deadline, self.max_requests, self.timeout = deadline, max_requests, timeout
        self.lock = threading.Lock()
        self.started = 0
        self.results = []  # (page index, status or error name, seconds)

    def _take(self) -> bool:
        with self.lock:
            if self.started >= self.max_requests or time.monotonic() >= self.deadline:
                return False
            self.started += 1
            return True

    def client(self, offset: int) -> None:
        index = offset
        while self._take():
            page = index % len(self.pages)
            label, path, role = self.pages[page]
            started = time.perf_counter()
            try:
                response = b.get(
                    self.port, path, cookie=self.cookies.get(role), timeout=self.timeout
                )
                outcome = response.status
            except Exception as error:  # any failure counts as an error
                outcome = type(error).__name__
            with self.lock:
                self.results.append((page, outcome, time.perf_counter() - started))
            index += 1


def report(load: Load, elapsed: float, args) -> dict:
    def is_error(outcome) -> bool:
        return not (isinstance(outcome, int) and 200 <= outcome < 300)

    errors = {}
    for _, outcome, _ in load.results:
        if is_error(outcome):
            errors[str(outcome)] = errors.get(str(outcome), 0) + 1
    per_page = []
    for index, (label, path, role) in enumerate(load.pages):
        mine = [result for result in load.results if result[0] == index]
        per_page.append(
            {
                "label": label,
                "path": path,
                "role": role,
                "requests": len(mine),
                "errors": sum(is_error(outcome) for _, outcome, _ in mine),
                **b.summary([seconds for _, _, seconds in mine]),
            }
        )
    return {
        "clients": args.clients,
        "duration_s": args.duration,
        "elapsed_s": round(elapsed, 2),
        "workers": args.workers,
        "requests": len(load.results),
        "rps": round(len(load.results) / elapsed, 1) if elapsed else None,
        "errors": sum(errors.values()),
        "errors_by_kind": errors,
        "latency": b.summary([seconds for _, _, seconds in load.results]),
        "pages": per_page,
    }


def table(result: dict) -> str:
    latency = result["latency"]
    lines = [
        f"Load test — {result['clients']} clients for {result['duration_s']:g} s against "
        f"gunicorn --workers {result['workers']} on loopback ({result['dataset_label']})",
        "",
        f"{'page':<16} {'path':<28} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8}",
    ]
    for page in result["pages"]:
        lines.append(
            f"{page['label']:<16} {page['template']:<28} {page['requests']:>8} "
            f"{page['errors']:>6} {page['p50_ms'] or 0:>8.1f} {page['p95_ms'] or 0:>8.1f} "
            f"{page['p99_ms'] or 0:>8.1f}"
        )
    lines += [
        f"{'all':<16} {'':<28} {result['requests']:>8} {result['errors']:>6} "
        f"{latency['p50_ms'] or 0:>8.1f} {latency['p95_ms'] or 0:>8.1f} "
        f"{latency['p99_ms'] or 0:>8.1f}",
        "",
        f"{result['requests']} requests in {result['elapsed_s']} s ({result['rps']} req/s), "
        f"{result['errors']} errors {result['errors_by_kind'] or ''}".rstrip(),
        "✔ zero errors" if result["errors"] == 0 else "✘ errors",
    ]
    return "\n".join(lines)


def main() -> int:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="propulsons-loadtest-"))
    static_root = str(workdir / "static")
    secret = secrets.token_urlsafe(50)
    created = None
    try:
        if args.database_url:
            url, dataset = args.database_url, {"database_url": "given"}
        else:
            name = b.database_name(args.scale)
            url = b.database_url(name, args.admin_url)
            existed = b.database_exists(name, args.admin_url)
            env = b.app_env(url, static_root, secret)
            dataset = {"database": name, **b.prepare_database(args.scale, env, args.admin_url)}
            if not existed:
                created = name
        env = b.app_env(url, static_root, secret)
        b.log("collectstatic")
        b.manage(["collectstatic", "--noinput"], env)
        found = b.helper(["pages", "--no-count"], env)
        pages = [(label, path.format(**found["targets"]), role) for label, path, role in PAGES]
        with b.Gunicorn(env, workdir / "gunicorn.log", args.workers) as server:
            for label, path, role in pages:  # every page answers before the load starts
                response = b.get(server.port, path, cookie=found["cookies"].get(role))
                if response.status != 200:
                    raise RuntimeError(f"{label} {path}: HTTP {response.status}")
            b.log(f"{args.clients} clients for {args.duration:g} s on port {server.port}")
            started = time.monotonic()
            load = Load(
                server.port,
                pages,
                found["cookies"],
                deadline=started + args.duration,
                max_requests=args.max_requests,
                timeout=args.timeout,
            )
            threads = [
                threading.Thread(target=load.client, args=(offset,), daemon=True)
                for offset in range(args.clients)
            ]
            for thread in threads:
                thread.start()
            # Hard bound: no request starts after the deadline and each has a timeout.
            limit = started + args.duration + args.timeout + 5
            for thread in threads:
                thread.join(max(0.0, limit - time.monotonic()))
            elapsed = time.monotonic() - started
            stuck = sum(thread.is_alive() for thread in threads)
            with load.lock:
                result = report(load, elapsed, args)
            if stuck:
                result["errors"] += stuck
                result["errors_by_kind"]["client still waiting at the bound"] = stuck
            log_tail = server.tail()
    finally:
        if created and not args.keep:
            b.drop_database(created, args.admin_url)
        shutil.rmtree(workdir, ignore_errors=True)
    result["dataset_label"] = "given database" if args.database_url else f"scale {args.scale:g}"
    result["dataset"] = dataset
    for page, (_, template, _) in zip(result["pages"], PAGES, strict=True):
        page["template"] = template.replace("{", "<").replace("}", ">")
    if result["errors"]:
        result["gunicorn_log_tail"] = log_tail
    text = table(result)
    print(text)
    result["table"] = text
    args.output.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(f"\nFigures written to {args.output}.")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
