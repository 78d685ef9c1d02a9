"""The label badge a labelled project shows on its campaign page: an SVG (a Django template,
so every value is escaped) and a PNG drawn with Pillow, both with the label number and the
year, and the HTML snippet that links them to the public verification page."""

import logging
import unicodedata
from functools import cache
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from .models import Project

logger = logging.getLogger(__name__)

NAVY = "#14325c"
ORANGE = "#b34700"
CREAM = "#fff6ec"
# The badge's size in CSS pixels; the PNG is drawn at twice that, sharp on dense screens.
WIDTH, HEIGHT = 320, 120
PNG_SCALE = 2
# Pillow's own font has no accented letters ("labellisé" would show a box): the PNG is drawn
# with DejaVu Sans, from Debian's fonts-dejavu-core (installed by the Dockerfile).
FONT_DIRECTORY = Path("/usr/share/fonts/truetype/dejavu")


def labelled_project(number: str) -> Project | None:
    """The dossier holding this label number today; None when unknown or withdrawn (a
    corrected decision empties the number: labelling.services._apply_label)."""
    if not number:
        return None
    return Project.objects.select_related("commune").filter(label_number=number).first()


def badge_texts(project: Project) -> dict[str, str]:
    year = project.labelled_on.year if project.labelled_on else ""
    return {
        "brand": "Propulsons!",
        "headline": _("Projet labellisé %(year)s") % {"year": year},
        "number": _("Label n° %(number)s") % {"number": project.label_number},
    }


def badge_svg(project: Project) -> str:
    return render_to_string(
        "projects/label_badge.svg",
        {
            **badge_texts(project),
            "width": WIDTH,
            "height": HEIGHT,
            "navy": NAVY,
            "orange": ORANGE,
            "cream": CREAM,
        },
    )


def badge_png(project: Project) -> bytes:
    texts = badge_texts(project)
    if not _font_path("DejaVuSans.ttf"):
        # Without the font, letters without their accents rather than boxes.
        texts = {key: _without_accents(text) for key, text in texts.items()}
    scale = PNG_SCALE
    image = Image.new("RGBA", (WIDTH * scale, HEIGHT * scale), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    box = (2 * scale, 2 * scale, (WIDTH - 2) * scale, (HEIGHT - 2) * scale)
    draw.rounded_rectangle(box, radius=14 * scale, fill=CREAM)
    # The orange band, inside the rounded corners: a rounded rectangle cut at its right.
    draw.rounded_rectangle(
        (box[0], box[1], box[0] + 40 * scale, box[3]), radius=14 * scale, fill=ORANGE
    )
    draw.rectangle((box[0] + 12 * scale, box[1], box[0] + 40 * scale, box[3]), fill=CREAM)
    draw.rounded_rectangle(box, radius=14 * scale, outline=NAVY, width=3 * scale)
    draw.text((30 * scale, 16 * scale), texts["brand"], fill=NAVY, font=_font(26 * scale, True))
    draw.text((30 * scale, 52 * scale), texts["headline"], fill=ORANGE, font=_font(18 * scale))
    draw.text((30 * scale, 80 * scale), texts["number"], fill=NAVY, font=_font(18 * scale))
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


@cache
def _font_path(name: str) -> str:
    path = FONT_DIRECTORY / name
    if path.exists():
        return str(path)
    logger.warning("label badge: %s is missing, the PNG is drawn without accents", path)
    return ""


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = _font_path("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size=size)


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() or c == "°")


def verification_url(project: Project) -> str:
    return settings.SITE_URL + reverse("projects:label_verify", args=[project.label_number])


def badge_url(project: Project, fmt: str) -> str:
    return settings.SITE_URL + reverse(
        "projects:label_badge", kwargs={"number": project.label_number, "fmt": fmt}
    )


def snippet(project: Project) -> str:
    """The HTML the porteur pastes on their platform page: the badge, linking to the
    verification page (the image is served from our site, so a withdrawn label stops
    showing by itself)."""
    return render_to_string(
        "projects/label_snippet.html",
        {
            "verify_url": verification_url(project),
            "image_url": badge_url(project, "png"),
            "number": project.label_number,
            "width": WIDTH,
            "height": HEIGHT,
        },
    ).strip()
