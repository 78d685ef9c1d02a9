"""What a porteur may upload, judged by the file's content, never by its name alone; and how
uploaded files reach the disk (and leave it) only once the database agrees."""

import contextlib
import logging
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.db import transaction
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class UploadRejected(Exception):
    pass


# Office documents in the OpenXML / OpenDocument formats are ZIP archives; what is inside tells
# which kind they are.
_ZIP_MARKERS = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_OPENDOCUMENT = {
    b"application/vnd.oasis.opendocument.text",
    b"application/vnd.oasis.opendocument.spreadsheet",
    b"application/vnd.oasis.opendocument.presentation",
}


class BoundedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Writes at most UPLOAD_MAX_BYTES + 1 bytes of an uploaded file to the temporary folder,
    whatever the client sends (a body of many gigabytes would otherwise fill the disk before the
    form could refuse it); the file keeps the size received, which the form refuses with."""

    def receive_data_chunk(self, raw_data, start):
        room = settings.UPLOAD_MAX_BYTES + 1 - start
        if room > 0:
            self.file.write(raw_data[:room])


# --- Archives: every decompression is bounded -------------------------------------------------
#
# A ZIP says in its central directory how big each member is once inflated; an attacker writes
# what they like there. So the central directory is read with bounds (how many members, how big
# in total, how compressed), then every member is inflated by small steps, never past the size
# it declares, its CRC checked: a member that inflates to more than it declares is a lie and
# the archive is refused. At most ~320 kB of memory whatever the archive says.

_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_CENTRAL_ENTRY = struct.Struct("<4s4B4HL2L5H2L")
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_READ_CHUNK = 64 * 1024
_INFLATE_CHUNK = 256 * 1024
# Below this size a member's compression ratio says nothing (a blank sheet compresses well).
_RATIO_FLOOR = 1024 * 1024


def _rejected_archive() -> UploadRejected:
    return UploadRejected(
        _(
            "Ce document compressé se décompresse en un volume anormal : il n'est pas accepté. "
            "Enregistrez-le de nouveau depuis votre logiciel, ou envoyez-le en PDF."
        )
    )


def _not_an_office_document() -> UploadRejected:
    return UploadRejected(
        _(
            "Ce type de fichier n'est pas accepté. Envoyez un PDF, un document bureautique "
            "ou une image (JPEG, PNG, GIF, WebP)."
        )
    )


def _central_directory(upload, size: int) -> tuple[int, int]:
    """(offset, length) of the central directory, found from the end of the file."""
    tail_start = max(0, size - (_EOCD.size + 0xFFFF))
    upload.seek(tail_start)
    tail = upload.read(size - tail_start)
    position = tail.rfind(b"PK\x05\x06")
    if position < 0 or len(tail) - position < _EOCD.size:
        raise _not_an_office_document()
    fields = _EOCD.unpack_from(tail, position)
    cd_length, end_offset = fields[5], tail_start + position
    if fields[4] == 0xFFFF or fields[5] == 0xFFFFFFFF or fields[6] == 0xFFFFFFFF:
        # ZIP64: the real figures are in another record, which a locator just before points to.
        if position < _ZIP64_LOCATOR.size:
            raise _not_an_office_document()
        locator = _ZIP64_LOCATOR.unpack_from(tail, position - _ZIP64_LOCATOR.size)
        if locator[0] != b"PK\x06\x07" or locator[2] + _ZIP64_EOCD.size > size:
            raise _not_an_office_document()
        upload.seek(locator[2])
        record = _ZIP64_EOCD.unpack(upload.read(_ZIP64_EOCD.size))
        if record[0] != b"PK\x06\x06":
            raise _not_an_office_document()
        cd_length, end_offset = record[8], locator[2]
    if cd_length > end_offset:
        raise _not_an_office_document()
    return end_offset - cd_length, cd_length


def _count_members(upload, size: int) -> int:
    """The number of members, counted without building them, so that a directory of a million
    tiny entries costs nothing but a refusal."""
    offset, length = _central_directory(upload, size)
    maximum = settings.UPLOAD_ARCHIVE_MAX_MEMBERS
    count = position = 0
    while position + _CENTRAL_ENTRY.size <= length:
        upload.seek(offset + position)
        entry = _CENTRAL_ENTRY.unpack(upload.read(_CENTRAL_ENTRY.size))
        if entry[0] != b"PK\x01\x02":
            break
        count += 1
        if count > maximum:
            raise UploadRejected(
                _("Ce document compressé contient plus de %(max)s éléments : il n'est pas accepté.")
                % {"max": maximum}
            )
        position += _CENTRAL_ENTRY.size + entry[12] + entry[13] + entry[14]
    return count


def _check_declared_sizes(members: list[zipfile.ZipInfo]) -> None:
    total = 0
    for member in members:
        if member.flag_bits & 0x1 or member.compress_type not in (
            zipfile.ZIP_STORED,
            zipfile.ZIP_DEFLATED,
        ):
            # Office software neither encrypts members nor uses bzip2/LZMA (whose steps are
            # not boundable here).
            raise _not_an_office_document()
        total += member.file_size
        if total > settings.UPLOAD_ARCHIVE_MAX_BYTES:
            raise _rejected_archive()
        if (
            member.file_size > _RATIO_FLOOR
            and member.file_size > settings.UPLOAD_ARCHIVE_MAX_RATIO * max(member.compress_size, 1)
        ):
            raise _rejected_archive()


def _inflate_member(upload, member: zipfile.ZipInfo, data_offset: int, keep: int) -> bytes:
    """Inflate one member by small steps, refusing as soon as it grows past its declared size;
    returns its first `keep` bytes."""
    upload.seek(data_offset)
    inflater = None if member.compress_type == zipfile.ZIP_STORED else zlib.decompressobj(-15)
    produced, crc, kept = 0, 0, b""
    left = member.compress_size
    while left > 0 and not (inflater and inflater.eof):
        chunk = upload.read(min(_READ_CHUNK, left))
        if not chunk:
            raise _not_an_office_document()
        left -= len(chunk)
        while chunk:
            if inflater is None:
                out, chunk = chunk, b""
            else:
                room = min(_INFLATE_CHUNK, member.file_size - produced + 1)
                out = inflater.decompress(chunk, room)
                chunk = inflater.unconsumed_tail
            produced += len(out)
            if produced > member.file_size:  # the central directory lied
                raise _rejected_archive()
            crc = zlib.crc32(out, crc)
            if len(kept) < keep:
                kept += out[: keep - len(kept)]
            if inflater is not None and inflater.eof:
                break
    if (inflater is not None and not inflater.eof) or produced != member.file_size:
        raise _not_an_office_document()
    if crc != member.CRC:
        raise _not_an_office_document()
    return kept


def _zip_type(upload) -> str | None:
    size = upload.size
    try:
        _count_members(upload, size)
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            members = sorted(archive.infolist(), key=lambda member: member.header_offset)
        _check_declared_sizes(members)
        mimetype = b""
        previous_end = 0
        for member in members:
            upload.seek(member.header_offset)
            header = upload.read(_LOCAL_HEADER.size)
            if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
                return None
            fields = _LOCAL_HEADER.unpack(header)
            data_offset = member.header_offset + _LOCAL_HEADER.size + fields[10] + fields[11]
            # Members sharing their bytes multiply one compressed stream many times over.
            if member.header_offset < previous_end:
                raise _rejected_archive()
            previous_end = data_offset + member.compress_size
            if previous_end > size:
                return None
            content = _inflate_member(upload, member, data_offset, keep=200)
            if member.filename == "mimetype":
                mimetype = content.strip()
        if mimetype in _OPENDOCUMENT:
            return mimetype.decode()
        names = [member.filename for member in members]
        for prefix, content_type in _ZIP_MARKERS.items():
            if any(name.startswith(prefix) for name in names):
                return content_type
    except (
        zipfile.BadZipFile,
        zlib.error,
        struct.error,
        EOFError,
        NotImplementedError,
        KeyError,
        ValueError,
        OSError,
    ):
        # A damaged or exotic archive is not an office document we accept.
        return None
    finally:
        upload.seek(0)
    return None


def sniff_content_type(upload) -> str:
    """The content type of an accepted upload, from its first bytes; raises UploadRejected."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # Word, Excel, PowerPoint 97-2003
        return "application/msword"
    if head.startswith(b"PK\x03\x04"):
        content_type = _zip_type(upload)
        if content_type:
            return content_type
    raise _not_an_office_document()


