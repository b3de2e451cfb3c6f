import simple_history
from modeltranslation.translator import TranslationOptions, register

from .models import (
    ApiRemoval,
    Enhancement,
    FaqEntry,
    GlossaryTerm,
    Release,
    ReleaseNote,
    Sig,
    Snippet,
    StageEntry,
    Theme,
)


@register(Release)
class ReleaseTranslation(TranslationOptions):
    fields = ("name", "summary", "counts_note", "announcement_url")


@register(Sig)
class SigTranslation(TranslationOptions):
    fields = ("description",)


@register(Enhancement)
class EnhancementTranslation(TranslationOptions):
    fields = ("title", "summary", "docs_url")
    required_languages = ("en",)


@register(Theme)
class ThemeTranslation(TranslationOptions):
    fields = ("title", "summary")
    required_languages = ("en",)


@register(ApiRemoval)
class ApiRemovalTranslation(TranslationOptions):
    fields = ("notable_changes", "note")


@register(FaqEntry)
class FaqEntryTranslation(TranslationOptions):
    fields = ("question", "answer")
    required_languages = ("en",)


@register(GlossaryTerm)
class GlossaryTermTranslation(TranslationOptions):
    fields = ("note",)


@register(Snippet)
class SnippetTranslation(TranslationOptions):
    fields = ("title", "body")


# History is registered here, after modeltranslation has added the per-language fields,
# so that the historical models record title_en, title_ko and the rest (see
# django-simple-history's notes on django-modeltranslation). The untranslated column
# (`title`) is left out: it follows the editor's interface language, so recording it
# would show an English field as changed when only the Korean one was. Derived columns
# (translation fingerprints, rendered HTML, a note's label ids) are left out too.
for _model in (Release, Sig, Enhancement, StageEntry, Theme, ApiRemoval, FaqEntry, GlossaryTerm, Snippet):
    _derived = [f for f in ("translation_sources", "rendered_html") if hasattr(_model, f)]
    simple_history.register(_model, app=__package__, excluded_fields=[*_derived, *_model.TRANSLATED_FIELDS])


@register(ReleaseNote)
class ReleaseNoteTranslation(TranslationOptions):
    fields = ("text", "html")
    required_languages = ("en",)


simple_history.register(
    ReleaseNote,
    app=__package__,
    excluded_fields=["translation_sources", "html", "html_en", "html_ko", "label_ids", *ReleaseNote.TRANSLATED_FIELDS],
)
