"""Whole-page cache of the anonymous public pages, invalidated by a content version.

The public pages (home, catalogue, a project's page, the figures, the map) are the same for
every anonymous visitor, so `public_page` keeps each one whole (body and the headers the view
set) and serves it again without a query or a template. Invalidation is by version, never by
deleting keys: every cached page is stored under the current "public content version", and a
service that changes what those pages show calls `public_content_changed()`, which raises the
version once its transaction commits; every page is then rendered afresh on its next request
and the old copies expire on their own. One version for the whole public site keeps the rule
simple enough to trust: a change to any project, campaign, decision or figure rebuilds
every public page once (a few renders), which is cheap next to showing a stale page. Grep
`public_content_changed` for every place that calls it (and `admin_change_logged` for the
changes made in the admin); tests/propulsons/test_public_cache.py enumerates the services
and fails when one of them stops raising the version, or when a new one is not classified.

What is never cached, so each request keeps its own pieces right:
- a logged-in visitor (the menu shows their name, forms carry a CSRF token), and a request
  with a flash message waiting (it would be shown to the next visitor, or not at all);
- a page whose rendering asked for a CSRF token, modified the session or set a cookie;
- anything but a 200 answer to GET or HEAD, a streamed answer, one marked private or
  no-store, and query strings longer than MAX_QUERY_LENGTH (no cache filling by junk URLs).
The key holds a digest of the deployed code (a deploy starts afresh), the scheme, host and
path, the query string with its parameters sorted (hashed to a bounded length), the language
and the local date (so "Dernière ligne droite" and the figures' default period move at
midnight). The site sets no CSP nonce (django-csp's policy lists 'self' only), so a cached
page's HTML stays valid; the middleware adds the security headers (CSP, X-Frame-Options,
Vary: Cookie) to a cached answer as to any other. A hit answers with X-Public-Cache: hit.

PUBLIC_PAGE_CACHE_SECONDS bounds how long a copy lives (a safety net for a change made
outside the services, e.g. a direct SQL fix); 0 turns the cache off, as it is by default with
DEBUG on (a template being edited shows at once) and in the test suite (its factories write
rows without the services: see tests/conftest.py).
While Redis is down each process falls back to its own memory (propulsons.cache), and a
version raised in one process is not seen by the others: their copies last at most
PUBLIC_PAGE_CACHE_SECONDS then.
"""

import functools
import hashlib
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString
from django.utils.text import compress_string
from django.utils.translation import get_language

T = TypeVar("T")

VERSION_KEY = "public-pages:version"
MAX_QUERY_LENGTH = 512
# Response headers a cached copy keeps: the view's own; the middleware add theirs again.
SKIPPED_HEADERS = frozenset({"set-cookie", "content-length"})


def public_content_changed() -> None:
    """Every anonymous public page shows fresh content from the next request on (once the
    current transaction, if any, has committed: a page read before the commit would be
    cached under the new version with the old content)."""
    transaction.on_commit(_raise_version)


def admin_change_logged(sender, **kwargs) -> None:
    """A change made in the admin (it logs each one: a LogEntry saved) may touch any public
    page: a committee organisation on the home page, a project's fields, a platform's name.
    Connected in propulsons.apps; a deletion of several objects at once is logged in bulk,
    without the signal: the admin's "delete selected" action raises the version itself
    (propulsons.admin.delete_selected_and_refresh)."""
    public_content_changed()


def _raise_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        # No version yet, or evicted: start above any version this cache held before (a
        # version only grows by one per change, far slower than the clock's nanoseconds).
        if not cache.add(VERSION_KEY, time.time_ns(), timeout=None):
            cache.incr(VERSION_KEY)


def current_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY, 0)
    return version


_MISSING = object()


def _kept(kind: str, compute: Callable[[], T], name: str, parts: tuple, *, versioned: bool) -> T:
    """What `compute` returns, kept in the cache under the code's digest, the public content
    version when `versioned`, the language, `name` and `parts`; computed at every call with
    the page cache off (PUBLIC_PAGE_CACHE_SECONDS = 0: DEBUG, the test suite)."""
    seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
    if not seconds:
        return compute()
    # The version is read before the content: a value is never older than the version it is
    # stored under (a change raises the version only once committed).
    version = (current_version(),) if versioned else ()
    key = ":".join(
        str(part) for part in (kind, code_version(), *version, get_language(), name, *parts)
    )
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, seconds)
    return value


