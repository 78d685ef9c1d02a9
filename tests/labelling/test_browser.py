"""The committee's pages in a real Chromium: the vote and the decision, axe-core, the keyboard.

One journey goes from a request on a session's agenda to the porteur reading the decision:
three organisations vote through the review page (the third then sees the others' votes), a
fourth vote reaches the quorum, the cheffe closes the vote and records the decision the tally
proposes. axe-core then checks every committee page, empty, with errors and filled, for WCAG 2
A and AA violations; a last test votes with the keyboard alone.

Time is never frozen here (the live server runs in other threads): every date is relative
to now.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from labelling import services
from labelling.models import CommitteeSession, Criterion, Decision, LabellingRequest, Vote
from outbox.models import Email
from projects.models import Project, Status
from tests.conftest import click_and_wait
from tests.factories import ProjectFactory
from tests.labelling.conftest import ALL_MET
from tests.labelling.factories import CommitteeSessionFactory, LabellingRequestFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

# Three organisations vote in the browser, a fourth through the service: the quorum is 4.
BROWSER_VOTERS = ["conseil-departemental-62", "initiative-pas-de-calais", "pas-de-calais-actif"]
SERVICE_VOTER = "cigales"


@pytest.fixture(autouse=True)
def _short_timeout(page):
    # Every page is local: a locator that finds nothing in 10 seconds never will.
    page.set_default_timeout(10_000)


def field(page, label: str):
    """The form control with exactly this label (crispy adds "*" to required fields)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def group(page, legend: str):
    """The fieldset of a radio group, named by its legend (crispy adds "*" when required)."""
    return page.get_by_role("group", name=re.compile(rf"^\s*{re.escape(legend)}\s*\*?\s*$"))


def criteria() -> list[Criterion]:
    return list(Criterion.objects.order_by("display_order"))


def review_url(live_server, item: LabellingRequest) -> str:
    return f"{live_server.url}/comite/demandes/{item.pk}/"


def switch_to(page, login, user) -> None:
    """Forget whoever was logged in, and log this user in."""
    page.context.clear_cookies()
    login(page, user)


def fill_vote(page, overall: str = "Favorable", comment: str = "") -> None:
    for criterion in criteria():
        group(page, criterion.label).get_by_label("Rempli", exact=True).check()
    group(page, "Avis global").get_by_label(overall, exact=True).check()
    if comment:
        # The overall comment is folded away, like each criterion's.
        page.get_by_text("Commentaire général (facultatif)").click()
        field(page, "Commentaire").fill(comment)


@pytest.fixture
def request_on_agenda(porteur):
    """A request on the agenda of a session whose invitations are sent: the vote is open."""
    return LabellingRequestFactory(project__owner=porteur, project__title="Ressourcerie des Caps")


# --- The journey ------------------------------------------------------------------------------


