from functools import lru_cache

from django import template
from django.template import engines
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .. import translation_status
from ..facets import with_query
from ..markup import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    return render_markdown(text)


@register.simple_tag
def content(obj, field, as_markdown=False, language=None):
    """A translated field in the page language, or English marked as untranslated.

    modeltranslation already falls back to English; this makes the fallback visible and
    gives the English text its own `lang` so screen readers pronounce it right. Markdown
    fields show the HTML stored when the record was saved (models.RenderedMarkdown).
    A list drawing many rows may pass the page `language` it has already asked for.
    """
    language = language or get_language() or "en"
    own = getattr(obj, f"{field}_{language}", None)
    if own:
        body = obj.html(f"{field}_{language}") if as_markdown else own
        if language == "ko" and translation_status.field_status(obj, field) == translation_status.OUTDATED:
            notice, outdated = _marks(language)[1:]
            if as_markdown:
                return format_html('{}<p class="outdated-notice">{}</p>', body, notice)
            badge = '{} <span class="badge outdated-badge" title="{}">{}</span>'
            return format_html(badge, body, notice, outdated)
        return body
    english = getattr(obj, f"{field}_en", "") or ""
    if not english:
        return ""
    body = obj.html(f"{field}_en") if as_markdown else english
    tag = "div" if as_markdown else "span"
    return format_html(
        '<{} lang="en" class="untranslated">{}</{}> <span class="badge untranslated-badge">{}</span>',
        tag,
        body,
        tag,
        _marks(language)[0],
    )


@lru_cache(maxsize=16)
def _marks(language: str) -> tuple[str, str, str]:
    """The untranslated badge, the outdated notice and badge, in `language`: a list marks
    dozens of rows with the same few words, translated once per language and process.
    Called while `language` is the active one."""
    return (
        str(_("Not yet translated")),
        str(_("The English original changed after this was translated; it may be out of date.")),
        str(_("Outdated")),
    )


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters set (None or "" removes one)."""
    return with_query(context["request"].GET, **changes)


@register.filter
def get_item(mapping, key):
    if mapping is None:
        return None
    return mapping.get(key)


@register.simple_tag
def stage_badge(stage, language=None):
    """The stage badge (as _stage_badge.html draws it), built in Python: list pages draw
    dozens of them, and an include per badge costs more than the rest of a row. A list
    may pass the page `language` it has already asked for."""
    return _stage_badge(language or get_language() or "en", stage)


@lru_cache(maxsize=64)
def _stage_badge(language: str, stage) -> str:
    # A badge depends on the stage and the language only (the label is code's, translated):
    # drawn once per language and process. Called while `language` is the active one.
    from ..models import Stage

    try:
        label = Stage(stage).label
    except ValueError:  # not a stage
        return ""
    return format_html('<span class="badge stage stage-{}">{}</span>', stage, label)


@register.simple_tag(takes_context=True)
def jinja(context, name, **values):
    """A Jinja2 partial (see releasenotes/jinja_env.py) with the values given and the request.

    Drawn by the Jinja2 environment itself: a partial needs neither the context
    processors nor the CSRF values that the backend adds to a whole page."""
    template = engines["jinja2"].env.get_template(name)
    return mark_safe(template.render(values, request=context.get("request")))  # noqa: S308 - autoescaped


class LayoutNode(template.Node):
    """The page shell (releasenotes/jinja2/layout.html) around a Django page: each part
    between `{% layout %}`, `{% part name %}` and `{% endlayout %}` is rendered here, with
    the page's blocks in it, and given to the layout as `parts`. One shell for the pages
    of both template languages."""

    def __init__(self, parts: list[tuple[str, template.NodeList]]):
        self.parts = parts

    def get_nodes_by_type(self, nodetype):
        # So that {% extends %} finds the blocks inside the parts.
        nodes = [self] if isinstance(self, nodetype) else []
        for _name, nodelist in self.parts:
            nodes.extend(nodelist.get_nodes_by_type(nodetype))
        return nodes

    def render(self, context):
        parts = {name: mark_safe(nodelist.render(context)) for name, nodelist in self.parts}  # noqa: S308 - rendered
        # The site's context processor gives these; an error page drawn without it has none.
        values = {name: context[name] for name in ("alternates", "nav", "x_default") if name in context}
        shell = engines["jinja2"].env.get_template("layout.html")
        return shell.render(values, parts=parts, request=context.get("request"))


@register.tag
def layout(parser, token):
    """`{% layout %}…{% part head %}…{% part content %}…{% endlayout %}`: see LayoutNode.
    The first part is the title."""
    parts, name = [], "title"
    while True:
        parts.append((name, parser.parse(("part", "endlayout"))))
        token = parser.next_token()
        if token.contents == "endlayout":
            return LayoutNode(parts)
        bits = token.split_contents()
        if len(bits) != 2:
            raise template.TemplateSyntaxError("{% part %} takes the name of one part")
        name = bits[1]
