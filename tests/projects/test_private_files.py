"""`manage.py private_files` and the weekly task: orphan files, rows without their file."""

import os
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from projects import services, tasks
from projects.models import Document

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 plan"
TWO_DAYS = 2 * 24 * 3600


def add_pdf(project, actor) -> Document:
    return services.document_add(
        project=project,
        actor=actor,
        kind="financing_plan",
        upload=SimpleUploadedFile("plan.pdf", PDF),
        original_name="plan.pdf",
        content_type="application/pdf",
    )


def age(path: Path, seconds: int) -> None:
    when = time.time() - seconds
    os.utime(path, (when, when))


@pytest.fixture
def drift(project, porteur, settings, django_capture_on_commit_callbacks):
    """Every way files and rows can disagree, next to a healthy document."""
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    with django_capture_on_commit_callbacks(execute=True):
        healthy = add_pdf(project, porteur)
    with django_capture_on_commit_callbacks(execute=True):
        lost = add_pdf(project, porteur)
    Path(lost.file.path).unlink()
    # A process stopped between the commit and the rename: the file is still temporary.
    with django_capture_on_commit_callbacks(execute=False):
        interrupted = add_pdf(project, porteur)
    folder = root / "projects" / str(project.pk)
    old_orphan = folder / "0123456789abcdef"
    old_orphan.write_bytes(b"a failed upload")
    age(old_orphan, TWO_DAYS)
    in_flight = folder / "fedcba9876543210.part"  # an upload whose row is not committed yet
    in_flight.write_bytes(b"in flight")
    return {
        "healthy": Path(healthy.file.path),
        "lost": lost,
        "interrupted": Path(interrupted.file.path),
        "old_orphan": old_orphan,
        "in_flight": in_flight,
    }


def test_the_check_lists_every_drift_and_changes_nothing(drift, capsys):
    on_disk = {path for path in Path(django_settings.PRIVATE_MEDIA_ROOT).rglob("*")}
    with pytest.raises(CommandError, match="ne se correspondent pas"):
        call_command("private_files", "--check")
    output = capsys.readouterr().out
    assert "Fichiers : 4" in output
    assert "Fichiers orphelins : 2 (supprimés : 0, trop récents pour être supprimés : 1)" in output
    assert "Déplacements interrompus : terminés 0, en attente 1" in output
    assert "Lignes sans fichier : 1" in output
    assert f"projects.Document {drift['lost'].pk} ({drift['lost'].file.name})" in output
    assert {path for path in Path(django_settings.PRIVATE_MEDIA_ROOT).rglob("*")} == on_disk


def test_the_clean_removes_old_orphans_only_and_finishes_interrupted_moves(drift, capsys):
    with pytest.raises(CommandError):  # the row without its file needs a person
        call_command("private_files", "--clean")
    output = capsys.readouterr().out
    assert "(supprimés : 1, trop récents pour être supprimés : 1)" in output
    assert "terminés 1, en attente 0" in output
    assert not drift["old_orphan"].exists()
    assert drift["in_flight"].read_bytes() == b"in flight"
    assert drift["interrupted"].read_bytes() == PDF
    assert drift["healthy"].read_bytes() == PDF
    assert Document.objects.count() == 3


def test_a_healthy_store_passes_the_check(
    project, porteur, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        add_pdf(project, porteur)
    call_command("private_files")
    assert "Fichiers orphelins : 0" in capsys.readouterr().out


def test_the_weekly_task_cleans_and_reports_counts(drift, caplog):
    counts = tasks.clean_private_files.delay().get()
    assert counts == {
        "files": 4,
        "orphans_removed": 1,
        "orphans_too_young": 1,
        "moves_completed": 1,
        "rows_without_file": 1,
    }
    assert not drift["old_orphan"].exists()
    assert drift["in_flight"].exists()
    assert any(
        "rows without their file" in record.message and record.levelname == "ERROR"
        for record in caplog.records
    )


def test_the_weekly_task_is_scheduled():
    schedule = django_settings.CELERY_BEAT_SCHEDULE["projects-clean-private-files"]
    assert schedule["task"] == "projects.tasks.clean_private_files"
    assert schedule["schedule"].day_of_week == {0}
