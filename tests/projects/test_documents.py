"""Uploaded files: their bytes bounded when inflated, their served name, and their place on disk
following their row (written under a temporary name, moved in and removed only after commit)."""

import errno
import io
import struct
import tracemalloc
import zipfile
import zlib
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction

from projects import services
from projects.forms import DocumentForm
from projects.models import Document, Project
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ODT = b"application/vnd.oasis.opendocument.text"
GIGABYTE = 1024**3


def files_on_disk(settings) -> set[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def raw_zip(members, shared: bool = False) -> bytes:
    """A ZIP written by hand, so that it may say what it likes: each member is (name, compressed
    bytes, method, declared size, declared CRC); `shared`: every member points to the first
    one's bytes."""
    out, central = io.BytesIO(), []
    for name, data, method, size, crc in members:
        offset, encoded = (0 if shared else out.tell()), name.encode()
        out.write(
            struct.pack(
                "<4s5H3L2H",
                b"PK\x03\x04",
                20,
                0,
                method,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(encoded),
                0,
            )  # fmt: skip
            + encoded
            + data
        )
        central.append(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                method,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )  # fmt: skip
            + encoded
        )
    directory = b"".join(central)
    start = out.tell()
    out.write(directory)
    count = len(members)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), start, 0))
    return out.getvalue()


