"""The HTML of the rows that long lists repeat: release notes, enhancements, facets.

The notes browser draws fifty notes and about sixty facet values on every page, and the
upgrade path up to hundreds of notes. Built here with one f-string per row, each value
escaped, a row costs about half of what the same markup costs as a Jinja2 loop (a
template looks up, tests and escapes each value through the environment). The pages and
partials that show them (the notes browser, the enhancement list,
`releasenotes/jinja2/releasenotes/_notes.html` for Django pages) call these; the markup
exists only here.
"""

from functools import lru_cache

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from markupsafe import Markup, escape


def note_rows(notes, compact: bool = False, headings: bool = False) -> Markup:
    """`<ul class="notes">` with one `<li>` per note (ListedNote or ReleaseNote with
    `label_list`): our Korean, stored sanitised as the English is, with the upstream PR
    and author links after it; or the upstream English, which carries them, marked
    untranslated on a Korean page. `compact` leaves out the action badge, the labels,
    gates and documentation links; `headings` starts each release with its version."""
    language = get_language() or "en"
    action = f'<span class="badge action">{escape(_("Action required"))}</span>\n'
    untranslated = f' <span class="badge untranslated-badge">{escape(_("Not yet translated"))}</span>'
    draw_labels = label_drawer()
    out = ['<ul class="notes">']
    release_id = None
    for note in notes:
        if headings and note.release_id != release_id:
            version = escape(note.release.version)
            url = escape(reverse("releasenotes:release-notes", args=[note.release.version]))
            out.append(f'<li class="release-heading"><h3><a href="{url}">{version}</a></h3></li>')
        release_id = note.release_id
        flag = " data-action-required" if note.action_required else ""
        out.append(f'<li class="note" id="pr-{int(note.pr_number)}"{flag}>\n')
        if note.action_required and not compact:
            out.append(action)
        if language == "ko" and note.html_ko:
            author = f', <a href="{escape(note.author_url)}">@{escape(note.author)}</a>' if note.author else ""
            links = f'<p class="note-links">(<a href="{escape(note.pr_url)}">#{int(note.pr_number)}</a>{author})</p>'
            out.append(f'<div class="prose">{note.html_ko}{links}</div>\n')  # stored sanitised
        elif language == "en":
            out.append(f'<div class="prose">{note.html_en}</div>\n')
        else:
            out.append(
                f'<div class="prose"><div lang="en" class="untranslated">{note.html_en}</div>{untranslated}</div>\n'
            )
        if not compact:
            gates = f"<code>{escape(', '.join(note.feature_gates))}</code>" if note.feature_gates else ""
            docs = "".join(_doc_link(doc.get("url", ""), doc.get("description")) for doc in note.documentation)
            out.append(f'<p class="meta">{draw_labels(note.label_list)}{gates}{docs}</p>\n')
        out.append("</li>")
    out.append("</ul>")
    return Markup("".join(out))  # noqa: S704 - every value escaped above; the notes' HTML stored sanitised


def label_drawer():
    """A function that draws a note's labels (kind, SIG, area) in the page's language: a
    list carries hundreds of labels, each drawn once per language and process."""
    language = get_language() or "en"

    def draw(labels) -> str:
        return "".join([_drawn_label(language, label.facet, label.slug) for label in labels])  # each escaped

    return draw


@lru_cache(maxsize=4096)
def _drawn_label(language: str, facet: str, slug: str) -> str:
    """One label's markup in `language`, a kind by its translated name. The markup depends
    on these three values only. Called while `language` is the active one."""
    from .filters import note_facet_texts

    name = note_facet_texts(language)[2].get(slug, slug) if facet == "kind" else slug
    return f'<span class="label label-{escape(facet)}">{escape(name)}</span> '


def enhancement_rows(rows) -> Markup:
    """`<ul class="enhancements">` with one `<li>` per views.EnhancementRow: the stage
    reached in the release asked for, the major-theme badge, title, KEP, SIG and gates.
    The row's stage badge comes drawn already; its title is text, or drawn HTML (marked
    safe) when it is marked untranslated."""
    theme = f' <span class="badge theme">{escape(_("Major theme"))}</span>'
    out = ['<ul class="enhancements">\n']
    for row in rows:
        badges = f"{row.stage_badge}{theme if row.release_theme else ''}"
        title = f'<a class="title" href="{escape(row.url)}">{escape(row.title)}</a>'
        gates = f" · <code>{escape(row.gates)}</code>" if row.gates else ""
        sig = f'<a href="{escape(row.sig_url)}">{escape(row.sig_name)}</a>'
        meta = f'<span class="meta">KEP-{int(row.kep_number)} · {sig}{gates}</span>'
        out.append(f'<li class="enhancement-row">\n  {badges}\n  {title}\n  {meta}\n</li>\n')
    out.append("</ul>")
    return Markup("".join(out))  # noqa: S704 - every value escaped above, the badge drawn so


def _doc_link(url: str, description: str | None) -> str:
    return f' <a href="{escape(url)}" rel="noopener">{escape(description or url)}</a>'


def facet_block(groups, query, search_label: str, search_id: str = "list-q", chips=()) -> Markup:
    """The facets of a filtered list, one control on a phone: a search box that keeps every
    other parameter of `query` (the request's GET), then each releasenotes.facets.Group as
    a heading over its values (`facet_options`); the summary counts the active `chips`."""
    summary = escape(_("Filters")) + (f" ({len(chips)})" if chips else "")
    kept = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in query.items()
        if name not in ("q", "page")
    )
    search_id = escape(search_id)
    out = [
        f'<details class="filters facets">\n  <summary>{summary}</summary>\n'
        f'  <form method="get" action="" class="facet-search" role="search" aria-label="{escape(search_label)}">\n'
        f"    {kept}\n"
        f'    <label for="{search_id}">{escape(search_label)}</label>\n'
        f'    <input id="{search_id}" type="search" name="q" maxlength="500" value="{escape(query.get("q", ""))}">\n'
        f'    <button type="submit">{escape(_("Search"))}</button>\n  </form>\n'
    ]
    for group in groups:
        name = escape(group.name)
        out.append(
            f'  <nav aria-labelledby="facet-{name}"><h2 id="facet-{name}">{escape(group.label)}</h2>\n'
            f"  {facet_options(group.options)}\n  </nav>\n"
        )
    out.append("</details>")
    return Markup("".join(out))  # noqa: S704 - every value escaped above


def facet_options(options) -> Markup:
    """A facet's values (releasenotes.facets.Option) as `<ul>` of links, each marked
    current when chosen, with its count, and a stage as its badge."""
    from .templatetags.releasenotes import stage_badge

    language = get_language() or "en"
    out = ["<ul>"]
    for option in options:
        current = ' aria-current="true"' if option.current else ""
        label = stage_badge(option.stage, language) if option.stage else escape(option.label)
        count = f' <span class="count">({int(option.count)})</span>' if option.count is not None else ""
        out.append(f'<li><a href="{escape(option.url)}"{current}>{label}{count}</a></li>')
    out.append("</ul>")
    return Markup("".join(out))  # noqa: S704 - every value escaped above
