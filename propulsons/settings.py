"""Settings of Propulsons!, read from the environment (see .env.example).

With nothing set, the application runs on the embedded default: a SQLite file, Celery in
eager mode, emails printed to the console, DEBUG on. Setting DATABASE_URL and
CELERY_BROKER_URL (or REDIS_URL) moves it to PostgreSQL and Redis.
"""

import importlib.util
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env file is read when present; real environment variables win over it.
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

# A fixed key is acceptable only on a developer's machine; production must set its own.
_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-7c9f1e2a4b6d8f0a"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY or (not DEBUG and SECRET_KEY == _DEV_SECRET_KEY):
    raise ImproperlyConfigured("SECRET_KEY doit être défini quand DEBUG est désactivé.")
# Keys that were published (this file, the old docker-compose fallback, Django's template)
# sign sessions and password-reset links that anyone could forge: refused in production, as
# is a short key.
_PUBLISHED_SECRET_KEYS = {
    _DEV_SECRET_KEY,
    "change-me-in-the-env-file-this-is-not-a-secret-0123456789",
    "collectstatic-only",
}
if not DEBUG and (
    SECRET_KEY.strip() in _PUBLISHED_SECRET_KEYS
    or SECRET_KEY.startswith("django-insecure")
    or "change-me" in SECRET_KEY
    or len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "SECRET_KEY est une clé publiée, connue ou trop courte : générez-en une (50 caractères "
        'ou plus) avec python -c "import secrets; print(secrets.token_urlsafe(50))".'
    )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_ratelimit",
    "csp",
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_include_bootstrap",
    "accounts",
    "projects",
    "coaching",
    "labelling",
    "campaigns",
    "outbox",
    # The project package is an app for its management commands, which orchestrate the apps
    # above (load_demo, generate_data); it has no models.
    "propulsons",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML, JSON and the text exports compressed when the client accepts gzip. Below
    # whitenoise (its static files are served pre-compressed and never reach it), above every
    # middleware that reads or changes the body (so it compresses what they produced) and
    # outside the views' own caches (public_cache keeps the page uncompressed: one copy serves
    # clients with and without gzip).
    "propulsons.middleware.TextGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A service's refusal (a double click, a state that just moved) a view let through.
    "propulsons.middleware.ServiceRefusedMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before any view or session lookup; after the middleware that add security headers.
    "propulsons.middleware.RefuseNulBytesMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "propulsons.urls"
# A form posted after its CSRF token expired gets a French page that says what to do.
CSRF_FAILURE_VIEW = "propulsons.errors.csrf_failure"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "propulsons.context_processors.site",
            ],
            # French amounts, percentages and dates in every template without {% load %}.
            "builtins": ["propulsons.templatetags.french"],
        },
    },
]

