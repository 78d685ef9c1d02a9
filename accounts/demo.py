"""Demo accounts: one or more per role, all with the same password (printed by load_demo)."""

from django.utils import timezone

from accounts.models import Organisation, Role, User
from accounts.services import user_create

DEMO_PASSWORD = "propulsons-demo"

CHEFFE_EMAIL = "gaelle.mercier@propulsons.org"
ADMIN_EMAIL = "admin@propulsons.org"
PORTEUR_EMAILS = {
    "indelab": "contact@indelab.demo.propulsons.org",
    "garage": "garage.artois@demo.propulsons.org",
    "boulangerie": "camille.lefebvre@demo.propulsons.org",
}


def _ensure(email: str, role: str, first_name: str, last_name: str, **extra) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = user_create(
            email=email,
            role=role,
            password=DEMO_PASSWORD,
            first_name=first_name,
            last_name=last_name,
            **extra,
        )
    if user.email_verified_at is None:
        # Demo addresses receive no mail: they count as proved (projects/views/claims.py).
        User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
    return user


def load() -> list[tuple[str, str]]:
    """Create the demo accounts if missing; return (role, email) for the credentials table."""
    accounts = [
        _ensure(ADMIN_EMAIL, Role.ADMIN, "Alex", "Administrateur"),
        _ensure(CHEFFE_EMAIL, Role.CHEFFE, "Gaëlle", "Mercier"),
    ]
    for organisation in Organisation.objects.filter(is_committee_member=True):
        accounts.append(
            _ensure(
                f"comite.{organisation.slug}@demo.propulsons.org",
                Role.COMITE,
                "Membre",
                organisation.short_name,
                organisation=organisation,
            )
        )
    accounts.append(_ensure(PORTEUR_EMAILS["indelab"], Role.PORTEUR, "Julien", "Delattre"))
    accounts.append(_ensure(PORTEUR_EMAILS["garage"], Role.PORTEUR, "Sophie", "Vasseur"))
    accounts.append(_ensure(PORTEUR_EMAILS["boulangerie"], Role.PORTEUR, "Camille", "Lefebvre"))
    return [(user.get_role_display(), user.email) for user in accounts]
