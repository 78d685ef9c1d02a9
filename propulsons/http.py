from django.conf import settings


def client_ip(request) -> str:
    """The client's address, from the header the deployment trusts (REMOTE_ADDR by default)."""
    value = request.META.get(settings.CLIENT_IP_META_KEY) or request.META.get("REMOTE_ADDR", "")
    # A proxy chain lists the client first.
    return value.split(",")[0].strip()


def login_username(request, credentials) -> str:
    """The address a login attempt is about, as the login form reads it (case and spaces
    ignored), so that "Porteur@Example.org " cannot dodge a lockout."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(raw).strip().lower()


# Larger ids fit no column (PostgreSQL's bigint stops at 19 digits).
MAX_ID_DIGITS = 18


def posted_id(request, name: str) -> int:
    """The id a form posts in `name`: ASCII digits only, or a 400 with a French message
    (int() and the database would otherwise answer 500 to "abc" or to 30 digits)."""
    from django.utils.translation import gettext as _

    from propulsons.errors import FrenchBadRequest

    value = request.POST.get(name, "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > MAX_ID_DIGITS:
        raise FrenchBadRequest(
            _(
                "Cette demande ne désigne aucun élément valable\u00a0: rechargez la page et "
                "réessayez."
            )
        )
    return int(value)


def posted_text(request, name: str, max_length: int | None = None) -> str:
    """A text a view reads from the POST itself (not through a form): a NUL byte, which
    PostgreSQL refuses in text, is a 400 with a French message, never a 500."""
    from django.utils.translation import gettext as _

    from propulsons.errors import FrenchBadRequest

    value = request.POST.get(name, "")
    if "\x00" in value:
        raise FrenchBadRequest(_("Le texte envoyé contient un caractère interdit."))
    return value[:max_length] if max_length is not None else value
