"""Demo campaigns that reproduce the seed's figures: since November 2015, 21 campaigns
launched, 1 413 citizen contributors, 81 125 € collected; Indelab (5 015 € on a 5 000 € goal,
90 citizens, ended October 2017) and the Garage solidaire de l'Artois (1 245 €, 44 citizens).

Each dossier that reached "campagne en cours" gets its campaign, dated by its status history.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from projects.models import Project, Status

from . import services
from .models import (
    Campaign,
    CampaignStatus,
    CollectionModel,
    FigureSnapshot,
    FigureSource,
    Platform,
)

SUCCEEDED, FAILED, CANCELLED = (
    CampaignStatus.SUCCEEDED,
    CampaignStatus.FAILED,
    CampaignStatus.CANCELLED,
)
AON, KIA = CollectionModel.ALL_OR_NOTHING, CollectionModel.KEEP_IT_ALL

# title -> (platform, goal, final amount, contributors, status, collection model, financing)
NAMED = {
    "Indelab : une imprimante 3D de haute précision pour l'atelier": (
        "ulule",
        5000,
        5015,
        90,
        SUCCEEDED,
        AON,
        "donation_rewards",
    ),
    "Le Garage solidaire de l'Artois": ("helloasso", 1200, 1245, 44, SUCCEEDED, KIA, "donation"),
    "Panneaux solaires citoyens de l'Artois": (
        "lendosphere",
        9500,
        9800,
        142,
        SUCCEEDED,
        AON,
        "loan",
    ),
}
# The live campaign: its latest declared figures count.
LIVE = "Café-librairie Les Mots Dits"
LIVE_SNAPSHOTS = [(1150, 24), (2380, 45), (3240, 61)]
# The other 17 campaigns, oldest first. The failed all-or-nothing one collected nothing.
OTHERS = [
    ("ulule", 4000, 4200, 75, SUCCEEDED, AON),
    ("kisskissbankbank", 3000, 3150, 52, SUCCEEDED, AON),
    ("miimosa", 6500, 6800, 98, SUCCEEDED, AON),
    ("helloasso", 2500, 2500, 41, SUCCEEDED, KIA),
    ("ulule", 5000, 5400, 88, SUCCEEDED, AON),
    ("kisskissbankbank", 4000, 3900, 63, SUCCEEDED, KIA),
    ("zeste", 7000, 7200, 121, SUCCEEDED, AON),
    ("ulule", 3500, 2100, 38, FAILED, AON),
    ("helloasso", 3000, 2950, 47, SUCCEEDED, KIA),
    ("wedogood", 4500, 4600, 70, SUCCEEDED, AON),
    ("helloasso", 2000, 1850, 33, SUCCEEDED, KIA),
    ("miimosa", 5000, 5100, 84, SUCCEEDED, AON),
    ("ulule", 3000, 3300, 55, SUCCEEDED, AON),
    ("kisskissbankbank", 2500, 2750, 46, SUCCEEDED, AON),
    ("ulule", 3500, 3600, 60, SUCCEEDED, AON),
    ("helloasso", 3000, 1225, 22, CANCELLED, KIA),
    ("zeste", 3000, 3300, 121, SUCCEEDED, AON),
]


def _reached(project: Project, status: str):
    change = project.status_changes.filter(to_status=status).order_by("-created_at").first()
    return timezone.localdate(change.created_at) if change else None


def _noon(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def _follow(campaign: Campaign) -> None:
    services.campaign_refresh_declared(campaign=campaign)
    Project.objects.filter(pk=campaign.project_id).update(current_campaign=campaign)


def load() -> None:
    _load_campaigns()
    load_presentations()


def _load_campaigns() -> None:
    if Campaign.objects.exists():
        return  # idempotent
    platforms = {platform.slug: platform for platform in Platform.objects.all()}
    launched = (
        Project.objects.filter(status_changes__to_status=Status.CAMPAIGN_RUNNING)
        .distinct()
        .order_by("created_at")
    )
    others = iter(OTHERS)
    for project in launched:
        started = _reached(project, Status.CAMPAIGN_RUNNING)
        ended = _reached(project, Status.CAMPAIGN_ENDED)
        if project.title == LIVE:
            campaign = Campaign.objects.create(
                project=project,
                platform=platforms["kisskissbankbank"],
                url="https://www.kisskissbankbank.com/fr/projects/cafe-librairie-les-mots-dits",
                financing_type="donation_rewards",
                collection_model=AON,
                goal=Decimal("6000"),
                starts_on=started,
                ends_on=timezone.localdate() + timedelta(days=5),
                status=CampaignStatus.RUNNING,
                launched_on=started,
            )
            for days_ago, (amount, contributors) in zip((20, 10, 1), LIVE_SNAPSHOTS, strict=True):
                FigureSnapshot.objects.create(
                    campaign=campaign,
                    taken_at=timezone.now() - timedelta(days=days_ago),
                    amount=Decimal(amount),
                    contributors=contributors,
                    source=FigureSource.PLATFORM,
                )
            _follow(campaign)
            continue
        if project.title in NAMED:
            platform, goal, amount, contributors, status, model, financing = NAMED[project.title]
        else:
            platform, goal, amount, contributors, status, model = next(others)
            financing = "donation_rewards"
        campaign = Campaign.objects.create(
            project=project,
            platform=platforms[platform],
            url=f"https://www.{platform}.com/fr/{project.slug}" if platform != "autre" else "",
            financing_type=financing,
            collection_model=model,
            goal=Decimal(goal),
            starts_on=started,
            ends_on=ended,
            status=status,
            launched_on=started,
            finished_on=ended,
            final_amount=Decimal(amount),
            final_contributors=contributors,
            rewards_delivered="yes" if status == SUCCEEDED else "",
            project_carried_out=True if status == SUCCEEDED else None,
            # Jobs as porteurs would report them: a few created or kept by the projects that
            # were carried out (the seed's projects are "créateurs d'emplois").
            jobs_created=_demo_jobs(project.title, 3) if status == SUCCEEDED else None,
            jobs_kept=_demo_jobs(project.title, 5) if status == SUCCEEDED else None,
        )
        # The figures as they were declared along the way.
        for share in (Decimal("0.4"), Decimal("0.8")):
            FigureSnapshot.objects.create(
                campaign=campaign,
                taken_at=_noon(started + (ended - started) * float(share)),
                amount=(Decimal(amount) * share).quantize(Decimal("1")),
                contributors=int(contributors * share),
                source=FigureSource.PLATFORM,
            )
        _follow(campaign)


def _demo_jobs(title: str, most: int) -> int:
    """The same small number for a project on every load (no randomness in the demo)."""
    return sum(map(ord, title)) % (most + 1)


# --- The public pages' presentation: covers drawn here (no binary file in the repository),
# news as porteurs would tell them, a video on the live campaign.

COVERS = {
    "Indelab : une imprimante 3D de haute précision pour l'atelier": (
        (32, 96, 160),
        "Une imprimante 3D dans l'atelier de fabrication numérique Indelab",
    ),
    "Le Garage solidaire de l'Artois": (
        (180, 70, 40),
        "L'atelier mécanique du Garage solidaire de l'Artois",
    ),
    LIVE: ((120, 60, 130), "La devanture du café-librairie Les Mots Dits"),
}
DEMO_VIDEO = "https://www.youtube.com/watch?v=aqz-KE-bpKQ"
NEWS = {
    "Indelab : une imprimante 3D de haute précision pour l'atelier": [
        (
            30,
            "L'imprimante 3D est arrivée à l'atelier : les premiers prototypes des adhérents "
            "sortent cette semaine. Merci aux 90 contributeurs !",
        ),
        (
            75,
            "Premier atelier d'initiation ouvert à tous samedi prochain, sur inscription.",
        ),
    ],
    "Le Garage solidaire de l'Artois": [
        (60, "Le pont élévateur est installé : deux salariés en insertion s'y forment déjà."),
    ],
    LIVE: [(3, "Plus que quelques jours : merci pour vos partages, ils comptent !")],
}


def cover_image(title: str, colour: tuple[int, int, int], width: int = 1600) -> bytes:
    """A plain picture for the demo: a coloured field, a lighter band and the title's initials."""
    from io import BytesIO

    from PIL import Image, ImageDraw, ImageFont

    height = width * 9 // 16
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    light = tuple(min(255, channel + 60) for channel in colour)
    draw.ellipse((width * 0.55, -height * 0.3, width * 1.3, height * 1.1), fill=light, outline=None)
    # The name before a colon when short ("Indelab"), else its initials ("GSA").
    name = title.split(":")[0].strip()
    words = [word for word in name.replace("'", " ").split() if len(word) > 3]
    initials = name if len(name) <= 10 else "".join(word[0].upper() for word in words)[:4]
    size = height // 3 if len(initials) <= 4 else height // 5
    try:
        font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", size)
    except OSError:
        font = ImageFont.load_default(size=size)
    draw.text((width * 0.08, height * 0.3), initials, fill=(255, 255, 255), font=font)
    output = BytesIO()
    image.save(output, "PNG", optimize=True)
    return output.getvalue()


def load_presentations() -> None:
    """Covers for a few published projects, news, and a video on the live campaign."""
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile

    from .models import Presentation

    if Presentation.objects.exists():
        return  # idempotent
    team = get_user_model().objects.filter(is_superuser=True).first()
    projects = {project.title: project for project in Project.objects.filter(title__in=COVERS)}
    for title, (colour, alt) in COVERS.items():
        project = projects.get(title)
        if project is None:
            continue
        services.presentation_update(
            project=project,
            actor=project.owner or team,
            cover=ContentFile(cover_image(title, colour), name="couverture.png"),
            cover_alt=alt,
            video_url=DEMO_VIDEO if title == LIVE else "",
        )
    # After an ended campaign, its news follow its end; a live one's are recent.
    for project in Project.objects.filter(title__in=NEWS).select_related("current_campaign"):
        ended = project.current_campaign.finished_on if project.current_campaign else None
        for days, text in NEWS[project.title]:
            services.news_add(
                project=project,
                actor=project.owner or team,
                published_on=ended + timedelta(days=days)
                if ended
                else timezone.localdate() - timedelta(days=days),
                text=text,
            )
