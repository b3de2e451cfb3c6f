from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .. import translation_status
from ..markup import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    return render_markdown(text)


@register.simple_tag
def content(obj, field, as_markdown=False):
    """A translated field in the page language, or English marked as untranslated.

    modeltranslation already falls back to English; this makes the fallback visible and
    gives the English text its own `lang` so screen readers pronounce it right.
    """
    language = get_language() or "en"
    own = getattr(obj, f"{field}_{language}", None)
    if own:
        body = render_markdown(own) if as_markdown else own
        if language == "ko" and translation_status.field_status(obj, field) == translation_status.OUTDATED:
            notice = _("The English original changed after this was translated; it may be out of date.")
            if as_markdown:
                return format_html('{}<p class="outdated-notice">{}</p>', body, notice)
            badge = '{} <span class="badge outdated-badge" title="{}">{}</span>'
            return format_html(badge, body, notice, _("Outdated"))
        return body
    english = getattr(obj, f"{field}_en", "") or ""
    if not english:
        return ""
    body = render_markdown(english) if as_markdown else english
    tag = "div" if as_markdown else "span"
    return format_html(
        '<{} lang="en" class="untranslated">{}</{}> <span class="badge untranslated-badge">{}</span>',
        tag,
        body,
        tag,
        _("Not yet translated"),
    )


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters set (None or "" removes one)."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    for name, value in changes.items():
        if value in (None, ""):
            query.pop(name, None)
        else:
            query[name] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def get_item(mapping, key):
    if mapping is None:
        return None
    return mapping.get(key)


@register.simple_tag
def note_text(note):
    """A release note in the page language: our Korean with the upstream PR and author
    links after it, or the upstream English (which carries them) marked untranslated."""
    language = get_language() or "en"
    if language == "ko" and note.html_ko:
        links = format_html('<a href="{}">#{}</a>', note.pr_url, note.pr_number)
        if note.author:
            links = format_html('{}, <a href="{}">@{}</a>', links, note.author_url, note.author)
        return format_html('{}<p class="note-links">({})</p>', mark_safe(note.html_ko), links)  # noqa: S308 - stored sanitised
    body = mark_safe(note.html_en)  # noqa: S308 - sanitised by markup.render_markdown on save
    if language == "en":
        return body
    return format_html(
        '<div lang="en" class="untranslated">{}</div> <span class="badge untranslated-badge">{}</span>',
        body,
        _("Not yet translated"),
    )


@register.filter
def kind_label(slug):
    from ..filters import NOTE_KINDS

    return dict(NOTE_KINDS).get(slug, slug)


@register.simple_tag
def stage_badge(stage):
    """The stage badge (as _stage_badge.html draws it), built in Python: list pages draw
    dozens of them, and an include per badge costs more than the rest of a row."""
    from ..models import Stage

    if stage not in Stage.values:
        return ""
    return format_html('<span class="badge stage stage-{}">{}</span>', stage, Stage(stage).label)
