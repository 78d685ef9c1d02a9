"""French formatting for every template (a builtin: no {% load %} needed), from the one helper
module propulsons/typography.py: {{ amount|euros }}, {{ rate|percent }}, {{ date|day }} or
{{ date|day:"l j F Y, H\\hi" }} ("1er" on the first of the month)."""

from django import template

from propulsons import typography

register = template.Library()


@register.filter
def euros(value) -> str:
    return typography.euros(value)


@register.filter
def percent(value) -> str:
    return typography.percent(value)


@register.filter(expects_localtime=True)
def day(value, format_string: str = "j F Y") -> str:
    return typography.day(value, format_string)


@register.filter
def typeset(text) -> str:
    """French spacing for text the team writes once for the site (an organisation's
    description), not for what users type."""
    return typography.french_spacing(str(text or ""))
