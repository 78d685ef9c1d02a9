"""French typography everywhere: the catalogue's strings, the templates' amounts, percentages
and dates, and every email the suite sends (tests/conftest.py checks mail.outbox after each
test); the browser crawl checks every page of every role (tests/test_accessibility_crawl.py)."""

import re
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from propulsons.typography import day, euros, french_spacing, percent, spacing_defects

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize(
    ("typed", "french"),
    [
        ("Téléphone :", "Téléphone\u00a0:"),
        ("Soit ; et", "Soit\u00a0; et"),
        ("Bravo !", "Bravo\u00a0!"),
        ("Vraiment ?", "Vraiment\u00a0?"),
        ("« Tout ou rien »", "«\u00a0Tout ou rien\u00a0»"),
        ("{{ goal }} €", "{{ goal }}\u00a0€"),
        ("à 50 %", "à 50\u00a0%"),
        ("%(count)s dossiers, %s et %d", "%(count)s dossiers, %s et %d"),
        ("accompagné par Propulsons!.", "accompagné par Propulsons!"),
        ("https://propulsons.org/?page=2", "https://propulsons.org/?page=2"),
    ],
)
def test_french_spacing(typed, french):
    assert french_spacing(typed) == french
    assert spacing_defects(french) == []


def test_amounts_percentages_and_dates():
    assert euros(81125) == "81\u00a0125\u00a0€"
    assert percent(54) == "54\u00a0%"
    assert day(date(2016, 11, 1)) == "1er novembre 2016"
    assert day(date(2016, 11, 2)) == "2 novembre 2016"
    assert day(datetime(2026, 12, 1, 14, 30), "l j F Y, H\\hi") == "mardi 1er décembre 2026, 14h30"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_date_is_written_as_django_writes_it(language):
    """day() writes the usual "j F Y" itself (a table prints dozens of dates): word for word
    what Django's date_format gives, "1er" included, for every day of a leap year."""
    from django.utils import translation
    from django.utils.formats import date_format

    with translation.override(language):
        for offset in range(366):
            value = date(2024, 1, 1) + timedelta(days=offset)
            slow = date_format(value, "j\\e\\r F Y" if value.day == 1 else "j F Y")
            assert day(value) == slow
        assert day(date(987, 3, 4)) == date_format(date(987, 3, 4), "j F Y")


def test_every_string_of_the_catalogue_is_typeset():
    text = CATALOGUE.read_text(encoding="utf-8")
    entries = re.findall(r'msgstr(?:\[\d\])? ((?:".*"\n)+)', text)
    defects = []
    for lines in entries[1:]:  # the first is the header
        string = "".join(re.findall(r'"(.*)"', lines))
        defects += spacing_defects(string)
    assert not defects, f"run `make messages`: {defects[:10]}"


def test_every_template_goes_through_the_french_filters():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bin" / "french-templates"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"run bin/french-templates; it would change:\n{result.stdout}"


@pytest.mark.parametrize(("ours", "django"), [("dmy", "d/m/Y"), ("ymd", "Y-m-d")])
def test_dmy_and_ymd_write_what_the_date_filter_writes_in_local_time(ours, django):
    """{{ value|dmy }} instead of {{ value|date:"d/m/Y" }}, {{ value|ymd }} for "Y-m-d": the
    same text, a datetime in Paris time (23:30 UTC on 31 December is already 1 January in
    Paris), nothing for no date."""
    from datetime import UTC, datetime

    from django.template import Context, Template

    template = Template(f'{{{{ value|{ours} }}}}|{{{{ value|date:"{django}" }}}}')
    for value in (
        date(2026, 12, 1),
        date(2026, 1, 31),
        datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
        datetime(2026, 6, 30, 21, 59, tzinfo=UTC),
        None,
        "",
    ):
        written, expected = template.render(Context({"value": value})).split("|")
        assert written == expected, value


def test_dmy_moves_to_the_next_day_in_paris():
    from datetime import UTC, datetime

    from django.template import Context, Template

    template = Template('{{ value|dmy }}|{{ value|date:"d/m/Y" }}')
    assert template.render(Context({"value": datetime(2026, 12, 31, 23, 30, tzinfo=UTC)})) == (
        "01/01/2027|01/01/2027"
    )
