"""`{% label_snippet project %}`: the HTML a labelled porteur pastes on their platform page."""

from django import template

from .. import label_kit

register = template.Library()


@register.simple_tag
def label_snippet(project) -> str:
    return label_kit.snippet(project)
