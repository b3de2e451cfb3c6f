"""Keeping the index current: an entry per registered item, rebuilt from it on save
(signals connected by the app config) or all at once by `rebuild()`, and the vocabulary
of every word the entries hold."""

import html

from django.db import connections, router, transaction
from django.db.models.signals import post_delete, post_save
from django.utils.html import strip_tags

from ..markup import render_markdown
from ..versions import parse_minor
from .engine import TEXT_INDEX, WORDS_INDEX
from .models import SearchEntry, SearchWord
from .registry import Document, registry
from .text import MAX_WORD, TYPO_MIN, deletes, fold, tidy, tokens

# Markdown syntax needs at least one of these; text with none of them is already plain.
MARKDOWN_CHARACTERS = frozenset("`*_[]<>&#!|\\~=+-\n")


def plain(markdown: str | None) -> str:
    """Markdown as the plain text a snippet shows."""
    if MARKDOWN_CHARACTERS.isdisjoint(markdown or ""):
        return tidy(markdown)  # rendering costs about a millisecond; rebuilds do it thousands of times
    return tidy(html.unescape(strip_tags(render_markdown(markdown))))


def _spaced(items) -> str:
    return f" {' '.join(items)} " if items else ""


def _latest(versions) -> str:
    known = [v for v in versions if v]
    return max(known, key=parse_minor) if known else ""


def entry(kind: str, obj, document: Document) -> SearchEntry:
    title_en, title_ko = (tidy(t) for t in document.titles)
    body_en, body_ko = document.bodies
    names = [title_en, title_ko, *document.names, *document.keywords]
    folded_names = " ".join(dict.fromkeys(n for n in map(fold, names) if n))  # in order, without repeats
    name_tokens = [t for name in names for t in tokens(name)]
    releases = sorted(set(filter(None, document.releases)), key=parse_minor)
    return SearchEntry(
        kind=kind,
        object_id=obj.pk,
        title_en=title_en,
        title_ko=title_ko or "",
        body_en=body_en,
        body_ko=body_ko,
        keywords="\n".join(document.keywords),
        # Spaces around each name let "exact" be LIKE '% name %' and "prefix" LIKE '% name%';
        # a folded name never contains a space, so no match runs across two names.
        names=f" {folded_names} ",
        name_words=_spaced(name_tokens),
        # Words in order, so a run over several words ("server side") is a phrase.
        text=_spaced([*name_tokens, *tokens(body_en), *tokens(body_ko)]),
        releases=_spaced(releases),
        release=_latest(releases),
        url_name=document.url.name,
        url_kwargs=document.url.kwargs,
        url_suffix=document.url.suffix,
        kep_number=document.kep_number,
        tracking_issue=document.tracking_issue,
    )


def build(obj, using=None) -> SearchEntry:
    """The entry for `obj`, read again through its source's queryset (with the related
    rows its document needs, in one go)."""
    source = registry.for_model(type(obj))
    fresh = source.queryset().using(using).filter(pk=obj.pk).first() or obj
    return entry(source.kind, fresh, source.document(fresh))


def vocabulary(entries, vendor: str) -> list[SearchWord]:
    """The words of `entries` as vocabulary rows (see SearchWord)."""
    found = {t for e in entries for t in e.text.split() if len(t) <= MAX_WORD}
    rows = {(w, w) for w in found}
    if vendor != "postgresql":
        rows |= {(d, w) for w in found if len(w) >= TYPO_MIN - 1 and not w.isdecimal() for d in deletes(w)}
    return [SearchWord(key=k, word=w) for k, w in rows]


def index(instance, using=None) -> None:
    using = using or router.db_for_write(type(instance))
    new = build(instance, using)
    fields = {f.attname: getattr(new, f.attname) for f in SearchEntry._meta.concrete_fields if not f.primary_key}
    SearchEntry.objects.using(using).update_or_create(kind=new.kind, object_id=instance.pk, defaults=fields)
    rows = vocabulary([new], connections[using].vendor)
    SearchWord.objects.using(using).bulk_create(rows, batch_size=2000, ignore_conflicts=True)


def unindex(instance, using=None) -> None:
    # Its words stay in the vocabulary: a word nothing holds any more finds nothing, and
    # the next rebuild drops it.
    source = registry.for_model(type(instance))
    SearchEntry.objects.using(using).filter(kind=source.kind, object_id=instance.pk).delete()


def all_entries():
    """A fresh entry for everything searchable, one query per kind."""
    for source in registry:
        for instance in source.queryset().iterator(chunk_size=2000):
            yield entry(source.kind, instance, source.document(instance))


def rebuild(dry_run: bool = False, using: str = "default") -> int:
    """Replace the whole index and vocabulary; returns how many entries it holds."""
    entries = list(all_entries())
    if not dry_run:
        with transaction.atomic(using=using):
            SearchEntry.objects.using(using).all().delete()
            SearchWord.objects.using(using).all().delete()
            SearchEntry.objects.using(using).bulk_create(entries, batch_size=1000)
            rows = vocabulary(entries, connections[using].vendor)
            SearchWord.objects.using(using).bulk_create(rows, batch_size=5000)
            compact(using)
    return len(entries)


def compact(using: str = "default") -> None:
    """After writing in bulk: on SQLite, merge each full-text index into one segment.

    FTS5 writes every batch of rows as a new segment and merges them only a few at a time,
    and a search looks each term up in every segment: over the real corpus, a trigram
    search took three to six times as long as over the merged index. Merging takes under a
    second for the real corpus, a few seconds for 100,000 entries, a small part of the
    rebuild (https://sqlite.org/fts5.html#the_optimize_command). Edits made one at a time
    afterwards add small segments, which FTS5 merges as it goes.
    """
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for table in (TEXT_INDEX, WORDS_INDEX):
            cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")  # noqa: S608 - constants


def _on_save(sender, instance, using, **kwargs):
    # Raw saves (loaddata) are indexed too: the fixtures are how the site gets its data.
    index(instance, using=using)


def _on_delete(sender, instance, using, **kwargs):
    unindex(instance, using=using)


def _dependent(items_of):
    def reindex(sender, instance, using, **kwargs):
        for item in items_of(instance):
            if item is not None and type(item)._default_manager.using(using).filter(pk=item.pk).exists():
                index(item, using=using)  # (not when the delete cascaded from it)

    return reindex


def connect_signals() -> None:
    """Keep the index current. Queryset .update() and .delete() bypass signals;
    `rebuild_search_index` repairs that."""
    for source in registry:
        name = source.model.__name__
        post_save.connect(_on_save, sender=source.model, dispatch_uid=f"search-index-{name}", weak=False)
        post_delete.connect(_on_delete, sender=source.model, dispatch_uid=f"search-unindex-{name}", weak=False)
        for model, items_of in source.depends_on.items():
            handler = _dependent(items_of)
            uid = f"search-{name}-after-{model.__name__}"
            post_save.connect(handler, sender=model, dispatch_uid=uid, weak=False)
            post_delete.connect(handler, sender=model, dispatch_uid=f"{uid}-delete", weak=False)
