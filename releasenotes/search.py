"""Finding things by what people type.

Every enhancement, removed API, FAQ entry and glossary term has one `SearchEntry`,
rebuilt from it on save (signals wired in apps.py) or all at once by `rebuild()`. A query
is parsed by `releasenotes.query` (glossary translations included), matched through the
database's own index (SQLite FTS5 or PostgreSQL pg_trgm) and ranked in SQL:

    0  the KEP or tracking-issue number, or the exact title, alias, feature gate or term
    1  a title or other name that starts with the query
    2  every word of the query in the titles or other names
    3  anywhere else

`filter_enhancements` is what the enhancement list's `q` filter and the API call.
"""

import html
from dataclasses import dataclass
from functools import lru_cache, reduce
from operator import and_, or_

from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When, Window
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete, post_save
from django.utils.html import escape, format_html, format_html_join, strip_tags
from django.utils.safestring import SafeString, mark_safe

from .markup import render_markdown
from .models import ApiRemoval, Enhancement, FaqEntry, GlossaryTerm, Release, SearchEntry, SearchKind
from .query import (
    Glossary,
    Number,
    Query,
    clean_query,
    find_matches,
    fold,
    is_short,
    parse_query,
    tidy,
    variants,
    words,
)

SNIPPET_BEFORE = 60  # characters of context shown before the first match
SNIPPET_LENGTH = 220

# One of each kind of query the engine understands, shown on the empty and no-result
# pages. They are search terms, not interface text, so they are not translated.
EXAMPLE_QUERIES = ["서버-사이드 어플라이", "NodeSwap", "KEP-2400", "#542", "스왑", "Ingress", "cri-dockerd"]


# Building entries ----------------------------------------------------------------------


# Markdown syntax needs at least one of these; text with none of them is already plain.
MARKDOWN_CHARACTERS = frozenset("`*_[]<>&#!|\\~=+-\n")


def _plain(markdown: str | None) -> str:
    """Markdown as the plain text a snippet shows."""
    if MARKDOWN_CHARACTERS.isdisjoint(markdown or ""):
        return tidy(markdown)  # rendering costs about a millisecond; rebuilds do it thousands of times
    return tidy(html.unescape(strip_tags(render_markdown(markdown))))


def _entry(
    kind,
    obj,
    *,
    titles,
    names,
    bodies,
    keywords=(),
    url_name,
    url_kwargs,
    anchor="",
    kep_number=None,
    tracking_issue=None,
):
    title_en, title_ko = (tidy(t) for t in titles)
    body_en, body_ko = bodies
    everything = [title_en, title_ko, *names, *keywords, body_en, body_ko]
    folded_names = [fold(n) for n in (title_en, title_ko, *names, *keywords)]
    folded_names = " ".join(dict.fromkeys(n for n in folded_names if n))  # in order, without repeats
    return SearchEntry(
        kind=kind,
        object_id=obj.pk,
        title_en=title_en,
        title_ko=title_ko or "",
        body_en=body_en,
        body_ko=body_ko,
        keywords="\n".join(keywords),
        # Spaces around each name let "exact" be LIKE '% name %' and "prefix" LIKE '% name%';
        # a folded name never contains a space, so no match runs across two names.
        names=f" {folded_names} ",
        text=f" {folded_names} {fold(body_en)} {fold(body_ko)} ",
        words=f" {' '.join(dict.fromkeys(w for part in everything for w in words(part)))} ",
        url_name=url_name,
        url_kwargs=url_kwargs,
        anchor=anchor,
        kep_number=kep_number,
        tracking_issue=tracking_issue,
    )


def entry_for_enhancement(e: Enhancement) -> SearchEntry:
    return _entry(
        SearchKind.ENHANCEMENT,
        e,
        titles=(e.title_en, e.title_ko),
        names=[],
        keywords=[*e.feature_gates, *e.aliases],
        bodies=(_plain(e.summary_en), _plain(e.summary_ko)),
        url_name="releasenotes:enhancement-detail",
        url_kwargs={"kep_number": e.kep_number},
        kep_number=e.kep_number,
        tracking_issue=e.tracking_issue,
    )