def test_three_organisations_vote_the_cheffe_decides_and_the_porteur_is_told(
    page, live_server, login, members, cheffe, porteur, request_on_agenda
):
    project = request_on_agenda.project
    votes_heading = page.get_by_role("heading", name="Votes des organisations")

    for position, slug in enumerate(BROWSER_VOTERS):
        member = members[slug]
        switch_to(page, login, member)
        page.goto(review_url(live_server, request_on_agenda))
        expect(page.get_by_role("heading", level=1)).to_have_text("Ressourcerie des Caps")
        expect(page.get_by_role("heading", name="Le vote de votre organisation")).to_be_visible()
        # The votes of the others stay hidden until one's own is cast.
        expect(votes_heading).to_have_count(0)
        expect(
            page.get_by_text(
                re.compile(r"Le décompte et les votes des autres organisations s.affich")
            )
        ).to_be_visible()

        fill_vote(page, comment=f"Confidentiel : avis de {member.organisation.short_name}.")
        click_and_wait(page.get_by_role("button", name="Enregistrer le vote"))
        expect(
            page.get_by_role("status").filter(has_text="Votre vote est enregistré.")
        ).to_be_visible()
        # A vote is final: the form is gone.
        expect(page.get_by_text(re.compile(r"Ce vote est définitif"))).to_be_visible()
        expect(page.get_by_role("button", name="Enregistrer le vote")).to_have_count(0)
        assert Vote.objects.filter(request=request_on_agenda).count() == position + 1

    # The third member now reads the two other organisations' votes, and the tally.
    votes = page.locator("section", has=votes_heading)
    expect(votes_heading).to_be_visible()
    for slug in BROWSER_VOTERS:
        expect(votes).to_contain_text(members[slug].organisation.name)
    expect(votes).to_contain_text("Confidentiel : avis de Département.")
    expect(page.locator(".tally")).to_contain_text("3 / 4")

    vote = Vote.objects.get(request=request_on_agenda, organisation__slug=BROWSER_VOTERS[0])
    assert vote.overall == "favorable" and vote.member == members[BROWSER_VOTERS[0]]
    assert [a.met for a in vote.assessments.all()] == [True] * 4

    services.vote_cast(
        request=request_on_agenda,
        member=members[SERVICE_VOTER],
        overall="favorable",
        comment="Confidentiel : avis des Cigales.",
        assessments=ALL_MET,
    )

    # The cheffe closes the vote and records the decision the tally proposes.
    switch_to(page, login, cheffe)
    page.goto(review_url(live_server, request_on_agenda))
    click_and_wait(page.get_by_role("button", name="Clore le vote de cette demande"))
    expect(page.get_by_role("status").filter(has_text="Le vote est clos.")).to_be_visible()
    expect(page.get_by_role("button", name="Clore le vote de cette demande")).to_have_count(0)
    tally = page.locator("section", has=page.get_by_role("heading", name="Décompte"))
    expect(tally).to_contain_text("Issue proposée : Labellisé")
    expect(tally).to_contain_text("4 / 4")
    assert LabellingRequest.objects.get(pk=request_on_agenda.pk).vote_closed_at is not None

    decision_form = page.locator(
        "form", has=page.get_by_role("button", name="Enregistrer la décision")
    )
    expect(decision_form.get_by_label("Labellisé", exact=True)).to_be_checked()
    motivation = field(decision_form, "Motivation (envoyée au porteur)")
    expect(motivation).to_have_value(
        "Majorité favorable et les quatre critères remplis à la majorité."
    )
    mail.outbox.clear()
    click_and_wait(decision_form.get_by_role("button", name="Enregistrer la décision"))
    expect(
        page.get_by_role("status").filter(has_text="La décision est enregistrée")
    ).to_be_visible()

    decision = Decision.objects.get(request=request_on_agenda)
    assert decision.outcome == "labelled" and not decision.departs_from_proposal
    assert (decision.favorable, decision.quorum_reached) == (4, True)
    project = Project.objects.get(pk=project.pk)
    assert project.status == Status.LABELLED
    assert project.label_number and project.label_number == decision.label_number
    expect(page.get_by_text(f"label n° {decision.label_number}")).to_be_visible()
    assert [message.to for message in mail.outbox] == [[porteur.email]]

    # The porteur reads the decision and its motivation, never the votes.
    switch_to(page, login, porteur)
    page.goto(f"{live_server.url}/espace/dossiers/{project.reference}/")
    box = page.locator("section", has=page.get_by_role("heading", name="Décision du comité"))
    expect(box.get_by_role("heading")).to_have_text("Décision du comité de labellisation")
    expect(box).to_contain_text("Labellisé")
    expect(box).to_contain_text(decision.label_number)
    expect(box).to_contain_text("Majorité favorable et les quatre critères remplis à la majorité.")
    expect(page.get_by_text("Confidentiel")).to_have_count(0)
    expect(page.get_by_role("heading", name="Votes des organisations")).to_have_count(0)
    expect(page.get_by_text("Issue proposée")).to_have_count(0)
    expect(page.get_by_text(members[BROWSER_VOTERS[1]].organisation.name)).to_have_count(0)


