from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from .models import ApiRemoval, Enhancement, FaqEntry, GlossaryTerm, Release, Sig, StageEntry, Theme


class SideBySideTranslationAdmin(TranslationAdmin):
    """English and Korean fields next to each other (modeltranslation puts them in order)."""


class StageEntryInline(admin.TabularInline):
    model = StageEntry
    extra = 0
    autocomplete_fields = ["release"]
    fields = ["release", "stage", "major_theme", "source"]


@admin.register(Release)
class ReleaseAdmin(SideBySideTranslationAdmin):
    list_display = ["version", "name", "release_date", "documented"]
    list_filter = ["documented"]
    search_fields = ["version", "name_en", "name_ko"]
    readonly_fields = ["major", "minor"]
    fieldsets = [
        (None, {"fields": ["version", "major", "minor", "documented", "release_date"]}),
        (_("Text"), {"fields": ["name", "summary", "announcement_url", "changelog_url"]}),
        (
            _("Announced counts"),
            {
                "fields": [
                    "announced_stable",
                    "announced_beta",
                    "announced_alpha",
                    "announced_deprecated",
                    "counts_note",
                ]
            },
        ),
    ]


@admin.register(Sig)
class SigAdmin(SideBySideTranslationAdmin):
    list_display = ["slug", "name", "owned_count"]
    search_fields = ["slug", "name", "description_en", "description_ko"]

    @admin.display(description=_("owned enhancements"))
    def owned_count(self, obj):
        return obj.owned_enhancements.count()


@admin.register(Enhancement)
class EnhancementAdmin(SideBySideTranslationAdmin):
    list_display = ["kep_number", "title", "owning_sig", "tracking_issue", "stage_history", "korean_status"]
    list_display_links = ["kep_number", "title"]
    list_filter = ["owning_sig", "stages__stage", "stages__release", "stages__major_theme"]
    list_select_related = ["owning_sig"]
    search_fields = ["=kep_number", "=tracking_issue", "title_en", "title_ko", "summary_en", "summary_ko", "slug"]
    autocomplete_fields = ["owning_sig", "participating_sigs"]
    inlines = [StageEntryInline]
    fieldsets = [
        (None, {"fields": ["kep_number", "tracking_issue", "slug", "kep_url"]}),
        (_("Text"), {"fields": ["title", "summary"]}),
        (_("SIGs"), {"fields": ["owning_sig", "participating_sigs"]}),
        (_("Search"), {"fields": ["feature_gates", "aliases"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("stages__release")

    @admin.display(description=_("stages"))
    def stage_history(self, obj):
        return " → ".join(f"{e.release.version} {e.stage}" for e in obj.stages.all())

    @admin.display(description=_("Korean"), boolean=True)
    def korean_status(self, obj):
        return bool(obj.title_ko and obj.summary_ko)


@admin.register(Theme)
class ThemeAdmin(SideBySideTranslationAdmin):
    list_display = ["title", "release", "position"]
    list_filter = ["release"]
    search_fields = ["title_en", "title_ko", "summary_en", "summary_ko"]
    autocomplete_fields = ["enhancements"]


@admin.register(ApiRemoval)
class ApiRemovalAdmin(SideBySideTranslationAdmin):
    list_display = ["api_version", "kinds_display", "removed_in", "replacement", "replacement_available_since"]
    list_filter = ["removed_in", "group"]
    list_select_related = ["removed_in", "replacement_available_since"]
    search_fields = ["group", "version", "slug", "replacement", "notable_changes_en", "notable_changes_ko"]
    autocomplete_fields = ["removed_in", "deprecated_in", "replacement_available_since"]

    @admin.display(description=_("kinds"))
    def kinds_display(self, obj):
        return ", ".join(obj.kinds)


@admin.register(FaqEntry)
class FaqEntryAdmin(SideBySideTranslationAdmin):
    list_display = ["question", "topic", "position", "applies_from", "applies_until"]
    list_filter = ["topic"]
    search_fields = ["question_en", "question_ko", "answer_en", "answer_ko", "slug"]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(SideBySideTranslationAdmin):
    list_display = ["english", "korean"]
    search_fields = ["english", "korean", "note_en", "note_ko"]
