"""{% load phone %}: a phone number as the target of a tel: link, whatever way it was typed."""

import re

from django import template

register = template.Library()


@register.filter
def tel_href(number: str) -> str:
    """ "03 21 00 00 01", "03.21.00.00.01" or "+33 (0)3 21…" as "tel:0321000001": only the
    digits and a leading "+" (a phone dials nothing else)."""
    number = (number or "").strip().replace("(0)", "")
    digits = re.sub(r"\D", "", number)
    return f"tel:+{digits}" if number.startswith("+") else f"tel:{digits}"
