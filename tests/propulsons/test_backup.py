"""A dump restored into an empty database gives the same figures and the same dossiers."""

import json
import os
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from campaigns.selectors import key_figures
from projects import services
from projects.models import Project
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


def run(args, **env):
    result = subprocess.run(
        args, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


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
