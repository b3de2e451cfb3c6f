from django import forms
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from . import translation_status
from .errors import error_body
from .markup import MAX_LENGTH as MARKDOWN_MAX_LENGTH
from .markup import render_markdown
from .models import (
    ApiRemoval,
    Enhancement,
    FaqEntry,
    FeatureGate,
    GlossaryTerm,
    Release,
    ReleaseNote,
    Sig,
    Snippet,
    StageEntry,
    SyncConflict,
    Theme,
)
from .sync import ledger

# Long prose: room for five sentences without scrolling the box.
LONG_FIELDS = {"summary", "answer", "notable_changes", "body"}
# JSON lists of short strings, edited one item a line.
LIST_FIELDS = {"feature_gates", "aliases", "kinds", "avoid", "synonyms"}
LANGUAGE_NAMES = {"en": _("English"), "ko": _("Korean")}


def field_label(model, name: str) -> str:
    """The label an editor sees for a field: "Summary (Korean)", not "summary_ko"."""
    base, _sep, language = name.rpartition("_")
    known = {field.name: field for field in model._meta.get_fields() if hasattr(field, "verbose_name")}
    if language in LANGUAGE_NAMES and base in known:
        return f"{capfirst(known[base].verbose_name)} ({LANGUAGE_NAMES[language]})"
    return str(capfirst(known[name].verbose_name)) if name in known else name


