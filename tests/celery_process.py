"""A real `celery worker` process for the tests that need one (against Redis)."""

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def celery_worker(*, mail_dir: Path, queue: str, extra_args=(), **env_overrides):
    """Run a worker (solo pool) consuming `queue`, its emails written as files to mail_dir."""
    env = {
        **os.environ,
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "DJANGO_SETTINGS_MODULE": "propulsons.settings",
        **env_overrides,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # a worker is not a test: keep Django's guard
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "propulsons",
            "worker",
            "--pool=solo",
            "--queues",
            queue,
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            *extra_args,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


# Django's file email backend ends each message it writes with a line of 79 dashes.
MESSAGE_END = "-" * 79


def wait_for_files(process, folder: Path, seconds: float = 60) -> list[Path]:
    """The email files the worker wrote, once each holds a whole message: the file backend
    creates its file before writing into it, so a file that merely exists may still be empty
    (a test reading it then found no Subject)."""

    def written() -> list[Path]:
        files = list(folder.iterdir())
        complete = all(MESSAGE_END in path.read_text(errors="replace") for path in files)
        return files if files and complete else []

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not written():
        assert process.poll() is None, process.stdout.read()
        time.sleep(0.3)
    return written()
