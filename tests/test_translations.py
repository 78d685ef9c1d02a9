"""Every string the project shows has its French text in the project's own catalogue.

The interface is written in French: the msgids are French. An entry left without a msgstr is
not compiled into django.mo, and gettext then asks the next catalogue, Django's own, which
holds English msgids: the project's "Close" (a closed session) came out as Django's "Fermer"
(the verb). So:

- every entry of locale/fr/LC_MESSAGES/django.po has a French msgstr (all plural forms), not
  fuzzy;
- no project string is answered by another catalogue than the project's (checked on the
  compiled catalogue, the way pages get their text);
- every string the code and templates mark for translation is in the catalogue (a scratch
  `makemessages` run compared with the committed file).

`make messages` refreshes the catalogue (bin/fill-french-plurals fills each French msgstr).
"""

import gettext as gettext_module
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import django
import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = Path(
    os.environ.get("PROPULSONS_PO") or ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
)
SHOWN = 40  # entries listed in a failure message


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The key gettext looks the entry up by (context, EOT, msgid)."""
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr) and "fuzzy" not in self.flags

    def __str__(self) -> str:
        where = self.references[0] if self.references else "?"
        context = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return f"{context}{self.msgid!r} ({where})"


def _unquote(text: str) -> str:
    body = text.strip()
    assert body.startswith('"') and body.endswith('"'), f"not a PO string: {text!r}"
    return re.sub(
        r"\\(.)",
        lambda m: {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(m.group(1), m.group(1)),
        body[1:-1],
    )


def parse_po(path: Path) -> list[Entry]:
    """The entries of a PO file (without the header and the obsolete "#~" entries): a small
    reader of the format GNU gettext writes, enough for this catalogue."""
    entries: list[Entry] = []
    fields: dict[str, str] = {}
    flags: set[str] = set()
    references: list[str] = []
    current: str | None = None

    def flush() -> None:
        nonlocal fields, flags, references, current
        if "msgid" in fields:
            msgstr = [fields[k] for k in sorted(k for k in fields if k.startswith("msgstr"))]
            entries.append(
                Entry(
                    msgid=fields["msgid"],
                    msgctxt=fields.get("msgctxt"),
                    msgid_plural=fields.get("msgid_plural"),
                    msgstr=msgstr,
                    flags=flags,
                    references=references,
                )
            )
        fields, flags, references, current = {}, set(), [], None

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            flush()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            if "msgid" in fields:
                flush()
            flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#:"):
            if "msgid" in fields:
                flush()
            references += line[2:].split()
        elif line.startswith("#"):
            if "msgid" in fields:
                flush()
        elif line.startswith('"'):
            assert current is not None, f"a continuation line with no keyword: {line!r}"
            fields[current] += _unquote(line)
        else:
            keyword, _, rest = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and "msgid" in fields:
                flush()
            current = keyword
            fields[keyword] = _unquote(rest)
    flush()
    return [entry for entry in entries if entry.msgid != ""]


def listing(entries: list[Entry]) -> str:
    shown = "\n  ".join(str(entry) for entry in entries[:SHOWN])
    more = f"\n  … and {len(entries) - SHOWN} more" if len(entries) > SHOWN else ""
    return f"{len(entries)} entries:\n  {shown}{more}"


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    assert CATALOGUE.exists(), f"no catalogue at {CATALOGUE}"
    return parse_po(CATALOGUE)


def test_the_reader_understands_the_po_format(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        "\n".join(
            [
                'msgid ""',
                'msgstr ""',
                '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"',
                "",
                "#: templates/a.html:1",
                'msgid "Séance close"',
                'msgstr "Séance close"',
                "",
                "#: labelling/models.py:3",
                "#, python-format",
                'msgctxt "statut de séance"',
                'msgid "Close"',
                'msgstr ""',
                "",
                "#: a.py:2",
                'msgid "%(counter)s dossier"',
                'msgid_plural "%(counter)s dossiers"',
                'msgstr[0] "%(counter)s dossier"',
                'msgstr[1] ""',
                "",
                "#, fuzzy",
                'msgid ""',
                '"Une longue "',
                '"phrase \\"citée\\"."',
                'msgstr "Une longue phrase."',
                "",
                '#~ msgid "Ancienne"',
                '#~ msgstr ""',
            ]
        ),
        encoding="utf-8",
    )
    parsed = parse_po(po)
    assert [(e.msgctxt, e.msgid, e.translated) for e in parsed] == [
        (None, "Séance close", True),
        ("statut de séance", "Close", False),
        (None, "%(counter)s dossier", False),
        (None, 'Une longue phrase "citée".', False),
    ]
    assert parsed[1].key == "statut de séance\x04Close"
    assert parsed[1].flags == {"python-format"}
    assert parsed[2].msgid_plural == "%(counter)s dossiers"
    assert parsed[0].references == ["templates/a.html:1"]


def test_every_string_of_the_project_has_its_french_text_in_the_catalogue(entries):
    missing = [entry for entry in entries if not entry.translated]
    assert not missing, (
        "Strings without a French msgstr (or fuzzy) in the project's catalogue: run "
        f"`make messages` and fill them; {listing(missing)}"
    )


def _other_catalogues() -> dict[str, str]:
    """Every message of the French catalogues Django would fall back to: Django's own and
    those of the installed apps, all but the project's."""
    project_locales = {Path(path).resolve() for path in settings.LOCALE_PATHS}
    localedirs = [Path(django.__file__).parent / "conf" / "locale"]
    for app in apps.get_app_configs():
        localedir = Path(app.path) / "locale"
        if localedir.is_dir() and localedir.resolve() not in project_locales:
            localedirs.append(localedir)
    messages: dict[str, str] = {}
    for localedir in localedirs:
        try:
            catalogue = gettext_module.translation("django", localedir, languages=["fr"])
        except FileNotFoundError:
            continue
        for key, value in catalogue._catalog.items():  # noqa: SLF001 — the only way to list
            if isinstance(key, str) and key:
                messages.setdefault(key, value)
    return messages


