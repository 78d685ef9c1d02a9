import pytest
from django.core.management import call_command

from accounts.demo import CHEFFE_EMAIL, DEMO_PASSWORD
from accounts.models import Role, User
from projects.models import Project, Status, StatusChange


@pytest.mark.django_db
def test_load_demo_creates_every_role_and_the_seed_examples(capsys):
    call_command("load_demo")
    output = capsys.readouterr().out
    assert DEMO_PASSWORD in output
    assert CHEFFE_EMAIL in output
    for role in Role:
        assert User.objects.filter(role=role).exists()
    assert User.objects.filter(role=Role.COMITE).count() == 6
    assert User.objects.get(email=CHEFFE_EMAIL).check_password(DEMO_PASSWORD)

    indelab = Project.objects.get(title__startswith="Indelab")
    assert indelab.commune.name == "Bruay-la-Buissière"
    garage = Project.objects.get(title="Le Garage solidaire de l'Artois")
    assert garage.commune.name == "Béthune"
    assert garage.created_at.year == 2016


@pytest.mark.django_db
def test_load_demo_twice_changes_nothing():
    call_command("load_demo")
    counts = (User.objects.count(), Project.objects.count(), StatusChange.objects.count())
    call_command("load_demo")
    assert (User.objects.count(), Project.objects.count(), StatusChange.objects.count()) == counts


@pytest.mark.django_db
def test_the_demo_pipeline_has_a_dossier_in_every_status():
    call_command("load_demo")
    present = set(Project.objects.values_list("status", flat=True))
    assert present == {status.value for status in Status}
    # Every dossier's history is complete: one row per step from "prise de contact".
    for project in Project.objects.all():
        changes = list(project.status_changes.values_list("from_status", "to_status"))
        assert changes[0] == ("", Status.CONTACT)
        assert changes[-1][1] == project.status
        assert all(a[1] == b[0] for a, b in zip(changes, changes[1:], strict=False))
