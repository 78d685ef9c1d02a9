"""A project's public page: cover, video, rewards, news, share links and the tags a shared link
previews with; who may change them; the home page's campaigns and key dates."""

import io
import re
from datetime import date, timedelta
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from campaigns import covers, selectors, services, videos
from campaigns.models import Presentation, ProjectNews
from campaigns.permissions import can_edit_presentation
from coaching.models import RewardTier
from projects.models import Project
from projects.uploads import UploadRejected
from tests.campaigns.factories import CampaignFactory, LabelledProjectFactory, SnapshotFactory
from tests.coaching.factories import FirstMeetingFactory
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def image_bytes(width=2000, height=1125, fmt="PNG", colour=(40, 90, 160)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(output, fmt)
    return output.getvalue()


def upload(data: bytes | None = None, name="couverture.png"):
    return SimpleUploadedFile(name, data or image_bytes(), content_type="image/png")


@pytest.fixture
def published(porteur):
    campaign = CampaignFactory(
        project__owner=porteur,
        project__title="Atelier vélo de Lens",
        project__summary="Un atelier pour réparer son vélo soi-même, à Lens.",
        project__structure_name="Vélo Lens",
        project__legal_form="company",
        ends_on=timezone.localdate() + timedelta(days=12),
        starts_on=date(2026, 11, 1),
    )
    SnapshotFactory(campaign=campaign, amount=Decimal("2500"), contributors=40)
    return campaign.project


def meta(page: str, key: str) -> str | None:
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', page)
    return unescape(match.group(1)) if match else None


# --- Cover upload: checked, resized, stored apart -------------------------------------------


def test_a_cover_is_resized_into_webp_variants_of_the_configured_widths(published, porteur):
    presentation = services.presentation_update(
        project=published, actor=porteur, cover=upload(), cover_alt="Un vélo", video_url=""
    )
    presentation.refresh_from_db()
    assert presentation.cover_widths == [480, 960, 1600]
    assert presentation.cover_alt == "Un vélo"
    for width in (480, 960, 1600):
        path = covers.variant_path(presentation.cover_stem, width)
        with Image.open(path) as image:
            assert image.format == "WEBP"
            assert image.width == width
            assert image.height == round(1125 * width / 2000)


def test_covers_live_in_the_public_folder_never_with_the_private_documents(
    published, porteur, settings
):
    presentation = services.presentation_update(
        project=published, actor=porteur, cover=upload(), cover_alt="Un vélo", video_url=""
    )
    path = covers.variant_path(presentation.cover_stem, 480)
    assert Path(settings.PUBLIC_MEDIA_ROOT) in path.parents
    assert Path(settings.PRIVATE_MEDIA_ROOT) not in path.parents


def test_a_small_image_is_not_enlarged(published, porteur):
    presentation = services.presentation_update(
        project=published,
        actor=porteur,
        cover=upload(image_bytes(700, 400)),
        cover_alt="Petit",
        video_url="",
    )
    assert presentation.cover_widths == [480]
    presentation = services.presentation_update(
        project=published,
        actor=porteur,
        cover=upload(image_bytes(300, 200)),
        cover_alt="Minuscule",
        video_url="",
    )
    assert presentation.cover_widths == [300]


def test_a_new_cover_replaces_the_old_files_once_committed(
    published, porteur, django_capture_on_commit_callbacks
):
    first = services.presentation_update(
        project=published, actor=porteur, cover=upload(), cover_alt="Un", video_url=""
    )
    old_stem = first.cover_stem
    with django_capture_on_commit_callbacks(execute=True):
        second = services.presentation_update(
            project=published, actor=porteur, cover=upload(), cover_alt="Deux", video_url=""
        )
    assert second.cover_stem != old_stem
    assert not covers.variant_path(old_stem, 480).exists()
    assert not (covers.root() / covers.social_name(old_stem)).exists()
    assert covers.variant_path(second.cover_stem, 480).exists()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"%PDF-1.4 not an image", "couverture.png"),
        (b"MZ\x90\x00 an executable", "photo.jpg"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "abime.png"),  # a PNG signature, no image
    ],
)
def test_what_is_not_an_image_is_refused(published, porteur, data, name):
    with pytest.raises(UploadRejected):
        services.presentation_update(
            project=published,
            actor=porteur,
            cover=SimpleUploadedFile(name, data),
            cover_alt="Texte",
            video_url="",
        )
    assert not Presentation.objects.filter(project=published).exclude(cover_stem="").exists()


