"""Demo dossiers: the seed's two real examples and a believable pipeline in every status.

Each dossier is submitted and moved through the real services, then its dates are set back in
time so that the history reads like a real one.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.text import slugify

from accounts.demo import CHEFFE_EMAIL, PORTEUR_EMAILS
from accounts.models import Organisation, User

from . import services
from .models import ACTIVE_STATUSES, MAIN_PATH, Commune, Project, Status, StatusChange

# The path of statuses leading to each status, from "prise de contact".
# The steps after "prise de contact" (the submission records that one).
_MAIN_PATH = list(MAIN_PATH[1:])
PATHS: dict[str, list[str]] = {
    Status.CONTACT: [],
    **{status: _MAIN_PATH[: i + 1] for i, status in enumerate(_MAIN_PATH)},
    Status.NOT_LABELLED: [*_MAIN_PATH[:4], Status.NOT_LABELLED],
    Status.POSTPONED: [*_MAIN_PATH[:4], Status.POSTPONED],
    Status.ABANDONED: [*_MAIN_PATH[:2], Status.ABANDONED],
    Status.REORIENTED: [Status.REORIENTED],
}


def _move(project: Project, to_status: str, actor: User) -> None:
    if to_status == Status.ABANDONED:
        services.project_abandon(
            project=project, actor=actor, reason="Le porteur a renoncé au projet."
        )
    elif to_status == Status.REORIENTED:
        services.project_reorient(
            project=project,
            actor=actor,
            reason="Orienté vers un prêt d'honneur : le financement participatif ne convient pas.",
        )
    elif to_status in services.COMMITTEE_OUTCOMES:
        services.project_record_committee_outcome(project=project, outcome=to_status, actor=actor)
    else:
        transition = {
            Status.FIRST_MEETING_DONE: services.project_record_first_meeting,
            Status.COACHING: services.project_start_coaching,
            Status.LABELLING_REQUESTED: services.project_request_labelling,
            Status.IN_COMMITTEE: services.project_put_before_committee,
            Status.CAMPAIGN_RUNNING: services.project_start_campaign,
            Status.CAMPAIGN_ENDED: services.project_end_campaign,
            Status.CLOSED: services.project_close,
        }[to_status]
        transition(project=project, actor=actor)


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def create_dossier(
    *,
    details: dict,
    status: str,
    contacted_on: date,
    step_days: int = 21,
    actor: User | None = None,
    path: list[str] | None = None,
) -> Project:
    """Submit a dossier, walk it to `status` (or along `path`), and spread its history from
    `contacted_on`, one step every `step_days`."""
    # A dossier submitted with a demo porteur's address belongs to that account at once, as if
    # they had submitted it logged in: their space shows real dossiers.
    owner = User.objects.filter(email=details["contact_email"]).first()
    project = services.project_submit(
        details=details, now=_at(contacted_on), notify=False, submitted_by=owner
    )
    for to_status in PATHS[status] if path is None else path:
        _move(project, to_status, actor)
    changes = list(project.status_changes.order_by("id"))
    for index, change in enumerate(changes):
        StatusChange.objects.filter(pk=change.pk).update(
            created_at=_at(contacted_on + timedelta(days=index * step_days))
        )
    Project.objects.filter(pk=project.pk).update(
        created_at=_at(contacted_on),
        status_changed_at=_at(contacted_on + timedelta(days=(len(changes) - 1) * step_days)),
    )
    project.refresh_from_db()
    return project


def _details(**values) -> dict:
    commune = Commune.objects.get(name=values.pop("commune"))
    partner_slug = values.pop("partner", None)
    partner = Organisation.objects.get(slug=partner_slug) if partner_slug else None
    return {
        "siret": "",
        "wished_campaign_start": None,
        "heard_from": "partner" if partner else "word_of_mouth",
        **values,
        "commune": commune,
        "partner": partner,
    }


def _seed_examples() -> list[tuple[str, dict, date, int]]:
    return [
        (
            Status.CLOSED,
            _details(
                contact_first_name="Julien",
                contact_last_name="Delattre",
                contact_email=PORTEUR_EMAILS["indelab"],
                contact_phone="+33321000001",
                structure_name="Indelab",
                legal_form="scic",
                title="Indelab : une imprimante 3D de haute précision pour l'atelier",
                summary=(
                    "Un atelier de fabrication numérique ouvert à tous à Bruay-la-Buissière, "
                    "qui veut acquérir une imprimante 3D de haute précision."
                ),
                description=(
                    "Indelab est un atelier de fabrication numérique situé à Bruay-la-Buissière "
                    "sous forme de SCIC, où des équipements innovants et des compétences sont mis "
                    "à disposition du public pour concevoir et réaliser des objets (porte-clés, "
                    "lustre, table basse, prototypes ou maquettes…)."
                ),
                category="digital",
                commune="Bruay-la-Buissière",
                total_budget=Decimal("12000"),
                crowdfunding_amount=Decimal("5000"),
                publish_agreed=True,
                financing_type="donation_rewards",
                partner="pas-de-calais-actif",
            ),
            # Its donation campaign ended in October 2017.
            date(2017, 1, 9),
            40,
        ),
        (
            Status.CLOSED,
            _details(
                contact_first_name="Sophie",
                contact_last_name="Vasseur",
                contact_email=PORTEUR_EMAILS["garage"],
                contact_phone="+33321000002",
                structure_name="Artois Insertion Mobilité Emploi",
                legal_form="association",
                title="Le Garage solidaire de l'Artois",
                summary=(
                    "Un garage solidaire à Béthune qui accompagne des salariés en insertion et "
                    "lève les freins de mobilité vers l'emploi."
                ),
                description=(
                    "Situé à Béthune, le garage solidaire de l'Artois est porté par l'association "
                    "Artois Insertion Mobilité Emploi. Il accompagne les salariés en insertion "
                    "vers l'emploi et facilite l'accès à l'emploi en trouvant des solutions aux "
                    "problèmes de mobilité. La collecte contribuera à l'acquisition de matériels "
                    "mécaniques pour équiper l'atelier."
                ),
                category="inclusion",
                commune="Béthune",
                total_budget=Decimal("8000"),
                crowdfunding_amount=Decimal("1200"),
                publish_agreed=True,
                financing_type="donation",
                partner="initiative-pas-de-calais",
            ),
            date(2016, 11, 14),
            30,
        ),
    ]


# A believable pipeline: one dossier in each status, in real communes of the Pas-de-Calais.
PIPELINE = [
    (Status.CONTACT, "Épicerie vrac Le Bocal", "Arras", "food", "local_shop", None),
    (
        Status.FIRST_MEETING_DONE,
        "Ressourcerie des Deux Caps",
        "Marquise",
        "circular_economy",
        "association",
        "cigales",
    ),
    (
        Status.COACHING,
        "Boulangerie paysanne du Ternois",
        "Saint-Pol-sur-Ternoise",
        "food",
        "sole_trader",
        "initiative-pas-de-calais",
    ),
    (
        Status.LABELLING_REQUESTED,
        "Vélos-cargos partagés de Lens",
        "Lens",
        "mobility",
        "scic",
        "pas-de-calais-actif",
    ),
    (
        Status.IN_COMMITTEE,
        "Tiers-lieu culturel La Fabrique",
        "Hénin-Beaumont",
        "culture",
        "association",
        "caisse-solidaire",
    ),
    (
        Status.LABELLED,
        "Brasserie coopérative de l'Audomarois",
        "Saint-Omer",
        "food",
        "scop",
        "autonomie-et-solidarite",
    ),
    (
        Status.NOT_LABELLED,
        "Boutique de créateurs en ligne",
        "Calais",
        "local_shop",
        "company",
        None,
    ),
    (
        Status.POSTPONED,
        "Maraîchage bio en insertion",
        "Liévin",
        "inclusion",
        "association",
        "pas-de-calais-actif",
    ),
    (
        Status.CAMPAIGN_RUNNING,
        "Café-librairie Les Mots Dits",
        "Boulogne-sur-Mer",
        "culture",
        "company",
        "cigales",
    ),
    (
        Status.CAMPAIGN_ENDED,
        "Panneaux solaires citoyens de l'Artois",
        "Bruay-la-Buissière",
        "environment",
        "scic",
        "caisse-solidaire",
    ),
    (
        Status.ABANDONED,
        "Food-truck de produits locaux",
        "Montreuil-sur-Mer",
        "food",
        "sole_trader",
        None,
    ),
    (Status.REORIENTED, "Reprise d'une quincaillerie", "Berck", "local_shop", "company", None),
]


# The pipeline's dossiers that belong to the demo porteur accounts (accounts/demo.py), beside
# their seed examples (both "clos"): a newcomer who logs in as one sees a real space. Camille
# has just submitted a second project (first meeting booked by coaching/demo.py) while being
# coached for her bakery; Julien's second project is labelled and its campaign running
# (campaigns/demo.py's live one); Sophie's association was adjourned by the committee.
DEMO_PORTEUR_DOSSIERS = {
    Status.CONTACT: "boulangerie",
    Status.COACHING: "boulangerie",
    Status.CAMPAIGN_RUNNING: "indelab",
    Status.POSTPONED: "garage",
}
DEMO_PORTEUR_NAMES = {
    "indelab": ("Julien", "Delattre"),
    "garage": ("Sophie", "Vasseur"),
    "boulangerie": ("Camille", "Lefebvre"),
}

# Plausible porteurs for the pipeline, in the same order.
PORTEUR_NAMES = [
    ("Amandine", "Lefort"),
    ("Karim", "Benali"),
    ("Camille", "Lefebvre"),
    ("Thomas", "Dufour"),
    ("Léa", "Carpentier"),
    ("Nicolas", "Wattez"),
    ("Inès", "Marchand"),
    ("Pauline", "Delcourt"),
    ("Hugo", "Lemaire"),
    ("Chloé", "Duhamel"),
    ("Mehdi", "Bouchard"),
    ("Élodie", "Caron"),
]


# --- The history since the launch ------------------------------------------------------------
# Dossiers that give the seed's figures: from October 2016 to September 2017, 52 contacts,
# 42 first meetings, 10 labelling requests (the two seed examples included); and 21 campaigns
# since November 2015 (see campaigns/demo.py for their results).
ACTIVITIES = [
    ("Épicerie solidaire", "food", "association"),
    ("Recyclerie", "circular_economy", "association"),
    ("Jardin partagé", "environment", "association"),
    ("Atelier vélo", "mobility", "association"),
    ("Café associatif", "culture", "association"),
    ("Ferme pédagogique", "food", "company"),
    ("Librairie indépendante", "local_shop", "company"),
    ("Microbrasserie", "food", "scop"),
    ("Fablab", "digital", "scic"),
    ("Tiers-lieu", "culture", "scic"),
    ("Chantier d'insertion", "inclusion", "association"),
    ("Boutique de réemploi", "circular_economy", "association"),
    ("Conserverie locale", "food", "scop"),
    ("Compagnie de théâtre", "culture", "association"),
    ("Garage solidaire", "inclusion", "association"),
    ("Centrale solaire citoyenne", "environment", "scic"),
    ("Boulangerie bio", "food", "sole_trader"),
    ("Mercerie de quartier", "local_shop", "sole_trader"),
]
# Communes of the historical dossiers, with their approximate centre, so that the demo map
# needs no network (the geocoding task fills in the others).
DEMO_LOCATIONS = {
    "Arras": ("50.29100", "2.77750"),
    "Lens": ("50.43220", "2.83330"),
    "Béthune": ("50.53030", "2.64080"),
    "Calais": ("50.95130", "1.85870"),
    "Boulogne-sur-Mer": ("50.72640", "1.61470"),
    "Saint-Omer": ("50.75000", "2.25220"),
    "Liévin": ("50.42280", "2.77860"),
    "Hénin-Beaumont": ("50.42140", "2.95080"),
    "Bruay-la-Buissière": ("50.48330", "2.55000"),
    "Montreuil-sur-Mer": ("50.46390", "1.76360"),
    "Berck": ("50.40810", "1.59250"),
    "Saint-Pol-sur-Ternoise": ("50.38110", "2.33470"),
    "Marquise": ("50.81250", "1.70310"),
    "Carvin": ("50.49390", "2.95810"),
    "Bapaume": ("50.10360", "2.85000"),
    "Étaples": ("50.51330", "1.63970"),
    "Aire-sur-la-Lys": ("50.63860", "2.39670"),
    "Hesdigneul-lès-Boulogne": ("50.65610", "1.67780"),
    "Avion": ("50.41000", "2.83330"),
    "Auchel": ("50.50830", "2.47360"),
    "Lillers": ("50.56110", "2.48390"),
    "Arques": ("50.73470", "2.30330"),
}
_FIRST_NAMES = [
    "Marie",
    "Nicolas",
    "Julie",
    "Sébastien",
    "Aurélie",
    "Mathieu",
    "Céline",
    "Antoine",
    "Émilie",
    "Kevin",
    "Laure",
    "Yacine",
    "Sarah",
    "Romain",
    "Nadia",
    "Fabrice",
]
_LAST_NAMES = [
    "Dupont",
    "Lefebvre",
    "Lemaire",
    "Dubois",
    "Caron",
    "Delattre",
    "Hautecoeur",
    "Vandenberghe",
    "Bouchart",
    "Leroy",
    "Debruyne",
    "Wacquet",
    "Ramdani",
    "Fournier",
]


def _historical_dossier(index: int, contacted_on: date, step_days: int, path: list, actor):
    activity, category, legal_form = ACTIVITIES[index % len(ACTIVITIES)]
    commune = list(DEMO_LOCATIONS)[index % len(DEMO_LOCATIONS)]
    article = "d'" if commune[0] in "AEÉIOUH" else "de "
    title = f"{activity} {article}{commune}"
    first = _FIRST_NAMES[index % len(_FIRST_NAMES)]
    last = _LAST_NAMES[(index * 7) % len(_LAST_NAMES)]
    partners = [
        "initiative-pas-de-calais",
        "pas-de-calais-actif",
        "cigales",
        "caisse-solidaire",
        "autonomie-et-solidarite",
    ]
    return create_dossier(
        details=_details(
            contact_first_name=first,
            contact_last_name=last,
            contact_email=f"{slugify(first)}.{slugify(last)}.{index}@demo.propulsons.org",
            contact_phone=f"+3332150{index:04d}",
            structure_name=f"{activity} {article}{commune}",
            legal_form=legal_form,
            title=title,
            summary=f"{activity} à {commune}, un projet solidaire et de proximité.",
            description=(
                f"Un projet de {activity.lower()} porté à {commune}, qui associe les habitants "
                "à son financement et crée de l'activité locale."
            ),
            category=category,
            commune=commune,
            total_budget=Decimal(15000 + 1000 * (index % 20)),
            crowdfunding_amount=Decimal(2000 + 250 * (index % 16)),
            financing_type="donation_rewards",
            partner=partners[index % len(partners)],
            publish_agreed=True,
        ),
        status=path[-1],
        path=path,
        contacted_on=contacted_on,
        step_days=step_days,
        actor=actor,
    )


def _load_history(cheffe: User) -> None:
    # October 2016 - September 2017, besides the two seed examples: 50 contacts.
    window_start = date(2016, 10, 3)
    for index in range(10):  # no first meeting: reoriented at once
        _historical_dossier(
            index, window_start + timedelta(days=30 * index), 10, [Status.REORIENTED], cheffe
        )
    for index in range(10, 42):  # a first meeting, some coaching, then abandoned
        _historical_dossier(
            index,
            window_start + timedelta(days=9 * (index - 10)),
            6,
            [Status.FIRST_MEETING_DONE, Status.COACHING, Status.ABANDONED],
            cheffe,
        )
    for index in range(42, 49):  # labelled, their campaign run and closed
        _historical_dossier(
            index, window_start + timedelta(days=21 * (index - 42)), 20, _MAIN_PATH, cheffe
        )
    _historical_dossier(49, date(2016, 12, 5), 20, [*_MAIN_PATH[:4], Status.NOT_LABELLED], cheffe)
    # Before the window (from the launch in November 2015) and after it: 10 more campaigns.
    for offset, contacted_on in enumerate(
        [date(2015, 11, 16), date(2016, 1, 11), date(2016, 3, 7), date(2016, 4, 18)]
    ):
        _historical_dossier(50 + offset, contacted_on, 20, _MAIN_PATH, cheffe)
    for offset, contacted_on in enumerate(
        [
            date(2018, 2, 5),
            date(2019, 3, 4),
            date(2020, 9, 7),
            date(2022, 1, 10),
            date(2023, 5, 15),
            date(2025, 2, 3),
        ]
    ):
        _historical_dossier(54 + offset, contacted_on, 30, _MAIN_PATH, cheffe)


def _place_demo_communes() -> None:
    for name, (latitude, longitude) in DEMO_LOCATIONS.items():
        Commune.objects.filter(name=name, latitude__isnull=True).update(
            latitude=Decimal(latitude), longitude=Decimal(longitude)
        )


def load() -> None:
    if Project.objects.exists():
        return  # idempotent: the demo history is loaded once
    cheffe = User.objects.get(email=CHEFFE_EMAIL)
    _place_demo_communes()
    _load_history(cheffe)
    for status, details, contacted_on, step_days in _seed_examples():
        create_dossier(
            details=details,
            status=status,
            contacted_on=contacted_on,
            step_days=step_days,
            actor=cheffe,
        )
    today = timezone.localdate()
    for index, (status, title, commune, category, legal_form, partner) in enumerate(PIPELINE):
        depth = len(PATHS[status])
        first_name, last_name = PORTEUR_NAMES[index]
        email = f"{slugify(first_name)}.{slugify(last_name)}@demo.propulsons.org"
        if status in DEMO_PORTEUR_DOSSIERS:
            email = PORTEUR_EMAILS[DEMO_PORTEUR_DOSSIERS[status]]
            first_name, last_name = DEMO_PORTEUR_NAMES[DEMO_PORTEUR_DOSSIERS[status]]
        create_dossier(
            details=_details(
                contact_first_name=first_name,
                contact_last_name=last_name,
                contact_email=email,
                contact_phone=f"+333210001{index:02d}",
                structure_name=title,
                legal_form=legal_form,
                title=title,
                summary=f"{title}, un projet de proximité à {commune}.",
                description=(
                    f"{title} est un projet solidaire et de proximité implanté à {commune}, "
                    "qui veut associer les habitants à son financement."
                ),
                category=category,
                commune=commune,
                total_budget=Decimal(20000 + 5000 * index),
                crowdfunding_amount=Decimal(3000 + 500 * index),
                financing_type="donation_rewards",
                partner=partner,
                publish_agreed=status != Status.NOT_LABELLED,
            ),
            status=status,
            contacted_on=today - timedelta(days=14 * (depth + 1)),
            step_days=14,
            actor=cheffe,
        )
    load_messages(cheffe)


# A few messages on the demo porteurs' dossiers: a question answered, a meeting request
# (press) waiting for the cheffe, so that the thread and the dashboard show something.
DEMO_MESSAGES = [
    (
        "porteur",
        "message",
        2,
        "Bonjour, pourriez-vous relire le texte de présentation avant vendredi ? "
        "Je l'ai déposé dans les documents.",
    ),
    ("team", "message", 1, "Bonjour, c'est relu : mes remarques sont dans le document. Bravo !"),
    (
        "porteur",
        "press",
        0,
        "La Voix du Nord souhaite parler du projet : pouvez-vous m'aider à préparer l'entretien ?",
    ),
]


def load_messages(cheffe: User) -> None:
    """Written directly (no email to anyone), dated over the last days."""
    from .models import DossierMessage

    accounts = {user.email: user for user in User.objects.filter(email__in=PORTEUR_EMAILS.values())}
    dossiers = Project.objects.filter(
        contact_email__in=accounts, status__in=ACTIVE_STATUSES
    ).order_by("pk")[:3]
    now = timezone.now()
    for project in dossiers:
        porteur = accounts[project.contact_email]
        for sender, kind, days_ago, body in DEMO_MESSAGES:
            message = DossierMessage.objects.create(
                project=project,
                sender=sender,
                kind=kind,
                author=porteur if sender == "porteur" else (project.coach or cheffe),
                body=body,
                read_at=now if days_ago else None,
            )
            DossierMessage.objects.filter(pk=message.pk).update(
                created_at=now - timedelta(days=days_ago, hours=3)
            )