def test_no_string_of_the_project_is_left_to_django_s_catalogue(entries):
    """An untranslated project string that Django's catalogue also holds is answered by
    Django, in Django's sense ("Close" → "Fermer")."""
    others = _other_catalogues()
    assert "Close" in others, "Django's French catalogue was not found"
    answered = [entry for entry in entries if not entry.translated and entry.key in others]
    assert not answered, (
        "Django's own catalogue answers these project strings (give them a French msgstr, or "
        f"a context with pgettext): {listing(answered)}"
    )


@pytest.mark.skipif(bool(os.environ.get("PROPULSONS_PO")), reason="a scratch catalogue")
def test_each_page_gets_the_project_s_own_words(entries):
    """The compiled catalogue, as pages use it: each string comes back as the project wrote
    or translated it, never another catalogue's translation."""
    wrong = []
    with translation.override("fr"):
        for entry in entries:
            expected = entry.msgstr[0] if entry.translated else entry.msgid
            if entry.msgid_plural is not None:
                got = (
                    translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1)
                    if entry.msgctxt is not None
                    else translation.ngettext(entry.msgid, entry.msgid_plural, 1)
                )
            elif entry.msgctxt is not None:
                got = translation.pgettext(entry.msgctxt, entry.msgid)
            else:
                got = translation.gettext(entry.msgid)
            if got != expected:
                wrong.append(entry)
    assert not wrong, (
        "These strings come out of another catalogue, or django.mo is older than django.po "
        f"(run `make messages`): {listing(wrong)}"
    )


def _xgettext_missing() -> bool:
    return shutil.which("xgettext") is None or shutil.which("msgmerge") is None


@pytest.mark.skipif(_xgettext_missing(), reason="GNU gettext (xgettext) is not installed")
def test_the_catalogue_holds_every_string_the_code_marks_for_translation(entries, tmp_path):
    """`makemessages` in a scratch copy of the sources (the committed catalogue untouched):
    a string the code or a template marks that the committed catalogue lacks is shown in
    French only by luck, and by Django's catalogue when Django has the same words."""
    scratch = tmp_path / "src"
    ignored = shutil.ignore_patterns(
        ".venv", "node_modules", "bench", "tests", ".git", "__pycache__", "*.pyc", "media", "static"
    )
    for item in ROOT.iterdir():
        if item.name in {"locale", ".venv", "node_modules", "bench", "tests", ".git", "static"}:
            continue
        if item.is_dir():
            shutil.copytree(item, scratch / item.name, ignore=ignored)
        elif item.suffix == ".py":
            scratch.mkdir(exist_ok=True)
            shutil.copy2(item, scratch / item.name)
    (scratch / "locale").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-location"],
        cwd=scratch,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    fresh = parse_po(scratch / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    known = {entry.key for entry in entries}
    missing = [entry for entry in fresh if entry.key not in known]
    assert not missing, (
        f"Marked for translation but not in {CATALOGUE.relative_to(ROOT)} (run `make messages`):"
        f" {listing(missing)}"
    )