def test_an_image_over_the_size_limit_is_refused(published, porteur, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    with pytest.raises(UploadRejected, match="taille maximale"):
        covers.check_image(upload())


def test_an_image_of_too_many_pixels_is_refused_before_decoding(published, porteur, settings):
    settings.COVER_MAX_PIXELS = 1000
    with pytest.raises(UploadRejected, match="trop grande"):
        services.presentation_update(
            project=published, actor=porteur, cover=upload(), cover_alt="x", video_url=""
        )


# --- The form page: alt text required, errors next to the field ----------------------------


def test_the_porteur_uploads_a_cover_with_its_description_from_the_dossier(
    client, published, porteur
):
    client.force_login(porteur)
    url = f"/espace/dossiers/{published.reference}/presentation/"
    response = client.post(
        url,
        {
            "form": "presentation",
            "cover": upload(),
            "cover_alt": "Des vélos réparés",
            "video_url": "https://youtu.be/aqz-KE-bpKQ",
        },
    )
    assert response.status_code == 302
    presentation = Presentation.objects.get(project=published)
    assert presentation.has_cover and presentation.cover_alt == "Des vélos réparés"
    assert presentation.video_url == "https://youtu.be/aqz-KE-bpKQ"


def test_a_cover_without_a_description_is_refused_with_the_error_next_to_the_field(
    client, published, porteur
):
    client.force_login(porteur)
    url = f"/espace/dossiers/{published.reference}/presentation/"
    response = client.post(url, {"form": "presentation", "cover": upload(), "cover_alt": " "})
    assert response.status_code == 200
    assert "Décrivez l'image en quelques mots" in unescape(response.content.decode())
    assert "cover_alt" in response.context["form"].errors
    assert not Presentation.objects.filter(project=published).exists()


def test_a_non_image_is_refused_by_the_form(client, published, porteur):
    client.force_login(porteur)
    url = f"/espace/dossiers/{published.reference}/presentation/"
    response = client.post(
        url,
        {
            "form": "presentation",
            "cover": SimpleUploadedFile("image.png", b"%PDF-1.4 faux"),
            "cover_alt": "x",
        },
    )
    assert response.status_code == 200
    assert "cover" in response.context["form"].errors
    assert not Presentation.objects.filter(project=published).exists()


@pytest.mark.parametrize(
    ("url", "embed"),
    [
        ("https://www.youtube.com/watch?v=aqz-KE-bpKQ", "https://www.youtube-nocookie.com/embed/"),
        ("https://youtu.be/aqz-KE-bpKQ", "https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ"),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871"),
        ("https://framatube.org/w/9c9de5e8-0a1e-484a-b099", "https://framatube.org/videos/embed/"),
    ],
)
def test_videos_from_youtube_vimeo_and_peertube_are_embedded_through_their_players(url, embed):
    assert videos.parse(url).embed_url.startswith(embed)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/video.mp4",
        "http://www.youtube.com/watch?v=aqz-KE-bpKQ",
        "https://www.youtube.com/watch?v=<script>",
        "https://evil.example/w/9c9de5e8-0a1e-484a-b099",
    ],
)
def test_other_video_addresses_are_refused(client, published, porteur, url):
    assert videos.parse(url) is None
    client.force_login(porteur)
    response = client.post(
        f"/espace/dossiers/{published.reference}/presentation/",
        {"form": "presentation", "video_url": url},
    )
    assert "video_url" in response.context["form"].errors


