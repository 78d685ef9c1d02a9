"""The commune's location, from the French government's geographic API (geo.api.gouv.fr)."""

import json
from decimal import Decimal
from urllib.request import Request, urlopen

from django.conf import settings


class GeocodingError(Exception):
    pass


def commune_centre(insee_code: str) -> tuple[Decimal, Decimal]:
    """(latitude, longitude) of the commune's centre; network errors propagate (for retries)."""
    url = f"{settings.GEO_API_URL.rstrip('/')}/communes/{insee_code}?fields=centre&format=json"
    request = Request(url, headers={"Accept": "application/json"})  # noqa: S310 - fixed https host
    with urlopen(request, timeout=10) as response:  # noqa: S310
        data = json.load(response)
    try:
        longitude, latitude = data["centre"]["coordinates"]
    except (KeyError, TypeError, ValueError) as error:
        raise GeocodingError(f"no centre for commune {insee_code}") from error
    return Decimal(str(latitude)).quantize(Decimal("0.00001")), Decimal(str(longitude)).quantize(
        Decimal("0.00001")
    )