class LinesField(forms.Field):
    """A list of strings as a textarea, one item a line (blank lines ignored)."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 60})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else (value or "")

    def to_python(self, value):
        if isinstance(value, list):
            return value
        return [line.strip() for line in (value or "").splitlines() if line.strip()]

    def has_changed(self, initial, data):
        return self.to_python(initial or []) != self.to_python(data)


class MarkdownWidget(forms.Textarea):
    """A textarea with a rendered preview next to it (admin-preview.js fills it)."""

    template_name = "admin/releasenotes/markdown_widget.html"

    class Media:
        css = {"all": ["css/admin-preview.css"]}
        js = ["js/admin-preview.js"]


class RevisionForm(forms.ModelForm):
    """Refuses a save made from a copy someone else has saved over meanwhile."""

    expected_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # From the database, not the instance: when reverting, the instance is an old
            # version, and the save should be checked against what is stored now.
            stored = type(self.instance).objects.filter(pk=self.instance.pk).values_list("revision", flat=True)
            self.fields["expected_revision"].initial = stored.first()

    def clean(self):
        data = super().clean()
        if not self.instance.pk:
            return data
        expected = data.get("expected_revision")
        # Lock the row until this save commits (the admin wraps the view in a
        # transaction), so two saves can't both pass this check.
        model = type(self.instance)
        current = (
            model.objects.select_for_update().filter(pk=self.instance.pk).values_list("revision", flat=True).first()
        )
        if expected is None or current is None or expected != current:
            raise ValidationError(stale_save_message(self.instance, expected), code="stale")
        return data


def stale_save_message(instance, expected):
    history = instance.history.order_by("-history_date", "-history_id")
    latest = history.first()
    seen = history.filter(revision=expected).first() if expected else None
    changed = []
    if latest is not None and seen is not None and latest.pk != seen.pk:
        changed = [change.field for change in latest.diff_against(seen).changes]
    who = getattr(latest, "history_user", None) or _("another editor")
    when = latest.history_date.strftime("%Y-%m-%d %H:%M UTC") if latest else "?"
    fields = ", ".join(field_label(type(instance), name) for name in changed) if changed else _("unknown fields")
    return _(
        "%(who)s saved this record at %(when)s, after you opened it. Changed meanwhile: %(fields)s. "
        "Your changes were not saved: open the record again to see the new text, then redo your edit."
    ) % {"who": who, "when": when, "fields": fields}


class KoreanStatusFilter(admin.SimpleListFilter):
    title = _("Korean translation")
    parameter_name = "korean"

    def lookups(self, request, model_admin):
        return [
            (translation_status.MISSING, _("Missing")),
            (translation_status.OUTDATED, _("Outdated")),
            (translation_status.CURRENT, _("Up to date")),
        ]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        keep = [obj.pk for obj in queryset if translation_status.worst(obj.translation_status()) == self.value()]
        return queryset.filter(pk__in=keep)


class ContentAdmin(SimpleHistoryAdmin, TranslationAdmin):
    """English and Korean side by side, with history, stale-save protection and previews."""

    form = RevisionForm
    list_per_page = 100  # editors scan long lists; the change list is styled compact

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**opts, "fields": list(opts["fields"])}) for name, opts in super().get_fieldsets(request, obj)
        ]
        fieldsets[0][1]["fields"].append("expected_revision")
        return fieldsets

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Markdown fields (the model's MARKDOWN_FIELDS) get a live preview beside them.
        base = db_field.name.rsplit("_", 1)[0] if db_field.name.endswith(("_en", "_ko")) else db_field.name
        if db_field.name in LIST_FIELDS and isinstance(db_field, models.JSONField):
            return LinesField(
                label=capfirst(db_field.verbose_name),
                required=not db_field.blank,
                help_text=format_html("{} {}", db_field.help_text, _("One a line.")),
            )
        if base in getattr(self.model, "MARKDOWN_FIELDS", ()) and isinstance(db_field, models.TextField):
            rows = 12 if base in LONG_FIELDS else 6
            kwargs["widget"] = MarkdownWidget(attrs={"rows": rows, "class": "vLargeTextField wide-text"})
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"  # Django 6's default; says so explicitly now
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            obj.revision = form.cleaned_data["expected_revision"] + 1
        super().save_model(request, obj, form, change)

    @admin.display(description=_("Korean"))
    def korean(self, obj):
        status = translation_status.worst(obj.translation_status())
        labels = {"missing": _("Missing"), "outdated": _("Outdated"), "current": _("Up to date")}
        return format_html('<span class="korean-{}">{}</span>', status, labels[status])

    def get_urls(self):
        urls = super().get_urls()
        preview = path(
            "preview/",
            self.admin_site.admin_view(self.preview_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_preview",
        )
        return [preview, *urls]

    def preview_view(self, request):
        """Render Markdown exactly as the public pages will (sanitised).

        Only for those who may change this kind of record, and no longer than a field may be.
        """
        if not self.has_change_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return JsonResponse(error_body("method_not_allowed", _("Send the text with POST as `text`.")), status=405)
        text = request.POST.get("text", "")
        if len(text) > MARKDOWN_MAX_LENGTH:
            message = _("A Markdown field can be at most %(limit)d characters long; this text has %(length)d.") % {
                "limit": MARKDOWN_MAX_LENGTH,
                "length": len(text),
            }
            return JsonResponse(error_body("too_long", message), status=400)
        return JsonResponse({"html": str(render_markdown(text))})


class StageEntryInline(admin.TabularInline):
    model = StageEntry
    extra = 0
    autocomplete_fields = ["release"]
    fields = ["release", "stage", "major_theme", "source"]


@admin.register(Release)
class ReleaseAdmin(ContentAdmin):
    list_display = ["version", "name", "release_date", "documented", "korean"]
    list_filter = ["documented", KoreanStatusFilter]
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
class SigAdmin(ContentAdmin):
    list_display = ["slug", "name", "korean"]
    list_filter = [KoreanStatusFilter]
    search_fields = ["slug", "name", "description_en", "description_ko"]


@admin.register(Enhancement)
class EnhancementAdmin(ContentAdmin):
    list_display = ["kep_number", "title", "owning_sig", "tracking_issue", "stage_history", "korean"]
    list_display_links = ["kep_number", "title"]
    list_filter = [
        KoreanStatusFilter, "status", "owning_sig", "stages__stage", "stages__release", "stages__major_theme",
    ]  # fmt: skip
    list_select_related = ["owning_sig"]
    search_fields = ["=kep_number", "=tracking_issue", "title_en", "title_ko", "summary_en", "summary_ko", "slug"]
    autocomplete_fields = ["owning_sig", "participating_sigs"]
    inlines = [StageEntryInline]
    fieldsets = [
        (None, {"fields": ["kep_number", "tracking_issue", "slug", "kep_url", "status", "docs_url"]}),
        (_("Text"), {"fields": ["title", "summary"]}),
        (_("SIGs"), {"fields": ["owning_sig", "participating_sigs"]}),
        (_("Search"), {"fields": ["feature_gates", "aliases"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("stages__release")

    @admin.display(description=_("stages"))
    def stage_history(self, obj):
        return " → ".join(f"{e.release.version} {e.get_stage_display()}" for e in obj.stages.all())


@admin.register(FeatureGate)
class FeatureGateAdmin(admin.ModelAdmin):
    """Derived from the enhancements' feature gates by sync_content; read here, fixed there."""

    list_display = ["name", "kep"]
    list_select_related = ["kep"]
    search_fields = ["name", "=kep__kep_number"]
    readonly_fields = ["name", "kep", "keps"]

    def has_add_permission(self, request):
        return False


@admin.register(Theme)
class ThemeAdmin(ContentAdmin):
    list_display = ["title", "release", "position", "korean"]
    list_filter = ["release", KoreanStatusFilter]
    search_fields = ["title_en", "title_ko", "summary_en", "summary_ko"]
    autocomplete_fields = ["enhancements"]


@admin.register(ApiRemoval)
class ApiRemovalAdmin(ContentAdmin):
    list_display = [
        "api_version",
        "kinds_display",
        "removed_in",
        "replacement",
        "replacement_available_since",
        "korean",
    ]
    list_filter = ["removed_in", "group", KoreanStatusFilter]
    list_select_related = ["removed_in", "replacement_available_since"]
    search_fields = ["group", "version", "slug", "replacement", "notable_changes_en", "notable_changes_ko"]
    autocomplete_fields = ["removed_in", "deprecated_in", "replacement_available_since"]

    @admin.display(description=_("kinds"))
    def kinds_display(self, obj):
        return ", ".join(obj.kinds)


