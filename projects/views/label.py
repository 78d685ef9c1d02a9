"""The label's public pages: the verification page a badge links to, and the badge itself.

Both are public, without login: a label is a public decision of the committee (the open data
lists the published ones), the badge holds nothing but the label number and its year, and the
porteur's snippet embeds the image from here on their platform page, where any visitor loads
it. Serving it from here also means a withdrawn label (a corrected decision empties the
number) stops showing everywhere at once: its badge and its page answer 404.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from .. import label_kit

# A label may be withdrawn by a corrected decision: caches keep a badge or a page an hour at
# most (browsers and the platforms' proxies alike).
PUBLIC_MAX_AGE = 60 * 60

BADGE_TYPES = {"svg": "image/svg+xml; charset=utf-8", "png": "image/png"}


@require_safe
def label_verify(request, number: str):
    project = label_kit.labelled_project(number)
    if project is None:
        response = render(request, "projects/label_invalid.html", {"number": number}, status=404)
        patch_cache_control(response, no_cache=True)
        return response
    # An anonymised dossier keeps its label (the register of labels given) but the page
    # shows nothing that named its porteur: neither title nor structure.
    response = render(
        request,
        "projects/label_verify.html",
        {
            "project": project,
            "anonymised": project.anonymised_at is not None,
            "published": project.publish_agreed and project.anonymised_at is None,
        },
    )
    # The page carries the visitor's own header (account menu): shared caches keep out.
    patch_cache_control(response, private=True, max_age=PUBLIC_MAX_AGE)
    return response


@require_safe
def label_badge(request, number: str, fmt: str):
    """The badge, inline for the snippet's <img>; as a download with ?telecharger."""
    project = label_kit.labelled_project(number)
    if project is None or fmt not in BADGE_TYPES:
        response = render(request, "projects/label_invalid.html", {"number": number}, status=404)
        patch_cache_control(response, no_cache=True)
        return response
    body = label_kit.badge_svg(project) if fmt == "svg" else label_kit.badge_png(project)
    response = HttpResponse(body, content_type=BADGE_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(
        "telecharger" in request.GET, f"label-propulsons-{project.label_number}.{fmt}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    if fmt == "svg":
        # An SVG opened on its own is a document: no script, no outside resource.
        response["Content-Security-Policy"] = "default-src 'none'"
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response
