"""The registry of personal data (projects/personal_data.py) covers every field that can hold
free text, and says the truth about what anonymisation and erasure do."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from accounts.models import User
from accounts.services import user_erase
from projects import personal_data
from projects.personal_data import Erase, Keep

# Fields that can hold a person's data: text, e-mail, URL, file, slug, JSON (codes with
# choices too: they are listed as kept, so that a field turned into free text is noticed).
TEXT_FIELDS = (models.CharField, models.TextField, models.FileField, models.JSONField)


def project_models() -> list[type[models.Model]]:
    root = Path(settings.BASE_DIR).resolve()
    return [
        model
        for model in apps.get_models()
        # The project's own apps: under the project's folder, not the virtualenv's packages.
        if (path := Path(apps.get_app_config(model._meta.app_label).path).resolve()).is_relative_to(
            root
        )
        and "site-packages" not in path.parts
    ]


def test_every_text_field_of_every_model_is_listed_as_personal_or_kept():
    missing = []
    for model in project_models():
        entry = personal_data.REGISTRY.get(model._meta.label)
        declared = entry.fields if entry else {}
        for field in model._meta.concrete_fields:
            if isinstance(field, TEXT_FIELDS) and field.name not in declared:
                missing.append(f"{model._meta.label}.{field.name}")
    assert missing == [], (
        "Say in projects/personal_data.py (or the app's register call) whether these fields "
        f"hold personal data and what anonymisation does with them: {missing}"
    )


def test_the_registry_names_only_real_fields_with_a_reason_or_a_treatment():
    for entry in personal_data.REGISTRY.values():
        names = {f.name for f in entry.model._meta.concrete_fields}
        assert set(entry.fields) <= names, entry.label
        for how in entry.fields.values():
            assert isinstance(how, Erase) or (isinstance(how, Keep) and how.reason)
        if entry.dossier is None and entry.personal():
            assert entry.erased_by, f"{entry.label}: which service erases it?"


def test_the_free_texts_the_issue_names_are_personal():
    personal = {
        f"{entry.label}.{name}"
        for entry in personal_data.REGISTRY.values()
        for name in entry.personal()
    }
    assert {
        "labelling.LabellingRequest.cheffe_opinion",
        "labelling.CriterionAssessment.comment",
        "labelling.Vote.comment",
        "labelling.Decision.motivation",
        "coaching.FinancingLine.label",
        "coaching.RewardTier.description",
        "coaching.Interaction.internal_notes",
        "coaching.Interaction.next_action",
        "campaigns.Campaign.url",
        "projects.Document.file",
        "projects.StatusChange.note",
        "accounts.User.email",
        "accounts.User.phone",
    } <= personal


@pytest.mark.django_db
def test_erasing_an_account_changes_every_personal_field_the_registry_lists(porteur):
    entry = personal_data.REGISTRY["accounts.User"]
    before = {name: getattr(porteur, name) for name in entry.personal()}
    user_erase(user=porteur)
    after = User.objects.values(*entry.personal()).get(pk=porteur.pk)
    for name, value in before.items():
        assert not value or after[name] != value, name
    assert not User.objects.get(pk=porteur.pk).has_usable_password()


def test_the_registry_describes_itself_for_the_docs():
    table = personal_data.describe()
    assert ("coaching.Interaction", "next_action_due", "blank") in table
    assert ("projects.Document", "file", "row deleted") in table


def test_a_declaration_that_mixes_deleted_rows_and_kept_rows_is_refused():
    with pytest.raises(ValueError):
        personal_data.register(User, dossier=None, personal={"email": personal_data.WITH_ROW})
    with pytest.raises(ValueError):
        personal_data.register(
            User, dossier=None, delete_rows=True, personal={"email": personal_data.BLANK}
        )
    with pytest.raises(ValueError):
        personal_data.register(
            User, dossier=None, personal={"email": personal_data.BLANK}, keep={"email": "x"}
        )
    assert personal_data.REGISTRY["accounts.User"].fields["email"].what == "neutral value"


@pytest.mark.django_db
def test_a_file_that_cannot_be_removed_after_commit_is_logged_not_raised(caplog):
    class Stubborn:
        def delete(self, name):
            raise PermissionError(name)

    removed = []

    class Fine:
        def delete(self, name):
            removed.append(name)

    personal_data.remove_files([(Stubborn(), "a"), (Fine(), "b")])
    assert removed == ["b"]
    assert "could not remove the file a" in caplog.text