def test_a_member_goes_from_login_to_the_vote_form_in_at_most_two_clicks(
    page, live_server, login, axe, members, request_on_agenda
):
    """Target of issue 14: from login to the vote form of a waiting request, ≤ 2 clicks.

    The login form's submit is not counted (it is the login itself): the clicks and page loads
    are counted from the page the member lands on."""
    member = members["cigales"]
    login(page, member)
    expect(page).to_have_url(f"{live_server.url}/comite/")
    loads = []
    page.on("load", lambda: loads.append(page.url))
    clicks = 0

    waiting = page.locator("section", has=page.get_by_role("heading", name="À voter"))
    expect(waiting).to_be_visible()
    assert axe(page) == []
    click_and_wait(waiting.get_by_role("link", name="Voter sur Ressourcerie des Caps"))
    clicks += 1

    vote_form = page.locator(
        "section", has=page.get_by_role("heading", name="Le vote de votre organisation")
    )
    expect(vote_form).to_be_in_viewport()
    expect(page.get_by_role("button", name="Enregistrer le vote")).to_be_visible()
    assert clicks <= 2 and len(loads) == clicks == 1
    assert loads == [f"{live_server.url}/comite/demandes/{request_on_agenda.pk}/#titre-vote"]

    # Once voted, the request no longer waits for the organisation.
    fill_vote(page)
    click_and_wait(page.get_by_role("button", name="Enregistrer le vote"))
    page.goto(f"{live_server.url}/comite/")
    expect(
        page.get_by_text("Aucun vote n'attend votre organisation pour l'instant.")
    ).to_be_visible()


# --- axe-core ---------------------------------------------------------------------------------


@pytest.fixture
def busy_committee(cheffe, porteur, members):
    """A waiting request, a session in preparation, an open one with two requests, a closed
    one with a decision and a conflict of interest."""
    now = timezone.now()
    waiting = LabellingRequest.objects.create(
        project=ProjectFactory(status=Status.LABELLING_REQUESTED, title="Atelier vélo"),
        requested_by=cheffe,
    )
    LabellingRequest.objects.create(
        project=ProjectFactory(status=Status.LABELLING_REQUESTED, title="Jardin partagé"),
        requested_by=cheffe,
        cheffe_opinion="Dossier solide.",
    )
    preparing = CommitteeSessionFactory(
        created_by=cheffe, invited_at=None, held_at=now + timedelta(days=30), location="Lens"
    )
    open_session = CommitteeSessionFactory(
        created_by=cheffe,
        held_at=now + timedelta(days=7),
        location="",
        video_link="https://visio.example.org/comite",
        chair=cheffe,
    )
    first = LabellingRequestFactory(
        session=open_session,
        agenda_order=1,
        project__owner=porteur,
        project__title="Ressourcerie des Caps",
    )
    second = LabellingRequestFactory(
        session=open_session, agenda_order=2, project__title="Épicerie solidaire"
    )
    LabellingRequestFactory(session=open_session, agenda_order=3, project__title="Café associatif")
    services.vote_cast(
        request=second,
        member=members["cigales"],
        overall="unfavorable",
        comment="Budget fragile.",
        assessments={**ALL_MET, "viable": (False, "Le budget ne tient pas.")},
    )

    # Its votes were cast while it was open: its deadline is moved to the past afterwards.
    closed_session = CommitteeSessionFactory(
        created_by=cheffe,
        held_at=now - timedelta(days=20),
        vote_deadline=now + timedelta(days=1),
        invited_at=now - timedelta(days=30),
    )
    decided = LabellingRequestFactory(
        session=closed_session, project__title="Boulangerie coopérative"
    )
    services.vote_cast(
        request=decided,
        member=members["cigales"],
        overall="favorable",
        conflict_of_interest=True,
        assessments=ALL_MET,
    )
    for slug in BROWSER_VOTERS + ["caisse-solidaire"]:
        services.vote_cast(
            request=decided, member=members[slug], overall="favorable", assessments=ALL_MET
        )
    decision = services.decision_record(
        request=decided, actor=cheffe, outcome="labelled", motivation="Label accordé."
    )
    services.session_set_attendance(
        session=closed_session,
        actor=cheffe,
        organisations=[members[slug].organisation for slug in BROWSER_VOTERS],
    )
    services.session_close(session=closed_session, actor=cheffe)
    CommitteeSession.objects.filter(pk=closed_session.pk).update(
        vote_deadline=now - timedelta(days=20)
    )
    return {
        "waiting": waiting,
        "preparing": preparing,
        "open": open_session,
        "first": first,
        "second": second,
        "closed": closed_session,
        "decided": decided,
        "decision": decision,
    }


