"""Login throttling: per account and address, and per address across accounts."""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class AccountAndAddressHandler(AxesDatabaseHandler):
    """django-axes' database handler with two thresholds instead of one.

    AXES_LOCKOUT_PARAMETERS lists the (account, address) pair first, then the address alone.
    The pair is locked after AXES_FAILURE_LIMIT failures (someone mistyping their password);
    the address after AXES_IP_FAILURE_LIMIT failures over every account (someone trying a few
    passwords on many accounts). django-axes compares the larger count to one limit, so the
    address's count is brought to that scale here: it reaches the limit exactly when the
    address reaches its own, higher one.
    """

    def get_failures(self, request, credentials=None) -> int:
        pair_attempts, address_attempts = self.get_user_attempts(request, credentials)
        pair = _failures(pair_attempts)
        if _failures(address_attempts) >= settings.AXES_IP_FAILURE_LIMIT:
            return max(pair, settings.AXES_FAILURE_LIMIT)
        return pair