# --- Permissions ----------------------------------------------------------------------------


def test_only_the_porteur_and_the_team_may_change_the_presentation(
    client, published, porteur, other_porteur, cheffe, committee_member
):
    assert can_edit_presentation(porteur, published)
    assert can_edit_presentation(cheffe, published)
    assert not can_edit_presentation(other_porteur, published)
    assert not can_edit_presentation(committee_member, published)
    for intruder in (other_porteur, committee_member):
        client.force_login(intruder)
        for url in (
            f"/espace/dossiers/{published.reference}/presentation/",
            f"/accompagnement/dossiers/{published.reference}/presentation/",
        ):
            response = client.post(
                url,
                {"form": "news", "published_on": "2026-11-20", "text": "Piratage"},
            )
            assert response.status_code == 404
            response = client.post(
                url,
                {"form": "presentation", "cover": upload(), "cover_alt": "x"},
            )
            assert response.status_code == 404
    assert not ProjectNews.objects.exists() and not Presentation.objects.exists()
    client.logout()
    response = client.get(f"/espace/dossiers/{published.reference}/presentation/")
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]


def test_the_team_writes_news_from_the_dossier_and_the_porteur_deletes_one(
    client, published, porteur, cheffe
):
    client.force_login(cheffe)
    team_page = client.get(f"/accompagnement/dossiers/{published.reference}/")
    assert f"/accompagnement/dossiers/{published.reference}/presentation/" in (
        team_page.content.decode()
    )
    response = client.post(
        f"/accompagnement/dossiers/{published.reference}/presentation/",
        {"form": "news", "published_on": "2026-11-20", "text": "La campagne est lancée !"},
    )
    assert response.status_code == 302
    news = ProjectNews.objects.get(project=published)
    assert (news.author, news.published_on) == (cheffe, date(2026, 11, 20))
    client.force_login(porteur)
    response = client.post(f"/espace/dossiers/{published.reference}/nouvelles/{news.pk}/supprimer/")
    assert response.status_code == 302
    assert not ProjectNews.objects.exists()


def test_news_in_the_future_is_refused(client, published, porteur):
    client.force_login(porteur)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        f"/espace/dossiers/{published.reference}/presentation/",
        {"form": "news", "published_on": tomorrow.isoformat(), "text": "Bientôt"},
    )
    assert "published_on" in response.context["news_form"].errors
    assert not ProjectNews.objects.exists()


def test_the_porteur_dossier_page_links_to_the_presentation(client, published, porteur):
    client.force_login(porteur)
    page = client.get(published.get_absolute_url()).content.decode()
    assert f"/espace/dossiers/{published.reference}/presentation/" in page


# --- The cover's files: public once published only ------------------------------------------


def test_the_cover_is_served_once_published_and_hidden_before(
    client, published, porteur, other_porteur
):
    presentation = services.presentation_update(
        project=published, actor=porteur, cover=upload(), cover_alt="Un vélo", video_url=""
    )
    address = covers.cover_url(published.slug, presentation.cover_stem, 960)
    response = client.get(address)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert "immutable" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:4] == b"RIFF"
    # Another width, or another project's name, is not served.
    assert client.get(address.replace("-960.webp", "-961.webp")).status_code == 404
    type(published).objects.filter(pk=published.pk).update(publish_agreed=False)
    assert client.get(address).status_code == 404
    client.force_login(other_porteur)
    assert client.get(address).status_code == 404
    client.force_login(porteur)  # the porteur's own preview
    response = client.get(address)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


# --- The public page ------------------------------------------------------------------------


