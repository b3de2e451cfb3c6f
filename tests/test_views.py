import re

import pytest

pytestmark = pytest.mark.django_db

PAGES = [
    "/{lang}/",
    "/{lang}/enhancements/",
    "/{lang}/enhancements/?stage=beta&sig=sig-node",
    "/{lang}/enhancements/555/",
    "/{lang}/sigs/",
    "/{lang}/sigs/sig-node/",
    "/{lang}/deprecations/",
]


def test_the_root_sends_koreans_to_korean(client):
    response = client.get("/", headers={"accept-language": "ko-KR,ko;q=0.9,en;q=0.5"})
    assert response.status_code == 302
    assert response["Location"] == "/ko/"


def test_the_root_sends_everyone_else_to_english(client):
    response = client.get("/", headers={"accept-language": "de-DE,de;q=0.9"})
    assert response["Location"] == "/en/"


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_declares_its_language_and_alternates(client, page, lang):
    response = client.get(page.format(lang=lang))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    path = page.format(lang="{}")
    for code in ("ko", "en"):
        href = "http://testserver" + path.format(code).replace("&", "&amp;")
        assert f'hreflang="{code}" href="{href}"' in html
    assert 'hreflang="x-default"' in html


@pytest.mark.parametrize("page", PAGES)
def test_the_switcher_leads_to_the_same_page_in_the_other_language(client, page):
    html = client.get(page.format(lang="ko")).content.decode()
    english = page.format(lang="en").replace("&", "&amp;")
    assert f'<a href="{english}" hreflang="en" lang="en" rel="alternate">English</a>' in html


@pytest.mark.parametrize(
    "path",
    [
        "/ko/feature-gates/NodeSwap/",
        "/en/search/?q=%ED%8F%AC%EB%93%9C&kind=enhancement",
        "/ko/releases/1.22/notes/?kind=feature&sig=sig-node&page=2",
        "/ko/glossary/",
        "/ko/no-such-page/",
        "/en/releases/9.99/",
    ],
)
def test_the_other_language_is_the_path_translate_url_gives(rf, path):
    """The switcher swaps the language prefix of a page that resolved under it, which is
    what Django's translate_url() gives for routes that are not translated."""
    from django.urls import Resolver404, resolve, translate_url
    from django.utils import translation

    from releasenotes.context_processors import in_language

    request = rf.get(path)
    with translation.override(path[1:3]):
        try:
            request.resolver_match = resolve(request.path_info)
        except Resolver404:
            request.resolver_match = None
        for code in ("ko", "en"):
            assert in_language(request, request.get_full_path(), code) == translate_url(request.get_full_path(), code)


@pytest.mark.parametrize("page", PAGES)
def test_each_page_runs_a_small_constant_number_of_queries(client, page, django_assert_max_num_queries):
    # The page's own queries, plus one: the content version that keys the page cache.
    with django_assert_max_num_queries(12 + 1):
        assert client.get(page.format(lang="ko")).status_code == 200


def test_the_home_page_shows_both_counts_and_why_they_differ(client):
    html = client.get("/ko/").content.decode()
    assert "새로운 정점에 도달" in html
    rows = re.findall(r"<tr><th scope=\"row\">.*?</th><td>(\S+)</td><td>(\S+)</td></tr>", html)
    assert rows == [("13", "12"), ("24", "24"), ("16", "17"), ("3", "3"), ("53", "53")]
    assert "1558" in html


def test_the_home_page_lists_the_major_themes_with_links(client):
    html = client.get("/en/").content.decode()
    assert "Server-side Apply" in html
    assert 'href="/en/enhancements/555/"' in html
    assert 'href="/en/enhancements/2400/"' in html


def test_the_list_filters_by_stage_and_sig_together(client):
    html = client.get("/en/enhancements/?stage=beta&sig=sig-node").content.decode()
    keps = sorted(int(k) for k in re.findall(r'href="/en/enhancements/(\d+)/"', html))
    assert keps == [1769, 1967, 2238, 2254]
    assert "4 enhancements" in html


def test_the_list_shows_a_count_beside_every_facet_value(client):
    html = client.get("/en/enhancements/?sig=sig-node").content.decode()
    # sig-node owns 2 stable, 4 beta, 6 alpha and 2 deprecations in our records
    stage_counts = dict(
        re.findall(r'href="\?sig=sig-node&amp;stage=(\w+)"[^>]*>.*?<span class="count">\((\d+)\)', html, re.S)
    )
    assert stage_counts == {"stable": "2", "beta": "4", "alpha": "6", "deprecated": "2"}


def test_the_list_filters_by_major_theme(client):
    html = client.get("/ko/enhancements/?theme=true").content.decode()
    keps = sorted(int(k) for k in re.findall(r'href="/ko/enhancements/(\d+)/"', html))
    assert keps == [541, 555, 970, 1122, 1981, 2400, 2413, 2568, 2570]


def test_an_unknown_stage_is_a_clear_400_in_korean(client):
    response = client.get("/ko/enhancements/?stage=gamma")
    assert response.status_code == 400
    html = response.content.decode()
    assert '<html lang="ko">' in html
    assert "단계" in html  # the field's Korean label names what was wrong


def test_an_unknown_sig_or_release_is_a_400(client):
    assert client.get("/en/enhancements/?sig=sig-nope").status_code == 400
    assert client.get("/en/enhancements/?release=9.99").status_code == 400
    assert client.get("/en/enhancements/?theme=maybe").status_code == 400


@pytest.mark.parametrize("page", ["abc", "0", "999", "-1", "1" * 40])
def test_a_bad_page_number_is_a_404_not_a_500(client, page):
    response = client.get(f"/en/enhancements/?page={page}")
    assert response.status_code == 404