def deflated(head: bytes, zero_megabytes: int) -> bytes:
    """A raw deflate stream of `head` then that many megabytes of zeros, built in a second: the
    same flushed block of one megabyte repeated (about 1 kB each)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(b"\0" * 2**20) + compressor.flush(zlib.Z_FULL_FLUSH)
    return stream + block * zero_megabytes + compressor.flush()


def zeros_crc(head: bytes, zero_megabytes: int) -> int:
    crc = zlib.crc32(head)
    megabyte = b"\0" * 2**20
    for _ in range(zero_megabytes):
        crc = zlib.crc32(megabyte, crc)
    return crc


@pytest.fixture(scope="module")
def gigabyte_bomb() -> bytes:
    """An OpenDocument whose « mimetype » member honestly inflates to 1 GB (about 1 MB sent)."""
    return raw_zip([("mimetype", deflated(b"", 1024), 8, GIGABYTE, zeros_crc(b"", 1024))])


@pytest.fixture(scope="module")
def lying_bomb() -> bytes:
    """A « mimetype » member that declares the 39 bytes of a real type (and their CRC) but
    whose stream goes on for 1 GB: a reader trusting the directory accepts it."""
    stream = deflated(ODT, 1024)
    return raw_zip([("mimetype", stream, 8, len(ODT), zlib.crc32(ODT))])


def upload(client, project, name, content, kind="financing_plan"):
    return client.post(
        f"/espace/dossiers/{project.reference}/",
        {"kind": kind, "upload": SimpleUploadedFile(name, content)},
    )


def upload_error(response) -> str:
    assert response.status_code == 200
    return " ".join(response.context["document_form"].errors["upload"])


def validation_peak(name: str, content: bytes) -> tuple[bool, int]:
    """Validate an upload with the form, as the view does; (valid, peak bytes allocated)."""
    upload = SimpleUploadedFile(name, content)
    form = DocumentForm({"kind": "other"}, {"upload": upload})
    tracemalloc.start()
    try:
        valid = form.is_valid()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return valid, peak


# --- Archives: every decompression bounded ----------------------------------------------------


def test_a_zip_bomb_is_refused_in_french_without_inflating_it(
    client, porteur, project, settings, gigabyte_bomb
):
    assert len(gigabyte_bomb) < 2 * 1024 * 1024
    valid, peak = validation_peak("dossier.odt", gigabyte_bomb)
    assert not valid
    assert peak < 4 * 1024 * 1024

    client.force_login(porteur)
    error = upload_error(upload(client, project, "dossier.odt", gigabyte_bomb))
    assert "se décompresse en un volume anormal" in error
    assert not Document.objects.exists()
    assert not files_on_disk(settings)


def test_a_member_that_inflates_past_its_declared_size_is_refused(
    client, porteur, project, settings, lying_bomb
):
    valid, peak = validation_peak("dossier.odt", lying_bomb)
    assert not valid
    assert peak < 4 * 1024 * 1024

    client.force_login(porteur)
    error = upload_error(upload(client, project, "dossier.odt", lying_bomb))
    assert "se décompresse en un volume anormal" in error
    assert not Document.objects.exists()
    assert not files_on_disk(settings)


def test_a_lying_member_of_an_openxml_document_is_refused_too(client, porteur, project):
    """A .docx is recognised by its members' names, never read before: each member is now
    inflated (bounded) and checked against what it declares."""
    stream = deflated(b"<document/>", 64)
    archive = raw_zip(
        [
            ("[Content_Types].xml", b"<Types/>", 0, 8, zlib.crc32(b"<Types/>")),
            ("word/document.xml", stream, 8, 11, zlib.crc32(b"<document/>")),
        ]
    )
    client.force_login(porteur)
    error = upload_error(upload(client, project, "texte.docx", archive, kind="campaign_text"))
    assert "se décompresse en un volume anormal" in error
    assert not Document.objects.exists()


def test_members_sharing_the_same_bytes_are_refused(client, porteur, project):
    """The « overlapping » bomb: many directory entries inflating one stream many times."""
    content = b"<document/>" * 100
    member = (zlib.compress(content)[2:-4], 8, len(content), zlib.crc32(content))
    archive = raw_zip(
        [(name, *member) for name in ("word/document.xml", "word/a.xml", "word/b.xml")],
        shared=True,
    )
    client.force_login(porteur)
    error = upload_error(upload(client, project, "texte.docx", archive))
    assert "se décompresse en un volume anormal" in error
    assert not Document.objects.exists()


def test_a_member_compressed_far_beyond_real_documents_is_refused(client, porteur, project):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (8 * 1024 * 1024))  # ratio ~1000
    client.force_login(porteur)
    error = upload_error(upload(client, project, "texte.docx", buffer.getvalue()))
    assert "se décompresse en un volume anormal" in error
    assert not Document.objects.exists()


def test_an_archive_with_too_many_members_is_refused(client, porteur, project, settings):
    settings.UPLOAD_ARCHIVE_MAX_MEMBERS = 50
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(51):
            archive.writestr(f"word/media/image{number}.xml", "<x/>")
    client.force_login(porteur)
    error = upload_error(upload(client, project, "texte.docx", buffer.getvalue()))
    assert "contient plus de 50 éléments" in error
    assert not Document.objects.exists()


def test_members_compressed_in_a_way_office_software_never_uses_are_refused(
    client, porteur, project
):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("word/document.xml", "<document/>")
    client.force_login(porteur)
    error = upload_error(upload(client, project, "texte.docx", buffer.getvalue()))
    assert "type de fichier n'est pas accepté" in error


@pytest.mark.parametrize(
    ("name", "members", "content_type"),
    [
        (
            "texte.odt",
            [("mimetype", ODT), ("content.xml", b"<office:document-content/>" * 500)],
            "application/vnd.oasis.opendocument.text",
        ),
        (
            "budget.xlsx",
            [("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>" * 9000)],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ],
)
def test_real_office_documents_are_still_accepted(
    client, porteur, project, name, members, content_type
):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members:
            archive.writestr(member, content)
    client.force_login(porteur)
    assert upload(client, project, name, buffer.getvalue()).status_code == 302
    assert Document.objects.get().content_type == content_type


def test_an_oversized_upload_never_reaches_the_disk_beyond_the_limit(settings):
    from projects.uploads import BoundedTemporaryFileUploadHandler

    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    handler = BoundedTemporaryFileUploadHandler()
    handler.new_file("upload", "enorme.pdf", "application/pdf", None)
    chunk = b"0" * (64 * 1024)
    for start in range(0, 50 * 1024 * 1024, len(chunk)):
        handler.receive_data_chunk(chunk, start)
    upload = handler.file_complete(50 * 1024 * 1024)
    try:
        assert Path(upload.temporary_file_path()).stat().st_size == 1024 * 1024 + 1
        assert upload.size == 50 * 1024 * 1024  # what the form refuses, with its size
    finally:
        upload.close()


def test_an_oversized_upload_is_refused_with_the_size_sent(client, porteur, project, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    client.force_login(porteur)
    error = upload_error(upload(client, project, "gros.pdf", PDF + b"0" * (3 * 1024 * 1024)))
    assert "Ce fichier pèse 3,0 Mo\u00a0: la limite est de 1 Mo." in error
    assert not Document.objects.exists()


# --- The served name follows the detected type ------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "content", "kept"),
    [
        ("plan.pdf.bat", PDF, "plan.pdf"),
        ("plan.pdf.hta", PDF, "plan.pdf"),
        ("plan.html", PDF, "plan.pdf"),
        ("budget", PDF, "budget.pdf"),
        ("Budget v2.1 final", PDF, "Budget_v2.1_final.pdf"),
        ("photo.PNG.exe", b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "photo.PNG"),
        ("photo.jpeg", b"\xff\xd8\xff\xe0" + b"\0" * 20, "photo.jpeg"),
        ("tableau.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 20, "tableau.xls"),
        ("tableau.xls.js", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 20, "tableau.xls"),
    ],
)
def test_the_name_kept_and_served_ends_with_the_detected_type(
    client, porteur, project, django_capture_on_commit_callbacks, sent, content, kept
):
    client.force_login(porteur)
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(client, project, sent, content).status_code == 302
    document = Document.objects.get()
    assert document.original_name == kept
    page = client.get(f"/espace/dossiers/{project.reference}/").content.decode()
    assert f">{kept}</a>" in page and f">{sent}</a>" not in page.replace(f">{kept}</a>", "")

    response = client.get(f"/documents/{document.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{kept}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == content


def test_a_row_stored_with_a_dangerous_name_is_shown_and_served_with_its_type_s_extension(
    client, porteur, project, django_capture_on_commit_callbacks
):
    """Rows written before names were corrected: the download still ends with .pdf."""
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_add(
            project=project,
            actor=porteur,
            kind="financing_plan",
            upload=SimpleUploadedFile("plan.pdf.bat", PDF),
            original_name="plan.pdf.bat",
            content_type="application/pdf",
        )
    client.force_login(porteur)
    page = client.get(f"/espace/dossiers/{project.reference}/").content.decode()
    assert ">plan.pdf</a>" in page and "plan.pdf.bat" not in page
    response = client.get(f"/documents/{document.pk}/")
    assert response["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    assert response["Content-Type"] == "application/pdf"


# --- Files follow their rows ------------------------------------------------------------------


def add_pdf(project, actor, name="plan.pdf") -> Document:
    return services.document_add(
        project=project,
        actor=actor,
        kind="financing_plan",
        upload=SimpleUploadedFile(name, PDF),
        original_name=name,
        content_type="application/pdf",
    )


def test_an_upload_reaches_its_final_name_only_once_the_row_is_committed(
    porteur, project, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = add_pdf(project, porteur)
        final = Path(document.file.path)
        # Before the commit: only a temporary file, under a name no row points to.
        assert not final.exists()
        assert files_on_disk(settings) == {final.with_name(final.name + ".part")}
    for callback in callbacks:
        callback()
    assert files_on_disk(settings) == {final}
    assert final.read_bytes() == PDF


def test_a_download_finishes_a_rename_that_a_stopped_process_left(
    client, porteur, project, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the process stops after commit
        document = add_pdf(project, porteur)
    client.force_login(porteur)
    response = client.get(f"/documents/{document.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert files_on_disk(settings) == {Path(document.file.path)}


def test_a_row_without_its_file_answers_404_and_is_logged(
    client, porteur, project, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = add_pdf(project, porteur)
    Path(document.file.path).unlink()
    client.force_login(porteur)
    assert client.get(f"/documents/{document.pk}/").status_code == 404
    assert f"its file {document.file.name} is missing" in caplog.text


def test_a_failed_insert_leaves_no_file(porteur, project, settings):
    with (
        mock.patch.object(Document, "save", side_effect=DatabaseError("insert failed")),
        pytest.raises(DatabaseError),
    ):
        add_pdf(project, porteur)
    assert not Document.objects.exists()
    assert not files_on_disk(settings)


def test_a_full_disk_leaves_no_file_and_the_porteur_is_told_in_french(
    client, porteur, project, settings
):
    def disk_full(descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    client.force_login(porteur)
    with mock.patch("projects.uploads.os.fsync", side_effect=disk_full):
        response = upload(client, project, "plan.pdf", PDF)
    assert "n'a pas pu être enregistré" in upload_error(response)
    assert not Document.objects.exists()
    assert not files_on_disk(settings)


def test_a_caller_s_rollback_leaves_no_file_under_a_final_name(
    porteur, project, settings, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        add_pdf(project, porteur)
        raise RuntimeError("the caller fails after the upload")
    assert not Document.objects.exists()
    # What is left is a temporary file, which the weekly clean-up removes after a day.
    assert [path.suffix for path in files_on_disk(settings)] == [".part"]


def test_deleting_a_dossier_removes_its_files_after_the_commit(
    admin_user, settings, django_capture_on_commit_callbacks
):
    # The admin no longer deletes dossiers (they are anonymised), but a cascade from any
    # other path (the shell, a future service) must still take the files with the rows.
    project = ProjectFactory()
    with django_capture_on_commit_callbacks(execute=True):
        paths = [Path(add_pdf(project, admin_user, f"plan{n}.pdf").file.path) for n in range(2)]
    other = ProjectFactory()
    with django_capture_on_commit_callbacks(execute=True):
        kept = Path(add_pdf(other, admin_user).file.path)
    assert all(path.exists() for path in paths)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Project.objects.filter(pk=project.pk).delete()
        # Until the deletion commits, the files stay: a rollback would need them.
        assert all(path.exists() for path in paths)
    for callback in callbacks:
        callback()
    assert not Project.objects.filter(pk=project.pk).exists()
    assert not any(path.exists() for path in paths)
    assert files_on_disk(settings) == {kept}


def test_the_admin_does_not_delete_dossiers_nor_their_files(
    client, admin_user, settings, django_capture_on_commit_callbacks
):
    projects = ProjectFactory.create_batch(2)
    with django_capture_on_commit_callbacks(execute=True):
        for project in projects:
            add_pdf(project, admin_user)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/projects/project/",
            {
                "action": "delete_selected",
                "_selected_action": [project.pk for project in projects],
                "post": "yes",
            },
        )
    assert response.status_code in (200, 302, 403)
    assert Project.objects.count() == 2
    assert len(files_on_disk(settings)) == 2


def test_a_deletion_that_rolls_back_keeps_the_file(
    porteur, project, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = add_pdf(project, porteur)
    path = Path(document.file.path)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        project.delete()
        raise RuntimeError("rolled back")
    assert Document.objects.filter(pk=document.pk).exists()
    assert path.read_bytes() == PDF