WSGI_APPLICATION = "propulsons.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Nothing hangs: a database that does not answer the connection, or a statement that runs
# away, fails the request instead of holding a gunicorn worker until it is killed (30 s).
DATABASE_CONNECT_TIMEOUT = env.int("DATABASE_CONNECT_TIMEOUT", default=5)
DATABASE_STATEMENT_TIMEOUT_MS = env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=20_000)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": DATABASE_CONNECT_TIMEOUT,
            # 0 turns the limit off (the one-off migrate service does).
            "options": f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}",
            # A database host that vanished is noticed by TCP keepalives within a minute.
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses logins while an account is locked out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Brute force: after 5 failures for an address from one IP, that pair waits an hour (or until
# the team unlocks it from /accompagnement/verrous/).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_HOURS", default=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# And one address trying a few passwords on many accounts: after AXES_IP_FAILURE_LIMIT
# failures over every account, the address waits too (the pair first: see the handler).
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=20)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "accounts.throttling.AccountAndAddressHandler"
AXES_RESET_ON_SUCCESS = True
# The login form posts the email address in its "username" field.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "propulsons.http.login_username"
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_CLIENT_IP_CALLABLE = "propulsons.http.client_ip"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# French first: the whole interface is in French, dates in Paris time, "81 125 €".
LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Leaflet's own files come from the django-leaflet package; its Django app is not installed
# (it needs GDAL), so its static folder is found without importing it.
_LEAFLET_STATIC = Path(importlib.util.find_spec("leaflet").submodule_search_locations[0]) / "static"
# Leaflet.markercluster, packaged for Python (XStatic): the map groups nearby projects.
_MARKERCLUSTER_STATIC = (
    Path(
        importlib.util.find_spec("xstatic.pkg.leaflet_markercluster").submodule_search_locations[0]
    )
    / "data"
)
STATICFILES_DIRS = [
    BASE_DIR / "static",
    _LEAFLET_STATIC,
    ("markercluster", _MARKERCLUSTER_STATIC),
]
STATICFILES_FINDERS = [
    "propulsons.static_finders.PackageAssetsFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
# Hashed, compressed files in production; plain files when DEBUG is on (and in tests), so
# that no collectstatic is needed to run the app or its test suite.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Files uploaded by porteurs are private: stored outside any URL, served by checked views.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private-media")
# Files meant for the public (the project pages' cover images, resized): apart from the private
# ones, served by a view that shows them only once the project is published.
PUBLIC_MEDIA_ROOT = env.path("PUBLIC_MEDIA_ROOT", default=BASE_DIR / "public-media")
# Widths (px) of a cover's variants, for srcset; the smallest goes to cards and map popups.
COVER_WIDTHS = (480, 960, 1600)
# Larger images are refused before being decoded (a small file may claim huge dimensions).
COVER_MAX_PIXELS = env.int("COVER_MAX_PIXELS", default=40_000_000)
# PeerTube instances whose videos a project page may embed (YouTube and Vimeo always may).
VIDEO_PEERTUBE_HOSTS = env.list("VIDEO_PEERTUBE_HOSTS", default=["framatube.org"])

# Email: the console on the embedded default; EMAIL_URL (smtp://…) in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Seconds an SMTP server may take to answer before the send fails (and is retried later):
# a server that accepts and never answers must not hold a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Propulsons! <contact@propulsons.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
TEAM_EMAIL = env.str("TEAM_EMAIL", default="contact@propulsons.org")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Celery: eager (tasks run in the request) unless a broker is configured, because .delay()
# without a reachable broker retries for ~20 s before failing.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=env.str("REDIS_URL", default=""))
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A Redis that accepts and never answers fails a publish or a worker's read after these many
# seconds instead of blocking it for ever.
REDIS_CONNECT_TIMEOUT = env.float("REDIS_CONNECT_TIMEOUT", default=2)
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=5)
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_keepalive": True,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = CELERY_BROKER_TRANSPORT_OPTIONS

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Production hardening, on whenever DEBUG is off. The app runs behind a TLS-terminating
# proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe /healthz over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # django-axes logs every login at INFO; failures and lockouts are WARNING.
        "axes": {"level": "WARNING"},
    },
}

# The legal notice must name the host (its name, address and phone) and the publication director
# (loi pour la confiance dans l'économie numérique, article 6); `check --deploy` fails without them.
LEGAL_HOSTING_PROVIDER = env.str("LEGAL_HOSTING_PROVIDER", default="", multiline=True)
LEGAL_PUBLICATION_DIRECTOR = env.str("LEGAL_PUBLICATION_DIRECTOR", default="")

# Uploads: the largest file a porteur may send.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Django keeps larger request bodies out of memory; a little above the upload limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Small requests stay in memory; larger files go to disk, never more than UPLOAD_MAX_BYTES + 1.
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "projects.uploads.BoundedTemporaryFileUploadHandler",
]
# Office documents are ZIP archives: the most members, the most bytes once inflated (in all),
# and the highest compression ratio of a member over 1 MB that an upload may have.
UPLOAD_ARCHIVE_MAX_MEMBERS = env.int("UPLOAD_ARCHIVE_MAX_MEMBERS", default=5000)
UPLOAD_ARCHIVE_MAX_BYTES = env.int("UPLOAD_ARCHIVE_MAX_BYTES", default=200 * 1024 * 1024)
UPLOAD_ARCHIVE_MAX_RATIO = env.int("UPLOAD_ARCHIVE_MAX_RATIO", default=200)
# Files on disk that no row points to are removed by the weekly clean-up once this old (an
# upload in flight has its file before its row).
PRIVATE_FILES_ORPHAN_MIN_AGE_HOURS = env.int("PRIVATE_FILES_ORPHAN_MIN_AGE_HOURS", default=24)

