"""`make bench`: the site's pages, served by gunicorn on PostgreSQL, at two dataset scales.

For each scale (default 1 and 100) a database propulsons_bench_<scale> is created, migrated
and filled by `manage.py generate_data`; then, with gunicorn running on it (DEBUG off, eager
Celery, whitenoise serving the collected static files):

- per page, as the role that uses it: SQL queries per request (in-process, bench/queries.py)
  and the server time p50/p95 over repeated sequential requests (client side, loopback);
- throughput of the catalogue and the figures page under concurrent clients, against
  /healthz as the framework's floor (a trivial view doing one SELECT 1);
- one reminder scan and the funnel, in-process;
- the transferred size of the home page with its CSS and JS (compressed), and any
  third-party host the pages load something from.

It prints a table with the targets of the issue (✔/✘) and writes every figure to
bench/results.json. A benchmark, not a test: it exits 0 whether targets are met or not.
"""

import argparse
import gzip
import json
import secrets
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import benchlib as b

# The targets.
MAX_QUERIES = 15
MAX_P95_VS_SMALL = 1.5
MAX_P95_VS_FLOOR = 5
MIN_CATALOGUE_THROUGHPUT = 0.5
SCAN_VS_CATALOGUE_REQUESTS = 20
MAX_HOME_BYTES = 150_000
ALLOWED_THIRD_PARTY = {"tile.openstreetmap.org"}  # map tiles
FLOOR = "healthz"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark of Propulsons! (see bench/README.md)")
    parser.add_argument("--small-scale", type=float, default=1.0)
    parser.add_argument("--big-scale", type=float, default=100.0)
    parser.add_argument("--repeat", type=int, default=40, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first")
    parser.add_argument("--concurrency", type=int, default=8, help="clients for throughput")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved throughput rounds")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--output", type=Path, default=b.BENCH / "results.json")
    parser.add_argument("--admin-url", default=b.ADMIN_URL, help="PostgreSQL maintenance URL")
    parser.add_argument("--keep", action="store_true", help="keep the bench databases")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse existing bench databases instead of generating them (their reminders were "
        "already scanned by the previous run)",
    )
    return parser.parse_args()


# --- Measures against a running server ------------------------------------------------------


def latencies(port: int, pages: list[dict], cookies: dict, repeat: int, warmup: int) -> dict:
    """Sequential requests in interleaved rounds (every page once per round), so that a noisy
    moment of the machine spreads over all pages rather than landing on one."""
    samples = {page["key"]: [] for page in pages}
    statuses = {page["key"]: {} for page in pages}
    bodies = {}
    for round_index in range(warmup + repeat):
        for page in pages:
            response = b.get(port, page["path"], cookie=cookies.get(page["role"]))
            bodies.setdefault(page["key"], response)
            if round_index < warmup:
                continue
            samples[page["key"]].append(response.elapsed)
            codes = statuses[page["key"]]
            codes[response.status] = codes.get(response.status, 0) + 1
    return {
        key: {**b.summary(times), "statuses": statuses[key], "bytes": len(bodies[key].body)}
        for key, times in samples.items()
    }, bodies


def _load(port: int, path: str, cookie: str | None, deadline: float) -> tuple[int, int]:
    done = errors = 0
    while time.monotonic() < deadline:
        try:
            ok = b.get(port, path, cookie=cookie).status == 200
        except OSError:
            ok = False
        done += ok
        errors += not ok
    return done, errors


def throughput(port: int, paths: dict[str, str], concurrency: int, duration: float, rounds: int):
    """Requests per second of each path under `concurrency` clients, in interleaved rounds."""
    totals = {key: {"requests": 0, "errors": 0, "seconds": 0.0} for key in paths}
    with ThreadPoolExecutor(concurrency) as pool:
        for _ in range(rounds):
            for key, path in paths.items():
                started = time.monotonic()
                deadline = started + duration
                futures = [
                    pool.submit(_load, port, path, None, deadline) for _ in range(concurrency)
                ]
                for future in futures:
                    done, errors = future.result()
                    totals[key]["requests"] += done
                    totals[key]["errors"] += errors
                totals[key]["seconds"] += time.monotonic() - started
    for total in totals.values():
        total["rps"] = round(total["requests"] / total["seconds"], 1)
        total["seconds"] = round(total["seconds"], 2)
    return totals