def test_an_unknown_kep_number_is_a_404_page_in_the_right_language(client):
    response = client.get("/ko/enhancements/99999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="ko">' in html
    assert "페이지를 찾을 수 없" in html


def test_an_unknown_sig_page_is_a_404(client):
    assert client.get("/en/sigs/sig-nope/").status_code == 404


def test_the_enhancement_page_shows_the_kep_and_tracking_issue_when_they_differ(client):
    html = client.get("/en/enhancements/1205/").content.decode()
    assert "KEP-1205" in html
    assert "https://github.com/kubernetes/enhancements/issues/542" in html
    assert "kubernetes/enhancements#542" in html


def test_the_enhancement_page_shows_the_timeline_in_order(client):
    html = client.get("/ko/enhancements/555/").content.decode()
    timeline = html[html.index('class="timeline"') :]
    versions = re.findall(r'<span class="release">([\d.]+)</span>', timeline)
    assert versions == ["1.14", "1.16", "1.22"]
    assert "서버-사이드 어플라이" in html
    assert "<code>ServerSideApply</code>" in html


def test_the_sig_page_lists_what_it_shipped_by_stage(client):
    html = client.get("/en/sigs/sig-node/").content.decode()
    assert 'href="/en/enhancements/2400/"' in html
    assert 'href="/en/enhancements/1769/"' in html


def test_the_deprecations_page_has_the_three_deprecations(client):
    html = client.get("/en/deprecations/").content.decode()
    # Exactly these three cards: a page that listed every enhancement would fail.
    cards = re.findall(r'<h3><a href="/en/enhancements/(\d+)/">', html)
    assert sorted(cards, key=int) == ["281", "536", "1558"]


def test_missing_korean_falls_back_to_english_visibly_marked(client):
    from releasenotes.models import Enhancement

    Enhancement.objects.filter(kep_number=555).update(summary_ko="")
    html = client.get("/ko/enhancements/555/").content.decode()
    assert '<div lang="en" class="untranslated">' in html
    assert "번역" in html


def test_the_health_check_answers(client):
    assert client.get("/healthz").content == b"ok"


def test_a_release_has_its_own_page_and_unknown_ones_are_404(client):
    from releasenotes.models import Release

    assert client.get(Release.objects.get(version="1.22").get_absolute_url()).status_code == 200
    assert client.get("/en/releases/1.23/").status_code == 200  # its release notes at a glance
    assert client.get("/en/releases/1.16/").status_code == 404  # mentioned, no notes
    assert client.get("/en/releases/nope/").status_code == 404


def test_robots_txt_keeps_crawlers_out_of_the_admin(client):
    assert "Disallow: /admin/" in client.get("/robots.txt").content.decode()


def _titles(html):
    return re.findall(r'<a class="title" href="[^"]+">([^<]+)</a>', html)


def test_a_whole_release_fits_on_one_page_of_the_list(client):
    html = client.get("/en/enhancements/").content.decode()
    assert html.count('class="enhancement-row"') == 56
    assert 'rel="next"' not in html


def test_the_list_sorts_by_stage_sig_or_name(client):
    by_stage = client.get("/en/enhancements/?sort=stage").content.decode()
    stages = re.findall(r'<li class="enhancement-row">\s*<span class="badge stage stage-(\w+)"', by_stage)
    order = ["stable", "beta", "alpha", "deprecated"]
    assert stages == sorted(stages, key=order.index) and len(stages) == 56
    by_name = _titles(client.get("/ko/enhancements/?sort=name").content.decode())
    assert by_name == sorted(by_name, key=str.lower)
    by_sig = client.get("/en/enhancements/?sort=sig").content.decode()
    sigs = re.findall(r'<a href="/en/sigs/[\w-]+/">(SIG [^<]+)</a></span>', by_sig)
    assert sigs == sorted(sigs)


def test_an_unknown_sort_is_a_400(client):
    assert client.get("/en/enhancements/?sort=popularity").status_code == 400


def test_the_active_filters_are_chips_that_remove_them(client):
    html = client.get("/ko/enhancements/?stage=beta&sig=sig-node").content.decode()
    chips = re.search(r'<ul class="chips".*?</ul>', html, re.S).group(0)
    assert 'href="?sig=sig-node"' in chips and 'href="?stage=beta"' in chips
    assert re.search(r'id="results-heading"[^>]*>개선 사항 4개 <span class="meta">— 베타, SIG Node</span>', html)


def test_the_glossary_is_in_korean_order_on_korean_pages_and_filters(client):
    html = client.get("/ko/glossary/").content.decode()
    korean = re.findall(r'<th scope="row" lang="ko"><a [^>]+>([^<]+)</a>', html)
    hangul = [t for t in korean if "가" <= t[0] <= "힣"]
    assert korean[: len(hangul)] == hangul == sorted(hangul) and "파드" in hangul
    latin = korean[len(hangul) :]
    assert latin == sorted(latin, key=str.lower) and "kubelet" in latin
    assert "<code>NodeSwap</code>" in html  # notes are Markdown
    assert "`NodeSwap`" not in html
    filtered = client.get("/ko/glossary/?q=파드").content.decode()
    assert "파드 시큐리티 어드미션" in filtered and "스왑 공간" not in filtered
    assert "No term contains" in client.get("/en/glossary/?q=zzqx").content.decode()


def test_the_enhancement_page_links_the_docs_in_the_page_language(client):
    ko = client.get("/ko/enhancements/2400/").content.decode()
    assert 'href="https://kubernetes.io/ko/docs/concepts/architecture/nodes/"' in ko
    en = client.get("/en/enhancements/2400/").content.decode()
    assert 'href="https://kubernetes.io/docs/concepts/architecture/nodes/#swap-memory"' in en
    # No Korean translation of the page: the English one, said so.
    assert "아직 한국어 번역이 없습니다" in client.get("/ko/enhancements/555/").content.decode()


def test_the_home_page_opens_with_the_release_at_a_glance(client):
    html = client.get("/en/").content.decode()
    glance = html.index('class="glance"')
    assert glance < html.index('id="themes-heading"') < html.index('id="counts-heading"')
    assert 'href="#counts-heading">Why the numbers differ' in html


def test_search_snippets_show_no_raw_markdown(client):
    html = client.get("/ko/search/?q=swap").content.decode()
    snippets = re.findall(r'<p class="snippet">(.*?)</p>', html, re.S)
    assert snippets and not [s for s in snippets if "`" in s or "**" in s]
