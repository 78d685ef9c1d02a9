"""What every form of the project shares: selects whose empty choice says what it means, and
amounts as a number field shows them.

Django shows "---------" as the empty choice of a ModelChoiceField and of a choice field built
from a model field that may stay blank. Every form of the apps inherits EmptyChoiceLabels,
which replaces it by the form's `empty_labels[field name]`, else by « Choisissez… ». A label
a form sets itself (an `empty_label=`, or choices it writes) is kept.
"""

from decimal import Decimal

from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy

DASH = BLANK_CHOICE_DASH[0][1]  # "---------"
DEFAULT_EMPTY_LABEL = gettext_lazy("Choisissez…")


def label_empty_choices(fields: dict, labels: dict | None = None) -> None:
    """Replace Django's "---------" in the selects of `fields` (a form's fields, in place)."""
    labels = labels or {}
    for name, field in fields.items():
        label = labels.get(name, DEFAULT_EMPTY_LABEL)
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label is not None and str(field.empty_label) == DASH:
                field.empty_label = label
        elif isinstance(field, forms.ChoiceField):
            choices = list(field.choices)
            if any(value == "" and str(text) == DASH for value, text in choices):
                field.choices = [
                    (value, label if value == "" and str(text) == DASH else text)
                    for value, text in choices
                ]


class EmptyChoiceLabels:
    """Mixin of every project form (put it before forms.Form or forms.ModelForm).

    `empty_labels` maps a field's name to its empty choice, e.g. « Toutes les catégories » in
    a filter or « Aucun » where empty means none.
    """

    empty_labels: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_empty_choices(self.fields, self.empty_labels)
        show_plain_amounts(self.fields)


class AmountInput(forms.NumberInput):
    """A number field that shows a saved 5000.00 as 5000 (what was typed), 1250.50 as is."""

    def format_value(self, value):
        if isinstance(value, Decimal) and value.is_finite():
            value = plain_amount(value)
        return super().format_value(value)


def show_plain_amounts(fields: dict) -> None:
    """Every decimal field of a form shows its value without trailing zeros (in place)."""
    for field in fields.values():
        if isinstance(field, forms.DecimalField) and type(field.widget) is forms.NumberInput:
            widget = AmountInput(attrs=field.widget.attrs)
            widget.is_required = field.widget.is_required
            field.widget = widget


def plain_amount(amount: Decimal) -> Decimal:
    """An amount as a form's number field starts from it: 5000.00 as 5000, 1250.50 kept."""
    return amount.quantize(Decimal("1")) if amount == amount.to_integral_value() else amount
