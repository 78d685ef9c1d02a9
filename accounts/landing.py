"""Where each role lands after logging in, or after a flow that ends on no page of its own."""

from django.urls import reverse

from accounts.models import Role, User

# URL names, so that accounts imports no app above it.
HOMES = {
    Role.PORTEUR: "projects:porteur_space",
    Role.COMITE: "labelling:index",
    Role.CHEFFE: "coaching:dashboard",
    Role.ADMIN: "coaching:dashboard",
}


def home_for(user: User) -> str:
    """The page where this user's work is: anyone else gets their account page."""
    name = HOMES.get(getattr(user, "role", None), "accounts:home")
    return reverse(name)
