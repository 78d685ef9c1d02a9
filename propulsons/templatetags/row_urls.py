"""{% load row_urls %}{% row_url "projects:team_project" project.reference %}: what
{% url "projects:team_project" project.reference %} says, for the rows of a list and for the
links every page carries (the menu and the footer of base.html: some twenty reverse() calls
per page otherwise).

reverse() walks the URL resolver at every call (about 20 µs here): in a list of 50 rows
with three links each, it was the largest part of the dashboard's framework work. This tag
reverses each pattern once per process with placeholders for its arguments, then fills in
each row's values by string replacement, quoted as reverse() quotes them. The patterns it
serves take int, slug or str arguments (the placeholder is digits, which all three accept);
the values come from the database, where they were valid when stored.
"""

from urllib.parse import quote

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

# Digits fit the int, slug and str converters; long enough never to be a path's own text.
PLACEHOLDERS = ("7402916583", "7402916584", "7402916585")
# What reverse() leaves unquoted in an argument (RFC 3986 sub-delimiters and ~:@), "/" aside:
# none of the converters used here accepts it.
SAFE = "!$&'()*+,;=~:@"

_PATTERNS: dict[tuple, str] = {}


def pattern(name: str, arguments: int) -> str:
    # The URLconf in force (a request's own, or the settings' one a test may swap) and the
    # script prefix are part of what reverse() reads.
    key = (name, arguments, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    found = _PATTERNS.get(key)
    if found is None:
        found = _PATTERNS[key] = reverse(name, args=PLACEHOLDERS[:arguments])
    return found


@register.simple_tag
def row_url(name: str, *values) -> str:
    url = pattern(name, len(values))
    for placeholder, value in zip(PLACEHOLDERS, values, strict=False):
        url = url.replace(placeholder, quote(str(value), safe=SAFE), 1)
    return url
