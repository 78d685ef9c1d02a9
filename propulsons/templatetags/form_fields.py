"""{% load form_fields %}{% form_field form.q %}: one form field in plain Bootstrap 5 markup,
built in Python: the filters of the list pages (the catalogue's, the pipeline's) and the blank
forms the dashboard repeats (a reminder's "Noter l'échange", the quick entry).

crispy-forms renders a field through a dozen nested templates, and Django renders a <select>
through one template per option: on the catalogue and the pipeline that was a quarter of the
page's time, for markup that never changes shape. This tag writes the same markup directly
(the pages look the same, pixel for pixel):

- the label tied to the control (`for`), the help text and the errors tied to it by
  `aria-describedby` (errors first), `aria-invalid` and `is-invalid` on a field in error;
- the errors (Django's messages, in French) next to the field, in an `invalid-feedback` block
  shown whatever the control's type;
- the value the visitor typed kept as typed, even when it is not valid (a date like
  2020-13-45 comes back for correction), and the chosen options selected;
- the ids crispy gave (div_id_<name>, <id>_error, <id>_helptext), so nothing that points at
  them changes; a required field's asterisk as crispy drew it.

Inputs (text, search, date, number, checkbox), textareas and single selects are written here;
any other widget (radio buttons, a multiple choice) is rendered by Django inside the same
wrapper. Forms with a
layout of their own (fieldsets, formsets) stay with crispy.
"""

from django import forms, template
from django.forms.utils import flatatt
from django.forms.widgets import Input
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def form_field(field: forms.BoundField) -> SafeString:
    widget = field.field.widget
    checkbox = isinstance(widget, forms.CheckboxInput)
    css = (
        "form-check-input" if checkbox else "form-select" if _is_select(widget) else "form-control"
    )
    if field.errors:
        css += " is-invalid"
    described_by = []
    if field.errors:
        described_by.append(f"{field.auto_id}_error")
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    existing = widget.attrs.get("class")
    attrs = {"class": f"{existing} {css}" if existing else css}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    control = _control(field, attrs)
    errors = (
        format_html(
            '<div id="{}_error" class="invalid-feedback d-block">{}</div>',
            field.auto_id,
            format_html_join(
                "", '<p class="mb-0"><strong>{}</strong></p>', ((e,) for e in field.errors)
            ),
        )
        if field.errors
        else ""
    )
    help_text = (
        format_html(
            '<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, field.help_text
        )
        if field.help_text
        else ""
    )
    asterisk = mark_safe('<span class="asteriskField">*</span>') if field.field.required else ""
    if checkbox:
        return format_html(
            '<div class="mb-3"><div id="div_{}" class="form-check">{}'
            '<label for="{}" class="form-check-label">{}{}</label>{}{}</div></div>',
            field.auto_id,
            control,
            field.id_for_label,
            field.label,
            asterisk,
            errors,
            help_text,
        )
    return format_html(
        '<div id="div_{}" class="mb-3"><label for="{}" class="{}">{}{}</label>{}{}{}</div>',
        field.auto_id,
        field.id_for_label,
        "form-label requiredField" if field.field.required else "form-label",
        field.label,
        asterisk,
        control,
        errors,
        help_text,
    )


def _is_select(widget: forms.Widget) -> bool:
    return isinstance(widget, forms.Select) and not widget.allow_multiple_selected


def _control(field: forms.BoundField, extra: dict) -> SafeString:
    widget = field.field.widget
    textarea = isinstance(widget, forms.Textarea)
    if not (_is_select(widget) or textarea or isinstance(widget, Input)) or widget.is_hidden:
        return field.as_widget(attrs=extra)
    # What BoundField.as_widget passes to the widget's template, written out here.
    attrs = field.build_widget_attrs(extra)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    if _is_select(widget):
        return _select(field, widget, attrs)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    value = context["value"]
    if textarea:  # Django's textarea.html: a line break first, the value if any
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>',
            context["name"],
            flatatt(context["attrs"]),
            value or "",
        )
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        context["type"],
        context["name"],
        format_html(' value="{}"', value) if value is not None else "",
        flatatt(context["attrs"]),
    )


def _select(field: forms.BoundField, widget: forms.Select, attrs: dict) -> SafeString:
    """The <select> Django's Select widget writes, from its choices directly: Django builds a
    dict of a dozen keys and copies the attributes for every option (`optgroups`), most of a
    filter form's time (the figures' period has some thirty options, the catalogue's communes
    a hundred). The same rules: the first option matching the value is selected, a None value
    is written "", a choice whose label is a list is an <optgroup>. Values and labels escaped."""
    values = widget.format_value(field.value())
    has_selected = False

    def options(choices) -> str:
        nonlocal has_selected
        written = []
        for value, label in choices:
            value = "" if value is None else value
            selected = not has_selected and str(value) in values
            has_selected |= selected
            written.append(
                f'<option value="{conditional_escape(value)}"'
                f"{' selected' if selected else ''}>{conditional_escape(label)}</option>"
            )
        return "".join(written)

    groups = []
    for value, label in widget.choices:
        if isinstance(label, (list, tuple)):
            groups.append(
                f'<optgroup label="{conditional_escape(value)}">{options(label)}</optgroup>'
            )
        else:
            groups.append(options([(value, label)]))
    return format_html(
        '<select name="{}"{}>{}</select>',
        field.html_name,
        flatatt(widget.build_attrs(widget.attrs, attrs)),
        SafeString("".join(groups)),
    )
