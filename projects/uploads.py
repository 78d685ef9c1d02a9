"""What a porteur may upload, judged by the file's content, never by its name alone."""

import zipfile
import zlib

from django.utils.translation import gettext as _


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


def _zip_type(upload) -> str | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                mimetype = archive.read("mimetype").strip()
                if mimetype in _OPENDOCUMENT:
                    return mimetype.decode()
            for prefix, content_type in _ZIP_MARKERS.items():
                if any(name.startswith(prefix) for name in names):
                    return content_type
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, KeyError, OSError):
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
    raise UploadRejected(
        _(
            "Ce type de fichier n'est pas accepté. Envoyez un PDF, un document bureautique "
            "ou une image (JPEG, PNG, GIF, WebP)."
        )
    )
