"""System checks of what the operator must set before going live (`manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks

LEGAL_SETTINGS = {
    "LEGAL_HOSTING_PROVIDER": "le nom, l'adresse et le téléphone de l'hébergeur",
    "LEGAL_PUBLICATION_DIRECTOR": "le nom du directeur ou de la directrice de la publication",
}


@checks.register(deploy=True)
def legal_notice_is_complete(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """French law (LCEN, article 6) requires the legal notice to name the host and the
    publication director; a site that goes live without them is unlawful, so it fails here."""
    return [
        checks.Error(
            f"{name} est vide : les mentions légales doivent donner {what}.",
            hint=f"Renseignez {name} dans l'environnement (voir .env.example).",
            id="propulsons.E001",
        )
        for name, what in LEGAL_SETTINGS.items()
        if not getattr(settings, name).strip()
    ]
