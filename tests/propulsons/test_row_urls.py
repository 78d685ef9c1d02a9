"""{% row_url %} says what {% url %} says: one reverse() per pattern, each row's values put in
its placeholders, quoted as reverse() quotes them."""

from unittest import mock

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.urls.resolvers import URLResolver

from propulsons.templatetags.row_urls import row_url

CASES = [
    ("projects:team_project", ["P-2026-00042"]),
    ("projects:team_project", ["réf avec espaces & signes ?#%"]),
    ("campaigns:project_page", ["atelier-velo-de-lens"]),
    ("coaching:reminder_done", [123456]),
    ("labelling:session_action", [7, "monter"]),
    ("campaigns:cover", ["atelier-velo", "couverture-640.webp"]),
]


@pytest.mark.parametrize(("name", "args"), CASES)
def test_row_url_says_what_reverse_says(name, args):
    assert row_url(name, *args) == reverse(name, args=args)


def test_a_list_reverses_each_pattern_once_and_escapes_like_url():
    rows = [{"reference": f"P-2026-{n:05d}", "pk": n} for n in range(50)] + [
        {"reference": 'a"b<c>', "pk": 99}
    ]
    template = Template(
        "{% load row_urls %}{% for row in rows %}"
        "<a href=\"{% row_url 'projects:team_project' row.reference %}\">"
        "<a href=\"{% row_url 'coaching:reminder_done' row.pk %}\">{% endfor %}"
    )
    url_template = Template(
        "{% for row in rows %}<a href=\"{% url 'projects:team_project' row.reference %}\">"
        "<a href=\"{% url 'coaching:reminder_done' row.pk %}\">{% endfor %}"
    )
    calls = []
    original = URLResolver._reverse_with_prefix

    def counted(self, *args, **kwargs):
        calls.append(args[0])
        return original(self, *args, **kwargs)

    with mock.patch("propulsons.templatetags.row_urls._PATTERNS", {}):
        with mock.patch.object(URLResolver, "_reverse_with_prefix", counted):
            html = template.render(Context({"rows": rows}))
        assert len(calls) == 2
        assert html == url_template.render(Context({"rows": rows}))
