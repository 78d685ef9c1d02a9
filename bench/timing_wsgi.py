"""The project's WSGI application, timed from the inside: `gunicorn bench.timing_wsgi:application`.

For every request, once the server has sent the whole response (the WSGI iterable's close(),
so a streamed export counts until its last byte), one JSON line is appended to
$BENCH_TIMING_DIR/<pid>.jsonl:

    {"id": <X-Bench-Id header>, "path": …, "status": 200, "wall_ms": …, "cpu_ms": …,
     "sql_ms": …, "queries": …, "bytes": <body bytes sent>}

wall_ms is the time inside the process (no network, no client, no accept queue); cpu_ms the
process's CPU time over the same span; sql_ms the time spent in the database driver's
execute() (statements of a server-side cursor fetched later in chunks are not included).
Each worker writes its own file, so lines never interleave.
"""

import json
import os
import time
from pathlib import Path

from django.db import connections  # noqa: E402 - after Django is set up

from propulsons.wsgi import application as django_application  # sets DJANGO_SETTINGS_MODULE

TIMING_DIR = Path(os.environ["BENCH_TIMING_DIR"])


class _Sql:
    """An execute wrapper adding up the time and number of statements of the current request."""

    def __init__(self):
        self.seconds = 0.0
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


_sql = _Sql()


class _Timed:
    """The response's iterable, counting the bytes it yields and writing the line on close()."""

    def __init__(self, body, environ, status, started, cpu_started):
        self._body = body
        self._environ = environ
        self._status = status
        self._started = started
        self._cpu_started = cpu_started
        self._bytes = 0

    def __iter__(self):
        for chunk in self._body:
            self._bytes += len(chunk)
            yield chunk

    def close(self):
        try:
            if hasattr(self._body, "close"):
                self._body.close()
        finally:
            line = {
                "id": self._environ.get("HTTP_X_BENCH_ID", ""),
                "path": self._environ.get("PATH_INFO", ""),
                "status": self._status[0],
                "wall_ms": round((time.perf_counter() - self._started) * 1000, 3),
                "cpu_ms": round((time.process_time() - self._cpu_started) * 1000, 3),
                "sql_ms": round(_sql.seconds * 1000, 3),
                "queries": _sql.count,
                "bytes": self._bytes,
            }
            with open(TIMING_DIR / f"{os.getpid()}.jsonl", "a", encoding="utf-8") as log:
                log.write(json.dumps(line) + "\n")


def application(environ, start_response):
    connection = connections["default"]
    if _sql not in connection.execute_wrappers:
        connection.execute_wrappers.append(_sql)
    _sql.seconds, _sql.count = 0.0, 0
    status = [0]

    def timed_start_response(status_line, headers, exc_info=None):
        status[0] = int(status_line.split(" ", 1)[0])
        return start_response(status_line, headers, exc_info)

    started, cpu_started = time.perf_counter(), time.process_time()
    body = django_application(environ, timed_start_response)
    return _Timed(body, environ, status, started, cpu_started)
