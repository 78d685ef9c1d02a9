"""What a project's public page shows that other apps hold: the rewards agreed at the first
meeting live in coaching, which sits above campaigns. Coaching registers a provider from its
AppConfig.ready (coaching/presentation.py), as it does for the campaign's form
(campaigns/prefill.py); imports keep going down."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Reward:
    amount: Decimal
    description: str
    quantity: int | None = None


# provide(project_id) -> the project's rewards, cheapest first.
REWARD_PROVIDERS: dict[str, Callable[[int], list[Reward]]] = {}


def register_rewards(name: str, provide: Callable[[int], list[Reward]]) -> None:
    REWARD_PROVIDERS[name] = provide


def project_rewards(project_id: int) -> list[Reward]:
    rewards: list[Reward] = []
    for provide in REWARD_PROVIDERS.values():
        rewards.extend(provide(project_id))
    return sorted(rewards, key=lambda reward: reward.amount)


# How the page names a structure's legal form in a sentence ("porté par X, une SCIC").
_LEGAL_FORM_PHRASES = {
    "association": gettext_lazy("une association"),
    "scic": gettext_lazy("une société coopérative d'intérêt collectif (SCIC)"),
    "scop": gettext_lazy("une société coopérative (SCOP)"),
    "company": gettext_lazy("une entreprise"),
    "sole_trader": gettext_lazy("une entreprise individuelle"),
    "local_authority": gettext_lazy("une collectivité"),
}


def carried_by(structure_name: str, legal_form: str) -> str:
    """« Porté par Indelab, une société coopérative d'intérêt collectif (SCIC) »."""
    phrase = _LEGAL_FORM_PHRASES.get(legal_form)
    if phrase:
        return _("Porté par %(name)s, %(form)s") % {"name": structure_name, "form": phrase}
    return _("Porté par %(name)s") % {"name": structure_name}
