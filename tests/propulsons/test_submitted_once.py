"""A form sent twice is recognised (the key each form carries), and each "only one" rule is a
database constraint: a double click, a retried request or N requests at once create one row
and send one email."""

import re
import threading
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client
from django.utils import timezone

from accounts.models import DeletionRequest, SubmittedForm
from campaigns import services as campaign_services
from campaigns.models import Campaign
from coaching.models import FirstMeeting, Interaction
from labelling.models import CommitteeSession
from projects.models import Project, Status
from tests.campaigns.factories import CampaignFactory, LabelledProjectFactory
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

ALREADY = "Ce formulaire a déjà été envoyé."


@pytest.fixture(autouse=True)
def _fresh_rate_limit(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def key_in(page) -> str:
    """The key rendered in the (first) form of a page, as a browser would send it back."""
    return re.search(r'name="form_key" value="([^"]+)"', page.content.decode()).group(1)


def intake_data(key=None, **overrides):
    from tests.projects.test_intake import valid_data

    data = valid_data(**overrides)
    if key is not None:
        data["form_key"] = key
    return data


def interaction_data(key=None):
    today = timezone.localdate()
    data = {
        "kind": "phone",
        "happened_on": (today - timedelta(days=1)).isoformat(),
        "duration_minutes": "20",
        "phase": "",
        "internal_notes": "Porteur inquiet pour la trésorerie.",
        "shared_note": "",
        "next_action": "Rappeler le porteur",
        "next_action_due": (today + timedelta(days=3)).isoformat(),
    }
    if key is not None:
        data["form_key"] = key
    return data


def campaign_data(key=None):
    from tests.campaigns.test_campaigns import campaign_data

    data = campaign_data()
    if key is not None:
        data["form_key"] = key
    return data


# --- Sequential double posts (SQLite and PostgreSQL) -----------------------------------------


def test_the_intake_form_sent_twice_records_one_dossier_and_one_email(
    client, django_capture_on_commit_callbacks
):
    key = key_in(client.get("/deposer/"))
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/deposer/", intake_data(key))
        second = client.post("/deposer/", intake_data(key))
    assert first["Location"] == second["Location"] == "/deposer/merci/"
    assert messages_of(second)[-1] == ALREADY
    assert Project.objects.count() == 1
    to_porteur = [m for m in mail.outbox if m.to == ["camille.lefebvre@example.org"]]
    assert len(to_porteur) == 1
    page = client.get("/deposer/merci/").content.decode()
    assert Project.objects.get().reference in page
    assert ALREADY in page


def test_a_form_without_key_or_with_a_malformed_one_is_still_accepted(client):
    # A script, or an old page: nothing to recognise it by, so it is not deduplicated.
    assert client.post("/deposer/", intake_data())["Location"] == "/deposer/merci/"
    response = client.post("/deposer/", intake_data("x\x00<script>"))
    assert response["Location"] == "/deposer/merci/"
    assert Project.objects.count() == 2
    assert not SubmittedForm.objects.exists()


def test_a_form_shown_again_with_errors_keeps_its_key_and_nothing_is_burnt(client):
    key = key_in(client.get("/deposer/"))
    refused = client.post("/deposer/", intake_data(key, title=""))
    assert refused.status_code == 200
    assert key_in(refused) == key
    assert not SubmittedForm.objects.exists()
    assert client.post("/deposer/", intake_data(key))["Location"] == "/deposer/merci/"
    assert Project.objects.count() == 1


def test_a_key_counts_only_for_whom_the_form_was_shown(client, cheffe):
    project = ProjectFactory(status=Status.COACHING)
    other_cheffe = UserFactory(email="autre.cheffe@propulsons.org", role="cheffe")
    url = f"/accompagnement/dossiers/{project.reference}/echanges/nouveau/"
    client.force_login(cheffe)
    key = key_in(client.get(url))
    client.post(url, interaction_data(key))
    client.force_login(other_cheffe)
    response = client.post(url, interaction_data(key))
    assert ALREADY not in messages_of(response)
    assert Interaction.objects.filter(project=project).count() == 2


def test_an_exchange_sent_twice_is_logged_once(client, cheffe):
    project = ProjectFactory(status=Status.COACHING)
    url = f"/accompagnement/dossiers/{project.reference}/echanges/nouveau/"
    client.force_login(cheffe)
    key = key_in(client.get(url))
    first = client.post(url, interaction_data(key))
    second = client.post(url, interaction_data(key))
    assert first["Location"] == second["Location"]
    assert messages_of(second)[-1] == ALREADY
    assert Interaction.objects.filter(project=project).count() == 1
    assert project.reminders.count() == 1


def test_the_dashboards_quick_exchange_form_carries_a_key(client, cheffe):
    client.force_login(cheffe)
    page = client.get("/accompagnement/").content.decode()
    assert 'name="form_key"' in page


def test_a_campaign_sent_twice_is_prepared_once(client, cheffe):
    project = LabelledProjectFactory()
    url = f"/accompagnement/dossiers/{project.reference}/campagne/"
    client.force_login(cheffe)
    key = key_in(client.get(url))
    first = client.post(url, campaign_data(key))
    second = client.post(url, campaign_data(key))
    assert first["Location"] == second["Location"]
    assert messages_of(second)[-1] == ALREADY
    assert Campaign.objects.filter(project=project).count() == 1


def test_a_refused_campaign_does_not_burn_its_key(client, cheffe):
    project = ProjectFactory(status=Status.COACHING)  # not labelled: refused
    url = f"/accompagnement/dossiers/{project.reference}/campagne/"
    client.force_login(cheffe)
    response = client.post(url, campaign_data("k" * 32))
    assert "Seul un projet labellisé peut préparer une campagne." in messages_of(response)
    assert not SubmittedForm.objects.exists()


def test_an_erasure_request_sent_twice_is_recorded_once(
    client, porteur, django_capture_on_commit_callbacks
):
    client.force_login(porteur)
    key = key_in(client.get("/espace/effacement/"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/espace/effacement/", {"message": "", "form_key": key})
        second = client.post("/espace/effacement/", {"message": "", "form_key": key})
    assert second["Location"] == "/espace/"
    assert messages_of(second)[-1] == ALREADY
    assert DeletionRequest.objects.filter(user=porteur).count() == 1
    assert len(mail.outbox) == 1


def test_a_second_erasure_request_from_another_tab_says_the_first_is_pending(client, porteur):
    client.force_login(porteur)
    client.post("/espace/effacement/", {"message": ""})
    second = client.post("/espace/effacement/", {"message": "Encore."})
    assert second["Location"] == "/espace/"
    assert any("déjà enregistrée" in message for message in messages_of(second))
    assert DeletionRequest.objects.filter(user=porteur).count() == 1


def test_a_first_meeting_scheduled_twice_sends_one_invitation(
    client, cheffe, django_capture_on_commit_callbacks
):
    project = ProjectFactory(status=Status.CONTACT)
    url = f"/accompagnement/dossiers/{project.reference}/premier-rendez-vous/"
    client.force_login(cheffe)
    key = key_in(client.get(url))
    when = timezone.localtime() + timedelta(days=5)
    data = {
        "scheduled_at": when.strftime("%Y-%m-%dT10:00"),
        "duration_minutes": "120",
        "location": "Lens",
        "video_link": "",
        "form_key": key,
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, data)
        second = client.post(url, data)
    assert messages_of(second)[-1] == ALREADY
    assert FirstMeeting.objects.filter(project=project).count() == 1
    assert len(mail.outbox) == 1


def test_a_committee_session_sent_twice_is_created_once(client, cheffe):
    client.force_login(cheffe)
    key = key_in(client.get("/comite/seances/nouvelle/"))
    held_at = timezone.localtime() + timedelta(days=10)
    data = {
        "held_at": held_at.strftime("%Y-%m-%dT18:00"),
        "vote_deadline": held_at.strftime("%Y-%m-%dT18:00"),
        "location": "Arras",
        "video_link": "",
        "chair": "",
        "form_key": key,
    }
    first = client.post("/comite/seances/nouvelle/", data)
    second = client.post("/comite/seances/nouvelle/", data)
    assert first["Location"] == second["Location"]
    assert messages_of(second)[-1] == ALREADY
    assert CommitteeSession.objects.count() == 1


def test_figures_sent_twice_are_recorded_once(client, porteur):
    campaign = CampaignFactory(
        project=LabelledProjectFactory(owner=porteur, status="campaign_running")
    )
    client.force_login(porteur)
    key = key_in(client.get(campaign.project.get_absolute_url()))
    url = f"/campagnes/{campaign.pk}/chiffres/"
    data = {"amount": "1200", "contributors": "25", "form_key": key}
    client.post(url, data)
    second = client.post(url, data)
    assert messages_of(second)[-1] == ALREADY
    assert campaign.snapshots.count() == 1


def test_a_document_sent_twice_is_added_once(client, porteur, project):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from projects.models import Document
    from tests.projects.test_views import PDF

    client.force_login(porteur)
    key = key_in(client.get(project.get_absolute_url()))
    for _ in range(2):
        response = client.post(
            project.get_absolute_url(),
            {
                "kind": "financing_plan",
                "upload": SimpleUploadedFile("plan.pdf", PDF),
                "form_key": key,
            },
        )
    assert messages_of(response)[-1] == ALREADY
    assert Document.objects.filter(project=project).count() == 1


def test_a_decision_sent_twice_is_recorded_once_and_says_so(client, cheffe, porteur):
    from labelling.models import Decision
    from tests.labelling.factories import LabellingRequestFactory

    item = LabellingRequestFactory(project__owner=porteur)
    client.force_login(cheffe)
    key = key_in(client.get(f"/comite/demandes/{item.pk}/"))
    data = {"outcome": "postponed", "motivation": "Quorum non atteint.", "form_key": key}
    first = client.post(f"/comite/demandes/{item.pk}/decision/", data)
    second = client.post(f"/comite/demandes/{item.pk}/decision/", data)
    assert first["Location"] == second["Location"] == f"/comite/demandes/{item.pk}/"
    assert messages_of(second)[-1] == ALREADY
    assert Decision.objects.filter(request=item).count() == 1


def test_invitations_sent_by_a_double_click_leave_once(
    client, cheffe, committee_member, django_capture_on_commit_callbacks
):
    from tests.labelling.factories import LabellingRequestFactory

    item = LabellingRequestFactory()
    session = item.session
    client.force_login(cheffe)
    key = key_in(client.get(f"/comite/seances/{session.pk}/"))
    url = f"/comite/seances/{session.pk}/inviter/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"form_key": key})
    sent = len(mail.outbox)
    assert sent > 0
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url, {"form_key": key})
    assert messages_of(second)[-1] == ALREADY
    assert len(mail.outbox) == sent


def test_old_keys_are_forgotten(client, time_machine):
    time_machine.move_to(timezone.now() - timedelta(days=8), tick=False)
    client.post("/deposer/", intake_data("a" * 32))
    time_machine.move_to(timezone.now() + timedelta(days=8), tick=False)
    client.post("/deposer/", intake_data("b" * 32, contact_email="autre@example.org"))
    assert list(SubmittedForm.objects.values_list("key", flat=True)) == ["-:" + "b" * 32]


# --- The constraints themselves -------------------------------------------------------------


def test_the_database_refuses_a_second_open_campaign():
    project = LabelledProjectFactory()
    CampaignFactory(project=project, status="preparing", launched_on=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignFactory(project=project, status="preparing", launched_on=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignFactory(project=project, status="running")
    # A finished or dropped campaign does not count.
    CampaignFactory(project=project, status="cancelled", launched_on=None)
    CampaignFactory(project=project, status="failed")
    assert Campaign.objects.filter(project=project).count() == 3


def test_the_database_refuses_a_second_pending_erasure_request(porteur):
    DeletionRequest.objects.create(user=porteur, email=porteur.email)
    with pytest.raises(IntegrityError), transaction.atomic():
        DeletionRequest.objects.create(user=porteur, email=porteur.email)
    DeletionRequest.objects.update(processed_at=timezone.now())
    DeletionRequest.objects.create(user=porteur, email=porteur.email)  # a new one, later


def test_the_database_refuses_a_label_number_given_twice():
    LabelledProjectFactory(label_number="PS-2026-07")
    with pytest.raises(IntegrityError), transaction.atomic():
        LabelledProjectFactory(label_number="PS-2026-07")
    ProjectFactory(label_number="")
    ProjectFactory(label_number="")


def test_the_admins_forms_say_which_rule_a_second_row_breaks(porteur):
    from django.core.exceptions import ValidationError

    project = LabelledProjectFactory()
    first = CampaignFactory(project=project, status="preparing", launched_on=None)
    second = Campaign(project=project, platform=first.platform, goal=1, status="preparing")
    with pytest.raises(ValidationError, match="déjà en préparation ou en cours"):
        second.validate_constraints()
    DeletionRequest.objects.create(user=porteur, email=porteur.email)
    with pytest.raises(ValidationError, match="attend déjà d'être traitée"):
        DeletionRequest(user=porteur, email=porteur.email).validate_constraints()
    with pytest.raises(ValidationError, match="déjà celui d'un autre dossier"):
        ProjectFactory.build(label_number=project.label_number).validate_constraints()


# --- N requests at once (PostgreSQL) --------------------------------------------------------

N = 4


def needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (SQLite locks the whole file)")


def at_once(post, n=N) -> list:
    """n threads, each with its own client and connection, posting as one."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(index):
        try:
            barrier.wait()
            results[index] = post()
        except BaseException as error:  # a 500: the test client re-raises it
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def statuses(results) -> list:
    return [getattr(result, "status_code", result) for result in results]


def logged_in(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.django_db(transaction=True)
def test_n_intake_posts_at_once_with_one_key_record_one_dossier_and_one_email():
    needs_postgresql()
    data = intake_data("i" * 32)
    results = at_once(lambda: logged_in(None).post("/deposer/", data))
    assert statuses(results) == [302] * N
    assert {result["Location"] for result in results} == {"/deposer/merci/"}
    assert Project.objects.count() == 1
    to_porteur = [m for m in mail.outbox if m.to == ["camille.lefebvre@example.org"]]
    assert len(to_porteur) == 1
    assert sum(ALREADY in messages_of(result) for result in results) == N - 1


@pytest.mark.django_db(transaction=True)
def test_n_intake_posts_at_once_without_key_are_never_a_500():
    # A script posting without the key: not deduplicated, but the new address gets one
    # account (the reference counter's lock orders the submissions), and the other dossiers
    # wait for its owner to claim them.
    needs_postgresql()
    data = intake_data()
    results = at_once(lambda: logged_in(None).post("/deposer/", data))
    assert statuses(results) == [302] * N
    assert Project.objects.count() == N
    assert Project.objects.filter(owner__isnull=False).count() == 1
    from accounts.models import User

    assert User.objects.filter(email="camille.lefebvre@example.org").count() == 1


@pytest.mark.django_db(transaction=True)
def test_n_exchanges_at_once_with_one_key_log_one():
    needs_postgresql()
    cheffe = UserFactory(email="cheffe.n@propulsons.org", role="cheffe")
    project = ProjectFactory(status=Status.COACHING)
    url = f"/accompagnement/dossiers/{project.reference}/echanges/nouveau/"
    data = interaction_data("e" * 32)
    results = at_once(lambda: logged_in(cheffe).post(url, data))
    assert statuses(results) == [302] * N
    assert Interaction.objects.filter(project=project).count() == 1


@pytest.mark.django_db(transaction=True)
def test_n_campaigns_at_once_prepare_one_with_or_without_a_key(monkeypatch):
    needs_postgresql()
    cheffe = UserFactory(email="cheffe.n@propulsons.org", role="cheffe")
    project = LabelledProjectFactory()
    url = f"/accompagnement/dossiers/{project.reference}/campagne/"
    data = campaign_data("c" * 32)
    results = at_once(lambda: logged_in(cheffe).post(url, data))
    assert statuses(results) == [302] * N
    assert Campaign.objects.filter(project=project).count() == 1

    # Without a key, every request reaches the service, past its check, at the same moment:
    # the constraint keeps one, the others get the French refusal.
    other = LabelledProjectFactory()
    barrier = threading.Barrier(N)
    real = campaign_services.campaign_create

    def racing(**kwargs):
        barrier.wait()
        return real(**kwargs)

    monkeypatch.setattr(campaign_services, "campaign_create", racing)
    url = f"/accompagnement/dossiers/{other.reference}/campagne/"
    results = at_once(lambda: logged_in(cheffe).post(url, campaign_data()))
    assert sorted(statuses(results)) == [200] * (N - 1) + [302]
    assert Campaign.objects.filter(project=other).count() == 1
    refused = [r for r in results if r.status_code == 200]
    assert all("Une campagne est déjà en préparation" in m for r in refused for m in messages_of(r))


@pytest.mark.django_db(transaction=True)
def test_n_erasure_requests_at_once_record_one_with_or_without_a_key():
    needs_postgresql()
    porteur = UserFactory(email="efface.n@example.org")
    data = {"message": "", "form_key": "d" * 32}
    results = at_once(lambda: logged_in(porteur).post("/espace/effacement/", data))
    assert statuses(results) == [302] * N
    assert DeletionRequest.objects.filter(user=porteur).count() == 1
    assert len(mail.outbox) == 1

    other = UserFactory(email="efface.autre@example.org")
    results = at_once(lambda: logged_in(other).post("/espace/effacement/", {"message": ""}))
    assert statuses(results) == [302] * N
    assert DeletionRequest.objects.filter(user=other).count() == 1
    assert len(mail.outbox) == 2


# --- Rows doubled before the constraints existed --------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migrations_resolve_rows_doubled_before_the_constraints():
    from django.db.migrations.executor import MigrationExecutor

    before = [("campaigns", "0006_fill_declared_figures"), ("accounts", "0004_deletion_requests")]
    # Made with today's models, before going back: the old schema lacks the newer columns.
    porteur = UserFactory(email="double.avant@example.org")
    project = LabelledProjectFactory()
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Campaign_ = old.get_model("campaigns", "Campaign")
    DeletionRequest_ = old.get_model("accounts", "DeletionRequest")
    platform = old.get_model("campaigns", "Platform").objects.first()
    fields = {"platform_id": platform.pk, "goal": 5000, "financing_type": "donation"}
    older = Campaign_.objects.create(project_id=project.pk, **fields)
    newer = Campaign_.objects.create(project_id=project.pk, **fields)
    for _ in range(3):
        DeletionRequest_.objects.create(user_id=porteur.pk, email=porteur.email)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert Campaign.objects.get(pk=older.pk).status == "cancelled"
    assert Campaign.objects.get(pk=newer.pk).status == "preparing"
    assert Project.objects.get(pk=project.pk).current_campaign_id == newer.pk
    assert DeletionRequest.objects.filter(user=porteur).count() == 1
