"""The next step of a dossier: the one decision of what the porteur reads and what the team does.

For each status and the facts of the dossier (the first meeting booked, held or reported; what
the label's checklist still misses; the committee session; the campaign's dates, figures, result
and follow-up), `dossier_steps` returns the porteur's next step (a sentence, with a link to what
they can do on their own page, or what the team does next) and the team's (`NextStep`, chosen
by the sections' hooks in projects/sections.py).

The facts come from the apps above projects (coaching, labelling, campaigns), which register a
`facts` reader from their sections.py, as they register their sections: projects never imports
them. Each reader takes the list of dossiers and answers for all of them in a fixed number of
queries, so the porteur's space (several dossiers) costs the same whatever their number.

A promise the porteur's page cannot keep is a defect: when the step is the porteur's, its link
leads to a link or form their page shows them; when it is the team's, `team_offers` names what
the team uses (a page or a form) and the porteur's page must not offer it
(tests/projects/test_next_steps.py walks every status and fact).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from propulsons import typography

from .models import Status
from .sections import NextStep, dossier_next_step


@dataclass
class DossierFacts:
    """What the decision reads of a dossier, filled by the apps' readers (all optional)."""

    # coaching
    meeting_at: datetime | None = None
    meeting_reported: bool = False
    # labelling: the checklist while the dossier may ask for the label (items with .done,
    # .label, .by_porteur, .fix_url, .fix_label), and the session of the pending request.
    checklist: list | None = None
    request_pending: bool = False
    committee_at: datetime | None = None
    next_session_at: datetime | None = None  # the next session planned, for an unscheduled one
    # campaigns: the dossier's current campaign
    campaign_status: str = ""
    campaign_starts_on: date | None = None
    campaign_ends_on: date | None = None
    campaign_finished: bool = False
    figures_pending: bool = False
    follow_up_done: bool = False


FactsReader = Callable[[list], dict[int, dict[str, Any]]]
FACTS_READERS: dict[str, FactsReader] = {}


def register_facts(name: str, read: FactsReader) -> None:
    """`read(projects)` returns, per dossier id, the DossierFacts fields the app knows."""
    FACTS_READERS[name] = read


def dossier_facts(projects: list) -> dict[int, DossierFacts]:
    """The facts of each dossier, in a fixed number of queries whatever their number."""
    values: dict[int, dict[str, Any]] = {project.pk: {} for project in projects}
    if projects:
        for name in sorted(FACTS_READERS):
            for pk, known in FACTS_READERS[name](projects).items():
                values[pk].update(known)
    return {pk: DossierFacts(**known) for pk, known in values.items()}


@dataclass(frozen=True)
class PorteurStep:
    """What the porteur reads as their next step."""

    PORTEUR = "porteur"  # the porteur acts: `url` leads to it on their page
    TEAM = "team"  # the team acts: the porteur waits, and `team_offers` is not on their page
    NOTHING = "nothing"  # the dossier is over

    text: str
    by: str
    url: str = ""
    link_label: str = ""
    # What the team uses to do the step (a page's address, an element's id="…"): never on
    # the porteur's page.
    team_offers: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class DossierSteps:
    porteur: PorteurStep
    # None: nothing left for the team (or not asked: `team_context` not given).
    team: NextStep | None


def dossier_steps(
    project, *, facts: DossierFacts, team_context: dict | None = None
) -> DossierSteps:
    """The next step of the dossier for the porteur and, given the team page's section
    context, for the team."""
    team = dossier_next_step(project, team_context) if team_context is not None else None
    return DossierSteps(porteur_next_step(project, facts), team)


def _day(value: date | datetime) -> str:
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return typography.day(value)


def _moment(value: datetime) -> str:
    return typography.day(timezone.localtime(value), r"l j F Y, H\hi")


