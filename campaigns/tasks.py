import logging
from urllib.error import URLError

from celery import shared_task

from projects.models import Commune

from . import geocoding, services

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(URLError, OSError, TimeoutError),
    retry_backoff=60,
    retry_kwargs={"max_retries": 6},
    acks_late=True,
)
def geocode_commune(commune_id: int) -> bool:
    """Place a commune on the map; retried while the API cannot be reached."""
    commune = Commune.objects.filter(pk=commune_id).first()
    if commune is None or commune.latitude is not None:
        return False
    try:
        latitude, longitude = geocoding.commune_centre(commune.insee_code)
    except geocoding.GeocodingError:
        logger.warning("geocoding: no location for commune %s", commune.insee_code)
        return False
    services.commune_set_location(commune=commune, latitude=latitude, longitude=longitude)
    return True


@shared_task(acks_late=True)
def geocode_missing_communes(batch: int = 50) -> int:
    """Queue the geocoding of the communes of labelled projects that have no location yet.

    Runs every hour (beat): a commune the API could not place is simply tried again later.
    """
    missing = list(
        Commune.objects.filter(latitude__isnull=True, projects__label_number__gt="")
        .values_list("pk", flat=True)
        .distinct()[:batch]
    )
    for commune_id in missing:
        geocode_commune.delay(commune_id)
    return len(missing)
