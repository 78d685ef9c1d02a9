from datetime import date

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.models import Category, Project
from propulsons.dates import date_in_range
from propulsons.forms import EmptyChoiceLabels
from propulsons.search import SearchField

from . import periods
from .models import (
    Campaign,
    CampaignFinancing,
    CampaignStatus,
    FigureSource,
    Platform,
    RewardsDelivery,
)
from .selectors import PublicStatus, figures_start
from .services import figures_problems

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class CampaignForm(EmptyChoiceLabels, forms.ModelForm):
    empty_labels = {
        "platform": gettext_lazy("Choisir une plateforme"),
        "financing_type": gettext_lazy("Choisir un type de financement"),
        "collection_model": gettext_lazy("Choisir un modèle de collecte"),
    }
    url = forms.URLField(
        label=gettext_lazy("Adresse de la campagne"), required=False, assume_scheme="https"
    )

    class Meta:
        model = Campaign
        fields = [
            "platform",
            "url",
            "financing_type",
            "collection_model",
            "goal",
            "starts_on",
            "ends_on",
        ]
        widgets = {"starts_on": DATE_WIDGET, "ends_on": DATE_WIDGET}

    def __init__(self, *args, duration_days: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # A platform deactivated since stays this campaign's choice (else editing it fails).
        self.fields["platform"].queryset = Platform.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.platform_id)
        )
        if duration_days:
            self.fields["ends_on"].help_text = _(
                "Durée convenue au premier rendez-vous : %(days)s jours."
            ) % {"days": duration_days}
            # static/js/campaign_dates.js sets the end from the start typed.
            self.fields["ends_on"].widget.attrs["data-duration-days"] = duration_days
        self.helper = _helper()

    def clean_goal(self):
        goal = self.cleaned_data["goal"]
        if goal is not None and goal <= 0:
            raise forms.ValidationError(_("L'objectif doit être supérieur à 0 €."))
        return goal

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("La fin de la campagne doit suivre son début."))
        return cleaned


def _check_figures(form: forms.Form, campaign, amount_field: str, contributors_field: str) -> None:
    """Figures beyond what a campaign can collect: a message next to the field concerned."""
    amount = form.cleaned_data.get(amount_field)
    contributors = form.cleaned_data.get(contributors_field)
    if campaign is None or amount is None or contributors is None:
        return
    problems = figures_problems(campaign=campaign, amount=amount, contributors=contributors)
    for field, message in problems.items():
        form.add_error(amount_field if field == "amount" else contributors_field, message)


