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
    fields = ("title", "summary")
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
# django-simple-history's notes on django-modeltranslation).
for _model in (Release, Sig, Enhancement, StageEntry, Theme, ApiRemoval, FaqEntry, GlossaryTerm, Snippet):
    simple_history.register(_model, app=__package__, excluded_fields=["translation_sources"])


@register(ReleaseNote)
class ReleaseNoteTranslation(TranslationOptions):
    fields = ("text", "html")
    required_languages = ("en",)


simple_history.register(
    ReleaseNote, app=__package__, excluded_fields=["translation_sources", "html", "html_en", "html_ko"]
)