def versioned_data(name: str, compute: Callable[[], T], *parts: object) -> T:
    """What `compute` returns, read from the public content (the figures page's sums over
    every campaign and status change), kept in the cache under the current version as the pages
    are: a page rendered afresh (its copy expired, a query string no copy has) then costs a
    cache read instead of the queries, and a change made through a service shows on the next
    request all the same. The key holds the deployed code's digest (the value's shape is the
    code's), the version, the language (a value may hold translated text), `name` and `parts`
    (what the value depends on besides the content: a period…). With the page cache
    off (PUBLIC_PAGE_CACHE_SECONDS = 0: DEBUG, the test suite) every call computes afresh.
    The value is pickled: plain data (never a queryset, evaluated again by each reader)."""
    return _kept("public-data", compute, name, parts, versioned=True)


def static_fragment(name: str, render: Callable[[], str], *parts: object) -> SafeString:
    """HTML that depends on the deployed code, the language and `parts` only, never on the
    data, the user or the request (a blank form, with placeholders for what differs from one
    request to the next), rendered once and then read from the cache. Off with the page
    cache, as versioned_data is (DEBUG: an edited template shows at once; the test suite)."""
    return SafeString(_kept("static-fragment", lambda: str(render()), name, parts, versioned=False))


# The files whose change changes a page: code, templates, translations, the static files
# whose (hashed) names the pages carry.
CODE_SUFFIXES = frozenset({".py", ".html", ".txt", ".mo", ".css", ".js", ".svg"})
SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "tests", "bench"})


@functools.cache
def code_version() -> str:
    """A digest of the deployed code (names, sizes, modification times), once per process: a
    deploy renders every page afresh, never an old page naming static files now gone. Every
    process of one deploy computes the same digest, so they share their copies."""
    skipped_roots = {
        Path(settings.STATIC_ROOT).resolve(),
        Path(settings.PRIVATE_MEDIA_ROOT).resolve(),
        Path(settings.PUBLIC_MEDIA_ROOT).resolve(),
    }
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(settings.BASE_DIR):
        dirs[:] = sorted(
            name
            for name in dirs
            if not name.startswith(".")
            and name not in SKIPPED_DIRS
            and (Path(root) / name).resolve() not in skipped_roots
        )
        for name in sorted(files):
            if os.path.splitext(name)[1] in CODE_SUFFIXES:
                stat = os.stat(os.path.join(root, name))
                digest.update(f"{root}/{name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:12]


def page_key(request: HttpRequest, version: int) -> str:
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    where = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    digest = hashlib.sha256(where.encode()).hexdigest()
    today = timezone.localdate().isoformat()
    return f"public-page:{code_version()}:{version}:{today}:{get_language()}:{digest}"


def _may_serve_from_cache(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_LENGTH:
        return False
    if request.user.is_authenticated:
        return False
    # Counting the waiting messages does not mark them as shown.
    return not len(messages.get_messages(request))


def _may_store(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    # A CSRF token in the page, or a session that changed: this page belongs to this visitor.
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    if len(messages.get_messages(request)):  # a message the view itself added
        return False
    cache_control = response.get("Cache-Control", "")
    return "private" not in cache_control and "no-store" not in cache_control


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve the view's page from the cache to anonymous visitors (see the module's text)."""

    @functools.wraps(view)
    def cached_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
        if not seconds or not _may_serve_from_cache(request):
            return view(request, *args, **kwargs)
        key = page_key(request, current_version())
        stored = cache.get(key)
        if stored is not None:
            content, headers, compressed = stored
            wants_gzip = re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
            response = HttpResponse(compressed if wants_gzip and compressed else content)
            for name, value in headers:
                response[name] = value
            if wants_gzip and compressed:
                # Compressed once, when stored, rather than by the gzip middleware at each
                # hit (most of a hit's cost). No secret in a cached page: no BREACH padding.
                response["Content-Encoding"] = "gzip"
                if response.has_header("ETag"):
                    response["ETag"] = re.sub(r'^(W/)?"', 'W/"', response["ETag"])
            patch_vary_headers(response, ("Accept-Encoding",))
            response["X-Public-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if _may_store(request, response):
            headers = [
                (name, value)
                for name, value in response.items()
                if name.lower() not in SKIPPED_HEADERS
            ]
            compressed = compress_string(response.content)
            if len(compressed) >= len(response.content) or len(response.content) < 200:
                compressed = None  # as the middleware: only when it is worth it
            cache.set(key, (response.content, headers, compressed), seconds)
        return response

    return cached_view