def test_the_committee_home_has_no_accessibility_violation(
    page, live_server, axe, login, cheffe, members, busy_committee
):
    login(page, cheffe)
    page.goto(f"{live_server.url}/comite/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Comité de labellisation")
    expect(page.get_by_role("link", name=re.compile("Atelier vélo"))).to_be_visible()
    expect(page.get_by_text("avis à rédiger")).to_have_count(1)
    # The two sessions to come in view, the closed one in the folded archive.
    expect(page.get_by_role("table").locator("tbody tr")).to_have_count(2)
    page.get_by_text("Voir la séance passée").click()
    expect(page.get_by_role("table").locator("tbody tr")).to_have_count(3)
    expect(page.locator("#archives td.session-status")).to_have_text(["Close"])
    assert axe(page) == []

    switch_to(page, login, members["caisse-solidaire"])
    page.goto(f"{live_server.url}/comite/")
    expect(page.get_by_role("link", name="Nouvelle séance")).to_have_count(0)
    # The open session to come; the closed one in the archive.
    expect(page.get_by_role("table").locator("tbody tr")).to_have_count(1)
    page.get_by_text("Voir la séance passée").click()
    expect(page.get_by_role("table").locator("tbody tr")).to_have_count(2)
    assert axe(page) == []


def test_the_session_form_has_no_accessibility_violation_even_with_errors(
    page, live_server, axe, login, cheffe
):
    login(page, cheffe)
    page.goto(f"{live_server.url}/comite/seances/nouvelle/")
    expect(field(page, "Date et heure de la séance")).to_be_visible()
    assert axe(page) == []

    click_and_wait(page.get_by_role("button", name="Créer la séance"))
    expect(page.get_by_role("alert")).to_contain_text("Corrigez les champs signalés")
    expect(page.get_by_text("Indiquez un lieu ou un lien de visioconférence.")).to_be_visible()
    assert axe(page) == []

    held_at = timezone.localtime(timezone.now() + timedelta(days=10))
    field(page, "Date et heure de la séance").fill(f"{held_at:%Y-%m-%d}T14:00")
    field(page, "Fin du vote").fill(f"{held_at + timedelta(days=5):%Y-%m-%d}T14:00")
    field(page, "Lieu").fill("Hôtel de ville de Lens")
    click_and_wait(page.get_by_role("button", name="Créer la séance"))
    error = "Le vote se clôt au plus tard le lendemain de la séance."
    expect(page.get_by_text(error)).to_be_visible()
    expect(field(page, "Fin du vote")).to_have_accessible_description(re.compile(re.escape(error)))
    expect(field(page, "Lieu")).to_have_value("Hôtel de ville de Lens")
    assert axe(page) == []


def test_the_session_pages_and_the_minutes_have_no_accessibility_violation(
    page, live_server, axe, login, cheffe, members, busy_committee
):
    open_session = busy_committee["open"]
    login(page, cheffe)
    page.goto(f"{live_server.url}/comite/seances/{open_session.pk}/")
    agenda = page.locator("section", has=page.get_by_role("heading", name="Ordre du jour"))
    expect(agenda.get_by_role("heading", level=3)).to_have_count(3)
    expect(page.get_by_role("button", name="Monter Épicerie solidaire")).to_be_visible()
    expect(page.get_by_role("button", name="Descendre Épicerie solidaire")).to_be_visible()
    expect(field(page, "Demande à inscrire")).to_be_visible()
    expect(group(page, "Organisations présentes")).to_be_visible()
    expect(page.get_by_role("button", name="Renvoyer les invitations")).to_be_visible()
    assert axe(page) == []

    # A move keeps the page whole: the second request goes up.
    click_and_wait(page.get_by_role("button", name="Monter Épicerie solidaire"))
    expect(agenda.get_by_role("heading", level=3).first).to_contain_text("Épicerie solidaire")
    assert axe(page) == []

    # Who has voted and who has not, in words; "Relancer" emails those that have not, once.
    second = agenda.locator("li.card", has_text="Épicerie solidaire")
    expect(second.locator(".participation li", has_text="A voté")).to_contain_text("Cigales")
    missing = second.locator(".participation li", has_text="N'a pas encore voté")
    expect(missing).to_contain_text("Département, Initiative, France Active")
    emails_before = Email.objects.filter(name="committee_vote_reminder").count()
    click_and_wait(missing.get_by_role("button", name=re.compile("^Relancer")))
    expect(page.get_by_role("status")).to_contain_text(
        re.compile(r"Relance envoyée aux 5 organisations qui n.ont pas encore voté")
    )
    assert Email.objects.filter(name="committee_vote_reminder").count() == emails_before + 5
    assert axe(page) == []

    switch_to(page, login, members["cigales"])
    page.goto(f"{live_server.url}/comite/seances/{open_session.pk}/")
    expect(page.get_by_text("Votre organisation a voté.")).to_have_count(1)
    expect(page.get_by_text("Votre organisation n'a pas encore voté.")).to_have_count(2)
    expect(page.get_by_role("button", name="Clore la séance")).to_have_count(0)
    assert axe(page) == []

    page.goto(f"{live_server.url}/comite/seances/{busy_committee['closed'].pk}/proces-verbal/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Procès-verbal")
    expect(
        page.get_by_text("Les Cigales du Pas-de-Calais a déclaré un conflit d'intérêts")
    ).to_be_visible()
    expect(page.get_by_text("Label accordé.")).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(1)
    assert axe(page) == []


