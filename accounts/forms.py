import unicodedata
from collections.abc import Iterator

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from outbox import emails
from propulsons.forms import EmptyChoiceLabels


class EmailAuthenticationForm(EmptyChoiceLabels, AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse électronique"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        "invalid_login": _(
            "Adresse électronique ou mot de passe incorrect. Vérifiez votre saisie "
            "(les majuscules comptent dans le mot de passe)."
        ),
        "inactive": _("Ce compte est désactivé. Contactez l'équipe Propulsons!"),
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


def _folded(address: str) -> str:
    return unicodedata.normalize("NFKC", address).casefold()


class EmailPasswordResetForm(EmptyChoiceLabels, PasswordResetForm):
    """Django's reset form, but the email goes through our templates and the Celery sender.

    Django skips accounts without a usable password; here every active account gets the link:
    an account created by the intake form (or by the team) has none until its owner chooses
    one, and its first link may have expired. The page after the form is the same whether the
    address is known or not, and an unknown address costs the same rendering work.
    """

    def get_users(self, email: str) -> Iterator[User]:
        for user in User.objects.filter(email__iexact=email, is_active=True):
            if _folded(email) == _folded(user.email):
                yield user

    def save(self, *args, **kwargs) -> None:
        self.sent = 0
        super().save(*args, **kwargs)
        if not self.sent:
            # No account: render the same email for nobody, so that the answer takes about as
            # long as for a known address and does not tell whether the address exists.
            emails.render(
                "password_reset",
                {"user": User(email=self.cleaned_data["email"]), "uid": "x", "token": "x-x"},
            )

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        self.sent += 1
        emails.send(
            "password_reset",
            to=[to_email],
            context={
                "user": context["user"],
                "uid": context["uid"],
                "token": context["token"],
            },
        )
