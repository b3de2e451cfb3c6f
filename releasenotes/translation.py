from modeltranslation.translator import TranslationOptions, register

from .models import ApiRemoval, Enhancement, FaqEntry, GlossaryTerm, Release, Sig, Snippet, Theme


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
