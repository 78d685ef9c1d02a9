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
