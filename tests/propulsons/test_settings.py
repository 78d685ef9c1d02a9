"""The settings module, loaded in a fresh interpreter with a controlled environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
from django.conf import settings
django.setup()
from propulsons.celery import app
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "eager": app.conf.task_always_eager,
    "broker": app.conf.broker_url,
    "email": settings.EMAIL_BACKEND,
    "debug": settings.DEBUG,
    "language": settings.LANGUAGE_CODE,
    "time_zone": settings.TIME_ZONE,
    "public_page_cache": settings.PUBLIC_PAGE_CACHE_SECONDS,
}))
"""


def run_python(args, env_overrides):
    # Start from an environment without any of the project's variables.
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "REDIS_URL",
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "EMAIL_URL",
            "CELERY_TASK_ALWAYS_EAGER",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(DJANGO_SETTINGS_MODULE="propulsons.settings", **env_overrides)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def probe(**env_overrides):
    result = run_python(["-c", PROBE], env_overrides)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_nothing_set_gives_the_embedded_default():
    loaded = probe()
    assert loaded["engine"] == "django.db.backends.sqlite3"
    assert loaded["eager"] is True
    assert loaded["email"] == "django.core.mail.backends.console.EmailBackend"
    assert loaded["debug"] is True
    assert loaded["language"] == "fr-fr"
    assert loaded["time_zone"] == "Europe/Paris"


def test_database_and_broker_urls_switch_to_postgresql_and_redis():
    loaded = probe(
        DATABASE_URL="postgres://propulsons@127.0.0.1:5432/propulsons",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["eager"] is False
    assert loaded["broker"] == "redis://127.0.0.1:6379/0"


def test_redis_url_is_accepted_as_the_broker():
    loaded = probe(REDIS_URL="redis://127.0.0.1:6379/1")
    assert loaded["eager"] is False
    assert loaded["broker"] == "redis://127.0.0.1:6379/1"


def test_production_refuses_to_start_without_a_secret_key():
    result = run_python(["-c", PROBE], {"DEBUG": "False", "ALLOWED_HOSTS": "propulsons.org"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_bad_boolean_fails_loudly():
    result = run_python(["-c", PROBE], {"DEBUG": "peut-être"})
    assert result.returncode != 0


def test_check_deploy_is_silent_in_production():
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        {
            "DEBUG": "False",
            "SECRET_KEY": "une-cle-de-production-longue-et-aleatoire-9f8e7d6c5b4a3f2e1d0c",
            "ALLOWED_HOSTS": "propulsons.org",
            **LEGAL_NOTICE,
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


LEGAL_NOTICE = {
    "LEGAL_HOSTING_PROVIDER": r"OVH SAS\n2 rue Kellermann, 59100 Roubaix\n09 72 10 10 07",
    "LEGAL_PUBLICATION_DIRECTOR": "Claire Dupont",
}


def test_check_deploy_fails_while_the_legal_notice_lacks_its_host_or_director():
    for missing in LEGAL_NOTICE:
        result = run_python(
            ["manage.py", "check", "--deploy"],
            {
                "DEBUG": "False",
                "SECRET_KEY": "une-cle-de-production-longue-et-aleatoire-9f8e7d6c5b4a3f2e1d0c",
                "ALLOWED_HOSTS": "propulsons.org",
                **LEGAL_NOTICE,
                missing: "",
            },
        )
        assert result.returncode != 0, missing
        assert "propulsons.E001" in result.stderr, missing
        assert missing in result.stderr


PRODUCTION = {"DEBUG": "False", "ALLOWED_HOSTS": "propulsons.org"}


def test_production_refuses_a_published_known_or_short_secret_key():
    for key in (
        # The old docker-compose fallback, the development default, Django's template.
        "change-me-in-the-env-file-this-is-not-a-secret-0123456789",
        "dev-only-insecure-key-do-not-use-in-production-7c9f1e2a4b6d8f0a",
        "django-insecure-8s#x2!q9v@m3k$w7z&p1r%t5y^u0i*o4e(a6d)f8g-h2j=l",
        "collectstatic-only",
        "courte-mais-aleatoire-4f2a",
        "a" * 64,
        "",
    ):
        result = run_python(["-c", PROBE], {**PRODUCTION, "SECRET_KEY": key})
        assert result.returncode != 0, key
        assert "ImproperlyConfigured" in result.stderr, key
        assert "SECRET_KEY" in result.stderr, key


def test_production_accepts_a_long_random_secret_key():
    result = run_python(
        ["-c", PROBE],
        {**PRODUCTION, "SECRET_KEY": "Vq3n8ZkR_pX1sT6yWb0cLm4HdJ9fGa2eUo7iNrQ5tYvKxMz-BwSjPlDh"},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["debug"] is False


def test_development_keeps_its_default_key():
    assert probe()["debug"] is True


def test_production_static_files_collect_and_hash_every_package_asset(tmp_path):
    """The hashed storage refuses a file naming a missing one (a source map a package does not
    ship): collectstatic must pass with what the map, Bootstrap and Leaflet bring."""
    result = run_python(
        ["manage.py", "collectstatic", "--noinput"],
        {
            **PRODUCTION,
            "SECRET_KEY": "x" * 10 + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ",
            "STATIC_ROOT": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "markercluster/leaflet.markercluster-src.js" in manifest
    assert "leaflet/leaflet.js" in manifest


def test_public_pages_are_cached_in_production_and_not_while_templates_are_edited():
    assert probe()["public_page_cache"] == 0
    key = "Vq3n8ZkR_pX1sT6yWb0cLm4HdJ9fGa2eUo7iNrQ5tYvKxMz-BwSjPlDh"
    production = {**PRODUCTION, "SECRET_KEY": key}
    result = run_python(["-c", PROBE], production)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["public_page_cache"] == 600
    assert probe(PUBLIC_PAGE_CACHE_SECONDS="60")["public_page_cache"] == 60