def porteur_next_step(project, facts: DossierFacts, *, now: datetime | None = None) -> PorteurStep:
    """The porteur's next step for the dossier's status and facts (see the module's doc)."""
    now = now or timezone.now()
    page = project.get_absolute_url()
    status = project.status
    ref = project.reference
    if status == Status.CONTACT:
        schedule = reverse("coaching:first_meeting_schedule", args=[ref])
        report = reverse("coaching:first_meeting_report", args=[ref])
        if facts.meeting_at is None:
            if project.coach_id is None:
                text = _(
                    "L'équipe de Propulsons! vous présente votre cheffe de projet, qui vous "
                    "contacte pour fixer votre premier rendez-vous de 2 heures."
                )
            else:
                text = _(
                    "Votre cheffe de projet vous contacte pour fixer votre premier rendez-vous "
                    "de 2 heures."
                )
            return PorteurStep(text, PorteurStep.TEAM, team_offers=(schedule,))
        if not facts.meeting_reported and facts.meeting_at > now:
            return PorteurStep(
                _(
                    "Votre premier rendez-vous est fixé au %(moment)s : préparez vos questions "
                    "et vos premiers chiffres (budget, besoins de financement)."
                )
                % {"moment": _moment(facts.meeting_at)},
                PorteurStep.PORTEUR,
                f"{page}#titre-rdv",
                _("Voir le rendez-vous"),
                team_offers=(schedule, report),
            )
        return PorteurStep(
            _(
                "Votre premier rendez-vous a eu lieu : votre cheffe de projet en rédige le "
                "compte rendu et lance votre accompagnement."
            ),
            PorteurStep.TEAM,
            team_offers=(schedule, report),
        )
    if status == Status.FIRST_MEETING_DONE:
        return PorteurStep(
            _(
                "Préparez les éléments convenus au premier rendez-vous (plan de financement, "
                "contreparties, textes) et déposez-les dans vos documents."
            ),
            PorteurStep.PORTEUR,
            f"{page}#documents",
            _("Déposer un document"),
        )
    if status in (Status.COACHING, Status.POSTPONED):
        return _labelling_step(project, facts, page)
    if status == Status.LABELLING_REQUESTED:
        agenda = reverse("labelling:index")
        if facts.committee_at is None:
            if facts.next_session_at is not None:
                text = _(
                    "Votre demande de labellisation est enregistrée : votre cheffe de projet "
                    "l'inscrit à l'ordre du jour d'une prochaine séance du comité (la prochaine "
                    "est prévue le %(day)s)."
                ) % {"day": _day(facts.next_session_at)}
            else:
                text = _(
                    "Votre demande de labellisation est enregistrée : votre cheffe de projet "
                    "l'inscrit à l'ordre du jour d'une prochaine séance du comité."
                )
            return PorteurStep(text, PorteurStep.TEAM, team_offers=(agenda,))
        return PorteurStep(
            _(
                "Votre demande est inscrite à la séance du comité du %(day)s : vous recevrez sa "
                "décision motivée par courriel."
            )
            % {"day": _day(facts.committee_at)},
            PorteurStep.TEAM,
            team_offers=(agenda,),
        )
    if status == Status.IN_COMMITTEE:
        if facts.committee_at is not None:
            text = _(
                "Le comité de labellisation examine votre projet (séance du %(day)s) : vous "
                "recevrez sa décision motivée par courriel."
            ) % {"day": _day(facts.committee_at)}
        else:
            text = _(
                "Le comité de labellisation examine votre projet : vous recevrez sa décision "
                "motivée par courriel."
            )
        return PorteurStep(text, PorteurStep.TEAM, team_offers=(reverse("labelling:index"),))
    if status == Status.LABELLED:
        return _labelled_step(project, facts)
    if status == Status.CAMPAIGN_RUNNING:
        return _running_step(facts, page, now)
    if status == Status.CAMPAIGN_ENDED:
        offers = ('id="resultat-final"', 'id="suivi-campagne"')
        if not facts.campaign_finished:
            text = _(
                "Votre campagne est terminée : votre cheffe de projet enregistre son "
                "résultat final."
            )
        elif not facts.follow_up_done:
            text = _(
                "Votre campagne est terminée et son résultat enregistré : votre cheffe de projet "
                "fait le point avec vous sur l'envoi des contreparties et la réalisation du projet."
            )
        else:
            text = _(
                "Le suivi de votre campagne est enregistré : votre cheffe de projet clôt le "
                "dossier."
            )
        return PorteurStep(text, PorteurStep.TEAM, team_offers=offers)
    if status == Status.NOT_LABELLED:
        return PorteurStep(
            _(
                "Lisez la motivation du comité et les autres voies possibles pour votre projet, "
                "et parlez-en avec votre cheffe de projet."
            ),
            PorteurStep.PORTEUR,
            f"{page}#decision-comite",
            _("Voir la décision et les autres voies"),
        )
    return PorteurStep(_("Rien de plus n'est attendu de vous."), PorteurStep.NOTHING)


