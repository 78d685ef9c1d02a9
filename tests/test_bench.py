"""The bench (bench/): it covers every page, its figures are what it says, it never drops a
database it did not create, and the README's table is the one its results produce."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from django.core import signals
from django.db import close_old_connections

from tests.test_permission_matrix import MATRIX, POST

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def _load(name: str):
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


queries = _load("queries")
run = _load("run")
benchlib = _load("benchlib")


def test_the_bench_requests_every_page_that_answers_a_get():
    measured = {page.name for page in queries.PAGES}
    pages = {
        name
        for name, row in MATRIX.items()
        if row.methods != POST and any(expected == 200 for expected in row.expected)
    }
    assert not (pages - measured - set(queries.NOT_MEASURED)), "add them to bench/queries.py"
    assert not (measured & set(queries.NOT_MEASURED))
    assert measured - set(MATRIX) == {"bench_floor"}
    keys = [page.key for page in queries.PAGES]
    assert len(keys) == len(set(keys))


def _server(tmp_path, records: list[dict], page: dict):
    server = run.Server.__new__(run.Server)
    server.timing_dir = tmp_path
    server.pages = {page["key"]: page}
    server.client = {}
    (tmp_path / "1.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return server


def _record(request_id: str, wall: float) -> dict:
    return {
        "id": request_id,
        "path": "/p/",
        "status": 200,
        "wall_ms": wall,
        "cpu_ms": wall / 2,
        "sql_ms": 1.0,
        "queries": 3,
        "bytes": 100,
    }


PAGE = {
    "key": "p",
    "label": "P",
    "path": "/p/",
    "role": "anonymous",
    "kind": "fixed",
    "rendered": False,
    "rows": None,
}


def test_a_page_figure_is_the_median_of_the_runs_p50s_and_p95_needs_200_samples(tmp_path):
    # Run 0 is slow (a noisy moment), runs 1 and 2 are not: the median of the runs' p50s
    # keeps the noise out; warm-up requests are not counted.
    records = [_record(f"0:p:{i}", 50.0) for i in range(10)]
    records += [_record(f"1:p:{i}", 10.0) for i in range(10)]
    records += [_record(f"2:p:{i}", 12.0) for i in range(10)]
    records += [_record("warmup:p:0", 500.0)]
    figure = run.figures(_server(tmp_path, records, PAGE), runs=3)["p"]
    assert figure["p50_runs_ms"] == [50.0, 10.0, 12.0]
    assert figure["p50_ms"] == 12.0
    assert figure["n"] == 30
    assert figure["p95_ms"] is None  # 30 samples are too few for a p95

    many = [_record(f"{i % 3}:p:{i}", float(i)) for i in range(200)]
    figure = run.figures(_server(tmp_path, many, PAGE), runs=3)["p"]
    assert figure["n"] == 200
    assert figure["p95_ms"] == pytest.approx(189.05)


def test_the_bench_never_drops_a_database_it_did_not_create(monkeypatch):
    dropped = []
    monkeypatch.setattr(benchlib, "database_mark", lambda name, url=None: "")
    monkeypatch.setattr(benchlib, "_admin_connection", lambda url: dropped.append(url))
    with pytest.raises(benchlib.ForeignDatabase):
        benchlib.drop_database("propulsons_bench_100")
    with pytest.raises(benchlib.ForeignDatabase):
        benchlib.prepare_database(100, {})
    assert dropped == []


def test_a_database_is_reused_only_when_generated_by_todays_generator(monkeypatch):
    calls = []
    monkeypatch.setattr(benchlib, "manage", lambda args, env: calls.append(args))
    monkeypatch.setattr(benchlib, "generate_database", lambda *args: calls.append("generate") or {})
    monkeypatch.setattr(benchlib, "database_mark", lambda name, url=None: run_mark)
    run_mark = benchlib.complete_mark(100)
    assert benchlib.prepare_database(100, {})["reused"] is True
    assert calls == [["migrate", "--noinput"]]
    calls.clear()
    run_mark = "propulsons bench: scale=100 generator=000000000000"
    assert benchlib.prepare_database(100, {})["reused"] is False
    assert calls == ["generate"]


def test_database_names_take_the_suffix(monkeypatch):
    monkeypatch.setenv("BENCH_DB_SUFFIX", "_ci")
    assert benchlib.database_name(1000) == "propulsons_bench_1000_ci"
    monkeypatch.setenv("BENCH_DB_SUFFIX", "; drop")
    with pytest.raises(ValueError):
        benchlib.database_name(1)


def test_the_readme_table_is_the_one_bench_results_produce():
    results = json.loads((BENCH / "results.json").read_text())
    readme = (ROOT / "README.md").read_text()
    start = readme.index(run.README_START) + len(run.README_START)
    end = readme.index(run.README_END)
    assert readme[start:end].strip() == run.readme_table(results).strip(), (
        "run `.venv/bin/python bench/run.py --readme`"
    )


def test_the_readme_says_how_fast_the_machine_was_around_the_run():
    before = {"sql_round_trip_ms": 0.033, "python_loop_ms": 24.5}
    after = {"sql_round_trip_ms": 0.391, "python_loop_ms": 26.1}
    text = run.machine_state_text({"cpus": 2, "state_before": before, "state_after": after})
    assert "a PostgreSQL round trip 0.033 and 0.391 ms, a fixed Python loop 24.5 and 26.1 ms" in (
        text
    )
    assert run.machine_state_text({"cpus": 2}) == ""  # a results.json from before the probe


@pytest.mark.django_db
def test_the_timed_application_writes_one_line_per_request_once_the_body_is_sent(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("BENCH_TIMING_DIR", str(tmp_path))
    timing = _load("timing_wsgi")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/projets/",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_X_BENCH_ID": "0:catalogue:0",
        "wsgi.url_scheme": "https",
        "wsgi.input": __import__("io").BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    started = []
    # As Django's test client: the test's database connection stays open across the request
    # (a request's end closes it otherwise, and the test's transaction with it).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        body = timing.application(environ, lambda status, headers, exc=None: started.append(status))
        assert not list(tmp_path.glob("*.jsonl"))  # nothing before the response is closed
        sent = b"".join(body)
        body.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    [line] = (tmp_path / f"{__import__('os').getpid()}.jsonl").read_text().splitlines()
    record = json.loads(line)
    assert started[0].startswith("200")
    assert record["id"] == "0:catalogue:0"
    assert record["status"] == 200
    assert record["bytes"] == len(sent) > 0
    assert record["queries"] >= 1
    assert 0 < record["sql_ms"] <= record["wall_ms"]
