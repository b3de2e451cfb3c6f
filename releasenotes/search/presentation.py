"""Showing results: titles and snippets in the page language, matches in <mark>."""

from dataclasses import dataclass
from html import escape as escape_text

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from ..models import Enhancement
from .engine import TYPO
from .registry import registry
from .text import Query, find_matches, is_short

SNIPPET_BEFORE = 60  # characters of context shown before the first match
SNIPPET_LENGTH = 220
SNIPPET_SCAN = 1500  # characters looked through for the first match; past them, the text's start is shown

# One of each kind of query the engine understands, shown on the empty and no-result
# pages. They are search terms, not interface text, so they are not translated.
EXAMPLE_QUERIES = ["서버 사이드 어플라이", "NodeSwap", "KEP-2400", "#542", "스왑", "Ingress", "cri-dockerd"]


def highlight(text: str, spans) -> SafeString:
    """`text` escaped, with <mark> around each span."""
    # The standard library's escape is what Django's escape does to a str, without its
    # lazy-string checks, which cost more than the escaping across a page of results.
    parts, last = [], 0
    for start, end in spans:
        parts += [escape_text(text[last:start]), "<mark>", escape_text(text[start:end]), "</mark>"]
        last = end
    parts.append(escape_text(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece escaped above


def snippet(text: str, spellings, at_word_start=is_short) -> SafeString:
    """A stretch of `text` around its first match, cut at spaces, matches marked."""
    spans = find_matches(text[: SNIPPET_SCAN + SNIPPET_LENGTH], spellings, at_word_start)
    if spans and spans[0][0] > SNIPPET_SCAN:
        spans = []
    start, end = 0, len(text)
    if spans and spans[0][0] > SNIPPET_BEFORE:
        space = text.find(" ", spans[0][0] - SNIPPET_BEFORE, spans[0][0])
        start = space + 1 if space != -1 else spans[0][0] - SNIPPET_BEFORE
    if end - start > SNIPPET_LENGTH:
        end = start + SNIPPET_LENGTH
        space = text.rfind(" ", start + SNIPPET_LENGTH // 2, end)
        end = space if space != -1 else end
    visible = [(max(a, start) - start, min(b, end) - start) for a, b in spans if a < end and b > start]
    marked = highlight(text[start:end], visible)
    return format_html("{}{}{}", "… " if start else "", marked, " …" if end < len(text) else "")


@dataclass(frozen=True)
class Result:
    kind: str
    kind_label: str
    title: str
    title_html: SafeString
    title_lang: str
    url: str
    snippet: SafeString
    also_known_as: SafeString
    kep_number: int | None
    release: str
    removed_in: str | None
    fuzzy: bool


def present(entries, query: Query, language: str, release: str = "") -> list[Result]:
    """Results to show for a page of entries, in `language` where the entry has it (else
    English). Each shows the release asked for, else the latest it belongs to."""
    spellings = query.spellings

    def marks(text):
        return find_matches(text, spellings, query.at_word_start)

    results = []
    for entry in entries:
        own_title = getattr(entry, f"title_{language}", "") or ""
        title, title_lang = (own_title, language) if own_title else (entry.title_en, "en")
        body = getattr(entry, f"body_{language}", "") or entry.body_en
        matched = [(k, spans) for k in entry.keywords.splitlines() if (spans := marks(k))]
        results.append(
            Result(
                kind=entry.kind,
                kind_label=registry.label(entry.kind),
                title=title,
                title_html=highlight(title, marks(title)),
                title_lang=title_lang,
                url=entry.get_absolute_url(),
                snippet=snippet(body, spellings, query.at_word_start),
                also_known_as=format_html_join(", ", "{}", ((highlight(k, spans),) for k, spans in matched)),
                kep_number=entry.kep_number,
                release=release or entry.release,
                removed_in=entry.url_kwargs.get("version") if entry.kind == "removed_api" else None,
                fuzzy=getattr(entry, "rank", 0) >= TYPO,
            )
        )
    return results


def popular_enhancements():
    """What to offer when a search finds nothing: the major themes of the latest release."""
    return Enhancement.objects.major_themes().order_by("kep_number")
