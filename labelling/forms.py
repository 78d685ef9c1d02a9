from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, Role, User
from propulsons.forms import EmptyChoiceLabels

from .models import CommitteeSession, Criterion, LabellingRequest, Outcome, OverallVote

DATETIME_INPUT = {
    "input_formats": ["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
    "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
}


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class SessionForm(EmptyChoiceLabels, forms.ModelForm):
    held_at = forms.DateTimeField(
        label=gettext_lazy("Date et heure de la séance"), **DATETIME_INPUT
    )
    vote_deadline = forms.DateTimeField(
        label=gettext_lazy("Fin du vote"),
        help_text=gettext_lazy(
            "Les membres peuvent voter dès l'envoi des invitations et jusqu'à cette date "
            "(au plus tard le lendemain de la séance)."
        ),
        **DATETIME_INPUT,
    )
    video_link = forms.URLField(
        label=gettext_lazy("Lien de visioconférence"), required=False, assume_scheme="https"
    )

    class Meta:
        model = CommitteeSession
        fields = ["held_at", "vote_deadline", "location", "video_link", "chair"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = User.objects.filter(
            Q(role__in=[Role.CHEFFE, Role.COMITE]), is_active=True
        ).order_by("last_name")
        self.fields["chair"].empty_label = _("La cheffe de projet")
        self.helper = _helper()

    def clean_held_at(self):
        held_at = self.cleaned_data["held_at"]
        if held_at < timezone.now() - timezone.timedelta(days=1):
            raise forms.ValidationError(_("Cette date est passée."))
        if held_at > timezone.now() + timezone.timedelta(days=3 * 365):
            raise forms.ValidationError(_("Choisissez une date dans les trois ans qui viennent."))
        return held_at

    def clean_vote_deadline(self):
        # Bounded so that every date computed from it (reminders 48 hours before, the pages'
        # local times) exists: not already passed, and within the same three years as the
        # session itself.
        deadline = self.cleaned_data["vote_deadline"]
        if deadline <= timezone.now():
            raise forms.ValidationError(_("La fin du vote doit être dans le futur."))
        if deadline > timezone.now() + timezone.timedelta(days=3 * 365 + 1):
            raise forms.ValidationError(_("Choisissez une date dans les trois ans qui viennent."))
        return deadline

    def clean(self):
        cleaned = super().clean()
        held_at, deadline = cleaned.get("held_at"), cleaned.get("vote_deadline")
        if held_at and deadline and deadline > held_at + timezone.timedelta(days=1):
            self.add_error(
                "vote_deadline", _("Le vote se clôt au plus tard le lendemain de la séance.")
            )
        if not cleaned.get("location") and not cleaned.get("video_link"):
            self.add_error("location", _("Indiquez un lieu ou un lien de visioconférence."))
        return cleaned


class OpinionForm(EmptyChoiceLabels, forms.ModelForm):
    class Meta:
        model = LabellingRequest
        fields = ["cheffe_opinion"]
        widgets = {"cheffe_opinion": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cheffe_opinion"].required = True
        self.helper = _helper()


class AgendaAddForm(EmptyChoiceLabels, forms.Form):
    empty_labels = {"request": gettext_lazy("Choisir une demande")}

    request = forms.ModelChoiceField(
        label=gettext_lazy("Demande à inscrire"), queryset=LabellingRequest.objects.none()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request"].queryset = (
            LabellingRequest.objects.filter(session__isnull=True, vote_closed_at__isnull=True)
            .exclude(cheffe_opinion="")
            .select_related("project")
        )


class OrganisationsField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        # Tampered ids beyond the database's integers would make the lookup itself fail.
        for pk in value:
            if not str(pk).isdigit() or int(pk) > 2**31 - 1:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


class AttendanceForm(EmptyChoiceLabels, forms.Form):
    organisations = OrganisationsField(
        label=gettext_lazy("Organisations présentes"),
        queryset=Organisation.objects.filter(is_committee_member=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, session: CommitteeSession, **kwargs):
        super().__init__(*args, **kwargs)
        # An organisation that attended, then left the committee, stays in the minutes:
        # saving the attendance again must not drop it.
        self.fields["organisations"].queryset = Organisation.objects.filter(
            Q(is_committee_member=True) | Q(pk__in=session.attendees.values("pk"))
        ).distinct()


MET_CHOICES = [("yes", gettext_lazy("Rempli")), ("no", gettext_lazy("Non rempli"))]


class VoteForm(EmptyChoiceLabels, forms.Form):
    """The conflict-of-interest declaration first, then each of the four criteria with an
    optional comment, then the overall vote and its comment."""

    conflict_of_interest = forms.BooleanField(
        label=gettext_lazy(
            "Mon organisation déclare un conflit d'intérêts : son vote est enregistré mais pas "
            "compté."
        ),
        required=False,
    )
    overall = forms.ChoiceField(
        label=gettext_lazy("Avis global"),
        choices=OverallVote.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(
        label=gettext_lazy("Commentaire"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"criterion_{criterion.code}"] = forms.ChoiceField(
                label=criterion.label,
                choices=MET_CHOICES,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
            # A short label: the template ties it to its criterion (aria-describedby).
            self.fields[f"criterion_{criterion.code}_comment"] = forms.CharField(
                label=gettext_lazy("Commentaire (facultatif)"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.order_fields(
            ["conflict_of_interest"]
            + [
                name
                for c in criteria
                for name in (f"criterion_{c.code}", f"criterion_{c.code}_comment")
            ]
            + ["overall", "comment"]
        )

    def criterion_fields(self):
        return [
            (c, self[f"criterion_{c.code}"], self[f"criterion_{c.code}_comment"])
            for c in self.criteria
        ]

    def assessments(self) -> dict[str, tuple[bool, str]]:
        return {
            c.code: (
                self.cleaned_data[f"criterion_{c.code}"] == "yes",
                self.cleaned_data[f"criterion_{c.code}_comment"],
            )
            for c in self.criteria
        }

    @staticmethod
    def initial_from(vote) -> dict:
        initial = {
            "overall": vote.overall,
            "comment": vote.comment,
            "conflict_of_interest": vote.conflict_of_interest,
        }
        for assessment in vote.assessments.all():
            code = assessment.criterion.code
            initial[f"criterion_{code}"] = "yes" if assessment.met else "no"
            initial[f"criterion_{code}_comment"] = assessment.comment
        return initial


class DecisionForm(EmptyChoiceLabels, forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Décision"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    motivation = forms.CharField(
        label=gettext_lazy("Motivation (envoyée au porteur)"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, proposed: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposed = proposed

    def clean(self):
        cleaned = super().clean()
        outcome, motivation = cleaned.get("outcome"), (cleaned.get("motivation") or "").strip()
        if outcome and outcome != self.proposed and len(motivation) < 20:
            self.add_error(
                "motivation",
                _(
                    "Cette décision s'écarte de l'issue proposée par le décompte : "
                    "motivez-la précisément (20 caractères au moins)."
                ),
            )
        return cleaned


class CorrectionForm(DecisionForm):
    reason = forms.CharField(
        label=gettext_lazy("Raison de la correction"), widget=forms.Textarea(attrs={"rows": 2})
    )
