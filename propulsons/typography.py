"""French typography, in one place: the non-breaking spaces French puts before : ; ! ? » € %
and after «, so that a sign never starts a line ("€" alone in a table cell). Used by the
catalogue tool (bin/fill-french-catalogue), which writes every French string of the project
through it, and by the tests that crawl pages and emails for a plain space before these signs."""

import re
from datetime import date

from django.utils.dates import MONTHS

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"

# A plain space (or several) before a high sign or a unit. "%" only as a percentage: a space
# before a python-format placeholder ("%(count)s", "%s", "%d") is an ordinary word space.
_SPACE_BEFORE = re.compile(r" +(?=[:;!?»€]|%(?![(\w]))")
_SPACE_AFTER_GUILLEMET = re.compile(r"« +")
# A sentence ending with the brand's own "!" takes no full stop after it.
_BRAND_FULL_STOP = re.compile(r"Propulsons!\.(?!\w)")


def french_spacing(text: str) -> str:
    text = _SPACE_BEFORE.sub(NBSP, text)
    text = _SPACE_AFTER_GUILLEMET.sub("«" + NBSP, text)
    return _BRAND_FULL_STOP.sub("Propulsons!", text)


# What a page or an email must never show: a plain space before the signs above (a URL or a
# time has none), or after «.
PLAIN_SPACE_DEFECT = re.compile(r"[ \t\n](?=[:;!?»€])| %(?![(\w])|« ")


def spacing_defects(text: str) -> list[str]:
    """Each defect with a little of its context, for a readable test failure."""
    return [
        text[max(0, match.start() - 30) : match.end() + 10].replace("\n", " ")
        for match in PLAIN_SPACE_DEFECT.finditer(text)
    ]


def euros(value) -> str:
    """81125 → "81 125 €": whole euros, the French thousands separator, a non-breaking space."""
    from django.template.defaultfilters import floatformat

    if value is None or value == "":
        return ""
    return f"{floatformat(value, '0g')}{NBSP}€"


def percent(value) -> str:
    if value is None or value == "":
        return ""
    return f"{value}{NBSP}%"


def day(value, format_string: str = "j F Y") -> str:
    """A date as French writes it: "1er novembre 2026", "lundi 1er décembre 2026, 14h30"."""
    from django.utils.formats import date_format

    if not value:
        return ""
    if format_string == "j F Y" and type(value) is date:
        # The usual case, written out (what date_format gives, 10 times faster: a page's
        # tables print dozens of dates; tests/test_french_typography.py compares the two).
        return f"{value.day}{'er' if value.day == 1 else ''} {MONTHS[value.month]} {value.year:04d}"
    if value.day == 1:
        # In Django's date format, a backslash prints the next letter as is.
        format_string = re.sub(r"(?<!\\)j", r"j\\e\\r", format_string)
    return date_format(value, format_string)