# /healthz answers within this many seconds (plus a little), whatever hangs.
HEALTHZ_TIMEOUT = env.float("HEALTHZ_TIMEOUT", default=1.5)

# A shared cache (Redis) when one is configured; it backs the intake form's rate limit.
_CACHE_URL = env.str("CACHE_URL", default=env.str("REDIS_URL", default=""))
if not _CACHE_URL and CELERY_BROKER_URL.startswith("redis://"):
    _CACHE_URL = CELERY_BROKER_URL.rsplit("/", 1)[0] + "/1"
if _CACHE_URL:
    CACHES = {
        "default": {
            # Django's Redis cache, falling back to each process's memory while Redis is down
            # or does not answer: the cache never turns an outage into a 500.
            "BACKEND": "propulsons.cache.FailoverRedisCache",
            "LOCATION": _CACHE_URL,
            "OPTIONS": {
                "socket_connect_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=1),
                "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=1),
                # Seconds the fallback is used before Redis is tried again.
                "RETRY_AFTER": env.int("CACHE_RETRY_AFTER", default=30),
            },
        }
    }
    # The failover cache is Django's RedisCache (atomic increments) under another name.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # One process on the embedded default: a local-memory cache is enough to count requests.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# Seconds an anonymous public page (home, catalogue, project page, figures, map) is kept whole
# in the cache; the services invalidate it when its content changes (propulsons.public_cache),
# so this only bounds a change made outside them. 0 turns the cache off (the default with
# DEBUG on, so that an edited template shows at once).
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=0 if DEBUG else 600)

# How many intake forms one address may post per hour.
INTAKE_RATE = env.str("INTAKE_RATE", default="10/h")
# Behind a proxy, the client address is in this request header, set by the proxy (e.g.
# HTTP_X_REAL_IP); the intake rate limit and the login throttling both read it.
CLIENT_IP_META_KEY = env.str("CLIENT_IP_META_KEY", default="REMOTE_ADDR")
RATELIMIT_IP_META_KEY = CLIENT_IP_META_KEY

# Coaching cadences (days): a new contact to call back (working days, weekends skipped), an
# active dossier with no exchange, a labelled dossier waiting for its campaign, a live
# campaign with no call, and the calls due after a campaign ends.
NEW_CONTACT_CALLBACK_WORKING_DAYS = env.int("NEW_CONTACT_CALLBACK_WORKING_DAYS", default=2)
COACHING_SILENCE_DAYS = env.int("COACHING_SILENCE_DAYS", default=14)
LABELLED_CALL_DAYS = env.int("LABELLED_CALL_DAYS", default=7)
CAMPAIGN_CALL_SILENCE_DAYS = env.int("CAMPAIGN_CALL_SILENCE_DAYS", default=7)
AFTER_CAMPAIGN_CALL_DAYS = env.list("AFTER_CAMPAIGN_CALL_DAYS", cast=int, default=[7, 30])
# The hour (Europe/Paris) at which a reminder for a given day falls due.
REMINDER_HOUR = env.int("REMINDER_HOUR", default=9)
# How long a worker holds a claimed reminder before another may retry it (from the claim).
REMINDER_CLAIM_SECONDS = env.int("REMINDER_CLAIM_SECONDS", default=300)
# A reminder whose processing fails is retried with a growing delay, then given up on.
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=5)
DIGEST_HOUR = env.int("DIGEST_HOUR", default=8)