# --- The name a file is served under ---------------------------------------------------------

# The extensions each detected type may carry, the usual one first. The 97-2003 formats share
# one container: the porteur's .xls stays .xls (all three open in the same office software).
EXTENSIONS = {
    "application/pdf": ("pdf",),
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg", "jpe"),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    "application/msword": ("doc", "xls", "ppt", "dot", "xlt", "pps", "pot"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx",),
    "application/vnd.oasis.opendocument.text": ("odt",),
    "application/vnd.oasis.opendocument.spreadsheet": ("ods",),
    "application/vnd.oasis.opendocument.presentation": ("odp",),
}
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,10})$")


def name_for_type(name: str, content_type: str) -> str:
    """The porteur's file name, ending with an extension of the type its content was found to
    be: « plan.pdf.bat » holding a PDF is « plan.pdf », « photo.hta » holding a PNG is
    « photo.png ». Whatever the name said, the file opens as what it is."""
    allowed = EXTENSIONS.get(content_type)
    if not allowed:
        return name
    match = _EXTENSION.search(name)
    if match and match.group(1).lower() in allowed:
        return name
    stem = name[: match.start()] if match else name
    inner = _EXTENSION.search(stem)
    if inner and inner.group(1).lower() in allowed:
        return stem
    return f"{stem or 'document'}.{allowed[0]}"


