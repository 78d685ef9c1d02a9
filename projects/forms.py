import os
import unicodedata
from decimal import Decimal

import phonenumbers
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import escape, format_html
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from propulsons import public_cache
from propulsons.dates import date_in_range
from propulsons.forms import EmptyChoiceLabels
from propulsons.search import SearchField

from .models import PAS_DE_CALAIS, Commune, Document, DocumentKind, Project, Status
from .services import INTAKE_FIELDS
from .uploads import UploadRejected, name_for_type, sniff_content_type

CRITERION_3 = gettext_lazy(
    "Propulsons! ne labellise que des projets situés dans le Pas-de-Calais (critère 3 du label)."
)


def normalise(text: str) -> str:
    """Compare commune names without case, accents, hyphens or apostrophes."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("-", " ").replace("'", " ").split())


def siret_is_valid(siret: str) -> bool:
    """The Luhn checksum of a SIRET (La Poste's establishments follow their own rule)."""
    # isdigit() alone accepts "²" or "①", which int() refuses.
    if len(siret) != 14 or not (siret.isascii() and siret.isdigit()):
        return False
    if siret.startswith("356000000"):
        return sum(int(digit) for digit in siret) % 5 == 0
    total = 0
    for index, digit in enumerate(int(d) for d in reversed(siret)):
        if index % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


class ProjectDetailsForm(EmptyChoiceLabels, forms.ModelForm):
    """The fields of the dossier a porteur fills in: at intake, and when editing later."""

    empty_labels = {
        "legal_form": gettext_lazy("Choisir une forme juridique"),
        "category": gettext_lazy("Choisir une catégorie"),
        "financing_type": gettext_lazy("Choisir un type de financement"),
        "heard_from": gettext_lazy("Choisir une réponse"),
    }

    commune_name = forms.CharField(
        label=gettext_lazy("Commune du projet"),
        max_length=100,
        help_text=gettext_lazy("Commencez à taper : la liste propose les communes du département."),
        widget=forms.TextInput(attrs={"list": "communes-62", "autocomplete": "off"}),
    )
    postal_code = forms.CharField(
        label=gettext_lazy("Code postal"),
        max_length=5,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    # Typed with spaces as printed on a Kbis; the checked, compact form is stored.
    siret = forms.CharField(
        label=gettext_lazy("SIRET"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=gettext_lazy("Facultatif : 14 chiffres, si votre structure est immatriculée."),
    )
    wished_campaign_start = forms.DateField(
        label=gettext_lazy("Début de campagne souhaité (mois)"),
        required=False,
        input_formats=["%Y-%m", "%m/%Y"],
        validators=[date_in_range],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text=gettext_lazy("Facultatif : une estimation suffit."),
    )
    partner = forms.ModelChoiceField(
        label=gettext_lazy("Partenaire qui suit, accompagne ou a prescrit le projet"),
        queryset=Organisation.objects.filter(is_prescribing_partner=True),
        required=False,
        empty_label=gettext_lazy("Aucun pour l'instant"),
        help_text=gettext_lazy(
            "Critère 4 du label : le projet doit être suivi, accompagné ou prescrit par un "
            "partenaire de Propulsons! Sans partenaire aujourd'hui, déposez quand même votre "
            "projet : nous vous mettrons en relation."
        ),
    )

    class Meta:
        model = Project
        # What the porteur fills in; the commune comes from commune_name (below).
        fields = [field for field in INTAKE_FIELDS if field != "commune"]
        labels = {
            "publish_agreed": gettext_lazy(
                "J'accepte que mon projet soit présenté sur le site de Propulsons! s'il est "
                "labellisé (titre, résumé, description, commune, structure et chiffres de la "
                "campagne ; jamais mes coordonnées)."
            )
        }
        widgets = {
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "contact_first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "contact_last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "structure_name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "summary": forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
            "description": forms.Textarea(attrs={"rows": 8}),
            "total_budget": forms.NumberInput(attrs={"min": "1", "step": "any"}),
            "crowdfunding_amount": forms.NumberInput(attrs={"min": "1", "step": "any"}),
        }
        help_texts = {
            "contact_phone": gettext_lazy("Par exemple 06 12 34 56 78."),
            "summary": gettext_lazy(
                "300 caractères au plus. Ce résumé sera public si le projet est labellisé."
            ),
            "total_budget": gettext_lazy("Le coût total du projet, en euros."),
            "crowdfunding_amount": gettext_lazy(
                "La part que vous souhaitez collecter auprès des citoyens, en euros."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.partner_id:
            # A partner no longer prescribing stays this dossier's: editing must not drop it.
            self.fields["partner"].queryset = Organisation.objects.filter(
                Q(is_prescribing_partner=True) | Q(pk=self.instance.partner_id)
            )
        if self.instance.pk and self.instance.commune_id:
            self.initial.setdefault("commune_name", self.instance.commune.name)
            self.initial.setdefault("postal_code", (self.instance.commune.postal_codes or [""])[0])
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = self.build_layout()

    def build_layout(self) -> Layout:
        return Layout(
            Fieldset(
                _("Vous"),
                Div(
                    Div("contact_first_name", css_class="col-md-6"),
                    Div("contact_last_name", css_class="col-md-6"),
                    css_class="row",
                ),
                Div(
                    Div("contact_email", css_class="col-md-6"),
                    Div("contact_phone", css_class="col-md-6"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Votre structure"),
                "structure_name",
                Div(
                    Div("legal_form", css_class="col-md-6"),
                    Div("siret", css_class="col-md-6"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Votre projet"),
                "title",
                "summary",
                "description",
                "category",
                Div(
                    Div("commune_name", css_class="col-md-8"),
                    Div("postal_code", css_class="col-md-4"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Financement"),
                Div(
                    Div("total_budget", css_class="col-md-6"),
                    Div("crowdfunding_amount", css_class="col-md-6"),
                    css_class="row",
                ),
                # static/js/share.js writes the share as the porteur types, in this text.
                HTML(
                    '<p id="part-participatif" class="form-text" aria-live="polite" data-text="'
                    + escape(_("Part du financement participatif dans le budget : {share} %"))
                    + '">{% if share %}{{ share }}{% endif %}</p>'
                ),
                Div(
                    Div("financing_type", css_class="col-md-6"),
                    Div("wished_campaign_start", css_class="col-md-6"),
                    css_class="row",
                ),
            ),
            Fieldset(_("Accompagnement"), "partner", "heard_from", "publish_agreed"),
        )

    def clean_contact_email(self) -> str:
        return self.cleaned_data["contact_email"].strip().lower()

    def clean_contact_phone(self) -> str:
        raw = self.cleaned_data["contact_phone"]
        try:
            number = phonenumbers.parse(raw, "FR")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise forms.ValidationError(
                _("Ce numéro de téléphone n'est pas valide. Exemple : 06 12 34 56 78.")
            )
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def clean_siret(self) -> str:
        siret = "".join(self.cleaned_data["siret"].split())
        if siret and not siret_is_valid(siret):
            raise forms.ValidationError(
                _("Ce numéro SIRET n'est pas valide : vérifiez les 14 chiffres.")
            )
        return siret

    def clean_postal_code(self) -> str:
        postal_code = self.cleaned_data["postal_code"].strip()
        if not (len(postal_code) == 5 and postal_code.isdigit()):
            raise forms.ValidationError(_("Un code postal compte 5 chiffres."))
        if not postal_code.startswith(PAS_DE_CALAIS):
            raise forms.ValidationError(
                format_html(
                    "{} {}", _("Ce code postal n'est pas dans le Pas-de-Calais."), CRITERION_3
                )
            )
        return postal_code

    def clean_commune_name(self) -> Commune:
        wanted = normalise(self.cleaned_data["commune_name"])
        # The name may come with its postal code, as the suggestions show it.
        wanted = wanted.split("(")[0].strip()
        for commune in Commune.objects.only("id", "name", "postal_codes"):
            if normalise(commune.name) == wanted:
                return commune
        raise forms.ValidationError(
            format_html(
                "{} {}",
                _("Nous ne trouvons pas cette commune parmi celles du Pas-de-Calais."),
                CRITERION_3,
            )
        )

    def clean_wished_campaign_start(self):
        start = self.cleaned_data["wished_campaign_start"]
        if start and start < timezone.localdate().replace(day=1):
            raise forms.ValidationError(_("Ce mois est déjà passé."))
        return start

    def clean(self):
        cleaned = super().clean()
        commune = cleaned.get("commune_name")
        postal_code = cleaned.get("postal_code")
        if commune and postal_code and postal_code not in commune.postal_codes:
            self.add_error(
                "postal_code",
                _("Le code postal de %(commune)s est %(codes)s.")
                % {"commune": commune.name, "codes": " ou ".join(commune.postal_codes)},
            )
        budget, amount = cleaned.get("total_budget"), cleaned.get("crowdfunding_amount")
        if budget is not None and budget <= 0:
            self.add_error("total_budget", _("Le budget doit être supérieur à 0 €."))
        if amount is not None and amount <= 0:
            self.add_error("crowdfunding_amount", _("Le montant visé doit être supérieur à 0 €."))
        elif budget and amount and amount > budget:
            self.add_error(
                "crowdfunding_amount",
                _("Le montant visé (%(amount)s €) ne peut pas dépasser le budget (%(budget)s €).")
                % {
                    "amount": number_format(amount, 0, force_grouping=True),
                    "budget": number_format(budget, 0, force_grouping=True),
                },
            )
        if commune:
            cleaned["commune"] = commune
        return cleaned

    def _post_clean(self):
        # The commune comes from commune_name; set it before the model's own validation.
        if "commune" in self.cleaned_data:
            self.instance.commune = self.cleaned_data["commune"]
        super()._post_clean()

    def share_text(self) -> str:
        """The crowdfunding share of the budget, as the form shows it under the amounts."""
        budget = self.cleaned_data.get("total_budget") if self.is_bound else None
        amount = self.cleaned_data.get("crowdfunding_amount") if self.is_bound else None
        if not self.is_bound:
            budget, amount = self.instance.total_budget, self.instance.crowdfunding_amount
        if budget and amount and budget > 0:
            share = (Decimal(amount) * 100 / Decimal(budget)).quantize(Decimal("0.1"))
            return _("Part du financement participatif dans le budget : %(share)s %%") % {
                "share": number_format(share, 1)
            }
        return ""

    def details(self) -> dict:
        return {**self.cleaned_data, "commune": self.cleaned_data["commune"]}


class ProjectIntakeForm(ProjectDetailsForm):
    """The public form: the dossier's fields, the consent, and a trap for robots."""

    consent = forms.BooleanField(
        label=gettext_lazy(
            "J'accepte que Propulsons! traite les données de ce formulaire pour étudier et "
            "accompagner mon projet."
        ),
        error_messages={
            "required": gettext_lazy(
                "Votre accord est nécessaire pour que nous étudiions le projet."
            )
        },
    )
    # A field people never see (hidden by CSS, skipped by the keyboard); robots fill it in.
    website = forms.CharField(label=gettext_lazy("Site web (laisser vide)"), required=False)

    def build_layout(self) -> Layout:
        layout = super().build_layout()
        privacy_url = reverse_lazy("legal_notice")
        layout.append(
            Fieldset(
                _("Vos données"),
                HTML(
                    format_html(
                        '<p>{} <a href="{}">{}</a>.</p>',
                        _("Ce que nous faisons de vos données est expliqué sur la page"),
                        privacy_url,
                        _("Mentions légales et données personnelles"),
                    )
                ),
                "consent",
            )
        )
        layout.append(Div("website", css_class="d-none", aria_hidden="true"))
        return layout

    def is_spam(self) -> bool:
        return bool(self.data.get("website"))


class DocumentForm(EmptyChoiceLabels, forms.ModelForm):
    """A file or a video link added to a dossier."""

    upload = forms.FileField(label=gettext_lazy("Fichier"), required=False)
    url = forms.URLField(
        label=gettext_lazy("Lien vers la vidéo"),
        required=False,
        assume_scheme="https",
        help_text=gettext_lazy("Pour une vidéo : son adresse (YouTube, Vimeo…)."),
    )

    empty_labels = {"kind": gettext_lazy("Choisir un type de document")}

    class Meta:
        model = Document
        fields = ["kind", "url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        max_mb = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
        self.fields["upload"].help_text = _(
            "PDF, document bureautique (Word, Excel, PowerPoint, LibreOffice) ou image "
            "(JPEG, PNG, GIF, WebP) ; %(max)s Mo au plus."
        ) % {"max": max_mb}
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        kind, upload, url = cleaned.get("kind"), cleaned.get("upload"), cleaned.get("url")
        if kind == DocumentKind.VIDEO:
            if not url:
                self.add_error("url", _("Indiquez le lien de la vidéo."))
            cleaned["upload"] = None
            return cleaned
        cleaned["url"] = ""
        self.instance.url = ""
        if not upload:
            self.add_error("upload", _("Choisissez un fichier à envoyer."))
            return cleaned
        if upload.size > settings.UPLOAD_MAX_BYTES:
            self.add_error(
                "upload",
                _("Ce fichier pèse %(size)s Mo : la limite est de %(max)s Mo.")
                % {
                    "size": number_format(upload.size / (1024 * 1024), 1),
                    "max": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
                },
            )
            return cleaned
        try:
            cleaned["content_type"] = sniff_content_type(upload)
        except UploadRejected as rejected:
            self.add_error("upload", str(rejected))
            return cleaned
        try:
            name = get_valid_filename(upload.name)
        except SuspiciousFileOperation:  # a name with no letter or digit, e.g. "🎉.pdf"
            name = "document"
        # The name's extension is the detected type's: « plan.pdf.bat » holding a PDF is kept
        # (and served) as « plan.pdf ».
        name = name_for_type(name, cleaned["content_type"])
        stem, extension = os.path.splitext(name)
        cleaned["original_name"] = stem[: 200 - len(extension)] + extension
        return cleaned


class ReasonForm(EmptyChoiceLabels, forms.Form):
    """Why a dossier is abandoned or reoriented: kept in its history."""

    reason = forms.CharField(
        label=gettext_lazy("Raison"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class AnonymiseForm(EmptyChoiceLabels, forms.Form):
    """Why a dossier is anonymised (kept in the audit log), and the cheffe's confirmation:
    the anonymisation cannot be undone, so a box must be ticked, checked by the server."""

    reason = forms.CharField(
        label=gettext_lazy("Raison de l'anonymisation"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={
            "required": gettext_lazy("Indiquez la raison : elle est conservée dans le journal.")
        },
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("Je confirme : l'anonymisation est irréversible."),
        error_messages={
            "required": gettext_lazy(
                "Cochez la case pour confirmer : l'anonymisation ne peut pas être défaite."
            )
        },
    )


# The pipeline's status filter: besides one status, the active dossiers (the default, the
# cheffe's work), the others (ended, closed, abandoned, reoriented) or all of them.
PIPELINE_ACTIVE, PIPELINE_INACTIVE, PIPELINE_ALL = "", "inactifs", "tous"


class PipelineFilterForm(EmptyChoiceLabels, forms.Form):
    """The filters of the team's pipeline; every field is optional."""

    q = SearchField(label=gettext_lazy("Recherche (nom, référence, projet)"))
    status = forms.ChoiceField(
        label=gettext_lazy("Statut"),
        required=False,
        choices=[
            (PIPELINE_ACTIVE, gettext_lazy("Dossiers actifs")),
            (PIPELINE_INACTIVE, gettext_lazy("Dossiers terminés ou arrêtés")),
            (PIPELINE_ALL, gettext_lazy("Tous les statuts")),
            (gettext_lazy("Un statut"), Status.choices),
        ],
    )
    mine = forms.BooleanField(
        label=gettext_lazy("Mes dossiers seulement"),
        required=False,
        help_text=gettext_lazy("Ceux dont vous êtes la cheffe de projet."),
    )
    unassigned = forms.BooleanField(
        label=gettext_lazy("Sans cheffe de projet"),
        required=False,
        help_text=gettext_lazy("Les dossiers que personne n'a encore pris."),
    )
    commune = forms.CharField(label=gettext_lazy("Commune"), required=False, max_length=100)
    category = forms.ChoiceField(label=gettext_lazy("Catégorie"), required=False)
    partner = forms.ModelChoiceField(
        label=gettext_lazy("Partenaire"),
        required=False,
        queryset=Organisation.objects.filter(is_prescribing_partner=True),
        empty_label=gettext_lazy("Tous les partenaires"),
    )
    contact_from = forms.DateField(
        label=gettext_lazy("Contact depuis le"),
        required=False,
        validators=[date_in_range],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    contact_to = forms.DateField(
        label=gettext_lazy("Contact jusqu'au"),
        required=False,
        validators=[date_in_range],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sort = forms.ChoiceField(
        label=gettext_lazy("Trier par"),
        required=False,
        choices=[
            ("-created_at", gettext_lazy("Contact le plus récent")),
            ("created_at", gettext_lazy("Contact le plus ancien")),
            ("-status_changed_at", gettext_lazy("Dernier changement de statut")),
            ("title", gettext_lazy("Titre du projet")),
            ("commune__name", gettext_lazy("Commune")),
            ("-crowdfunding_amount", gettext_lazy("Montant visé")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Category

        self.fields["category"].choices = [("", _("Toutes les catégories")), *Category.choices]
        # The partners offered are the same for every page of the pipeline until an
        # organisation changes (in the admin, which raises the public content version): read
        # once per version, not at every page. A partner chosen is still checked in the
        # database when the form is validated.
        partner = self.fields["partner"]
        partner.widget.choices = [
            ("", partner.empty_label),
            *public_cache.versioned_data(
                "prescribing-partners", lambda: list(partner.queryset.values_list("pk", "name"))
            ),
        ]
