"""The vote form of the review page: the conflict of interest first, each criterion beside
the facts the dossier holds, one optional comment per criterion folded away, then the overall
vote; while the vote is open the tally is a trend; a member votes for their own organisation
only."""

import re
from decimal import Decimal

import pytest

from accounts.models import Organisation
from coaching.models import FinancingLine
from labelling import services
from labelling.evidence import department_code
from labelling.models import Vote
from projects.models import Commune
from tests.coaching.factories import FirstMeetingFactory
from tests.labelling.conftest import ALL_MET
from tests.labelling.factories import LabellingRequestFactory
from tests.labelling.test_views import vote_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(members):
    partner = Organisation.objects.get(slug="initiative-pas-de-calais")
    item = LabellingRequestFactory(
        project__title="Ressourcerie des Caps",
        project__summary="Une ressourcerie de quartier qui emploie des personnes en insertion.",
        project__partner=partner,
        project__total_budget=Decimal("24000"),
        project__crowdfunding_amount=Decimal("6000"),
        cheffe_opinion="Dossier solide, porteuse très investie.",
    )
    meeting = FirstMeetingFactory(project=item.project)
    meeting.reported_at = meeting.scheduled_at
    meeting.save(update_fields=["reported_at"])
    FinancingLine.objects.create(
        meeting=meeting, source="own_funds", amount=Decimal("9000"), acquired=True
    )
    FinancingLine.objects.create(
        meeting=meeting, source="crowdfunding", amount=Decimal("6000"), acquired=False
    )
    FinancingLine.objects.create(meeting=meeting, source="grant", amount=Decimal("5000"))
    return item


def vote_section(html: str) -> str:
    return html.split('id="titre-vote"', 1)[1].split("</section>", 1)[0]


def criterion_block(html: str, code: str) -> str:
    return html.split(f'id="critere-{code}"', 1)[1].split("</fieldset>", 1)[0]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


@pytest.mark.parametrize(
    ("insee", "department"), [("62119", "62"), ("59350", "59"), ("2A004", "2A"), ("97411", "974")]
)
def test_the_department_comes_from_the_insee_code(insee, department):
    assert department_code(insee) == department


def test_the_conflict_question_comes_first_then_the_criteria_then_the_overall_vote(
    client, members, item
):
    client.force_login(members["cigales"])
    html = vote_section(client.get(f"/comite/demandes/{item.pk}/").content.decode())
    order = [
        html.index('name="conflict_of_interest"'),
        html.index('id="critere-viable"'),
        html.index('id="critere-solidaire"'),
        html.index('id="critere-pas-de-calais"'),
        html.index('id="critere-partenaire"'),
        html.index('name="overall"'),
        html.index('name="comment"'),
        html.index("Enregistrer le vote"),
    ]
    assert order == sorted(order)


def test_each_criterion_shows_the_facts_the_dossier_holds(client, members, item):
    client.force_login(members["cigales"])
    html = client.get(f"/comite/demandes/{item.pk}/").content.decode()
    viable = flat(criterion_block(html, "viable"))
    assert "Budget 24 000 €, dont 6 000 € en financement participatif (25,0 %)" in viable
    assert "3 lignes, 20 000 € dont 9 000 € acquis, participatif 30,0 %." in viable
    solidaire = flat(criterion_block(html, "solidaire"))
    assert "Une ressourcerie de quartier" in solidaire
    assert item.project.get_category_display() in solidaire
    located = flat(criterion_block(html, "pas-de-calais"))
    commune = item.project.commune
    assert f"{commune.name} (code INSEE {commune.insee_code}) : Pas-de-Calais (62)" in located
    partner = flat(criterion_block(html, "partenaire"))
    assert "Partenaire qui suit le projet : Initiative" in partner
    assert "Dossier solide, porteuse très investie." in partner


def test_a_commune_outside_the_pas_de_calais_and_a_missing_partner_stand_out(client, members):
    nord = Commune.objects.create(
        insee_code="59350", name="Lille", arrondissement_code="594", arrondissement_name="Lille"
    )
    item = LabellingRequestFactory(project__commune=nord, project__partner=None, cheffe_opinion="")
    client.force_login(members["cigales"])
    html = client.get(f"/comite/demandes/{item.pk}/").content.decode()
    located = flat(criterion_block(html, "pas-de-calais"))
    assert "<strong>Lille (code INSEE 59350) : département 59, hors du Pas-de-Calais.</strong>" in (
        located
    )
    partner = flat(criterion_block(html, "partenaire"))
    assert "<strong>Aucun partenaire indiqué.</strong>" in partner
    assert "Pas d'avis de la cheffe de projet." in partner.replace("&#x27;", "'")
    viable = flat(criterion_block(html, "viable"))
    assert "premier rendez-vous pas encore rapporté" in viable