def entry_for_removal(r: ApiRemoval) -> SearchEntry:
    title = f"{r.api_version} {', '.join(r.kinds)}"
    # The arrow says "replaced by" in either language, without translating at index time.
    lead = f"{r.api_version} → {r.replacement or '—'}."
    return _entry(
        SearchKind.REMOVED_API,
        r,
        titles=(title, title),
        names=[r.api_version, *r.kinds, *(f"{r.api_version} {kind}" for kind in r.kinds)],
        bodies=(
            " ".join(filter(None, [lead, _plain(r.notable_changes_en), _plain(r.note_en)])),
            " ".join(filter(None, [lead, _plain(r.notable_changes_ko), _plain(r.note_ko)])),
        ),
        url_name="releasenotes:removed-apis",
        url_kwargs={"version": r.removed_in.version},
        anchor=r.slug,
    )


def entry_for_faq(f: FaqEntry) -> SearchEntry:
    return _entry(
        SearchKind.FAQ,
        f,
        titles=(f.question_en, f.question_ko),
        names=[],
        bodies=(_plain(f.answer_en), _plain(f.answer_ko)),
        url_name="releasenotes:dockershim",
        url_kwargs={},
        anchor=f.slug,
    )


def entry_for_term(t: GlossaryTerm) -> SearchEntry:
    return _entry(
        SearchKind.GLOSSARY,
        t,
        titles=(f"{t.english} — {t.korean}", f"{t.korean} — {t.english}"),
        names=[*variants(t.english), *variants(t.korean)],
        bodies=(_plain(t.note_en), _plain(t.note_ko)),  # notes are Markdown
        url_name="releasenotes:glossary",
        url_kwargs={},
        anchor=t.slug,
    )


SOURCES = {
    Enhancement: (SearchKind.ENHANCEMENT, entry_for_enhancement),
    ApiRemoval: (SearchKind.REMOVED_API, entry_for_removal),
    FaqEntry: (SearchKind.FAQ, entry_for_faq),
    GlossaryTerm: (SearchKind.GLOSSARY, entry_for_term),
}


def index(instance, using=None) -> None:
    kind, build = SOURCES[type(instance)]
    entry = build(instance)
    fields = {f.attname: getattr(entry, f.attname) for f in SearchEntry._meta.concrete_fields if not f.primary_key}
    SearchEntry.objects.using(using).update_or_create(kind=kind, object_id=instance.pk, defaults=fields)


def unindex(instance, using=None) -> None:
    kind, _build = SOURCES[type(instance)]
    SearchEntry.objects.using(using).filter(kind=kind, object_id=instance.pk).delete()


def all_entries():
    """A fresh entry for everything searchable, one query per kind."""
    for model, (_kind, build) in SOURCES.items():
        queryset = model.objects.select_related("removed_in") if model is ApiRemoval else model.objects.all()
        for instance in queryset.iterator(chunk_size=2000):
            yield build(instance)


def rebuild(dry_run: bool = False) -> int:
    """Replace the whole index; returns how many entries it holds."""
    entries = list(all_entries())
    if not dry_run:
        with transaction.atomic():
            SearchEntry.objects.all().delete()
            SearchEntry.objects.bulk_create(entries, batch_size=1000)
    return len(entries)


def _on_save(sender, instance, using, **kwargs):
    # Raw saves (loaddata) are indexed too: the fixtures are how the site gets its data.
    index(instance, using=using)


def _on_delete(sender, instance, using, **kwargs):
    unindex(instance, using=using)


def _on_release_save(sender, instance, using, **kwargs):
    # A removed API's URL names its release's version.
    for removal in ApiRemoval.objects.using(using).filter(removed_in=instance).select_related("removed_in"):
        index(removal, using=using)


def connect_signals() -> None:
    """Keep the index current. No m2m_changed handler: no indexed field is many-to-many.
    Queryset .update() and .delete() bypass signals; `rebuild_search_index` repairs that."""
    for model in SOURCES:
        post_save.connect(_on_save, sender=model, dispatch_uid=f"search-index-{model.__name__}")
        post_delete.connect(_on_delete, sender=model, dispatch_uid=f"search-unindex-{model.__name__}")
    post_save.connect(_on_release_save, sender=Release, dispatch_uid="search-index-release")


