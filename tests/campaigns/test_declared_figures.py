"""Figures a porteur declares reach the public pages only once the team accepted them."""

import json
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages

from campaigns import selectors, services
from campaigns.models import Campaign, FigureReview, FigureSnapshot
from tests.campaigns.factories import CampaignFactory, SnapshotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(porteur):
    campaign = CampaignFactory(
        project__owner=porteur,
        project__contact_email=porteur.email,
        project__title="Atelier vélo de Lens",
        goal=Decimal("5000"),
    )
    SnapshotFactory(campaign=campaign, amount=Decimal("1200"), contributors=30)
    return Campaign.objects.get(pk=campaign.pk)


def _public_figures(client, campaign) -> dict:
    figures = selectors.key_figures()
    catalogue = client.get("/projets/").context["page"].object_list
    shown = next(p for p in catalogue if p.pk == campaign.project_id)
    open_data = json.loads(client.get("/donnees/projets.json").getvalue())
    return {
        "home": client.get("/").content.decode().count("1\xa0200"),
        "figures": (figures.collected, figures.contributors),
        "catalogue": (shown.campaign_collected, shown.campaign_backers),
        "project_page": client.get(f"/projets/{campaign.project.slug}/")
        .context["project"]
        .campaign_collected,
        "open_data": json.dumps(open_data, ensure_ascii=False).count("1200"),
    }


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_a_porteur_declaration_waits_for_the_team(client, porteur, cheffe, campaign):
    before = _public_figures(client, campaign)
    assert before["figures"] == (Decimal("1200"), 30)

    client.force_login(porteur)
    response = client.post(
        f"/campagnes/{campaign.pk}/chiffres/", {"amount": "2500", "contributors": "55"}
    )
    assert response.status_code == 302
    assert "vérifiés par l'équipe" in _messages(response)
    declared = FigureSnapshot.objects.get(amount=Decimal("2500"))
    assert declared.review == FigureReview.PENDING and declared.reviewed_by is None
    campaign.refresh_from_db()
    assert campaign.declared_amount == Decimal("1200")
    client.logout()
    assert _public_figures(client, campaign) == before
    assert "2\xa0500" not in client.get("/").content.decode()

    # The team sees it: a count on the dashboard and the buttons on the dossier page.
    client.force_login(cheffe)
    dashboard = client.get("/accompagnement/")
    assert dashboard.context["declarations_count"] == 1
    assert "Chiffres déclarés à vérifier\u00a0: 1" in dashboard.content.decode()
    dossier = client.get(f"/accompagnement/dossiers/{campaign.project.reference}/")
    assert f"/accompagnement/chiffres/{declared.pk}/accepter/" in dossier.content.decode()

    response = client.post(f"/accompagnement/chiffres/{declared.pk}/accepter/")
    assert response.status_code == 302
    assert "acceptés" in _messages(response)
    declared.refresh_from_db()
    assert declared.review == FigureReview.ACCEPTED and declared.reviewed_by == cheffe
    assert declared.reviewed_at is not None
    client.logout()
    after = _public_figures(client, campaign)
    assert "2\xa0500" in client.get("/").content.decode()
    assert after["figures"] == (Decimal("2500"), 55)
    assert after["catalogue"] == (Decimal("2500"), 55)
    assert after["project_page"] == Decimal("2500")

    # A second click changes nothing and says so.
    client.force_login(cheffe)
    response = client.post(f"/accompagnement/chiffres/{declared.pk}/refuser/")
    assert "déjà été vérifiés" in _messages(response)
    assert FigureSnapshot.objects.get(pk=declared.pk).review == FigureReview.ACCEPTED
    assert client.get("/accompagnement/").context["declarations_count"] == 0


def test_a_rejected_declaration_never_reaches_the_public_pages(client, porteur, cheffe, campaign):
    before = _public_figures(client, campaign)
    declared = services.snapshot_add(
        campaign=campaign, actor=porteur, amount=Decimal("4000"), contributors=80, source="porteur"
    )
    client.force_login(cheffe)
    response = client.post(f"/accompagnement/chiffres/{declared.pk}/refuser/")
    assert "refusés" in _messages(response)
    assert FigureSnapshot.objects.get(pk=declared.pk).review == FigureReview.REJECTED
    client.logout()
    assert _public_figures(client, campaign) == before
    # Recomputing the campaign's figures (imports) keeps ignoring it.
    services.campaign_refresh_declared(campaign=campaign)
    assert Campaign.objects.get(pk=campaign.pk).declared_amount == Decimal("1200")


def test_figures_entered_by_the_team_count_at_once(client, cheffe, campaign):
    client.force_login(cheffe)
    client.post(
        f"/campagnes/{campaign.pk}/chiffres/",
        {"amount": "3000", "contributors": "70", "source": "platform"},
    )
    snapshot = FigureSnapshot.objects.get(amount=Decimal("3000"))
    assert snapshot.review == FigureReview.ACCEPTED and snapshot.reviewed_by == cheffe
    assert selectors.key_figures().collected == Decimal("3000")


@pytest.mark.parametrize(
    "amount,contributors,field,message",
    [
        ("9999999999", "10000000", "amount", "Vérifiez le montant"),
        ("60000", "100", "amount", "10 fois l'objectif"),
        ("4000", "200000", "contributors", "au plus 100"),
        ("50", "400", "contributors", "au moins 1\u00a0€"),
    ],
)
def test_implausible_figures_are_refused(
    client, porteur, campaign, amount, contributors, field, message
):
    client.force_login(porteur)
    response = client.post(
        f"/campagnes/{campaign.pk}/chiffres/", {"amount": amount, "contributors": contributors}
    )
    assert response.status_code == 302
    assert message in _messages(response)
    assert FigureSnapshot.objects.count() == 1
    assert Campaign.objects.get(pk=campaign.pk).declared_amount == Decimal("1200")


def test_the_service_refuses_implausible_figures_whoever_enters_them(cheffe, campaign):
    with pytest.raises(services.CampaignError, match="Vérifiez le montant"):
        services.snapshot_add(
            campaign=campaign,
            actor=cheffe,
            amount=Decimal("9999999999"),
            contributors=10_000_000,
            source="platform",
        )
    with pytest.raises(services.CampaignError, match="Vérifiez le montant"):
        services.campaign_finish(
            campaign=campaign,
            actor=cheffe,
            outcome="succeeded",
            final_amount=Decimal("9999999999"),
            final_contributors=10,
        )
    assert FigureSnapshot.objects.count() == 1


def test_the_final_result_form_says_which_figure_is_implausible(client, cheffe, campaign):
    client.force_login(cheffe)
    response = client.post(
        f"/accompagnement/campagnes/{campaign.pk}/terminer/",
        {"outcome": "succeeded", "final_amount": "9999999999", "final_contributors": "10"},
    )
    assert "Montant final (€) : Vérifiez le montant" in _messages(response)
    assert Campaign.objects.get(pk=campaign.pk).status == "running"


def test_only_the_team_reviews_declarations(client, porteur, other_porteur, campaign):
    declared = services.snapshot_add(
        campaign=campaign, actor=porteur, amount=Decimal("2000"), contributors=40, source="porteur"
    )
    for user in (porteur, other_porteur):
        client.force_login(user)
        response = client.post(f"/accompagnement/chiffres/{declared.pk}/accepter/")
        assert response.status_code in (403, 404)
    assert FigureSnapshot.objects.get(pk=declared.pk).review == FigureReview.PENDING
    with pytest.raises(services.CampaignError):
        services.snapshot_review(snapshot=declared, actor=porteur, accept=True)