# The periodic tasks of every app, declared in one place (times in Europe/Paris).
CELERY_BEAT_SCHEDULE = {
    "coaching-reminders": {
        "task": "coaching.tasks.process_reminders",
        "schedule": env.int("REMINDER_SCAN_SECONDS", default=15 * 60),
    },
    "campaigns-geocode-communes": {
        "task": "campaigns.tasks.geocode_missing_communes",
        "schedule": 60 * 60,
    },
    "projects-anonymise-expired": {
        "task": "projects.tasks.anonymise_expired_dossiers",
        "schedule": crontab(hour=3, minute=30),
    },
    "projects-clean-private-files": {
        "task": "projects.tasks.clean_private_files",
        "schedule": crontab(day_of_week="sunday", hour=4, minute=15),
    },
    "coaching-daily-digest": {
        "task": "coaching.tasks.send_daily_digests",
        "schedule": crontab(hour=DIGEST_HOUR, minute=0),
    },
    # A run missed at DIGEST_HOUR (worker down or killed) is caught up within the morning;
    # the DigestDelivery row keeps it to one digest a day.
    "coaching-daily-digest-catch-up": {
        "task": "coaching.tasks.send_daily_digests",
        "schedule": crontab(hour=f"{DIGEST_HOUR}-{min(DIGEST_HOUR + 3, 23)}", minute="*/15"),
    },
    "outbox-send-pending": {
        "task": "outbox.tasks.send_pending_emails",
        "schedule": env.int("OUTBOX_SCAN_SECONDS", default=60),
    },
}

# The outbox (outbox/services.py): a worker holds an email for OUTBOX_CLAIM_SECONDS from its
# claim (longer than one SMTP delivery, EMAIL_TIMEOUT included); a failed email is retried
# after OUTBOX_RETRY_SECONDS, doubling up to OUTBOX_RETRY_MAX_SECONDS, and fails for good
# (shown to the team) after OUTBOX_MAX_ATTEMPTS; sent rows are deleted after
# OUTBOX_KEEP_SENT_DAYS.
OUTBOX_CLAIM_SECONDS = env.int("OUTBOX_CLAIM_SECONDS", default=300)
OUTBOX_RETRY_SECONDS = env.int("OUTBOX_RETRY_SECONDS", default=120)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=6 * 3600)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)
OUTBOX_BATCH = env.int("OUTBOX_BATCH", default=100)
OUTBOX_KEEP_SENT_DAYS = env.int("OUTBOX_KEEP_SENT_DAYS", default=30)

# The committee's rule: a quorum of organisations with a counted vote, then a majority of
# favorable votes among those not abstaining and, when required, each criterion judged met by
# the majority. Shown on the review pages.
LABEL_QUORUM = env.int("LABEL_QUORUM", default=4)
LABEL_REQUIRE_CRITERIA_MAJORITY = env.bool("LABEL_REQUIRE_CRITERIA_MAJORITY", default=True)
# Committee members are reminded this many hours before the vote closes.
VOTE_REMINDER_HOURS = env.int("VOTE_REMINDER_HOURS", default=48)
# The team's "Relancer" emails the members who have not voted at most once in this many hours.
VOTE_RELAUNCH_HOURS = env.int("VOTE_RELAUNCH_HOURS", default=24)

# The French government's geographic API, which places communes on the map.
GEO_API_URL = env.str("GEO_API_URL", default="https://geo.api.gouv.fr")
# The start of the key figures' default period: the launch of Propulsons!.
FIGURES_START = env.str("FIGURES_START", default="2015-11-01")

# Content-Security-Policy: no inline script or style anywhere; map tiles from OpenStreetMap.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "https://tile.openstreetmap.org"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        # A project's video, embedded only after the visitor clicks "Voir la vidéo".
        "frame-src": [
            "https://www.youtube-nocookie.com",
            "https://player.vimeo.com",
            *(f"https://{host}" for host in VIDEO_PEERTUBE_HOSTS),
        ],
    }
}
AXES_VERBOSE = False

# Personal data: dossiers that stopped at "prise de contact", "abandonné" or "réorienté" are
# anonymised this many days after their last change (3 years), their statistics kept.
DATA_RETENTION_DAYS = env.int("DATA_RETENTION_DAYS", default=3 * 365)
