"""The search index: one row per searchable item, and the vocabulary of its words.

Both are derived data, rebuilt from the content (`manage.py rebuild_search_index`) and kept
current by `releasenotes.search.index`; never edited by hand.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    """One searchable item, derived from a registered model (see `registry.py`).

    The folded columns hold both languages at once. On SQLite two FTS5 tables index
    `text` (trigram: a spelling inside one word; word tokens with prefixes: the start of a
    word and runs over several words), kept in step by triggers; on PostgreSQL trigram GIN
    indexes cover `text`. The triggers and indexes come from this package's migrations.
    The table keeps the name it had when this model lived in `releasenotes`.
    """

    # Columns are in this order on purpose: ranking reads `names` and `name_words` for every
    # candidate row, and SQLite reaches a column only by reading the ones before it, so the
    # long text (which spills into overflow pages) comes last.
    kind = models.CharField(_("type"), max_length=20, help_text=_("A registered kind, e.g. enhancement."))
    object_id = models.PositiveBigIntegerField(_("object ID"))
    kep_number = models.PositiveIntegerField(_("KEP number"), null=True, blank=True)
    tracking_issue = models.PositiveIntegerField(_("tracking issue"), null=True, blank=True)
    names = models.TextField(
        _("folded names"), help_text=_("Titles and other names, folded (see text.py), each between spaces.")
    )
    name_words = models.TextField(_("name words"), default="", help_text=_("The words of the names, in order."))
    releases = models.CharField(
        _("releases"), max_length=400, default="", blank=True, help_text=_('The releases it belongs to: " 1.21 1.22 ".')
    )
    release = models.CharField(_("release shown"), max_length=10, default="", blank=True)
    title_en = models.TextField(_("title (English)"))
    title_ko = models.TextField(_("title (Korean)"), blank=True)
    url_name = models.CharField(_("URL name"), max_length=60)
    url_kwargs = models.JSONField(_("URL arguments"), default=dict, blank=True)
    url_suffix = models.CharField(
        _("URL query and fragment"), max_length=200, blank=True, help_text=_('For example "#swap" or "?pr=1#pr-1".')
    )
    keywords = models.TextField(_("other names"), blank=True, help_text=_("Aliases and feature gates, one a line."))
    # Plain text shown in snippets, Markdown already stripped.
    body_en = models.TextField(_("text (English)"), blank=True)
    body_ko = models.TextField(_("text (Korean)"), blank=True)
    text = models.TextField(_("folded text"), help_text=_("Every word of names and text in both languages, in order."))

    class Meta:
        db_table = "releasenotes_searchentry"
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique_object"),
        ]
        indexes = [
            # "KEP-2400", "2400" and "#542" look these up directly.
            models.Index(fields=["kep_number"], name="search_entry_kep_number"),
            models.Index(fields=["tracking_issue"], name="search_entry_tracking_issue"),
        ]

    def __str__(self):
        return f"{self.kind}: {self.title_en}"

    def get_absolute_url(self):
        # Reversed when shown, not stored, so it carries the language of the page.
        return reverse(self.url_name, kwargs=self.url_kwargs) + self.url_suffix


class SearchWord(models.Model):
    """A word the index holds, under each key it is looked up by: itself (to read a typed
    run such as "serverside" as words), and on SQLite each one-letter deletion of it (a
    term one edit away shares a key with it; rapidfuzz then measures the distance).
    PostgreSQL finds typo candidates by pg_trgm similarity on `word` instead."""

    key = models.CharField(_("key"), max_length=40)
    word = models.CharField(_("word"), max_length=40)

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")
        constraints = [models.UniqueConstraint(fields=["key", "word"], name="search_word_unique_key")]
        # The unique constraint's index answers "key IN (...)", the one query the engine asks.

    def __str__(self):
        return self.word if self.key == self.word else f"{self.key} → {self.word}"