class Resources(HTMLParser):
    """What a browser would load from a page: stylesheets, scripts, images, frames…"""

    def __init__(self):
        super().__init__()
        self.stylesheets, self.scripts, self.others = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        rel = (attrs.get("rel") or "").lower().split()
        if tag == "link" and attrs.get("href"):
            if "stylesheet" in rel:
                self.stylesheets.append(attrs["href"])
            elif set(rel) & {"icon", "preload", "modulepreload", "prefetch", "manifest"}:
                self.others.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        elif tag in ("img", "iframe", "source", "video", "audio", "embed", "track", "input"):
            if attrs.get("src"):
                self.others.append(attrs["src"])
            for candidate in (attrs.get("srcset") or "").split(","):
                if candidate.strip():
                    self.others.append(candidate.split()[0])
        elif tag == "object" and attrs.get("data"):
            self.others.append(attrs["data"])

    def urls(self) -> list[str]:
        return self.stylesheets + self.scripts + self.others


def home_weight(port: int) -> dict:
    """Bytes on the wire for the home page, its stylesheets and scripts, as a browser asking
    for compression gets them (headers included)."""
    base = f"http://{b.HOST}:{port}/"
    wanted = {"Accept-Encoding": "gzip, br"}
    page = b.get(port, "/", headers=wanted)
    parser = Resources()
    parser.feed(page.body.decode("utf-8", "replace"))
    files = [("html", "/", page)]
    for kind, urls in (("css", parser.stylesheets), ("js", parser.scripts)):
        for url in urls:
            absolute = urlsplit(urljoin(base, url))
            if absolute.netloc == f"{b.HOST}:{port}":
                files.append((kind, absolute.path, b.get(port, absolute.path, headers=wanted)))
    rows = []
    for kind, path, response in files:
        encoding = response.headers.get("Content-Encoding", "")
        body = response.body
        rows.append(
            {
                "kind": kind,
                "path": path,
                "status": response.status,
                "encoding": encoding or "identity",
                "body_bytes": len(body),
                "header_bytes": response.header_bytes,
                "uncompressed_bytes": len(gzip.decompress(body)) if encoding == "gzip" else None,
            }
        )
    by_kind = {}
    for row in rows:
        by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + row["body_bytes"] + row["header_bytes"]
    return {
        "files": rows,
        "by_kind": by_kind,
        "total_bytes": sum(by_kind.values()),
        "csp": page.headers.get("Content-Security-Policy", ""),
    }


def third_party(port: int, bodies: dict, csp: str) -> dict:
    """Hosts other than ours that the measured pages load resources from, and those the
    Content-Security-Policy lets a browser reach at all."""
    ours = {f"{b.HOST}:{port}", ""}
    found = {}
    for key, response in bodies.items():
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        parser = Resources()
        parser.feed(response.body.decode("utf-8", "replace"))
        for url in parser.urls():
            host = urlsplit(urljoin(f"http://{b.HOST}:{port}/", url)).netloc
            if host not in ours:
                found.setdefault(host, set()).add(key)
    csp_hosts = sorted(
        {
            urlsplit(token).netloc
            for directive in csp.split(";")
            for token in directive.split()[1:]
            if token.startswith(("http://", "https://"))
        }
    )
    referenced = {host: sorted(pages) for host, pages in sorted(found.items())}
    return {
        "referenced": referenced,
        "csp_allows": csp_hosts,
        "ok": set(referenced) <= ALLOWED_THIRD_PARTY and set(csp_hosts) <= ALLOWED_THIRD_PARTY,
    }


