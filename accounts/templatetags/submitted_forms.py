from django import template
from django.utils.html import format_html

from accounts.submitted_forms import FORM_KEY_FIELD, form_key_new, posted_form_key

register = template.Library()


@register.simple_tag(takes_context=True)
def form_key(context) -> str:
    """The form's hidden key: the posted one when the form is shown again with errors (its
    first sending created nothing), else a new one."""
    request = context.get("request")
    key = (posted_form_key(request) if request is not None else "") or form_key_new()
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_KEY_FIELD, key)
