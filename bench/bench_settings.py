"""The project's own settings, with STATIC_ROOT moved to the benchmark's temporary folder and
the bench's floor view added to the URLs (bench/urls.py).

Everything else (DEBUG=False, whitenoise's compressed manifest storage, the middleware, the
database, the cache, eager Celery) comes from propulsons.settings and the environment, exactly
as in production.
"""

import os

from propulsons.settings import *  # noqa: F403

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
ROOT_URLCONF = "bench.urls"
