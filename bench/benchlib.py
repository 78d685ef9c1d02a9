"""What bench/run.py and bench/loadtest.py share: the bench databases, the environment of a
production-like process, gunicorn, and plain HTTP requests on loopback.

Standard library only (plus psycopg2, already a dependency of the project, to create and drop
databases). Every process started here is stopped by its own id.
"""

import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
GUNICORN = str(VENV_BIN / "gunicorn")
HOST = "127.0.0.1"
# A maintenance connection to the PostgreSQL server, to create and drop the bench databases.
ADMIN_URL = os.environ.get(
    "BENCH_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
CHEFFE_EMAIL = "cheffe.generee@propulsons.org"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- Databases ------------------------------------------------------------------------------


def scale_label(scale: float) -> str:
    return format(scale, "g").replace(".", "_").replace("-", "m")


def database_name(scale: float, suffix: str | None = None) -> str:
    """propulsons_bench_<scale><suffix>; BENCH_DB_SUFFIX lets two checkouts bench side by side."""
    if suffix is None:
        suffix = os.environ.get("BENCH_DB_SUFFIX", "")
    if suffix and not suffix.replace("_", "").isalnum():
        raise ValueError(f"BENCH_DB_SUFFIX must be letters, digits and _: {suffix!r}")
    return f"propulsons_bench_{scale_label(scale)}{suffix}"


def database_url(name: str, admin_url: str = ADMIN_URL) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


def _admin_connection(admin_url: str):
    import psycopg2

    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    return connection


# A database the bench creates carries a comment saying so; only such a database is ever
# dropped or reused. "…: generating" while it is being filled, "…: scale=S generator=D" once
# generate_data has finished (D: a digest of the generator's code, so that a changed generator
# makes new data instead of reusing old).
MARK = "propulsons bench"


def generator_digest() -> str:
    import hashlib

    code = (ROOT / "propulsons" / "datagen.py").read_bytes()
    return hashlib.sha256(code).hexdigest()[:12]


def database_mark(name: str, admin_url: str = ADMIN_URL) -> str | None:
    """The database's comment ("" without one), or None when there is no such database."""
    connection = _admin_connection(admin_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(shobj_description(oid, 'pg_database'), '') "
                "FROM pg_database WHERE datname = %s",
                [name],
            )
            row = cursor.fetchone()
            return None if row is None else row[0]
    finally:
        connection.close()


def database_exists(name: str, admin_url: str = ADMIN_URL) -> bool:
    return database_mark(name, admin_url) is not None


def _set_mark(name: str, mark: str, admin_url: str) -> None:
    connection = _admin_connection(admin_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'COMMENT ON DATABASE "{name}" IS %s', [mark])
    finally:
        connection.close()


class ForeignDatabase(RuntimeError):
    """A database of that name exists and the bench did not create it."""


def drop_database(name: str, admin_url: str = ADMIN_URL) -> None:
    """Drops a database the bench created; refuses any other."""
    mark = database_mark(name, admin_url)
    if mark is None:
        return
    if not mark.startswith(MARK):
        raise ForeignDatabase(
            f"{name} exists and was not created by the bench: it is left alone. Set "
            "BENCH_DB_SUFFIX (or --db-suffix) to use other names."
        )
    connection = _admin_connection(admin_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        connection.close()


def create_database(name: str, admin_url: str = ADMIN_URL) -> None:
    drop_database(name, admin_url)
    connection = _admin_connection(admin_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
            cursor.execute(f'COMMENT ON DATABASE "{name}" IS %s', [f"{MARK}: generating"])
    finally:
        connection.close()


def complete_mark(scale: float) -> str:
    return f"{MARK}: scale={scale:g} generator={generator_digest()}"


def analyze_database(url: str) -> None:
    """Fresh planner statistics, as autovacuum would have them on a live database."""
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    finally:
        connection.close()


def generate_database(name: str, scale: float, env: dict[str, str], admin_url: str) -> dict:
    """A new database `name` (env's DATABASE_URL), migrated and filled by generate_data."""
    url = env["DATABASE_URL"]
    # The generator's digest as it was when generation started.
    mark = complete_mark(scale)
    log(f"{name}: create and migrate")
    create_database(name, admin_url)
    manage(["migrate", "--noinput"], env)
    log(f"{name}: generate_data --scale {scale:g}")
    started = time.monotonic()
    output = manage(["generate_data", "--scale", str(scale)], env)
    info = {"generate_s": round(time.monotonic() - started, 1), "dataset": {}}
    for line in output.splitlines():
        words = line.split()
        if len(words) == 2 and words[1].isdigit():
            info["dataset"][words[0]] = int(words[1])
    analyze_database(url)
    _set_mark(name, mark, admin_url)
    log(f"{name}: {info['dataset']} in {info['generate_s']} s")
    return info


def prepare_database(
    scale: float, env: dict[str, str], admin_url: str = ADMIN_URL, *, reuse: bool = True
) -> dict:
    """The bench database of a scale: reused when the bench generated it completely with
    today's generator (migrations applied on top), else generated anew. Never touches a
    database the bench did not create (ForeignDatabase)."""
    name = database_name(scale)
    mark = database_mark(name, admin_url)
    if mark is not None and not mark.startswith(MARK):
        raise ForeignDatabase(
            f"{name} exists and was not created by the bench: it is left alone. Set "
            "BENCH_DB_SUFFIX (or --db-suffix) to use other names."
        )
    if reuse and mark == complete_mark(scale):
        log(f"{name}: reused (generated by the bench with this generator); migrate")
        manage(["migrate", "--noinput"], env)
        return {"reused": True, "dataset": {}}
    return {"reused": False, **generate_database(name, scale, env, admin_url)}


def flush_redis(databases: list[int], host: str = "127.0.0.1", port: int = 6379) -> None:
    """Empties the Redis databases the bench's servers use as their cache (RESP by hand: the
    bench needs no client library)."""
    with socket.create_connection((host, port), timeout=5) as connection:
        for number in databases:
            connection.sendall(f"SELECT {number}\r\nFLUSHDB\r\n".encode())
            replies = b""
            while replies.count(b"\r\n") < 2:
                replies += connection.recv(64)
            if replies != b"+OK\r\n+OK\r\n":
                raise RuntimeError(f"Redis did not flush database {number}: {replies!r}")


def machine_state(url: str) -> dict:
    """How fast the machine is at this moment, to read a run's figures by: the median round
    trip of `SELECT 1` to PostgreSQL and the time of a fixed Python loop. A virtual machine's
    speed drifts (the same code, a quarter of an hour apart: the review page 20 then 30 ms,
    the round trip 0.03 then 0.12 ms) while the floor view barely moves."""
    import psycopg2

    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            trips = []
            for _ in range(500):
                started = time.perf_counter()
                cursor.execute("SELECT 1")
                cursor.fetchall()
                trips.append(time.perf_counter() - started)
    finally:
        connection.close()
    loops = []
    for _ in range(5):
        started = time.perf_counter()
        sum(index * index for index in range(300_000))
        loops.append(time.perf_counter() - started)
    return {
        "sql_round_trip_ms": round(statistics.median(trips) * 1000, 3),
        "python_loop_ms": round(statistics.median(loops) * 1000, 1),
    }


# --- Processes ------------------------------------------------------------------------------


def app_env(url: str, static_root: str, secret_key: str | None = None) -> dict[str, str]:
    """Production settings on plain HTTP: DEBUG off, no broker (eager Celery), emails in memory."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
            "BENCH_STATIC_ROOT": static_root,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": url,
            "DEBUG": "False",
            "SECRET_KEY": secret_key or secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "False",
            # Set empty rather than unset, so that a local .env cannot bring a broker back.
            "CELERY_BROKER_URL": "",
            "REDIS_URL": "",
            "CACHE_URL": "",
            "CELERY_TASK_ALWAYS_EAGER": "True",
            "EMAIL_URL": "memorymail://",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def run(args: list[str], env: dict[str, str], what: str) -> str:
    completed = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout[-4000:] + completed.stderr[-4000:])
        raise RuntimeError(f"{what} failed (exit {completed.returncode})")
    return completed.stdout


def manage(args: list[str], env: dict[str, str]) -> str:
    return run([PYTHON, "manage.py", *args], env, "manage.py " + " ".join(args))


def helper(args: list[str], env: dict[str, str]) -> dict:
    """bench/queries.py in its own process: in-process measures against one database."""
    output = run([PYTHON, str(BENCH / "queries.py"), *args], env, "queries.py " + args[0])
    return json.loads(output)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Gunicorn:
    """gunicorn serving `app` on a free loopback port, stopped on exit."""

    def __init__(
        self,
        env: dict[str, str],
        log_path: Path,
        workers: int = 2,
        app: str = "propulsons.wsgi:application",
    ):
        self.env = env
        self.app = app
        self.log_path = log_path
        self.workers = workers
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in __exit__
        self.process = subprocess.Popen(
            [
                GUNICORN,
                self.app,
                "--bind",
                f"{HOST}:{self.port}",
                "--workers",
                str(self.workers),
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_healthy()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}): {self.tail()}")
            with suppress(OSError, http.client.HTTPException):
                if get(self.port, "/healthz", timeout=2).status == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz in {timeout} s: {self.tail()}")

    def tail(self) -> str:
        with suppress(OSError):
            return self.log_path.read_text(errors="replace")[-3000:]
        return ""

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            # The master stops its workers on SIGTERM; the whole group is killed if it lingers.
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self._log.close()


# --- HTTP -----------------------------------------------------------------------------------


class Response:
    __slots__ = ("status", "headers", "body", "elapsed", "header_bytes")

    def __init__(self, status, headers, body, elapsed, header_bytes):
        self.status = status
        self.headers = headers
        self.body = body
        self.elapsed = elapsed
        self.header_bytes = header_bytes


def get(
    port: int,
    path: str,
    *,
    cookie: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> Response:
    """One GET on a new connection (gunicorn's sync workers close it after each response);
    the time covers connect, request, response and reading the whole body."""
    sent = {"Accept-Encoding": "identity", **(headers or {})}
    if cookie:
        sent["Cookie"] = f"sessionid={cookie}"
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=sent)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    elapsed = time.perf_counter() - started
    header_bytes = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + sum(
        len(name) + len(value) + 4 for name, value in response.getheaders()
    )
    return Response(response.status, response.headers, body, elapsed, header_bytes + 2)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile, by linear interpolation between the closest ranks."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * p / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(samples: list[float]) -> dict[str, float | int | None]:
    """Percentiles in milliseconds (linear interpolation between the closest ranks)."""
    if not samples:
        return {"n": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "mean_ms": None}
    ordered = sorted(samples)

    return {
        "n": len(ordered),
        "p50_ms": round(percentile(ordered, 50) * 1000, 2),
        "p95_ms": round(percentile(ordered, 95) * 1000, 2),
        "p99_ms": round(percentile(ordered, 99) * 1000, 2),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }
