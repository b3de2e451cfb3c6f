"""releasenotes/rows.py: the rows of long lists, drawn in Python, escape every value."""

from types import SimpleNamespace

from django.http import QueryDict
from django.utils import translation

from releasenotes.facets import Group, Option
from releasenotes.filters import Label
from releasenotes.rows import enhancement_rows, facet_block, facet_options, note_rows
from releasenotes.templatetags.releasenotes import content, stage_badge
from releasenotes.translation_status import fingerprint

HOSTILE = '<script>alert("x")</script>'


def note(**changes):
    values = {
        "release_id": 1,
        "release": SimpleNamespace(version="1.22"),
        "pr_number": 101,
        "html_en": "<p>English</p>",
        "html_ko": "<p>한국어</p>",
        "action_required": True,
        "author": "someone",
        "author_url": "https://github.com/someone",
        "pr_url": "https://github.com/kubernetes/kubernetes/pull/101",
        "documentation": [{"url": "https://kubernetes.io/docs/", "description": "Docs"}],
        "feature_gates": ["NodeSwap"],
        "label_list": [Label("kind", "feature"), Label("sig", "sig-node")],
    }
    return SimpleNamespace(**{**values, **changes})


def test_a_note_row_escapes_what_upstream_and_editors_write_but_keeps_the_stored_html():
    hostile = note(
        author=HOSTILE,
        author_url=f"https://github.com/{HOSTILE}",
        documentation=[{"url": 'https://x/"onmouseover="y', "description": HOSTILE}],
        feature_gates=[HOSTILE],
        label_list=[Label("area", HOSTILE)],
    )
    with translation.override("ko"):
        html = str(note_rows([hostile]))
    assert "<script>" not in html and html.count("&lt;script&gt;") == 5
    assert '"onmouseover' not in html and "&#34;onmouseover" in html
    assert "<p>한국어</p>" in html  # stored sanitised when saved


def test_a_note_row_says_what_the_template_said_in_each_language():
    with translation.override("ko"):
        korean = str(note_rows([note(), note(pr_number=102, html_ko="", action_required=False)]))
    assert korean.count('<li class="note"') == 2 and korean.count("data-action-required") == 1
    assert '<span class="badge action">조치 필요</span>' in korean
    assert '<div lang="en" class="untranslated"><p>English</p></div>' in korean  # the one without Korean
    assert '(<a href="https://github.com/kubernetes/kubernetes/pull/101">#101</a>, ' in korean
    with translation.override("en"):
        english = str(note_rows([note()], compact=True, headings=True))
    assert '<h3><a href="/en/releases/1.22/notes/">1.22</a></h3>' in english
    assert "<p>English</p>" in english and "badge action" not in english and 'class="meta"' not in english


def test_an_enhancement_row_escapes_its_title_sig_and_gates():
    row = SimpleNamespace(
        kep_number=1,
        title_en=HOSTILE,
        title_ko="",
        translation_sources={},
        gates=HOSTILE,
        sig_name=HOSTILE,
        release_theme=True,
        url="/en/enhancements/1/",
        sig_url="/en/sigs/x/",
        stage_badge="",
    )
    for language in ("en", "ko"):  # the title as text, and as English marked untranslated
        with translation.override(language):
            row.title = content(row, "title")
            html = str(enhancement_rows([row]))
        assert "<script>" not in html and html.count("&lt;script&gt;") == 3, language
        assert 'class="badge theme"' in html


def test_a_facet_value_escapes_its_label_and_link():
    options = [Option(HOSTILE, '?q="><x', current=True, count=3), Option("Beta", "?stage=beta", stage="beta")]
    html = str(facet_options(options))
    assert "<script>" not in html and '"><x' not in html
    assert 'aria-current="true"' in html and '<span class="count">(3)</span>' in html
    assert 'class="badge stage stage-beta"' in html


def test_the_facet_block_keeps_the_other_filters_in_its_search_and_escapes_what_it_is_given():
    query = QueryDict(mutable=True)
    query.update({"kind": HOSTILE, "q": '"><x', "page": "2", "sig": "node"})
    groups = [Group("kind", HOSTILE, [Option("Any", "?", current=True)])]
    with translation.override("ko"):
        html = str(facet_block(groups, query, HOSTILE, "notes-q", chips=[object(), object()]))
    assert "<script>" not in html and '"><x' not in html
    assert '<input type="hidden" name="sig" value="node">' in html  # every other filter is kept
    assert 'name="page"' not in html and html.count('name="q"') == 1  # the search box's own q only
    assert '<input id="notes-q" type="search" name="q"' in html and 'value="&#34;&gt;&lt;x"' in html
    assert "<summary>필터 (2)</summary>" in html
    assert '<nav aria-labelledby="facet-kind"><h2 id="facet-kind">&lt;script&gt;' in html


def test_a_stage_badge_is_drawn_in_the_language_of_the_page_asking():
    for languages in (("ko", "en", "ko"), ("en", "ko", "en")):  # drawn once per language, each kept apart
        for language in languages:
            with translation.override(language):
                badge = stage_badge("alpha")
            assert badge == f'<span class="badge stage stage-alpha">{"알파" if language == "ko" else "Alpha"}</span>'
    with translation.override("en"):
        assert stage_badge("nonsense") == ""


def test_a_title_is_marked_untranslated_or_outdated_in_the_language_of_the_page_asking():
    untranslated = SimpleNamespace(title_en="Node swap", title_ko="", translation_sources={})
    outdated = SimpleNamespace(title_en="Node swap", title_ko="노드 스왑", translation_sources={"title": "stale"})
    current = SimpleNamespace(**{**vars(outdated), "translation_sources": {"title": fingerprint("Node swap")}})
    for languages in (("ko", "en", "ko"), ("en", "ko", "en")):  # either language asking first
        for language in languages:
            with translation.override(language):
                marked = content(untranslated, "title")
                stale, fresh = content(outdated, "title"), content(current, "title")
            if language == "ko":
                assert marked == (
                    '<span lang="en" class="untranslated">Node swap</span>'
                    ' <span class="badge untranslated-badge">아직 번역되지 않음</span>'
                )
                assert stale.startswith("노드 스왑 ") and ">오래됨</span>" in stale
                assert fresh == "노드 스왑"
            else:  # an English page shows the English, unmarked
                assert marked == stale == fresh == "Node swap"
