"""Search boxes: the words of a query are bounded before they become SQL.

Each word of a search becomes a group of LIKE conditions, so an unbounded query (2 000 words)
builds a statement that takes one worker for many seconds. Every search box reads its text
through `SearchField`, which keeps at most `MAX_WORDS` distinct words of at most
`MAX_WORD_LENGTH` characters from the first `MAX_QUERY_LENGTH` characters; the rest is
ignored and the page says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
MAX_WORD_LENGTH = 50


@dataclass(frozen=True)
class SearchTerms:
    words: tuple[str, ...] = ()
    shortened: bool = False

    def __bool__(self) -> bool:
        return bool(self.words)

    def __str__(self) -> str:
        return " ".join(self.words)

    @property
    def notice(self) -> str:
        """What the page says under the search box when part of the query was ignored."""
        if not self.shortened:
            return ""
        return _(
            "Votre recherche a été raccourcie : seuls les %(words)s premiers mots "
            "(%(length)s caractères au plus chacun) sont pris en compte."
        ) % {"words": MAX_WORDS, "length": MAX_WORD_LENGTH}


def search_terms(text: str | None) -> SearchTerms:
    text = text or ""
    shortened = len(text) > MAX_QUERY_LENGTH
    words: list[str] = []
    seen: set[str] = set()
    # Cut before splitting, so that the work done here is bounded too.
    for word in text[:MAX_QUERY_LENGTH].split():
        if len(word) > MAX_WORD_LENGTH:
            word, shortened = word[:MAX_WORD_LENGTH], True
        if word.casefold() in seen:
            continue
        if len(words) == MAX_WORDS:
            shortened = True
            break
        seen.add(word.casefold())
        words.append(word)
    return SearchTerms(words=tuple(words), shortened=shortened)


def words_filter(terms: SearchTerms, fields: Iterable[str]) -> Q:
    """Every word must appear in one of the fields (case-insensitive)."""
    fields = list(fields)
    condition = Q()
    for word in terms.words:
        one_word = Q()
        for field in fields:
            one_word |= Q(**{f"{field}__icontains": word})
        condition &= one_word
    return condition


class SearchField(forms.CharField):
    """A search box's text; its cleaned value is a bounded `SearchTerms`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("maxlength", str(MAX_QUERY_LENGTH))

    def clean(self, value) -> SearchTerms:  # type: ignore[override]
        return search_terms(super().clean(value))


class BoundedAdminSearch:
    """For a ModelAdmin with search_fields: the admin's search splits the query into words
    the same way (one group of LIKE conditions per word), so it gets the same bounds."""

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, str(search_terms(search_term)))
