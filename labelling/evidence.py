"""What the dossier already says about each of the four criteria, shown beside the criterion
on the vote form: the facts a member judges it on, so that the vote does not start with a
search through the dossier."""

from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Organisation
from projects.models import Project

from .models import LabellingRequest

PAS_DE_CALAIS = "62"


def department_code(insee_code: str) -> str:
    """The department of a commune from its INSEE code: two characters ("62", "2A"), three
    overseas ("971")."""
    return insee_code[:3] if insee_code.startswith("97") else insee_code[:2]


@dataclass
class Viability:
    total_budget: Decimal
    crowdfunding_amount: Decimal
    crowdfunding_share: Decimal | None
    plan_reported: bool
    plan_lines: int
    plan_acquired: Decimal
    plan_total: Decimal | None
    plan_share: Decimal | None


@dataclass
class Solidarity:
    category: str
    summary: str


@dataclass
class Location:
    commune: str
    insee_code: str
    department_code: str

    @property
    def in_pas_de_calais(self) -> bool:
        return self.department_code == PAS_DE_CALAIS


@dataclass
class Partnership:
    partner: Organisation | None
    cheffe_opinion: str


def vote_evidence(request: LabellingRequest, coaching: dict) -> dict[str, object]:
    """The facts for each criterion, keyed by the criterion's code. `coaching` is what
    coaching.selectors.dossier_coaching gives the review page (the first meeting and its
    financing plan), read there once: this adds no query."""
    project: Project = request.project
    meeting = coaching.get("meeting")
    reported = bool(meeting is not None and meeting.is_reported)
    lines = (coaching.get("plan_lines") or []) if reported else []
    return {
        "viable": Viability(
            total_budget=project.total_budget,
            crowdfunding_amount=project.crowdfunding_amount,
            crowdfunding_share=project.crowdfunding_share,
            plan_reported=reported,
            plan_lines=len(lines),
            plan_acquired=sum((line.amount for line in lines if line.acquired), Decimal("0")),
            plan_total=coaching.get("plan_total") if lines else None,
            plan_share=coaching.get("plan_share") if lines else None,
        ),
        "solidaire": Solidarity(category=project.get_category_display(), summary=project.summary),
        "pas-de-calais": Location(
            commune=project.commune.name,
            insee_code=project.commune.insee_code,
            department_code=department_code(project.commune.insee_code),
        ),
        "partenaire": Partnership(partner=project.partner, cheffe_opinion=request.cheffe_opinion),
    }
