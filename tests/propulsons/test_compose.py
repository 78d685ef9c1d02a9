"""docker-compose.yml: migrations run once, in a one-off service the app services wait for.

PyYAML is not a dependency, so the file is read as indented blocks: enough for this file's
plain layout (two-space indentation, one key per line, YAML merge keys from the x-app anchor).
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = (ROOT / "docker-compose.yml").read_text()


def block(text: str, key: str, indent: int) -> str:
    """The lines nested under `key:` at the given indentation (its value, as text)."""
    lines = text.splitlines()
    pattern = re.compile(rf"^ {{{indent}}}{re.escape(key)}:(\s|$)")
    for index, line in enumerate(lines):
        if pattern.match(line):
            nested = [line[len(" " * indent) + len(key) + 1 :]]
            for following in lines[index + 1 :]:
                if following.strip() and not following.startswith(" " * (indent + 1)):
                    break
                if not following.lstrip().startswith("#"):
                    nested.append(following)
            return "\n".join(nested)
    raise AssertionError(f"no {key!r} at indentation {indent}")


def has_key(text: str, key: str, indent: int) -> bool:
    return re.search(rf"^ {{{indent}}}{re.escape(key)}:", text, re.MULTILINE) is not None


SERVICES = block(COMPOSE, "services", 0)
APP = block(COMPOSE, "x-app", 0)


def service(name: str) -> str:
    return block(SERVICES, name, 2)


def depends_on(service_text: str) -> str:
    """A service's depends_on: its own, or the x-app anchor's when it merges it."""
    if has_key(service_text, "depends_on", 4):
        return block(service_text, "depends_on", 4)
    assert "<<: *app" in service_text
    return block(APP, "depends_on", 2)


def test_a_one_off_service_runs_the_migrations():
    migrate = service("migrate")
    assert "python manage.py migrate --noinput" in block(migrate, "command", 4)
    # It does not wait for itself, and is not restarted once done.
    assert "migrate:" not in depends_on(migrate)
    assert 'restart: "no"' in migrate


def test_web_worker_and_beat_wait_until_the_migrations_completed():
    for name in ("web", "worker", "beat"):
        dependencies = depends_on(service(name))
        indent = min(
            len(line) - len(line.lstrip()) for line in dependencies.splitlines()[1:] if line.strip()
        )
        migrate = block(dependencies, "migrate", indent)
        assert "condition: service_completed_successfully" in migrate, name


def test_no_app_service_migrates_at_start_up():
    for name in ("web", "worker", "beat"):
        assert "migrate" not in block(service(name), "command", 4), name


def test_the_secret_key_has_no_fallback():
    assert re.search(r"SECRET_KEY: \$\{SECRET_KEY:\?", COMPOSE)


def test_gunicorn_kills_a_request_later_than_any_timeout_inside_it():
    assert "--timeout 30" in block(service("web"), "command", 4)
    assert '"--timeout", "30"' in (ROOT / "Dockerfile").read_text()