# Matching and ranking ------------------------------------------------------------------


def parse(raw: str) -> Query:
    """Parse a query, with the glossary's translations (one query, only when there are words)."""
    if not clean_query(raw):
        return Query("")
    return parse_query(raw, _glossary(tuple(GlossaryTerm.objects.values_list("english", "korean"))))


@lru_cache(maxsize=4)
def _glossary(pairs: tuple[tuple[str, str], ...]) -> Glossary:
    # Keyed by the terms themselves, read afresh for every query: an edit shows at once,
    # and folding them again is skipped while they stay the same.
    return Glossary.from_pairs(pairs)


# The SQLite FTS5 tables created by migration 0003.
TEXT_INDEX = "releasenotes_searchentry_text"
WORDS_INDEX = "releasenotes_searchentry_words"


def _fts_string(spelling: str) -> str:
    # Every spelling reaches MATCH as an FTS5 string, so no input is read as FTS syntax.
    return '"' + spelling.replace('"', '""') + '"'


def _fts(table: str, expression: str) -> Q:
    # `table` is one of the two constants above; what people type travels as a parameter.
    sql = f"SELECT rowid FROM {table} WHERE {table} MATCH %s"  # noqa: S608
    return Q(pk__in=RawSQL(sql, [expression]))  # noqa: S611


def _any_of(spellings, suffix="") -> str:
    return "(" + " OR ".join(_fts_string(s) + suffix for s in sorted(spellings)) + ")"


def _groups_match(groups) -> Q:
    """Every group found; a group is found when any of its spellings is: a long one as a
    substring of the compact text, a short one as the start of a word."""
    if connection.vendor != "sqlite":
        # PostgreSQL answers these LIKEs from its trigram GIN indexes; other databases scan.
        return reduce(
            and_,
            [
                reduce(or_, [Q(words__contains=f" {s}") if is_short(s) else Q(text__contains=s) for s in group])
                for group in groups
            ],
        )
    # One MATCH for all the groups the trigram index can answer alone: FTS5 intersects
    # them far faster than SQLite intersects one subquery per group.
    trigram_only = [g for g in groups if not any(map(is_short, g))]
    conditions = [_fts(TEXT_INDEX, " AND ".join(map(_any_of, trigram_only)))] if trigram_only else []
    for group in groups:
        long, short = [s for s in group if not is_short(s)], [s for s in group if is_short(s)]
        if short:
            condition = _fts(WORDS_INDEX, _any_of(short, suffix="*"))
            conditions.append(condition | _fts(TEXT_INDEX, _any_of(long)) if long else condition)
    return reduce(and_, conditions)


def _number_matches(number: Number) -> Q:
    by_kep, by_issue = Q(kep_number=number.value), Q(tracking_issue=number.value)
    return {"kep": by_kep, "issue": by_issue}.get(number.kind, by_kep | by_issue)


def _in_names(spelling: str) -> Q:
    return Q(names__contains=f" {spelling}" if is_short(spelling) else spelling)


def _rank(query: Query) -> Case:
    whens = []
    if query.number:
        whens.append(When(_number_matches(query.number), then=Value(0)))
    if query.groups:
        whens += [
            When(reduce(or_, [Q(names__contains=f" {s} ") for s in query.whole]), then=Value(0)),
            When(reduce(or_, [Q(names__contains=f" {s}") for s in query.whole]), then=Value(1)),
            When(reduce(and_, [reduce(or_, map(_in_names, g)) for g in query.groups]), then=Value(2)),
        ]
    return Case(*whens, default=Value(3), output_field=IntegerField())


def find(query: Query) -> QuerySet[SearchEntry]:
    """Entries matching the query, best first. Only ids and ranks are selected: SQLite's
    sorter carries every selected column of every candidate, so `present` reads the rest,
    for one page."""
    if not query:
        return SearchEntry.objects.none()
    condition = _groups_match(query.groups) if query.groups else None
    if query.number:
        number = _number_matches(query.number)
        condition = number if condition is None else number | condition
    kind_order = Case(
        *(When(kind=kind, then=Value(i)) for i, kind in enumerate(SearchKind.values)), output_field=IntegerField()
    )
    return (
        SearchEntry.objects.filter(condition)
        .only("pk")
        .annotate(rank=_rank(query), kind_order=kind_order)
        .order_by("rank", "kind_order", "title_en", "pk")
    )


