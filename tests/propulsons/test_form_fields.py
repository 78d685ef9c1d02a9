"""The filter forms of the catalogue and the pipeline ({% form_field %}): plain Bootstrap 5
markup written in Python, accessible (label, help and errors tied to the control), the errors
in French next to their field, the values typed kept; and no per-field template any more
(crispy-forms and Django's widget templates were a quarter of those pages' time)."""

import re

import pytest
from django import forms
from django.template import Context, Template

from tests.campaigns.factories import CampaignFactory

pytestmark = pytest.mark.django_db

PER_FIELD_TEMPLATES = re.compile(r"^(bootstrap5/|django/forms/)")


def render(field) -> str:
    return Template("{% load form_fields %}{% form_field field %}").render(
        Context({"field": field})
    )


def test_the_pipelines_filters_keep_the_values_and_show_the_errors_in_french(client, cheffe):
    client.force_login(cheffe)
    response = client.get(
        "/accompagnement/dossiers/",
        {"q": "vélo <b>", "contact_from": "2020-13-45", "mine": "on", "status": "zz"},
    )
    html = response.content.decode()
    assert '<label for="id_q" class="form-label">Recherche (nom, référence, projet)</label>' in html
    assert 'name="q" value="vélo &lt;b&gt;" class="form-control" id="id_q"' in html
    # The date typed, invalid, comes back for correction, its error next to it and tied to it.
    assert re.search(
        r'<input type="date" name="contact_from" value="2020-13-45" '
        r'aria-describedby="id_contact_from_error" aria-invalid="true" '
        r'class="form-control is-invalid" id="id_contact_from">'
        r'<div id="id_contact_from_error" class="invalid-feedback d-block">'
        r'<p class="mb-0"><strong>Saisissez une date valide.</strong></p></div>',
        html,
    )
    assert "Sélectionnez un choix valide. zz n’en fait pas partie." in html
    # A checkbox: its help text tied to it, the choice kept.
    assert re.search(
        r'<input type="checkbox" name="mine" aria-describedby="id_mine_helptext" '
        r'class="form-check-input" id="id_mine" checked>'
        r'<label for="id_mine" class="form-check-label">Mes dossiers seulement</label>'
        r'<div id="id_mine_helptext" class="form-text">',
        html,
    )
    assert '<optgroup label="Un statut"><option value="contact">Prise de contact</option>' in html


def test_the_catalogues_filters_keep_the_choices_made(client):
    campaign = CampaignFactory()
    response = client.get("/projets/", {"category": campaign.project.category, "sort": "title"})
    html = response.content.decode()
    assert f'<option value="{campaign.project.category}" selected>' in html
    assert '<option value="title" selected>Titre</option>' in html
    commune = re.search(r'<input type="text" name="commune"[^>]*>', html)[0]
    assert 'list="communes-publiees"' in commune and 'autocomplete="off"' in commune


@pytest.mark.parametrize("url", ["/projets/", "/accompagnement/dossiers/"])
def test_the_filter_forms_render_no_template_per_field(client, cheffe, url):
    client.force_login(cheffe)
    response = client.get(url, {"q": "x", "status": "zz"})
    assert response.status_code == 200
    names = [template.name for template in response.templates]
    assert not [name for name in names if name and PER_FIELD_TEMPLATES.match(name)]


class Sample(forms.Form):
    name = forms.CharField(label="Nom", help_text="Comme sur la pièce d'identité.")
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea)
    size = forms.TypedChoiceField(
        label="Taille", choices=[("1", "Petite"), ("2", "Grande")], required=False
    )


def test_a_required_field_with_help_and_an_error_and_another_widget():
    form = Sample({"name": "", "note": "<i>", "size": "2"})
    assert not form.is_valid()
    html = render(form["name"])
    assert 'aria-describedby="id_name_error id_name_helptext"' in html
    assert "required" in html and '<span class="asteriskField">*</span>' in html
    assert "Ce champ est obligatoire." in html
    # Any other widget is Django's own, in the same wrapper and with the same classes.
    note = render(form["note"])
    assert note.startswith('<div id="div_id_note" class="mb-3"><label for="id_note"')
    assert "<textarea" in note and 'class="form-control"' in note and "&lt;i&gt;" in note
    assert '<option value="2" selected>Grande</option>' in render(form["size"])


class Choices(forms.Form):
    plain = forms.ChoiceField(choices=[(None, "Tous"), ("a", "A & <b>"), (1, "Un")])
    grouped = forms.ChoiceField(
        choices=[("", "Aucun"), ("Nord", [("lille", "Lille"), ("lens", "Lens")]), ("x", "X")]
    )
    repeated = forms.ChoiceField(choices=[("a", "Premier"), ("a", "Second")])


@pytest.mark.parametrize(
    "data",
    [{}, {"plain": "1", "grouped": "lens", "repeated": "a"}, {"plain": "", "grouped": "x"}],
)
def test_a_select_is_written_as_djangos_widget_writes_it(data):
    """The <select> is built from the choices, not through Django's option dicts: the same
    options, values, escaping, optgroups and selection (the first matching option only)."""
    form = Choices(data or None)
    for name in form.fields:
        ours = re.search(r"<select.*</select>", render(form[name]), re.S)[0]
        attrs = {"class": "form-select"} | (
            {"aria-describedby": f"id_{name}_error"} if form[name].errors else {}
        )
        if form[name].errors:
            attrs["class"] += " is-invalid"
        django = form[name].as_widget(attrs=attrs)
        assert _select_parts(ours) == _select_parts(django), name


def _select_parts(html: str) -> tuple[list[str], str]:
    """A <select>'s attributes (in any order) and its options, whitespace between tags aside."""
    start, rest = re.sub(r">\s+<", "><", html).split(">", 1)
    return sorted(re.findall(r'[\w-]+(?:="[^"]*")?', start.removeprefix("<select"))), rest
