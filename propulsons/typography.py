"""French typography, in one place: the non-breaking spaces French puts before : ; ! ? » € %
and after «, so that a sign never starts a line ("€" alone in a table cell). Used by the
catalogue tool (bin/fill-french-catalogue), which writes every French string of the project
through it, and by the tests that crawl pages and emails for a plain space before these signs."""

import re

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