def test_a_shared_project_link_previews_with_title_description_and_image(
    client, published, porteur, settings
):
    settings.SITE_URL = "https://propulsons.example"
    services.presentation_update(
        project=published, actor=porteur, cover=upload(), cover_alt="Des vélos", video_url=""
    )
    page = client.get(f"/projets/{published.slug}/").content.decode()
    url = f"https://propulsons.example/projets/{published.slug}/"
    assert meta(page, "description") == "Un atelier pour réparer son vélo soi-même, à Lens."
    assert meta(page, "og:title") == "Atelier vélo de Lens"
    assert meta(page, "og:description") == "Un atelier pour réparer son vélo soi-même, à Lens."
    assert meta(page, "og:url") == url
    assert meta(page, "og:type") == "website"
    assert meta(page, "og:locale") == "fr_FR"
    image = meta(page, "og:image")
    assert image.startswith(f"https://propulsons.example/projets/{published.slug}/couverture/")
    # JPEG, which every network previews, 1200 px wide.
    assert image.endswith("-og.jpg")
    assert meta(page, "og:image:alt") == "Des vélos"
    assert meta(page, "twitter:card") == "summary_large_image"
    assert meta(page, "twitter:image") == image
    # The image the tags name is really served.
    response = client.get(image.removeprefix("https://propulsons.example"))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as preview:
        assert (preview.format, preview.width) == ("JPEG", 1200)


def test_without_a_cover_the_card_is_a_summary_and_other_pages_keep_the_default_description(
    client, published
):
    page = client.get(f"/projets/{published.slug}/").content.decode()
    assert meta(page, "og:image") is None
    assert meta(page, "twitter:card") == "summary"
    home = client.get("/").content.decode()
    assert "label de financement participatif du Pas-de-Calais" in meta(home, "description")
    assert meta(home, "og:title") is None


def test_the_project_page_shows_cover_video_story_rewards_dates_platform_and_coaching(
    client, published, porteur
):
    partner = OrganisationFactory(name="Réseau partenaire de test")
    type(published).objects.filter(pk=published.pk).update(
        partner=partner, labelled_on=date(2026, 6, 1), description="Notre histoire."
    )
    meeting = FirstMeetingFactory(project=published, reported_at=timezone.now())
    RewardTier.objects.create(meeting=meeting, amount=Decimal("10"), description="Un autocollant")
    RewardTier.objects.create(
        meeting=meeting, amount=Decimal("50"), description="Une révision", quantity=20
    )
    unreported = FirstMeetingFactory(project=LabelledProjectFactory())
    RewardTier.objects.create(meeting=unreported, amount=Decimal("5"), description="Ailleurs")
    services.presentation_update(
        project=published,
        actor=porteur,
        cover=upload(),
        cover_alt="Des vélos",
        video_url="https://www.youtube.com/watch?v=aqz-KE-bpKQ",
    )
    page = unescape(client.get(f"/projets/{published.slug}/").content.decode())
    srcset = r'<img class="project-cover[^>]* srcset="[^"]*480w, [^"]*960w, [^"]*1600w"'
    assert re.search(srcset, page)
    assert 'alt="Des vélos"' in page and 'sizes="' in page
    # The video: a button and a link, never an iframe before the click.
    assert "Voir la vidéo" in page and "<iframe" not in page
    assert 'data-video-src="https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ' in page
    assert "Notre histoire." in page
    assert "À partir de 10\u00a0€" in page and "Un autocollant" in page
    assert "Une révision" in page and "20 exemplaires" in page
    assert "Ailleurs" not in page
    assert "1 novembre 2026" in page or "1er novembre 2026" in page
    assert "Contribuer sur Ulule" in page and 'href="https://fr.ulule.com/exemple/"' in page
    assert "Accompagné par Propulsons! depuis le 1 juin 2026, avec Réseau partenaire de test." in (
        page.replace("1er", "1")
    )
    assert "Porté par Vélo Lens, une entreprise" in page
    assert "(SARL, SAS ou SA)" not in page


