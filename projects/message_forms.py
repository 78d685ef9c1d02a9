"""The form of a message on a dossier (projects/messaging.py)."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from propulsons import typography
from propulsons.forms import EmptyChoiceLabels

from .forms import DocumentForm
from .messaging import BODY_MAX_LENGTH
from .models import DocumentKind, DossierMessage, MessageKind


class MessageForm(EmptyChoiceLabels, forms.Form):
    """A message to the other side. The porteur chooses its kind (a message, or a request for
    a meeting); the team may mark its reply as the answer to an open request. An attached file
    goes through the very checks of the dossier's documents (type, size, archives)."""

    prefix = "message"

    kind = forms.ChoiceField(
        label=gettext_lazy("Objet"), choices=MessageKind.choices, initial=MessageKind.MESSAGE
    )
    answers = forms.ModelChoiceField(
        label=gettext_lazy("En réponse à la demande"),
        queryset=DossierMessage.objects.none(),
        required=False,
        empty_label=gettext_lazy("Aucune (simple message)"),
    )
    body = forms.CharField(
        label=gettext_lazy("Votre message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=BODY_MAX_LENGTH,
        error_messages={"required": gettext_lazy("Écrivez votre message.")},
    )
    upload = forms.FileField(label=gettext_lazy("Joindre un fichier (facultatif)"), required=False)

    def __init__(
        self, *args, project, for_team: bool, has_open_requests: bool | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.for_team = for_team
        if for_team:
            del self.fields["kind"]
            self.fields["body"].label = _("Votre réponse au porteur")
            requests = project.messages.open_requests()
            self.fields["answers"].queryset = requests
            if has_open_requests is None:  # the page knows it already; a post asks
                has_open_requests = requests.exists()
            self.fields["answers"].label_from_instance = lambda request: (
                _("%(kind)s du %(date)s")
                % {
                    "kind": request.get_kind_display(),
                    "date": typography.day(timezone.localtime(request.created_at), "j F"),
                }
            )
            if not has_open_requests:
                del self.fields["answers"]
        else:
            del self.fields["answers"]
        # The help text of the documents' form says which files are accepted, and their size.
        self.fields["upload"].help_text = DocumentForm().fields["upload"].help_text
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload:
            # The same checks as any document of the dossier: reused, not copied.
            check = DocumentForm(data={"kind": DocumentKind.OTHER}, files={"upload": upload})
            if check.is_valid():
                for name in ("original_name", "content_type"):
                    cleaned[name] = check.cleaned_data[name]
            else:
                for error in check.errors.get("upload", []):
                    self.add_error("upload", error)
        return cleaned
