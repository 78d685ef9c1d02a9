"""The map's markers as a compact JSON document (/carte/points.json), fetched by
static/js/map.js: the map page's HTML no longer carries every project twice. One reverse() per
pattern and one label per state for the whole list, not per project."""

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.text import compress_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from propulsons import public_cache, typography

from .. import covers, selectors

SLUG, NAME = "SLUG", "NAME"


def decorated(rows: Iterable[dict]) -> Iterator[dict]:
    """The map's rows with what the page and the popups show: the project's address, its
    cover's smallest variant, its state in words and its amounts."""
    page = reverse("campaigns:project_page", args=[SLUG])
    cover = reverse("campaigns:cover", args=[SLUG, NAME])
    status_labels = {status: str(label) for status, label in selectors.MapStatus.CHOICES}
    amount_text = _("%(collected)s collectés sur %(goal)s")
    for row in rows:
        slug = row["slug"]
        row["url"] = page.replace(SLUG, slug)
        row["image"] = (
            cover.replace(SLUG, slug).replace(
                NAME, Path(covers.variant_name(row["cover_stem"], row["cover_width"])).name
            )
            if row["cover_stem"] and row["cover_width"]
            else ""
        )
        row["status_label"] = status_labels[row["status"]]
        row["amount"] = (
            amount_text
            % {
                "collected": typography.euros(row["collected"] or 0),
                "goal": typography.euros(row["goal"]),
            }
            if row["goal"]
            else ""
        )
        yield row


# A point is a list, in this order (the document names the fields once, in "fields").
POINT_FIELDS = ["title", "commune", "url", "lat", "lng", "status", "amount", "image"]


def points_document() -> dict:
    return {
        "fields": POINT_FIELDS,
        "statuses": {status: str(label) for status, label in selectors.MapStatus.CHOICES},
        "points": [
            [row[field] for field in POINT_FIELDS]
            for row in decorated(selectors.map_rows())
            if row["lat"] is not None
        ],
    }


def points_body() -> tuple[bytes, bytes, str]:
    """The document's bytes, the same compressed, and their ETag, built once per public content
    version (and day, language and deploy, as the public pages: propulsons.public_cache), kept
    in the cache PUBLIC_PAGE_CACHE_SECONDS at most: a visitor's map costs a cache read, not a
    walk over every published project nor the compression of the whole document; a change
    made through a service shows on the next request."""
    seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
    key = None
    if seconds:
        key = (
            f"map-points:{public_cache.code_version()}:{public_cache.current_version()}:"
            f"{timezone.localdate().isoformat()}:{get_language()}"
        )
        stored = cache.get(key)
        if stored is not None:
            return stored
    body = json.dumps(points_document(), ensure_ascii=False, separators=(",", ":")).encode()
    built = (
        body,
        compress_string(body),
        f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"',
    )
    if key:
        cache.set(key, built, seconds)
    return built


# Public data only, nothing secret in it: sent compressed to the clients that accept gzip, from
# the copy compressed once with the document (no BREACH padding needed).
@require_safe
def map_points(request):
    body, compressed, etag = points_body()
    wants_gzip = re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    if wants_gzip:
        etag = "W/" + etag  # another representation of the same document, as the middleware
    # Cached by the browser, asked again each time: a change shows at once, and an unchanged
    # document costs a 304 without a body.
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(compressed if wants_gzip else body, content_type="application/json")
        if wants_gzip:
            response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ("Accept-Encoding",))
    response["ETag"] = etag
    response["Cache-Control"] = "public, no-cache"
    return response
