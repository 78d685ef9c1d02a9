from django.conf import settings


def site(request):
    """What every page's layout needs: the contact details shown in the footer."""
    return {"TEAM_EMAIL": settings.TEAM_EMAIL}
