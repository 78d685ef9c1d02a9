"""A dump restored into an empty database gives the same figures and the same dossiers."""

import json
import os
import shutil
import subprocess
import sys
import threading
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from campaigns.selectors import key_figures
from projects import services
from projects.models import Document, Project
from tests.campaigns.factories import CampaignFactory, SnapshotFactory
from tests.conftest import require
from tests.factories import ProjectFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
from campaigns.selectors import key_figures
from projects.models import Project, Document
f = key_figures()
print(json.dumps({
    "figures": [f.launched, f.contributors, str(f.collected)],
    "dossiers": sorted(Project.objects.values_list("reference", "title", "status")),
    "documents": [d.file.read().decode() for d in Document.objects.all()],
}))
"""


def url_for(name: str) -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def run(args, expect: int = 0, **env):
    result = subprocess.run(
        args, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == expect, result.stdout + result.stderr
    return result.stdout if expect == 0 else result.stderr


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_an_empty_database_gives_the_same_data(tmp_path, settings):
    require(connection.vendor == "postgresql", "backups are PostgreSQL dumps")
    media = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = media
    owner = UserFactory(email="sauvegarde@example.org")
    project = ProjectFactory(owner=owner, title="Recyclerie sauvegardée")
    services.document_add(
        project=project,
        actor=owner,
        kind="financing_plan",
        upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan"),
        original_name="plan.pdf",
    )
    campaign = CampaignFactory(
        status="succeeded", final_amount=Decimal("5015"), final_contributors=90
    )
    SnapshotFactory(campaign=campaign)
    expected_figures = key_figures()

    backups = tmp_path / "backups"
    dump, archive = run(
        ["bin/backup", str(backups)],
        DATABASE_URL=url_for(connection.settings_dict["NAME"]),
        PRIVATE_MEDIA_ROOT=str(media),
    ).split()

    restored = f"restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{restored}"')
    try:
        restored_media = tmp_path / "restored-media"
        run(
            ["bin/restore", dump, archive],
            DATABASE_URL=url_for(restored),
            PRIVATE_MEDIA_ROOT=str(restored_media),
        )
        output = run(
            [sys.executable, "manage.py", "shell", "-c", PROBE],
            DATABASE_URL=url_for(restored),
            PRIVATE_MEDIA_ROOT=str(restored_media),
        )
        data = json.loads(output.strip().splitlines()[-1])
        assert data["figures"] == [
            expected_figures.launched,
            expected_figures.contributors,
            f"{expected_figures.collected:.2f}",
        ]
        assert data["dossiers"] == sorted(
            [list(row) for row in Project.objects.values_list("reference", "title", "status")]
        )
        assert data["documents"] == ["%PDF-1.4 plan"]
    finally:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored}"')


# Every restored document with its content: a row without its file makes this fail.
DOCUMENTS_PROBE = """
import json
from projects.models import Document
print(json.dumps({d.original_name: d.file.read().decode() for d in Document.objects.all()}))
"""

# Runs right after pg_dump, once: a document deleted (row, then file once committed) and another
# uploaded, between the dump and the archive.
PG_DUMP_SHIM = """#!/bin/sh
"$REAL_PG_DUMP" "$@" || exit $?
[ -e "$SHIM_DONE" ] && exit 0
touch "$SHIM_DONE"
exec "$PYTHON" manage.py shell -c "$SHIM_WRITES" >&2
"""
SHIM_WRITES = """
from django.core.files.uploadedfile import SimpleUploadedFile
from accounts.models import User
from projects import services
from projects.models import Document
deleted = Document.objects.get(original_name="supprime-pendant.pdf")
deleted.delete()
deleted.file.storage.delete(deleted.file.name)
project = deleted.project
services.document_add(project=project, actor=User.objects.get(email="sauvegarde@example.org"),
    kind="other", upload=SimpleUploadedFile("apres.pdf", b"%PDF-1.4 apres.pdf"),
    original_name="apres.pdf")
"""


def add(project, owner, name: str):
    return services.document_add(
        project=project,
        actor=owner,
        kind="other",
        upload=SimpleUploadedFile(name, f"%PDF-1.4 {name}".encode()),
        original_name=name,
    )


def restore(dump: str, archive: str, media: Path) -> dict:
    restored = f"restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{restored}"')
    try:
        run(["bin/restore", dump, archive], DATABASE_URL=url_for(restored),
            PRIVATE_MEDIA_ROOT=str(media))  # fmt: skip
        output = run(
            [sys.executable, "manage.py", "shell", "-c", DOCUMENTS_PROBE],
            DATABASE_URL=url_for(restored),
            PRIVATE_MEDIA_ROOT=str(media),
        )
        return json.loads(output.strip().splitlines()[-1])
    finally:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored}"')


@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_during_uploads_and_deletions_restores_every_row_with_its_file(
    tmp_path, settings
):
    require(connection.vendor == "postgresql", "backups are PostgreSQL dumps")
    media = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = media
    owner = UserFactory(email="sauvegarde@example.org")
    project = ProjectFactory(owner=owner)
    add(project, owner, "garde.pdf")
    add(project, owner, "supprime-pendant.pdf")

    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "pg_dump").write_text(PG_DUMP_SHIM)
    (shim / "pg_dump").chmod(0o755)

    # Uploads all along the backup, from another connection.
    done = threading.Event()

    def upload_while_backing_up():
        try:
            number = 0
            while not done.is_set():
                number += 1
                add(project, owner, f"pendant-{number}.pdf")
        finally:
            connection.close()

    writer = threading.Thread(target=upload_while_backing_up)
    writer.start()
    try:
        dump, archive = run(
            ["bin/backup", str(tmp_path / "backups")],
            DATABASE_URL=url_for(connection.settings_dict["NAME"]),
            PRIVATE_MEDIA_ROOT=str(media),
            PATH=f"{shim}:{os.environ['PATH']}",
            REAL_PG_DUMP=shutil.which("pg_dump"),
            SHIM_DONE=str(tmp_path / "shim-done"),
            SHIM_WRITES=SHIM_WRITES,
            PYTHON=sys.executable,
        ).split()
    finally:
        done.set()
        writer.join()
    uploaded_during = Document.objects.filter(original_name__startswith="pendant-").count()
    assert uploaded_during > 0

    documents = restore(dump, archive, tmp_path / "restored-media")
    # Every restored row has its file (the probe reads each one), with its content.
    assert documents["garde.pdf"] == "%PDF-1.4 garde.pdf"
    assert "supprime-pendant.pdf" not in documents
    for name, content in documents.items():
        assert content == f"%PDF-1.4 {name}"


@pytest.mark.django_db(transaction=True)
def test_a_backup_missing_a_file_of_its_dump_fails_loudly(tmp_path, settings):
    require(connection.vendor == "postgresql", "backups are PostgreSQL dumps")
    media = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = media
    owner = UserFactory()
    lost = add(ProjectFactory(owner=owner), owner, "perdu.pdf")
    Path(lost.file.path).unlink()

    error = run(
        ["bin/backup", str(tmp_path / "backups")],
        expect=1,
        DATABASE_URL=url_for(connection.settings_dict["NAME"]),
        PRIVATE_MEDIA_ROOT=str(media),
        BACKUP_ATTEMPTS="2",
    )
    assert "attempt 2 of 2" in error
    assert "FAILED" in error and lost.file.name in error
