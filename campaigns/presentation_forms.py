"""The forms of a project's public page: its cover and video, and its news."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.uploads import UploadRejected

from . import covers, videos
from .models import Presentation


class PresentationForm(forms.Form):
    cover = forms.FileField(
        label=_("Image de couverture"),
        required=False,
        help_text=_(
            "JPEG, PNG ou WebP, de préférence en paysage et d'au moins 1600 pixels de large."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    cover_alt = forms.CharField(
        label=_("Description de l'image"),
        max_length=250,
        required=False,
        help_text=_(
            "Ce que montre l'image, pour les personnes qui ne la voient pas "
            "(lecteur d'écran, image non chargée)."
        ),
    )
    remove_cover = forms.BooleanField(label=_("Retirer l'image"), required=False)
    video_url = forms.URLField(
        label=_("Adresse de la vidéo"),
        required=False,
        assume_scheme="https",
        help_text=_(
            "Une vidéo YouTube, Vimeo ou PeerTube. Elle ne se charge que si le visiteur clique."
        ),
    )

    def __init__(self, *args, presentation: Presentation | None = None, **kwargs):
        self.presentation = presentation
        kwargs.setdefault(
            "initial",
            {
                "cover_alt": presentation.cover_alt if presentation else "",
                "video_url": presentation.video_url if presentation else "",
            },
        )
        super().__init__(*args, **kwargs)
        if not (presentation and presentation.has_cover):
            del self.fields["remove_cover"]

    def clean_cover(self):
        cover = self.cleaned_data.get("cover")
        if cover:
            try:
                covers.check_image(cover)
            except UploadRejected as error:
                raise forms.ValidationError(str(error)) from error
        return cover

    def clean_video_url(self):
        url = self.cleaned_data["video_url"]
        if url and videos.parse(url) is None:
            raise forms.ValidationError(
                _("Indiquez l'adresse d'une vidéo YouTube, Vimeo ou PeerTube (https://…).")
            )
        return url

    def clean(self):
        cleaned = super().clean()
        keeps_cover = (
            self.presentation is not None
            and self.presentation.has_cover
            and not cleaned.get("remove_cover")
        )
        if (cleaned.get("cover") or keeps_cover) and not cleaned.get("cover_alt", "").strip():
            self.add_error(
                "cover_alt",
                _(
                    "Décrivez l'image en quelques mots\u00a0: ce texte est lu à ceux qui ne "
                    "la voient pas."
                ),
            )
        return cleaned


class NewsForm(forms.Form):
    published_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    text = forms.CharField(
        label=_("Nouvelle"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"published_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean_published_on(self):
        day = self.cleaned_data["published_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Cette date est dans le futur."))
        return day
