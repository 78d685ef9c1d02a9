from datetime import timedelta
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.models import Platform
from projects.models import ACTIVE_STATUSES, FinancingType, Project
from propulsons.dates import date_in_range
from propulsons.forms import EmptyChoiceLabels, plain_amount

from .models import (
    FinancingLine,
    FirstMeeting,
    FundingSource,
    Interaction,
    InteractionKind,
    RewardTier,
)


class _CrispyForm:
    def _helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        return helper


class FirstMeetingScheduleForm(_CrispyForm, EmptyChoiceLabels, forms.ModelForm):
    scheduled_at = forms.DateTimeField(
        label=gettext_lazy("Date et heure"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    video_link = forms.URLField(
        label=gettext_lazy("Lien de visioconférence"), required=False, assume_scheme="https"
    )

    class Meta:
        model = FirstMeeting
        fields = ["scheduled_at", "duration_minutes", "location", "video_link"]
        help_texts = {
            "location": gettext_lazy("Par exemple : 23 rue du 11 Novembre, Lens."),
            "duration_minutes": gettext_lazy("Le premier rendez-vous dure 2 heures."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()

    def clean_scheduled_at(self):
        scheduled_at = self.cleaned_data["scheduled_at"]
        if scheduled_at < timezone.now() - timedelta(days=1):
            raise forms.ValidationError(_("Cette date est passée."))
        if scheduled_at > timezone.now() + timedelta(days=365):
            raise forms.ValidationError(_("Choisissez une date dans l'année qui vient."))
        return scheduled_at

    def clean_duration_minutes(self):
        minutes = self.cleaned_data["duration_minutes"]
        if not minutes or minutes < 15 or minutes > 8 * 60:
            raise forms.ValidationError(_("Une durée de 15 minutes à 8 heures."))
        return minutes

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("location") and not cleaned.get("video_link"):
            self.add_error("location", _("Indiquez un lieu ou un lien de visioconférence."))
        return cleaned


class FirstMeetingReportForm(_CrispyForm, EmptyChoiceLabels, forms.ModelForm):
    target_platform = forms.ModelChoiceField(
        label=gettext_lazy("Plateforme visée"),
        queryset=Platform.objects.filter(is_active=True),
        required=False,
        empty_label=gettext_lazy("Pas encore choisie"),
    )

    empty_labels = {"campaign_financing_type": gettext_lazy("Pas encore choisi")}

    class Meta:
        model = FirstMeeting
        fields = [
            "relevance",
            "relevance_reasoning",
            "campaign_goal",
            "campaign_duration_days",
            "campaign_financing_type",
            "target_platform",
            "next_steps",
            "outcome",
        ]
        widgets = {
            "relevance": forms.RadioSelect,
            "outcome": forms.RadioSelect,
            "relevance_reasoning": forms.Textarea(attrs={"rows": 4}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("relevance", "relevance_reasoning", "outcome"):
            self.fields[name].required = True
        self.fields["relevance"].choices = self.fields["relevance"].choices[1:]
        self.fields["outcome"].choices = self.fields["outcome"].choices[1:]
        # A platform deactivated since stays this report's choice: saving the report again
        # must not clear it.
        self.fields["target_platform"].queryset = Platform.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.target_platform_id)
        )
        self.helper = self._helper()

    def clean_campaign_duration_days(self):
        days = self.cleaned_data["campaign_duration_days"]
        if days is not None and not 1 <= days <= 120:
            raise forms.ValidationError(_("Une campagne dure de 1 à 120 jours."))
        return days

    def clean_campaign_goal(self):
        goal = self.cleaned_data["campaign_goal"]
        if goal is not None and goal <= 0:
            raise forms.ValidationError(_("L'objectif de collecte doit être supérieur à 0 €."))
        return goal


def report_initial(
    meeting: FirstMeeting, *, project: Project
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What a report not yet saved starts from: the intake's figures, so nothing is typed twice.

    Returns the report form's initial values and the financing plan's first rows. The goal and
    the financing type come from what the porteur asked for; the plan starts with a
    crowdfunding line of that amount. Only fields the report leaves empty are prefilled, and a
    saved report starts from itself alone.
    """
    if meeting.is_reported:
        return {}, []
    initial: dict[str, Any] = {}
    if meeting.campaign_goal is None and project.crowdfunding_amount:
        initial["campaign_goal"] = plain_amount(project.crowdfunding_amount)
    # "Je ne sais pas encore" is no choice to carry over: the report's type stays to be chosen.
    if not meeting.campaign_financing_type and project.financing_type not in (
        "",
        FinancingType.UNKNOWN,
    ):
        initial["campaign_financing_type"] = project.financing_type
    plan = []
    if project.crowdfunding_amount and not meeting.financing_lines.exists():
        plan.append(
            {
                "source": FundingSource.CROWDFUNDING,
                "amount": plain_amount(project.crowdfunding_amount),
            }
        )
    return initial, plan


class FinancingLineForm(EmptyChoiceLabels, forms.ModelForm):
    empty_labels = {"source": gettext_lazy("Choisir une source")}

    class Meta:
        model = FinancingLine
        fields = ["source", "label", "amount", "acquired"]
        widgets = {
            "source": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "label": forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            "amount": forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
            "acquired": forms.CheckboxInput(attrs={"class": "form-check-input"}),
        }

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("Le montant doit être supérieur à 0 €."))
        return amount


class RewardTierForm(EmptyChoiceLabels, forms.ModelForm):
    class Meta:
        model = RewardTier
        fields = ["amount", "description", "quantity"]
        widgets = {
            "amount": forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
            "description": forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            "quantity": forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
        }

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("Le montant doit être supérieur à 0 €."))
        return amount

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("description") and cleaned.get("amount") is None:
            self.add_error("amount", _("Indiquez le montant de cette contrepartie."))
        if cleaned.get("quantity") == 0:
            self.add_error("quantity", _("Laissez vide pour une quantité illimitée."))
        return cleaned


class RowsFormSet(forms.BaseInlineFormSet):
    """An inline formset whose rows() is the whole list the parent should hold after the save.

    A row already saved stays, changed or not; it goes only when the user ticks "Supprimer" or
    empties every one of its fields. A blank extra row adds nothing. (Keeping only the rows
    that changed, then rewriting the list from them, deleted every unchanged line.)
    """

    def _should_delete_form(self, form) -> bool:
        return super()._should_delete_form(form) or (
            form.instance.pk is not None and self._emptied(form)
        )

    def _emptied(self, form) -> bool:
        # What the user sent for this saved row: every field blank (a checkbox does not count,
        # an unticked one sends nothing).
        typed = [
            form[name].data
            for name, field in form.fields.items()
            if name not in ("id", "DELETE", self.fk.name)
            and not isinstance(field, forms.BooleanField)
        ]
        return bool(form.is_bound) and all(value in (None, "") for value in typed)

    def rows(self) -> list[dict]:
        """The rows to keep or add, as the values of their model fields (call once valid)."""
        kept = []
        for form in self.forms:
            if self._should_delete_form(form):
                continue
            if form.instance.pk is None and not form.has_changed():
                continue  # a blank extra row
            kept.append(
                {
                    name: form.cleaned_data.get(name)
                    for name in form._meta.fields
                    if name != self.fk.name
                }
            )
        return kept


# Bounded: a tampered TOTAL_FORMS must not make the server render thousands of rows.
FinancingLineFormSet = forms.inlineformset_factory(
    FirstMeeting,
    FinancingLine,
    formset=RowsFormSet,
    form=FinancingLineForm,
    extra=3,
    can_delete=True,
    max_num=30,
    absolute_max=30,
    validate_max=True,
)
RewardTierFormSet = forms.inlineformset_factory(
    FirstMeeting,
    RewardTier,
    formset=RowsFormSet,
    form=RewardTierForm,
    extra=3,
    can_delete=True,
    max_num=30,
    absolute_max=30,
    validate_max=True,
)


class InteractionForm(_CrispyForm, EmptyChoiceLabels, forms.ModelForm):
    empty_labels = {
        "kind": gettext_lazy("Choisir un type d'échange"),
        "phase": gettext_lazy("Déduite des dates de la campagne"),
    }

    class Meta:
        model = Interaction
        fields = [
            "kind",
            "happened_on",
            "duration_minutes",
            "phase",
            "internal_notes",
            "shared_note",
            "next_action",
            "next_action_due",
        ]
        widgets = {
            "happened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "next_action_due": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "internal_notes": forms.Textarea(attrs={"rows": 3}),
            "shared_note": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "phase": gettext_lazy("Déduite des dates de la campagne quand elles sont connues."),
            "next_action": gettext_lazy("Par exemple : rappeler le porteur."),
        }

    def __init__(self, *args, project_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "phase" in self.fields:
            self.fields["phase"].required = False
        self.initial.setdefault("happened_on", timezone.localdate())
        if project_choices is not None:
            # The quick entry of the dashboard: the dossier is chosen in the form.
            # A reference typed with suggestions, not a list of every active dossier.
            self.fields["project"] = forms.ModelChoiceField(
                label=gettext_lazy("Dossier"),
                queryset=project_choices,
                to_field_name="reference",
                widget=forms.TextInput(attrs={"list": "dossiers-actifs", "autocomplete": "off"}),
                help_text=gettext_lazy("Sa référence, par exemple P-2026-0042."),
                error_messages={
                    "invalid_choice": gettext_lazy("Aucun dossier actif ne porte cette référence.")
                },
            )
            self.order_fields(["project", *self.Meta.fields])
        self.helper = self._helper()

    def clean_happened_on(self):
        day = self.cleaned_data["happened_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Un échange se note une fois qu'il a eu lieu."))
        return day

    def clean_duration_minutes(self):
        minutes = self.cleaned_data["duration_minutes"]
        if not minutes:
            raise forms.ValidationError(_("Indiquez une durée d'au moins 1 minute."))
        return minutes

    def clean(self):
        cleaned = super().clean()
        due = cleaned.get("next_action_due")
        if due and not cleaned.get("next_action"):
            self.add_error("next_action", _("Indiquez la prochaine action à faire."))
        if due and due < timezone.localdate():
            self.add_error("next_action_due", _("Choisissez une date à venir."))
        return cleaned


class ReminderAnswerForm(InteractionForm):
    """ "Noter l'échange" on a reminder: the exchange that answers it, a phone call of today by
    default (its phase comes from the campaign's dates)."""

    class Meta(InteractionForm.Meta):
        fields = [
            "kind",
            "happened_on",
            "duration_minutes",
            "internal_notes",
            "shared_note",
            "next_action",
            "next_action_due",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("kind", InteractionKind.PHONE)
        self.initial.setdefault("duration_minutes", 15)


def active_projects() -> "forms.models.QuerySet":
    return Project.objects.filter(status__in=ACTIVE_STATUSES).order_by("title")


class PostponeForm(EmptyChoiceLabels, forms.Form):
    """A day picked in the calendar, or "+1 jour" / "+1 semaine" (`days`)."""

    due_on = forms.DateField(
        label=gettext_lazy("Reporter au"),
        required=False,
        validators=[date_in_range],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    days = forms.TypedChoiceField(
        choices=[(1, "+1"), (7, "+7")], coerce=int, required=False, empty_value=None
    )

    def clean_due_on(self):
        day = self.cleaned_data["due_on"]
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("Choisissez une date à venir."))
        return day

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("due_on") and not cleaned.get("days"):
            self.add_error("due_on", _("Choisissez une date."))
        return cleaned