# --- One scale ------------------------------------------------------------------------------


def prepare(scale: float, args, static_root: str, secret: str) -> dict:
    name = b.database_name(scale)
    env = b.app_env(b.database_url(name, args.admin_url), static_root, secret)
    info = {"scale": scale, "database": name}
    if args.reuse and b.database_exists(name, args.admin_url):
        b.log(f"{name}: reused as it is")
        info["reused"] = True
        return info
    info.update(b.generate_database(name, scale, env, args.admin_url))
    return info


def measure(scale: float, args, static_root: str, secret: str, workdir: Path) -> dict:
    name = b.database_name(scale)
    env = b.app_env(b.database_url(name, args.admin_url), static_root, secret)
    b.log(f"{name}: SQL queries per page (in-process)")
    found = b.helper(["pages"], env)
    pages, cookies = found["pages"], found["cookies"]
    result = {"targets": found["targets"], "pages": {page["key"]: page for page in pages}}
    with b.Gunicorn(env, workdir / f"gunicorn-{name}.log", args.workers) as server:
        b.log(f"{name}: gunicorn on port {server.port}; {args.repeat} requests per page")
        timings, bodies = latencies(server.port, pages, cookies, args.repeat, args.warmup)
        for key, timing in timings.items():
            result["pages"][key]["http"] = timing
        b.log(
            f"{name}: throughput, {args.concurrency} clients, "
            f"{args.rounds} × {args.duration:g} s per page"
        )
        paths = {"healthz": "/healthz", "catalogue": "/projets/", "figures": "/chiffres/"}
        result["throughput"] = throughput(
            server.port, paths, args.concurrency, args.duration, args.rounds
        )
        result["home"] = home_weight(server.port)
        result["third_party"] = third_party(server.port, bodies, result["home"]["csp"])
    b.log(f"{name}: reminder scan and funnel (in-process)")
    result.update(b.helper(["services"], env))
    return result


# --- Targets and table ----------------------------------------------------------------------


def mark(ok: bool | None) -> str:
    return "—" if ok is None else ("✔" if ok else "✘")