@admin.register(FaqEntry)
class FaqEntryAdmin(ContentAdmin):
    list_display = ["question", "topic", "position", "applies_from", "applies_until", "korean"]
    list_filter = ["topic", KoreanStatusFilter]
    search_fields = ["question_en", "question_ko", "answer_en", "answer_ko", "slug"]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(ContentAdmin):
    list_display = ["english", "korean_term", "korean"]
    list_filter = [KoreanStatusFilter]
    search_fields = ["english", "korean", "note_en", "note_ko", "synonyms"]

    @admin.display(description=_("Korean term"), ordering="korean")
    def korean_term(self, obj):
        return obj.korean


@admin.register(Snippet)
class SnippetAdmin(ContentAdmin):
    list_display = ["key", "title", "korean"]
    list_filter = [KoreanStatusFilter]
    search_fields = ["key", "title_en", "title_ko", "body_en", "body_ko"]


QUEUE_ROWS = 300


def translation_queue(request):
    """Every record whose Korean is missing or outdated, with counts and filters.

    For those who may change some content (editors, administrators); other staff get 403.
    """
    models_ = apps.get_app_config("releasenotes").get_models()
    translatable = [model for model in models_ if getattr(model, "TRANSLATED_FIELDS", ())]
    if not any(request.user.has_perm(f"{m._meta.app_label}.change_{m._meta.model_name}") for m in translatable):
        raise PermissionDenied
    wanted_model = request.GET.get("model", "")
    wanted_status = request.GET.get("status", "")
    rows, counts, matching = [], {}, 0
    for model in translatable:
        name = model._meta.model_name
        for obj in model.objects.all():
            statuses = obj.translation_status()
            for field, status in statuses.items():
                if status == translation_status.CURRENT:
                    continue
                counts[(name, status)] = counts.get((name, status), 0) + 1
                if wanted_model in ("", name) and wanted_status in ("", status):
                    matching += 1
                    if len(rows) >= QUEUE_ROWS:
                        continue  # thousands of release notes await Korean: list a page's worth
                    url_name = f"admin:{model._meta.app_label}_{name}_change"
                    rows.append({"model": model._meta.verbose_name, "object": obj, "status": status,
                                 "field": field_label(model, f"{field}_ko"),
                                 "url": reverse(url_name, args=[obj.pk])})  # fmt: skip
    summary = [
        {
            "name": model._meta.model_name,
            "label": model._meta.verbose_name_plural,
            "missing": counts.get((model._meta.model_name, translation_status.MISSING), 0),
            "outdated": counts.get((model._meta.model_name, translation_status.OUTDATED), 0),
        }
        for model in translatable
    ]
    context = {
        **admin.site.each_context(request),
        "title": _("Translation queue"),
        "rows": rows,
        "summary": summary,
        "total_missing": sum(s["missing"] for s in summary),
        "total_outdated": sum(s["outdated"] for s in summary),
        "wanted_model": wanted_model,
        "wanted_status": wanted_status,
        "open_conflicts": SyncConflict.objects.unresolved().count(),
        "matching": matching,
    }
    return TemplateResponse(request, "admin/releasenotes/translation_queue.html", context)


@admin.register(SyncConflict)
class SyncConflictAdmin(admin.ModelAdmin):
    """The review queue: fields where an editor's value was kept over a new upstream value."""

    list_display = ["__str__", "record", "source", "created", "resolved"]
    list_filter = ["resolved", "content_type"]
    list_select_related = ["content_type"]
    readonly_fields = ["content_type", "object_pk", "field", "editor_value", "upstream_value", "source", "created"]
    fields = [*readonly_fields, "resolved"]
    actions = ["keep_editor_value", "take_upstream_value"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("record"))
    def record(self, obj):
        url = reverse(f"admin:{obj.content_type.app_label}_{obj.content_type.model}_change", args=[obj.object_pk])
        return format_html('<a href="{}">{}</a>', url, _("open"))

    @admin.action(description=_("Keep the editor's value"))
    def keep_editor_value(self, request, queryset):
        for conflict in queryset.unresolved():
            ledger.resolve(conflict, take_upstream=False)

    @admin.action(description=_("Take the upstream value"))
    def take_upstream_value(self, request, queryset):
        for conflict in queryset.unresolved():
            ledger.resolve(conflict, take_upstream=True)


@admin.register(ReleaseNote)
class ReleaseNoteAdmin(ContentAdmin):
    list_display = ["__str__", "action_required", "author", "korean"]
    list_filter = ["release", "action_required", KoreanStatusFilter]
    list_select_related = ["release"]
    search_fields = ["=pr_number", "text_en", "text_ko"]
    filter_horizontal = ["labels"]
    readonly_fields = ["release", "pr_number"]
