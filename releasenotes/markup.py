"""Markdown written by editors becomes HTML here, and only here."""

import re

import markdown
import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# Longest Markdown an editor may save in one field (the admin and the preview refuse more).
MAX_LENGTH = 8000
# Python-Markdown has quadratic corners: link and image parsing in the number of "[" in
# one block, setext headings and lists in the number of lines of one block (20,000 "["
# took minutes). No real paragraph comes near these limits, so text with a block past
# them is shown as the plain text it is, which keeps every input linear in its length.
MAX_BRACKETS_PER_BLOCK = 64
MAX_LINES_PER_BLOCK = 200
_BLOCKS = re.compile(r"\n[ \t]*\n")


def _is_pathological(text: str) -> bool:
    return any(
        block.count("[") > MAX_BRACKETS_PER_BLOCK or block.count("\n") > MAX_LINES_PER_BLOCK
        for block in _BLOCKS.split(text)
    )


def render_markdown(text: str) -> SafeString:
    """Render editor Markdown to sanitised HTML.

    nh3 strips every tag and attribute not allowed above (so no script, no event
    handler), drops URLs whose scheme is not http(s)/mailto (so no `javascript:` or
    `data:`), and adds rel="noopener nofollow" to every link.
    """
    text = text or ""
    plain = f"<p>{escape(text)}</p>"
    if _is_pathological(text):
        html = plain
    else:
        try:
            html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
        except RecursionError:  # thousands of nested list or quote markers
            html = plain
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener nofollow",
        strip_comments=True,
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above