def test_share_links_are_plain_addresses_without_third_party_scripts(client, published):
    page = unescape(client.get(f"/projets/{published.slug}/").content.decode())
    assert "mailto:?subject=Atelier%20v%C3%A9lo%20de%20Lens&body=" in page
    assert "https://www.facebook.com/sharer/sharer.php?u=" in page
    assert "https://www.linkedin.com/sharing/share-offsite/?url=" in page
    assert "https://twitter.com/intent/tweet?url=" in page
    assert "https://wa.me/?text=" in page
    assert "Copier le lien" in page
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', page)
    assert scripts and all(src.startswith("/static/") for src in scripts)


def test_after_the_campaign_the_page_shows_the_result_and_the_news_newest_first(client, porteur):
    campaign = CampaignFactory(
        project__owner=porteur,
        status="succeeded",
        final_amount=Decimal("5015"),
        final_contributors=90,
        finished_on=date(2026, 10, 16),
    )
    project = campaign.project
    services.news_add(
        project=project, actor=porteur, published_on=date(2026, 10, 20), text="Ancienne"
    )
    services.news_add(
        project=project, actor=porteur, published_on=date(2026, 11, 20), text="Récente"
    )
    page = unescape(client.get(f"/projets/{project.slug}/").content.decode())
    assert "campagne réussie, 5\u00a0015\u00a0€ collectés grâce à 90 contributeurs." in page
    assert "Nouvelles du projet" in page
    assert page.index("Récente") < page.index("Ancienne")
    assert "Contribuer sur" not in page


def test_an_unpublished_project_has_no_public_page(client, porteur):
    project = LabelledProjectFactory(owner=porteur, publish_agreed=False)
    assert client.get(f"/projets/{project.slug}/").status_code == 404


# --- Map popups -----------------------------------------------------------------------------


def test_map_popups_carry_the_small_cover_when_there_is_one(client, published, porteur):
    services.presentation_update(
        project=published, actor=porteur, cover=upload(), cover_alt="Des vélos", video_url=""
    )
    published.commune.latitude = published.commune.latitude or Decimal("50.43")
    published.commune.longitude = published.commune.longitude or Decimal("2.83")
    published.commune.save()
    other = CampaignFactory().project
    document = client.get("/carte/points.json").json()
    by_title = {
        point["title"]: point
        for point in (
            dict(zip(document["fields"], values, strict=True)) for values in document["points"]
        )
    }
    assert by_title[published.title]["image"].endswith("-480.webp")
    assert client.get(by_title[published.title]["image"]).status_code == 200
    if other.title in by_title:
        assert by_title[other.title]["image"] == ""


# --- Home -----------------------------------------------------------------------------------


def test_the_home_page_shows_running_campaigns_then_success_stories_then_key_dates(
    client, published, porteur
):
    CampaignFactory(
        project__title="Garage solidaire",
        status="succeeded",
        final_amount=Decimal("1245"),
        final_contributors=44,
    )
    services.presentation_update(
        project=published, actor=porteur, cover=upload(), cover_alt="Des vélos", video_url=""
    )
    page = unescape(client.get("/").content.decode())
    running = page.index("Les campagnes en cours")
    successes = page.index("Ils ont réussi leur campagne")
    dates = page.index("Dates clefs")
    assert running < page.index("Atelier vélo de Lens") < successes < page.index("Garage solidaire")
    assert successes < dates
    # (the spaces of amounts are the typography helper's: any space here)
    assert re.search(r"1\s?245\s€", page) and "44 contributeurs" in page
    assert "12 jours restants" in page
    assert 'href="https://fr.ulule.com/exemple/"' in page
    assert "Novembre 2015" in page and "Novembre 2016" in page
    assert "Propulsons! devient le label de financement participatif du Pas-de-Calais." in page
    assert 'sizes="' in page and "-480.webp 480w" in page


def test_success_stories_with_a_cover_come_first(porteur):
    plain = CampaignFactory(status="succeeded", finished_on=date(2026, 10, 1)).project
    pictured = CampaignFactory(
        project__owner=porteur, status="succeeded", finished_on=date(2020, 10, 1)
    ).project
    services.presentation_update(
        project=pictured, actor=porteur, cover=upload(), cover_alt="Photo", video_url=""
    )
    stories = selectors.home_campaigns()["success_stories"]
    assert [project.pk for project in stories] == [pictured.pk, plain.pk]
    assert stories[0].cover["alt"] == "Photo" and stories[1].cover is None