# --- Files on disk follow the rows -----------------------------------------------------------
#
# An upload is written under a temporary name (<final>.part), the row is inserted, and the file
# is renamed to its final name only once the transaction has committed: a failed insert, a
# rolled-back caller or a full disk leaves no file under a name a row could point to (and the
# temporary file is removed at once, or by the weekly clean-up if the process died). A file is
# removed only once the deletion of its row has committed.

TEMPORARY_SUFFIX = ".part"


class PrivateStorage(FileSystemStorage):
    """Uploaded files live outside every public URL; only permission-checked views serve them.

    The root is read from settings at each use (not frozen at import), so that tests and
    deployments can move it.
    """

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> None:
        return None


private_storage = PrivateStorage()


def stage_upload(upload, final_name: str) -> str:
    """Write the upload under a temporary name next to its final one, to disk (fsync); remove
    it on any failure. Returns the temporary name."""
    temporary_name = final_name + TEMPORARY_SUFFIX
    path = private_storage.path(temporary_name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        with open(path, "xb") as destination:
            upload.seek(0)
            for chunk in upload.chunks():
                destination.write(chunk)
            destination.flush()
            os.fsync(destination.fileno())
    except BaseException:
        discard_staged(temporary_name)
        raise
    return temporary_name


def discard_staged(temporary_name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(private_storage.path(temporary_name))


def finish_move(temporary_name: str, final_name: str) -> bool:
    """Rename a staged file to its final name; True when the final file is there."""
    storage = private_storage
    try:
        os.replace(storage.path(temporary_name), storage.path(final_name))
    except FileNotFoundError:
        # Another process (the clean-up, or a concurrent repair) may have finished the move.
        return os.path.exists(storage.path(final_name))
    return True


def move_into_place_on_commit(temporary_name: str, final_name: str) -> None:
    def move() -> None:
        if not finish_move(temporary_name, final_name):
            logger.error("private files: %s could not be moved into place", final_name)

    transaction.on_commit(move, robust=True)


def remove_files_on_commit(names: Iterable[str]) -> None:
    """Remove these private files (storage names) once the current transaction commits; never
    if it rolls back. Outside a transaction, at once."""
    names = [str(name) for name in names if name]
    if not names:
        return

    def remove() -> None:
        storage = private_storage
        for name in names:
            for candidate in (name, name + TEMPORARY_SUFFIX):
                try:
                    os.remove(storage.path(candidate))
                except FileNotFoundError:
                    pass
                except OSError:
                    logger.exception("private files: %s could not be removed", candidate)

    transaction.on_commit(remove, robust=True)


def is_temporary(name: str) -> bool:
    return PurePath(name).suffix == TEMPORARY_SUFFIX