def _labelling_step(project, facts: DossierFacts, page: str) -> PorteurStep:
    postponed = project.status == Status.POSTPONED
    report = reverse("coaching:first_meeting_report", args=[project.reference])
    missing = [item for item in facts.checklist or [] if not item.done]
    yours = [item for item in missing if item.by_porteur]
    if yours:
        return PorteurStep(
            _("Pour demander la labellisation, il reste à compléter : %(missing)s.")
            % {"missing": ", ".join(str(item.label) for item in missing)},
            PorteurStep.PORTEUR,
            yours[0].fix_url,
            str(yours[0].fix_label),
            team_offers=(report,),
        )
    if missing:
        return PorteurStep(
            _(
                "Votre cheffe de projet complète avec vous : %(missing)s ; vous pourrez ensuite "
                "demander la labellisation."
            )
            % {"missing": ", ".join(str(item.label) for item in missing)},
            PorteurStep.TEAM,
            team_offers=(report,),
        )
    if postponed:
        text = _(
            "Votre projet peut repasser devant le comité : complétez ce que sa motivation "
            "demande avec votre cheffe de projet, puis demandez à nouveau la labellisation."
        )
    else:
        text = _("Votre dossier est complet : demandez la labellisation.")
    return PorteurStep(
        text, PorteurStep.PORTEUR, f"{page}#labellisation", _("Demander la labellisation")
    )


def _labelled_step(project, facts: DossierFacts) -> PorteurStep:
    prepare = reverse("campaigns:campaign_edit", args=[project.reference])
    if facts.campaign_status == "preparing":
        if facts.campaign_starts_on:
            text = _(
                "Votre campagne est prête (début prévu le %(day)s) : votre cheffe de projet la "
                "lance avec vous."
            ) % {"day": _day(facts.campaign_starts_on)}
        else:
            text = _("Votre campagne est prête : votre cheffe de projet la lance avec vous.")
        return PorteurStep(text, PorteurStep.TEAM, team_offers=(prepare, "Lancer la campagne"))
    return PorteurStep(
        _(
            "Votre projet est labellisé : votre cheffe de projet prépare avec vous votre "
            "campagne (plateforme, objectif, dates)."
        ),
        PorteurStep.TEAM,
        team_offers=(prepare,),
    )


def _running_step(facts: DossierFacts, page: str, now: datetime) -> PorteurStep:
    if facts.campaign_status != "running":
        return PorteurStep(
            _("Votre cheffe de projet suit votre campagne avec vous."),
            PorteurStep.TEAM,
            team_offers=('id="resultat-final"',),
        )
    figures = f"{page}#nouveaux-chiffres"
    declare = _("Déclarer mes chiffres")
    today = timezone.localtime(now).date()
    if facts.campaign_ends_on and facts.campaign_ends_on < today:
        return PorteurStep(
            _(
                "Votre campagne s'est terminée le %(day)s : déclarez vos derniers chiffres ; "
                "votre cheffe de projet enregistre ensuite le résultat final."
            )
            % {"day": _day(facts.campaign_ends_on)},
            PorteurStep.PORTEUR,
            figures,
            declare,
            team_offers=('id="resultat-final"',),
        )
    if facts.figures_pending:
        text = _(
            "Vos derniers chiffres attendent la vérification de votre cheffe de projet ; "
            "continuez à les tenir à jour."
        )
    elif facts.campaign_ends_on:
        text = _(
            "Tenez vos chiffres à jour jusqu'à la fin de la campagne, le %(day)s : montant "
            "collecté et nombre de contributeurs."
        ) % {"day": _day(facts.campaign_ends_on)}
    else:
        text = _("Tenez vos chiffres à jour : montant collecté et nombre de contributeurs.")
    return PorteurStep(
        text, PorteurStep.PORTEUR, figures, declare, team_offers=('id="resultat-final"',)
    )