def test_the_review_page_has_no_accessibility_violation_before_with_errors_and_after_the_vote(
    page, live_server, axe, login, members, busy_committee
):
    item = busy_committee["second"]
    login(page, members["caisse-solidaire"])
    page.goto(review_url(live_server, item))
    expect(group(page, "Avis global")).to_be_visible()
    expect(group(page, criteria()[0].label)).to_be_visible()
    assert axe(page) == []

    click_and_wait(page.get_by_role("button", name="Enregistrer le vote"))
    expect(page.get_by_role("alert")).to_contain_text("Corrigez les champs signalés")
    expect(page.get_by_text("Ce champ est obligatoire.")).to_have_count(5)
    assert axe(page) == []
    assert not Vote.objects.filter(request=item, organisation__slug="caisse-solidaire").exists()

    fill_vote(page, overall="Abstention")
    click_and_wait(page.get_by_role("button", name="Enregistrer le vote"))
    expect(page.get_by_role("status").filter(has_text="Votre vote est enregistré.")).to_be_visible()
    expect(page.get_by_role("heading", name="Votes des organisations")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text(criteria()[0].label)
    assert axe(page) == []


def test_the_review_page_with_the_decision_form_and_the_correction_page_have_no_violation(
    page, live_server, axe, login, cheffe, members, busy_committee
):
    item = busy_committee["first"]
    for slug in BROWSER_VOTERS + ["caisse-solidaire"]:
        services.vote_cast(
            request=item, member=members[slug], overall="favorable", assessments=ALL_MET
        )
    login(page, cheffe)
    page.goto(review_url(live_server, item))
    expect(
        page.get_by_role("textbox", name=re.compile(r"^Avis de la cheffe de projet\*?$"))
    ).to_have_value("Avis favorable de la cheffe de projet.")
    expect(page.get_by_role("button", name="Clore le vote de cette demande")).to_be_visible()
    expect(group(page, "Décision").get_by_label("Labellisé", exact=True)).to_be_checked()
    assert axe(page) == []

    page.goto(f"{live_server.url}/comite/decisions/{busy_committee['decision'].pk}/corriger/")
    expect(field(page, "Raison de la correction")).to_be_visible()
    expect(group(page, "Décision").get_by_label("Labellisé", exact=True)).to_be_checked()
    assert axe(page) == []

    click_and_wait(page.get_by_role("button", name="Enregistrer la correction"))
    expect(page.get_by_text("Ce champ est obligatoire.")).to_be_visible()
    assert axe(page) == []


def test_the_porteurs_checklist_has_no_accessibility_violation(
    page, live_server, axe, login, porteur
):
    project = ProjectFactory(owner=porteur, status=Status.COACHING, title="Tiers-lieu rural")
    login(page, porteur)
    page.goto(f"{live_server.url}/espace/dossiers/{project.reference}/")
    box = page.locator("#labellisation")
    expect(box.get_by_role("heading")).to_have_text("Demande de labellisation")
    expect(box).to_contain_text(re.compile(r"Dossier complet à \d+\u00a0%"))
    expect(box.get_by_role("progressbar", name="Avancement du dossier")).to_be_visible()
    expect(box.get_by_role("button", name="Demander la labellisation")).to_have_count(0)
    assert axe(page) == []


# --- The keyboard -----------------------------------------------------------------------------


def tab_to(page, element_id: str, limit: int = 120) -> None:
    """Press Tab until the element with this id has the focus; fail after `limit` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} cannot be reached with Tab in {limit} presses")


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_a_member_votes_with_the_keyboard_alone(
    page, live_server, login, members, request_on_agenda
):
    codes = [criterion.code for criterion in criteria()]
    member = members["initiative-pas-de-calais"]
    login(page, member)
    page.goto(review_url(live_server, request_on_agenda))

    # The conflict question first; then one criterion, its comment unfolded with Enter, and
    # the overall vote; then Enter on the button: three criteria are missing.
    tab_to(page, "id_conflict_of_interest")
    page.keyboard.press("Tab")
    assert focused_id(page) == f"id_criterion_{codes[0]}_0"
    page.keyboard.press("Space")
    expect(page.locator(f"#id_criterion_{codes[0]}_0")).to_be_checked()
    page.keyboard.press("Tab")
    assert focused_id(page) == f"commentaire-{codes[0]}"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused_id(page) == f"id_criterion_{codes[0]}_comment"
    page.keyboard.type("Chiffres vérifiés.")
    # Through three criteria (radios, folded comment) and the evidence's links.
    tab_to(page, "id_overall_0", limit=10)
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert focused_id(page) == "commentaire-general"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused_id(page) == "id_comment"
    page.keyboard.type("Vote au clavier.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Enregistrer le vote")).to_be_focused()
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")

    expect(page.get_by_role("alert")).to_contain_text("Corrigez les champs signalés")
    expect(page.get_by_text("Ce champ est obligatoire.")).to_have_count(3)
    expect(page.locator(f"#id_criterion_{codes[0]}_0")).to_be_checked()
    expect(page.locator("#id_overall_0")).to_be_checked()
    # What was typed comes back unfolded.
    expect(page.locator(f"#id_criterion_{codes[0]}_comment")).to_have_value("Chiffres vérifiés.")
    expect(field(page, "Commentaire")).to_have_value("Vote au clavier.")
    assert not Vote.objects.exists()

    # The three others: Space on the first radio, or the arrow keys to move between choices.
    tab_to(page, f"id_criterion_{codes[1]}_0")
    page.keyboard.press("ArrowDown")
    expect(page.locator(f"#id_criterion_{codes[1]}_1")).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(page.locator(f"#id_criterion_{codes[1]}_0")).to_be_checked()
    for code in codes[2:]:
        tab_to(page, f"id_criterion_{code}_0", limit=3)
        page.keyboard.press("Space")
    tab_to(page, f"commentaire-{codes[3]}", limit=1)
    page.keyboard.press("Enter")
    tab_to(page, f"id_criterion_{codes[3]}_comment", limit=1)
    page.keyboard.type("Suivi par Initiative.")
    # The overall vote is checked: Tab lands on it; ArrowDown makes it "Défavorable".
    tab_to(page, "id_overall_0", limit=1)
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_overall_1")).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(page.locator("#id_overall_0")).to_be_checked()
    tab_to(page, "id_comment", limit=2)
    page.keyboard.press("Tab")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")

    expect(page.get_by_role("status").filter(has_text="Votre vote est enregistré.")).to_be_visible()
    vote = Vote.objects.get(request=request_on_agenda)
    assert (vote.organisation, vote.member) == (member.organisation, member)
    assert (vote.overall, vote.comment, vote.conflict_of_interest) == (
        "favorable",
        "Vote au clavier.",
        False,
    )
    assessments = {a.criterion.code: (a.met, a.comment) for a in vote.assessments.all()}
    assert assessments == {
        codes[0]: (True, "Chiffres vérifiés."),
        codes[1]: (True, ""),
        codes[2]: (True, ""),
        codes[3]: (True, "Suivi par Initiative."),
    }