class SnapshotForm(EmptyChoiceLabels, forms.Form):
    amount = forms.DecimalField(
        label=gettext_lazy("Montant collecté (€)"), min_value=0, max_digits=12, decimal_places=2
    )
    contributors = forms.IntegerField(
        label=gettext_lazy("Nombre de contributeurs"), min_value=0, max_value=10_000_000
    )
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=FigureSource.choices)
    taken_on = forms.DateField(
        label=gettext_lazy("Relevé le"),
        widget=DATE_WIDGET,
        required=False,
        validators=[date_in_range],
        help_text=gettext_lazy("Vide : aujourd'hui."),
    )

    def __init__(self, *args, porteur: bool = False, campaign: Campaign | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        if porteur:
            # A porteur declares figures; the source is then theirs.
            del self.fields["source"]
            self.fields["amount"].help_text = _(
                "L'équipe vérifie les chiffres déclarés avant de les publier sur le site."
            )
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        _check_figures(self, self.campaign, "amount", "contributors")
        return cleaned

    def clean_taken_on(self):
        day = self.cleaned_data["taken_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("Un relevé ne peut pas être daté dans le futur."))
        return day


class FinishForm(EmptyChoiceLabels, forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Résultat"),
        choices=[
            (CampaignStatus.SUCCEEDED, CampaignStatus.SUCCEEDED.label),
            (CampaignStatus.FAILED, CampaignStatus.FAILED.label),
            (CampaignStatus.CANCELLED, CampaignStatus.CANCELLED.label),
        ],
        widget=forms.RadioSelect,
    )
    final_amount = forms.DecimalField(
        label=gettext_lazy("Montant final (€)"), min_value=0, max_digits=12, decimal_places=2
    )
    final_contributors = forms.IntegerField(
        label=gettext_lazy("Contributeurs"), min_value=0, max_value=10_000_000
    )
    finished_on = forms.DateField(
        label=gettext_lazy("Terminée le"),
        widget=DATE_WIDGET,
        required=False,
        validators=[date_in_range],
    )
    jobs_created = forms.IntegerField(
        label=gettext_lazy("Emplois créés"),
        help_text=gettext_lazy("Si le porteur les connaît déjà ; sinon, dans le suivi."),
        required=False,
        min_value=0,
        max_value=10_000,
    )
    jobs_kept = forms.IntegerField(
        label=gettext_lazy("Emplois maintenus"), required=False, min_value=0, max_value=10_000
    )

    def __init__(self, *args, campaign: Campaign | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        _check_figures(self, self.campaign, "final_amount", "final_contributors")
        return cleaned


class FollowUpForm(EmptyChoiceLabels, forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "rewards_delivered",
            "rewards_delivered_on",
            "project_carried_out",
            "jobs_created",
            "jobs_kept",
        ]
        widgets = {"rewards_delivered_on": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rewards_delivered"].choices = [("", _("Pas encore")), *RewardsDelivery.choices]
        self.fields["project_carried_out"].widget = forms.Select(
            choices=[("unknown", _("Pas encore su")), ("true", _("Oui")), ("false", _("Non"))]
        )
        self.helper = _helper()


class MapPlacementForm(EmptyChoiceLabels, forms.Form):
    latitude = forms.DecimalField(
        label=gettext_lazy("Latitude"),
        required=False,
        min_value=49.9,
        max_value=51.2,
        decimal_places=5,
        max_digits=8,
    )
    longitude = forms.DecimalField(
        label=gettext_lazy("Longitude"),
        required=False,
        min_value=1.3,
        max_value=3.3,
        decimal_places=5,
        max_digits=8,
    )

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            raise forms.ValidationError(
                _("Indiquez la latitude et la longitude, ou aucune des deux.")
            )
        return cleaned


class CatalogueFilterForm(EmptyChoiceLabels, forms.Form):
    q = SearchField(label=gettext_lazy("Rechercher"))
    # A name typed with suggestions: a list of every commune would weigh on each page.
    commune = forms.CharField(
        label=gettext_lazy("Commune"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"list": "communes-publiees", "autocomplete": "off"}),
    )
    arrondissement = forms.ChoiceField(label=gettext_lazy("Arrondissement"), required=False)
    category = forms.ChoiceField(
        label=gettext_lazy("Catégorie"),
        required=False,
        choices=[("", gettext_lazy("Toutes les catégories")), *Category.choices],
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Campagne"),
        required=False,
        choices=[("", gettext_lazy("Toutes les campagnes")), *PublicStatus.CHOICES],
    )
    financing = forms.ChoiceField(
        label=gettext_lazy("Type de financement"),
        required=False,
        choices=[("", gettext_lazy("Tous les types de financement")), *CampaignFinancing.choices],
    )
    platform = forms.ModelChoiceField(
        label=gettext_lazy("Plateforme"),
        required=False,
        queryset=Platform.objects.all(),
        empty_label=gettext_lazy("Toutes les plateformes"),
        to_field_name="slug",
    )
    sort = forms.ChoiceField(
        label=gettext_lazy("Trier par"),
        required=False,
        choices=[
            ("recent", gettext_lazy("Labellisation la plus récente")),
            ("title", gettext_lazy("Titre")),
            ("collected", gettext_lazy("Montant collecté")),
            ("ending", gettext_lazy("Fin de campagne la plus proche")),
        ],
    )

    def __init__(self, *args, arrondissements=(), platforms=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["arrondissement"].choices = [
            ("", _("Tous les arrondissements")),
            *arrondissements,
        ]
        if platforms is not None:
            # The platforms' (slug, name) the view already has (read once per content
            # version): the select lists them without a query; a platform chosen is still
            # looked up by its slug.
            platform = self.fields["platform"]
            platform.choices = [("", platform.empty_label), *platforms]


class PeriodForm(EmptyChoiceLabels, forms.Form):
    """A preset period in one choice (periods.presets), or any dates typed; with neither, the
    last complete year of the label."""

    periode = forms.ChoiceField(label=gettext_lazy("Période"), required=False)
    start = forms.DateField(
        label=gettext_lazy("Du"), widget=DATE_WIDGET, required=False, validators=[date_in_range]
    )
    end = forms.DateField(
        label=gettext_lazy("Au"), widget=DATE_WIDGET, required=False, validators=[date_in_range]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.presets = {
            period.key: period for period in periods.presets(today=today, since=figures_start())
        }
        self.default = periods.last_complete_label_year(today)
        self.fields["periode"].choices = [
            (key, period.label) for key, period in self.presets.items()
        ]
        self.fields["periode"].initial = self.default.key

    def chosen(self) -> periods.Period:
        """The period shown: typed dates win over a preset; an invalid form shows the default."""
        if not self.is_bound or not self.is_valid():
            return self.default
        start, end = self.cleaned_data["start"], self.cleaned_data["end"]
        if start or end:
            start, end = start or figures_start(), end or timezone.localdate()
            return periods.Period(key="", label=_("Période choisie"), start=start, end=end)
        return self.presets.get(self.cleaned_data["periode"], self.default)

    def period(self) -> tuple[date, date]:
        chosen = self.chosen()
        return chosen.start, chosen.end

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", _("La fin de la période doit suivre son début."))
        return cleaned


def dossier_campaign_forms(project: Project, current: Campaign | None, *, for_team: bool) -> dict:
    """The campaign forms a dossier page offers its reader, next to what
    selectors.dossier_campaigns reads (forms import selectors, so they cannot live there)."""
    running = current is not None and current.status == CampaignStatus.RUNNING
    context = {"snapshot_form": SnapshotForm(porteur=not for_team) if running else None}
    if for_team:
        context["finish_form"] = FinishForm() if running else None
        context["follow_up_form"] = (
            FollowUpForm(instance=current) if current and current.is_finished else None
        )
        # A place on the public map matters once the project is labelled (it shows there):
        # before, the form would only add noise to the dossier's page.
        context["map_form"] = (
            MapPlacementForm(initial={"latitude": project.latitude, "longitude": project.longitude})
            if project.label_number
            else None
        )
    return context