def test_success_stories_the_latest_first_and_those_without_an_end_date_last():
    def success(title, finished_on):
        return CampaignFactory(
            project__title=title, status="succeeded", finished_on=finished_on
        ).project

    undated = success("Sans date", None)
    older = success("Ancienne", date(2024, 5, 1))
    b = success("B", date(2026, 3, 1))
    a = success("A", date(2026, 3, 1))
    stories = selectors.home_campaigns()["success_stories"]
    assert [project.pk for project in stories] == [a.pk, b.pk, older.pk]
    Project.objects.filter(pk=older.pk).update(publish_agreed=False)
    stories = selectors.home_campaigns()["success_stories"]
    assert [project.pk for project in stories] == [a.pk, b.pk, undated.pk]


# --- Query counts ---------------------------------------------------------------------------


def _populate(count: int, porteur):
    for number in range(count):
        campaign = CampaignFactory(project__owner=porteur)
        services.presentation_update(
            project=campaign.project,
            actor=porteur,
            cover=upload(image_bytes(500, 300)),
            cover_alt=f"Image {number}",
            video_url="",
        )
        services.news_add(
            project=campaign.project, actor=porteur, published_on=date(2026, 11, 1), text="x"
        )
        CampaignFactory(status="succeeded", final_amount=Decimal("100"), final_contributors=3)


def test_home_and_project_page_queries_do_not_grow_with_the_data(
    client, porteur, django_assert_max_num_queries
):
    _populate(2, porteur)
    project = selectors.public_projects().filter(presentation__isnull=False).first()
    meeting = FirstMeetingFactory(project=project, reported_at=timezone.now())
    for amount in (10, 20, 30):
        RewardTier.objects.create(meeting=meeting, amount=Decimal(amount), description="R")
    for number in range(5):
        services.news_add(
            project=project, actor=porteur, published_on=date(2026, 11, 2), text=str(number)
        )
    # Home: the key figures, the running campaigns, the successes with a cover, the others
    # (fewer than three have one), the committee's organisations.
    with django_assert_max_num_queries(5):
        client.get("/")
    with django_assert_max_num_queries(4):
        client.get(f"/projets/{project.slug}/")
    _populate(6, porteur)
    with django_assert_max_num_queries(5):
        client.get("/")
    with django_assert_max_num_queries(4):
        client.get(f"/projets/{project.slug}/")


def test_anonymising_the_dossier_removes_its_cover_files_and_news(
    published, porteur, cheffe, django_capture_on_commit_callbacks
):
    from projects.services import project_anonymise

    presentation = services.presentation_update(
        project=published, actor=porteur, cover=upload(), cover_alt="Un vélo", video_url=""
    )
    services.news_add(project=published, actor=porteur, published_on=date(2026, 11, 1), text="x")
    paths = [covers.variant_path(presentation.cover_stem, width) for width in (480, 960, 1600)]
    paths.append(covers.root() / covers.social_name(presentation.cover_stem))
    assert all(path.exists() for path in paths)
    with django_capture_on_commit_callbacks(execute=True):
        project_anonymise(project=published, actor=cheffe, reason="Demande du porteur")
    assert not Presentation.objects.exists() and not ProjectNews.objects.exists()
    assert not any(path.exists() for path in paths)


def test_the_csp_lets_only_the_video_players_be_framed(client, published):
    policy = client.get(f"/projets/{published.slug}/")["Content-Security-Policy"]
    frame_src = next(part for part in policy.split(";") if part.strip().startswith("frame-src"))
    assert frame_src.split()[1:] == [
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
        "https://framatube.org",
    ]
    assert "script-src 'self'" in policy