def evaluate(small: dict, big: dict) -> list[dict]:
    checks = []
    floor_p95 = big["pages"][FLOOR]["http"]["p95_ms"]
    for key, page in big["pages"].items():
        if key == FLOOR:
            continue
        before = small["pages"][key]
        queries = (before["queries"], page["queries"])
        p95, p95_small = page["http"]["p95_ms"], before["http"]["p95_ms"]
        page["ok"] = {
            "queries": max(queries) <= MAX_QUERIES and queries[0] == queries[1],
            "vs_small": p95 <= MAX_P95_VS_SMALL * p95_small,
            "vs_floor": p95 <= MAX_P95_VS_FLOOR * floor_p95,
        }
        checks.append(
            {
                "target": f"≤ {MAX_QUERIES} SQL queries, same at both scales",
                "page": page["path_label"],
                "value": f"{queries[0]} → {queries[1]}",
                "ok": page["ok"]["queries"],
            }
        )
        checks.append(
            {
                "target": f"p95 ≤ {MAX_P95_VS_SMALL}× own p95 at the small scale",
                "page": page["path_label"],
                "value": f"{p95:.1f} ms / {p95_small:.1f} ms = {p95 / p95_small:.2f}×",
                "ok": page["ok"]["vs_small"],
            }
        )
        checks.append(
            {
                "target": f"p95 ≤ {MAX_P95_VS_FLOOR}× healthz p95",
                "page": page["path_label"],
                "value": f"{p95:.1f} ms / {floor_p95:.1f} ms = {p95 / floor_p95:.2f}×",
                "ok": page["ok"]["vs_floor"],
            }
        )
        status_ok = set(page["http"]["statuses"]) == {200} and page.get("status") == 200
        if not status_ok:
            checks.append(
                {
                    "target": "HTTP 200",
                    "page": page["path_label"],
                    "value": str(page["http"]["statuses"]),
                    "ok": False,
                }
            )
    rates = big["throughput"]
    ratio = rates["catalogue"]["rps"] / rates["healthz"]["rps"]
    checks.append(
        {
            "target": f"catalogue throughput ≥ {MIN_CATALOGUE_THROUGHPUT:.0%} of healthz's",
            "page": "/projets/",
            "value": f"{rates['catalogue']['rps']} / {rates['healthz']['rps']} req/s = {ratio:.0%}",
            "ok": ratio >= MIN_CATALOGUE_THROUGHPUT,
        }
    )
    scan = big["reminder_scan"]["total_s"]
    budget = SCAN_VS_CATALOGUE_REQUESTS * big["pages"]["catalogue"]["http"]["p50_ms"] / 1000
    checks.append(
        {
            "target": f"reminder scan ≤ {SCAN_VS_CATALOGUE_REQUESTS} catalogue requests (p50)",
            "page": "reminders",
            "value": f"{scan:.3f} s vs {budget:.3f} s",
            "ok": scan <= budget,
        }
    )
    home = big["home"]["total_bytes"]
    checks.append(
        {
            "target": f"home page + CSS + JS ≤ {MAX_HOME_BYTES // 1000} kB transferred",
            "page": "/",
            "value": f"{home / 1000:.1f} kB",
            "ok": home <= MAX_HOME_BYTES,
        }
    )
    party = big["third_party"]
    checks.append(
        {
            "target": "no third-party host but map tiles",
            "page": "all pages",
            "value": f"referenced {sorted(party['referenced']) or 'none'}; "
            f"CSP allows {party['csp_allows'] or 'none'}",
            "ok": party["ok"],
        }
    )
    return checks


