"""The open-data file of labelled projects: its columns described once, as a Table Schema
(https://specs.frictionlessdata.io/table-schema/, the format schema.data.gouv.fr expects), and its
rows as typed values that the CSV and JSON views serialise each in their own way."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from projects.models import Category

from . import selectors
from .models import CampaignFinancing, CampaignStatus

SCHEMA_NAME = "propulsons-projets-labellises"
TYPE_LABELS = {
    "string": _("texte"),
    "integer": _("nombre entier"),
    "number": _("nombre décimal (point)"),
    "date": _("date AAAA-MM-JJ"),
}


@dataclass(frozen=True)
class Column:
    name: str
    title: str
    description: str
    type: str = "string"  # Table Schema types: string, integer, number, date
    format: str = "default"
    required: bool = False
    enum: list[str] = field(default_factory=list)
    example: Any = None

    @property
    def type_label(self) -> str:
        return TYPE_LABELS[self.type]

    def as_schema(self) -> dict[str, Any]:
        described = {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "type": self.type,
            "format": self.format,
        }
        constraints: dict[str, Any] = {"required": self.required}
        if self.enum:
            constraints["enum"] = self.enum
        if self.type in ("integer", "number"):
            constraints["minimum"] = 0
        described["constraints"] = constraints
        if self.example is not None:
            described["example"] = self.example
        return described


def _labels(choices) -> list[str]:
    return [str(label) for _, label in choices.choices]


COLUMNS = [
    Column(
        "reference",
        "Référence du dossier",
        "Identifiant du dossier chez Propulsons!",
        required=True,
        example="P-2026-0042",
    ),
    Column("titre", "Titre du projet", "Le titre public du projet.", required=True),
    Column(
        "structure",
        "Structure qui porte le projet",
        "Raison sociale ou nom de l'association.",
        required=True,
    ),
    Column(
        "commune",
        "Commune",
        "Commune du Pas-de-Calais où le projet est implanté.",
        required=True,
        example="Lens",
    ),
    Column(
        "code_insee",
        "Code INSEE de la commune",
        "Code officiel géographique à 5 caractères.",
        required=True,
        example="62498",
    ),
    Column(
        "categorie", "Catégorie", "Le domaine du projet.", required=True, enum=_labels(Category)
    ),
    Column(
        "numero_label",
        "Numéro de label Propulsons!",
        "Attribué par le comité de labellisation.",
        required=True,
        example="PROP-2026-007",
    ),
    Column(
        "date_label",
        "Date de labellisation",
        "Date de la décision du comité.",
        type="date",
        required=True,
    ),
    Column(
        "plateforme",
        "Plateforme de la dernière campagne",
        "Nom de la plateforme de financement participatif ; vide avant la première campagne.",
        example="Ulule",
    ),
    Column(
        "type_financement",
        "Type de financement de la campagne",
        "Don, don avec contreparties, prêt, capital ou royalties ; vide sans campagne.",
        enum=_labels(CampaignFinancing),
    ),
    Column(
        "statut_campagne",
        "Statut de la campagne",
        "Vide sans campagne.",
        enum=_labels(CampaignStatus),
    ),
    Column(
        "objectif_eur",
        "Objectif de collecte, en euros",
        "Montant visé par la campagne.",
        type="number",
        example=8000,
    ),
    Column(
        "collecte_eur",
        "Montant collecté, en euros",
        "Montant final, ou dernier relevé pendant la campagne.",
        type="number",
        example=8140.5,
    ),
    Column(
        "contributeurs",
        "Nombre de contributeurs",
        "Final, ou dernier relevé.",
        type="integer",
        example=120,
    ),
    Column(
        "emplois_crees",
        "Emplois créés",
        "Déclarés par le porteur à la fin de la campagne ou après ; vide s'ils ne sont pas connus.",
        type="integer",
        example=2,
    ),
    Column(
        "emplois_maintenus",
        "Emplois maintenus",
        "Déclarés par le porteur à la fin de la campagne ou après ; vide s'ils ne sont pas connus.",
        type="integer",
        example=5,
    ),
    Column("debut_campagne", "Début de la campagne", "Date de mise en ligne.", type="date"),
    Column(
        "fin_campagne", "Fin de la campagne", "Date de clôture prévue ou effective.", type="date"
    ),
    Column(
        "url_page",
        "Page du projet sur le site de Propulsons!",
        "Adresse de la page publique.",
        format="uri",
        required=True,
    ),
]


def table_schema() -> dict[str, Any]:
    return {
        "$schema": "https://specs.frictionlessdata.io/schemas/table-schema.json",
        "name": SCHEMA_NAME,
        "title": "Projets labellisés Propulsons! et résultats de leurs campagnes",
        "description": (
            "Les projets du Pas-de-Calais labellisés par Propulsons! dont les porteurs ont accepté "
            "la présentation publique, avec la dernière campagne de financement participatif de "
            "chacun. Aucune donnée personnelle. Fichier CSV : séparateur point-virgule, UTF-8, "
            "décimales avec un point, dates AAAA-MM-JJ ; une valeur vide est une valeur absente."
        ),
        "licenses": [
            {
                "name": "etalab-2.0",
                "title": "Licence Ouverte / Open Licence version 2.0",
                "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
            }
        ],
        "fields": [column.as_schema() for column in COLUMNS],
        "primaryKey": "reference",
        "missingValues": [""],
    }


CENT = Decimal("0.01")


def _amount(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(CENT)


# The fields a row is read from: plain values, no model instance per project.
ROW_FIELDS = (
    "reference",
    "title",
    "structure_name",
    "commune__name",
    "commune__insee_code",
    "category",
    "label_number",
    "labelled_on",
    "slug",
    "campaign_platform",
    "campaign_financing",
    "campaign_status",
    "campaign_goal",
    "campaign_collected",
    "campaign_backers",
    "campaign_jobs_created",
    "campaign_jobs_kept",
    "campaign_starts_on",
    "campaign_ends_on",
)
CHUNK_SIZE = 500


NAMES = tuple(column.name for column in COLUMNS)


def values(*, page_url_pattern: str, slot: str = "SLUG") -> Iterator[tuple]:
    """One tuple per public labelled project, its values in the order of COLUMNS (NAMES),
    typed (None when absent), read lazily in chunks of CHUNK_SIZE: the whole listing is never
    held in memory. `page_url_pattern` is the absolute address of a project's public page with
    `slot` in place of its slug (one reverse() for the whole listing, not one per row); the
    labels come from dicts built once per call (not get_FOO_display per row). Tuples rather
    than dicts: the listing is long, and a dict per row is a good part of its cost."""
    categories = {value: str(label) for value, label in Category.choices}
    statuses = {value: str(label) for value, label in CampaignStatus.choices}
    financings = {value: str(label) for value, label in CampaignFinancing.choices}
    before, _slot, after = page_url_pattern.partition(slot)
    listing = (
        selectors.public_projects()
        .order_by("labelled_on", "title")
        .values_list(*ROW_FIELDS)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for (
        reference,
        title,
        structure_name,
        commune,
        insee_code,
        category,
        label_number,
        labelled_on,
        slug,
        platform,
        financing,
        status,
        goal,
        collected,
        backers,
        jobs_created,
        jobs_kept,
        starts_on,
        ends_on,
    ) in listing:
        yield (
            reference,
            title,
            structure_name,
            commune,
            insee_code,
            categories.get(category, category),
            label_number,
            labelled_on,
            platform,
            financings.get(financing),
            statuses.get(status),
            _amount(goal),
            _amount(collected),
            backers,
            jobs_created,
            jobs_kept,
            starts_on,
            ends_on,
            before + slug + after,
        )


def rows(*, page_url_pattern: str, slot: str = "SLUG") -> Iterator[dict[str, Any]]:
    """The same rows as dicts keyed by column name."""
    for row in values(page_url_pattern=page_url_pattern, slot=slot):
        yield dict(zip(NAMES, row, strict=True))


def as_json_value(value):
    """Numbers as JSON numbers (not strings), dates as ISO text, labels as text, absent as null."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, int):
        return value
    return str(value)