@dataclass(frozen=True)
class ResultPage:
    """One page of ranked entries (ids and rank only; see `present`) and how many match."""

    entries: list[SearchEntry]
    count: int
    number: int
    size: int

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1


def page(query: Query, number: int, size: int) -> ResultPage:
    """Page `number` of the results. The total comes from a window function in the same
    query, so the index is searched once per page, not once more for a COUNT."""
    ranked = find(query).annotate(total=Window(Count("pk")))
    number = max(1, number)
    entries = list(ranked[(number - 1) * size : number * size])
    if not entries and number > 1:
        # Past the end (an old link, a hand-edited URL): the last page, as Paginator.get_page does.
        number = max(1, -(-find(query).count() // size))
        entries = list(ranked[(number - 1) * size : number * size])
    return ResultPage(entries, entries[0].total if entries else 0, number, size)


def filter_enhancements(queryset: QuerySet, q: str) -> QuerySet:
    matching = find(parse(q)).filter(kind=SearchKind.ENHANCEMENT).values("object_id")
    return queryset.filter(pk__in=matching)


# Presenting results --------------------------------------------------------------------


def highlight(text: str, spans) -> SafeString:
    """`text` escaped, with <mark> around each span."""
    parts, last = [], 0
    for start, end in spans:
        parts += [escape(text[last:start]), format_html("<mark>{}</mark>", text[start:end])]
        last = end
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece escaped above


def snippet(text: str, spellings) -> SafeString:
    """A stretch of `text` around its first match, cut at spaces, matches marked."""
    spans = find_matches(text, spellings)
    start, end = 0, len(text)
    if spans and spans[0][0] > SNIPPET_BEFORE:
        space = text.find(" ", spans[0][0] - SNIPPET_BEFORE, spans[0][0])
        start = space + 1 if space != -1 else spans[0][0] - SNIPPET_BEFORE
    if end - start > SNIPPET_LENGTH:
        end = start + SNIPPET_LENGTH
        space = text.rfind(" ", start + SNIPPET_LENGTH // 2, end)
        end = space if space != -1 else end
    visible = [(max(a, start) - start, min(b, end) - start) for a, b in spans if a < end and b > start]
    marked = highlight(text[start:end], visible)
    return format_html("{}{}{}", "… " if start else "", marked, " …" if end < len(text) else "")


@dataclass(frozen=True)
class Result:
    kind: str
    kind_label: str
    title: str
    title_html: SafeString
    title_lang: str
    url: str
    snippet: SafeString
    also_known_as: SafeString
    kep_number: int | None
    removed_in: str | None


def present(entries, query: Query, language: str) -> list[Result]:
    """Results to show for a page of `find`, in `language` where the entry has it (else
    English). One query reads their rows."""
    ids = [entry.pk for entry in entries]
    rows = SearchEntry.objects.defer("names", "text", "words").in_bulk(ids)
    spellings = query.spellings
    results = []
    for entry in (rows[pk] for pk in ids if pk in rows):
        own_title = getattr(entry, f"title_{language}", "") or ""
        title, title_lang = (own_title, language) if own_title else (entry.title_en, "en")
        body = getattr(entry, f"body_{language}", "") or entry.body_en
        matched = [k for k in entry.keywords.splitlines() if find_matches(k, spellings)]
        results.append(
            Result(
                kind=entry.kind,
                kind_label=entry.get_kind_display(),
                title=title,
                title_html=highlight(title, find_matches(title, spellings)),
                title_lang=title_lang,
                url=entry.get_absolute_url(),
                snippet=snippet(body, spellings),
                also_known_as=format_html_join(
                    ", ", "{}", ((highlight(k, find_matches(k, spellings)),) for k in matched)
                ),
                kep_number=entry.kep_number,
                removed_in=entry.url_kwargs.get("version") if entry.kind == SearchKind.REMOVED_API else None,
            )
        )
    return results


def popular_enhancements():
    """What to offer when a search finds nothing: the major themes of the latest release."""
    return Enhancement.objects.major_themes().order_by("kep_number")