def test_one_short_optional_comment_per_criterion_folded_away_and_tied_to_it(client, members, item):
    client.force_login(members["cigales"])
    html = vote_section(client.get(f"/comite/demandes/{item.pk}/").content.decode())
    for code in ("viable", "solidaire", "pas-de-calais", "partenaire"):
        block = criterion_block(html, code)
        assert "<details" in block and "<details open" not in block
        assert f'<summary id="commentaire-{code}">Commentaire (facultatif)</summary>' in block
        assert re.search(
            rf'<textarea[^>]*id="id_criterion_{code}_comment"[^>]*'
            rf'aria-describedby="critere-{code}"',
            block,
        )
    # The long label repeating the criterion is gone.
    assert "Commentaire sur le critère" not in html
    assert html.count("<summary") == 5  # four criteria and the overall comment


def test_a_typed_comment_stays_open_after_an_error(client, members, item):
    client.force_login(members["cigales"])
    data = vote_data()
    del data["criterion_solidaire"]
    data["criterion_viable_comment"] = "Plan de financement crédible."
    response = client.post(f"/comite/demandes/{item.pk}/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Plan de financement crédible." in criterion_block(html, "viable")
    assert '<details class="small" open>' in criterion_block(html, "viable")
    assert "Ce champ est obligatoire" in criterion_block(html, "solidaire")
    assert not Vote.objects.exists()


def test_a_declared_conflict_is_recorded_and_not_counted(client, members, item):
    client.force_login(members["cigales"])
    data = vote_data(conflict=True)
    data["criterion_partenaire_comment"] = "Nous suivons ce projet."
    assert client.post(f"/comite/demandes/{item.pk}/", data).status_code == 302
    vote = Vote.objects.get()
    assert vote.conflict_of_interest is True
    assert vote.assessments.get(criterion__code="partenaire").comment == "Nous suivons ce projet."
    assert services.selectors.tally(item).conflicts == 1
    assert services.selectors.tally(item).counted == 0


def test_the_criteria_stay_required_even_with_a_conflict(client, members, item):
    """The service records all four assessments on every vote (labelling.services.vote_cast):
    a declared conflict does not lift them."""
    client.force_login(members["cigales"])
    data = {"conflict_of_interest": "on", "overall": "abstention"}
    response = client.post(f"/comite/demandes/{item.pk}/", data)
    assert response.status_code == 200
    assert response.content.decode().count("Ce champ est obligatoire") == 4
    assert not Vote.objects.exists()


def test_a_member_votes_for_their_own_organisation_only(client, members, item):
    """The form has no organisation: a forged one is ignored, and an organisation that
    voted cannot be voted for again by a member of another one pretending otherwise."""
    mine = members["cigales"]
    other = members["caisse-solidaire"]
    client.force_login(other)
    data = {**vote_data(overall="unfavorable"), "organisation": mine.organisation_id}
    data["member"] = mine.pk
    client.post(f"/comite/demandes/{item.pk}/", data)
    vote = Vote.objects.get()
    assert (vote.organisation, vote.member) == (other.organisation, other)
    assert not Vote.objects.filter(organisation=mine.organisation).exists()
    # Cigales still has its own vote to cast, its form unchanged.
    client.force_login(mine)
    page = client.get(f"/comite/demandes/{item.pk}/").content.decode()
    assert "Enregistrer le vote" in page
    assert client.post(f"/comite/demandes/{item.pk}/", vote_data()).status_code == 302
    assert Vote.objects.get(organisation=mine.organisation).overall == "favorable"


def test_while_open_the_tally_is_a_trend_and_an_outcome_once_closed(client, members, cheffe, item):
    services.vote_cast(
        request=item, member=members["cigales"], overall="favorable", assessments=ALL_MET
    )
    client.force_login(cheffe)
    html = flat(client.get(f"/comite/demandes/{item.pk}/").content.decode())
    assert "Tendance, vote en cours : ajourné" in html
    assert "Issue proposée" not in html
    # A member who has not voted sees neither (the blind vote).
    client.force_login(members["caisse-solidaire"])
    html = flat(client.get(f"/comite/demandes/{item.pk}/").content.decode())
    assert "Tendance" not in html and "Issue proposée" not in html
    services.request_close_vote(request=item, actor=cheffe)
    html = flat(client.get(f"/comite/demandes/{item.pk}/").content.decode())
    assert "Issue proposée : Ajourné" in html
    assert "Tendance" not in html


def test_the_review_page_with_its_evidence_uses_a_constant_number_of_queries(
    client, members, item, django_assert_max_num_queries
):
    client.force_login(members["cigales"])
    with django_assert_max_num_queries(15):
        html = client.get(f"/comite/demandes/{item.pk}/").content.decode()
    assert 'id="critere-partenaire"' in html


def test_an_error_on_a_folded_comment_unfolds_it_next_to_its_field(client, members, item):
    client.force_login(members["cigales"])
    data = vote_data()
    data["criterion_partenaire_comment"] = "Nul\x00 caractère"
    response = client.post(f"/comite/demandes/{item.pk}/", data)
    assert response.status_code == 200
    block = criterion_block(response.content.decode(), "partenaire")
    assert '<details class="small" open>' in block
    assert 'id="id_criterion_partenaire_comment_error"' in block
    assert 'aria-invalid="true"' in block
    assert not Vote.objects.exists()
