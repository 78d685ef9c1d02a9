"""{% load labels %}: {{ project|label:"status" }} says what project.get_status_display says,
from a dict built once per model, field and language (get_FOO_display builds the field's
choices into a dict again at every call: on a list page, once per row and column)."""

from django import template
from django.utils.translation import get_language

register = template.Library()

_LABELS: dict[tuple, dict] = {}


def labels(model, field_name: str) -> dict:
    key = (model, field_name, get_language())
    found = _LABELS.get(key)
    if found is None:
        field = model._meta.get_field(field_name)
        found = _LABELS[key] = {value: str(label) for value, label in field.flatchoices}
    return found


@register.filter
def label(instance, field_name: str) -> str:
    value = getattr(instance, field_name)
    # _meta.model, not type(): request.user is a lazy wrapper around the user.
    return labels(instance._meta.model, field_name).get(value, value)
