"""A project's cover image: checked as every upload is (projects/uploads.py: the content's
type, the size), then decoded with Pillow and saved as WebP variants of a few widths, for
`srcset`. The variants live in the public media folder, apart from the porteur's private
documents; a view serves them only while the project is published (or to its owner and the
team). Each upload gets a new random stem, so a variant's address never changes content and
may be cached for a year."""

import contextlib
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from projects.uploads import UploadRejected, sniff_content_type

IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
WEBP_QUALITY = 78
# Link previews (Open Graph): JPEG, which every network reads, 1200 px wide as they ask.
SOCIAL_WIDTH = 1200
SOCIAL_QUALITY = 82


def root() -> Path:
    return Path(settings.PUBLIC_MEDIA_ROOT)


class PublicStorage(FileSystemStorage):
    """The public media folder, its root read from settings at each use (tests move it)."""

    @property
    def base_location(self) -> str:
        return str(settings.PUBLIC_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


public_storage = PublicStorage()


def variant_name(stem: str, width: int) -> str:
    return f"{stem}-{width}.webp"


def variant_path(stem: str, width: int) -> Path:
    return root() / variant_name(stem, width)


def social_name(stem: str) -> str:
    return f"{stem}-og.jpg"


def file_names(stem: str, widths: list[int]) -> list[str]:
    """Every file of a cover: its WebP variants and its JPEG for link previews."""
    return [variant_name(stem, width) for width in widths] + [social_name(stem)]


def check_image(upload) -> None:
    """Refuse what is not a JPEG, PNG, WebP or GIF image of an acceptable size."""
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise UploadRejected(
            _("Cette image dépasse la taille maximale de %(size)s\u00a0Mo.")
            % {"size": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
        )
    if sniff_content_type(upload) not in IMAGE_TYPES:
        raise UploadRejected(_("Envoyez une image JPEG, PNG ou WebP."))


def _open(upload) -> Image.Image:
    upload.seek(0)
    try:
        image = Image.open(upload)
        width, height = image.size
        if width * height > settings.COVER_MAX_PIXELS:
            raise UploadRejected(
                _("Cette image est trop grande (%(width)s × %(height)s pixels).")
                % {"width": width, "height": height}
            )
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as error:
        raise UploadRejected(_("Cette image est illisible ou endommagée.")) from error
    finally:
        upload.seek(0)
    return image


def make_variants(upload, *, project_id: int) -> tuple[str, list[int]]:
    """Write the cover's variants; returns (stem, widths). Raises UploadRejected."""
    check_image(upload)
    image = ImageOps.exif_transpose(_open(upload))
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    stem = f"covers/{project_id}/{secrets.token_urlsafe(9)}"
    widths = [width for width in settings.COVER_WIDTHS if width <= image.width]
    if not widths:
        # Narrower than the smallest variant: one variant, not enlarged.
        widths = [image.width]
    os.makedirs(variant_path(stem, widths[0]).parent, exist_ok=True)
    written: list[int] = []
    try:
        for width in widths:
            height = max(1, round(image.height * width / image.width))
            variant = (
                image if width == image.width else image.resize((width, height), Image.LANCZOS)
            )
            variant.save(variant_path(stem, width), "WEBP", quality=WEBP_QUALITY, method=4)
            written.append(width)
        social = image.convert("RGB")
        if social.width > SOCIAL_WIDTH:
            height = max(1, round(image.height * SOCIAL_WIDTH / image.width))
            social = social.resize((SOCIAL_WIDTH, height), Image.LANCZOS)
        social.save(root() / social_name(stem), "JPEG", quality=SOCIAL_QUALITY, optimize=True)
    except BaseException:
        remove_variants(stem, written)
        raise
    return stem, widths


def remove_variants(stem: str, widths: list[int]) -> None:
    if not stem:
        return
    for name in file_names(stem, widths):
        with contextlib.suppress(FileNotFoundError):
            os.remove(root() / name)


def cover_url(slug: str, stem: str, width: int) -> str:
    return reverse("campaigns:cover", args=[slug, Path(variant_name(stem, width)).name])


def cover_context(slug: str, presentation) -> dict | None:
    """What an <img> needs: src (the smallest), srcset, the largest's address, alt."""
    if presentation is None or not presentation.has_cover:
        return None
    widths = sorted(presentation.cover_widths)
    urls = {width: cover_url(slug, presentation.cover_stem, width) for width in widths}
    return {
        "src": urls[widths[0]],
        "small": urls[widths[0]],
        "medium": urls[widths[min(1, len(widths) - 1)]],
        "large": urls[widths[-1]],
        "srcset": ", ".join(f"{url} {width}w" for width, url in urls.items()),
        "social": reverse(
            "campaigns:cover", args=[slug, Path(social_name(presentation.cover_stem)).name]
        ),
        "alt": presentation.cover_alt,
        "width": widths[-1],
    }