def table(small: dict, big: dict, checks: list[dict], args) -> str:
    s, g = f"{small['scale']:g}", f"{big['scale']:g}"
    floor = {scale["scale"]: scale["pages"][FLOOR]["http"]["p95_ms"] for scale in (small, big)}
    w = max(len(page["path_label"]) for page in big["pages"].values())
    lines = [
        f"Pages — SQL queries per request; server time (ms, client side on loopback, "
        f"{args.repeat} sequential requests) at scale {s} and {g}",
        "",
        f"{'page':<{w}} {'role':<9} {'SQL ' + s:>6} {'SQL ' + g:>7} {'p50 ' + s:>8} "
        f"{'p95 ' + s:>8} {'p50 ' + g:>9} {'p95 ' + g:>9} {'p95 ×':>6} {'×floor':>7}  "
        f"≤{MAX_QUERIES}&= ≤{MAX_P95_VS_SMALL}× ≤{MAX_P95_VS_FLOOR}×",
    ]
    for key, page in big["pages"].items():
        before = small["pages"][key]
        p95, p95_small = page["http"]["p95_ms"], before["http"]["p95_ms"]
        marks = "   —     —    —"
        if key != FLOOR:
            ok = page["ok"]
            marks = f"   {mark(ok['queries'])}     {mark(ok['vs_small'])}    {mark(ok['vs_floor'])}"
        lines.append(
            f"{page['path_label']:<{w}} {page['role']:<9} {before['queries']:>6} "
            f"{page['queries']:>7} {before['http']['p50_ms']:>8.1f} {p95_small:>8.1f} "
            f"{page['http']['p50_ms']:>9.1f} {p95:>9.1f} {p95 / p95_small:>6.2f} "
            f"{p95 / floor[big['scale']]:>7.2f} {marks}"
        )
    lines += [
        "",
        f"Throughput — {args.concurrency} concurrent clients, {args.rounds} interleaved rounds "
        f"of {args.duration:g} s, gunicorn --workers {args.workers}; healthz is the floor "
        "(a trivial view doing one SELECT 1)",
        "",
        f"{'path':<14} {'req/s ' + s:>12} {'vs floor':>9} {'req/s ' + g:>13} {'vs floor':>9}",
    ]
    for key, path in (
        ("healthz", "/healthz"),
        ("catalogue", "/projets/"),
        ("figures", "/chiffres/"),
    ):
        cells = []
        for scale in (small, big):
            rate = scale["throughput"][key]
            ratio = rate["rps"] / scale["throughput"]["healthz"]["rps"]
            errors = f" ({rate['errors']} err)" if rate["errors"] else ""
            cells.append(f"{rate['rps']:>12.1f} {ratio:>8.0%}{errors}")
        lines.append(f"{path:<14} {cells[0]} {cells[1]}")
    lines += ["", "In-process"]
    for scale in (small, big):
        scan = scale["reminder_scan"]
        funnel = scale["funnel"]
        lines.append(
            f"  scale {scale['scale']:g}: reminder scan {scan['total_s'] * 1000:.0f} ms "
            f"(create {scan['create_s'] * 1000:.0f} ms: {scan['created']} reminders; send "
            f"{scan['send_s'] * 1000:.0f} ms: {scan['sent']} emails); funnel "
            + ", ".join(
                f"{name} {period['median_s'] * 1000:.1f} ms ({period['queries']} q)"
                for name, period in funnel.items()
            )
        )
    lines += ["", "Home page, compressed (Accept-Encoding: gzip, br), headers included"]
    for scale in (small, big):
        home = scale["home"]
        parts = ", ".join(f"{kind} {size / 1000:.1f} kB" for kind, size in home["by_kind"].items())
        lines.append(f"  scale {scale['scale']:g}: {home['total_bytes'] / 1000:.1f} kB ({parts})")
    lines += ["", f"Targets (scale {g}, ratios from the same run)", ""]
    for check in checks:
        lines.append(
            f"  {mark(check['ok'])} {check['target']:<52} {check['page']:<{w}} {check['value']}"
        )
    missed = [check for check in checks if not check["ok"]]
    lines += ["", f"{len(checks) - len(missed)}/{len(checks)} targets met."]
    return "\n".join(lines)


def main() -> int:
    args = parse_args()
    scales = [args.small_scale, args.big_scale]
    if len({b.database_name(scale) for scale in scales}) != 2:
        sys.exit("--small-scale and --big-scale must differ")
    workdir = Path(tempfile.mkdtemp(prefix="propulsons-bench-"))
    static_root = str(workdir / "static")
    secret = secrets.token_urlsafe(50)
    started = time.monotonic()
    results = {"started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "settings": vars(args).copy()}
    results["settings"]["output"] = str(args.output)
    try:
        results["datasets"] = [prepare(scale, args, static_root, secret) for scale in scales]
        b.log("collectstatic")
        first = b.app_env(b.database_url(b.database_name(scales[0]), args.admin_url), static_root)
        b.manage(["collectstatic", "--noinput"], first)
        measured = [measure(scale, args, static_root, secret, workdir) for scale in scales]
    finally:
        if not args.keep:
            for scale in scales:
                b.drop_database(b.database_name(scale), args.admin_url)
        shutil.rmtree(workdir, ignore_errors=True)
    small, big = measured
    for scale, data in zip(scales, measured, strict=True):
        data["scale"] = scale
        for page in data["pages"].values():
            page["path_label"] = f"{page['label']:<18} {page['template']}"
    checks = evaluate(small, big)
    results.update(
        {
            "scales": {f"{scale:g}": data for scale, data in zip(scales, measured, strict=True)},
            "checks": checks,
            "missed": [check for check in checks if not check["ok"]],
            "elapsed_s": round(time.monotonic() - started, 1),
        }
    )
    text = table(small, big, checks, args)
    print(text)
    results["table"] = text
    args.output.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))
    print(f"\nFigures written to {args.output} ({results['elapsed_s']} s in all).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
