"""Post an admin change form back as the page rendered it, with some values changed."""

from datetime import date, datetime
from decimal import Decimal


def _value(value):
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def _add(data: dict, form) -> None:
    for name in form.fields:
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [_value(item) for item in value]
        else:
            data[key] = _value(value)


def change_form_data(response, **overrides) -> dict:
    """The data the admin change page would post, then `overrides` (also fields that are not
    in the form: they are what an attacker would add)."""
    data: dict = {}
    _add(data, response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _add(data, formset.management_form)
        for form in formset.forms:
            _add(data, form)
    data.update(overrides)
    return data
