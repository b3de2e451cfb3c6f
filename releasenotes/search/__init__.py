"""Search across everything the site holds, in Korean and English.

The one front door is `search()`: the search page, the search API and the FilterSets'
`q` all call it.

    found = search("스왑", kinds=["enhancement"], release="1.22")
    page = found.page(1, 25)                 # ranked entries, with the total
    results = found.present(page, "ko")      # titles, snippets, <mark>s, in the page language
    Enhancement.objects.filter(pk__in=found.object_ids("enhancement"))

The package: `registry.py` and `sources.py` (what is searchable: one `register` call per
model), `models.py` and `migrations/` (the index), `index.py` (keeping it current),
`text.py` (normalising text and queries, plain Python), `engine.py` (matching and ranking
in SQL), `presentation.py` (highlighting and snippets).

This module imports the rest only when called: it is also the package of a Django app,
imported before models may be.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engine import Narrowing
    from .text import Query


@dataclass(frozen=True)
class ResultPage:
    """One page of ranked entries and how many match in all."""

    entries: list
    count: int
    number: int
    size: int

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.size))

    # Methods, as on Django's Page, so one pager template serves both.
    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.number < self.num_pages

    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1

    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1

    @property
    def corrected(self) -> bool:
        """Whether even the best result needed a typo corrected."""
        from .engine import TYPO

        return bool(self.entries) and self.entries[0].rank >= TYPO


@dataclass(frozen=True)
class Search:
    query: "Query"
    narrowing: "Narrowing"

    def page(self, number: int, size: int) -> ResultPage:
        """Page `number` of the results (the last one when past the end)."""
        from .engine import count, page_rows

        number = max(1, number)
        entries = page_rows(self.query, self.narrowing, (number - 1) * size, size)
        if not entries and number > 1:
            # An old link or a hand-edited URL: the last page, as Paginator.get_page does.
            number = max(1, -(-count(self.query, self.narrowing) // size))
            entries = page_rows(self.query, self.narrowing, (number - 1) * size, size)
        return ResultPage(entries, entries[0].total if entries else 0, number, size)

    def present(self, page: ResultPage, language: str):
        from .presentation import present

        return present(page.entries, self.query, language, release=self.narrowing.release)

    def object_ids(self, kind: str):
        """The ids of the matching items of one kind, as a subquery for `pk__in` (a
        FilterSet's `q`); nothing matches a query without words or numbers."""
        from dataclasses import replace

        from .engine import matching_ids

        return matching_ids(self.query, replace(self.narrowing, kinds=(kind,))) or []

    def suggestions(self) -> list[str]:
        """What to offer as "did you mean": the query with its typos corrected, then
        glossary terms spelled almost like it."""
        return list(dict.fromkeys(filter(None, [self.query.suggestion(), *self.query.close_terms()])))


def search(raw: str, *, kinds=(), release: str = "") -> Search:
    """Parse `raw` (glossary and vocabulary included) and narrow it to some kinds and a
    release. Unknown kinds and bad versions are the caller's to refuse (`kinds()`,
    `releasenotes.versions`)."""
    from .engine import Narrowing, parse

    return Search(parse(raw), Narrowing(tuple(kinds), release or ""))


def kinds() -> list[tuple[str, str]]:
    """(kind, label) of everything searchable, in ranking order."""
    from .registry import registry

    return registry.choices()


def rebuild(dry_run: bool = False) -> int:
    from .index import rebuild as rebuild_index

    return rebuild_index(dry_run=dry_run)
