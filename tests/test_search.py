"""Search: every rule of the issue as a table of queries, against the real 1.22 dataset.

The same tests run on SQLite (FTS5) and PostgreSQL (pg_trgm); nothing here is backend-specific.
"""

import unicodedata

import pytest
from django.core.management import call_command
from django.utils.html import escape

from releasenotes.models import Enhancement, GlossaryTerm
from releasenotes.search import presentation, search
from releasenotes.search.models import SearchEntry
from releasenotes.search.text import (
    Glossary,
    Number,
    clean_query,
    find_matches,
    fold,
    normalise_query,
    parse_number,
    parse_query,
    variants,
    words,
)
from tests.factories import make_enhancement

NFD_SWAP = unicodedata.normalize("NFD", "스왑")


def found(raw, language="en", limit=60):
    """Result keys, best first: "KEP-2400" for enhancements, "kind:anchor" for the rest."""
    found = search(raw)
    results = found.present(found.page(1, limit), language)
    return [f"KEP-{r.kep_number}" if r.kep_number else f"{r.kind}:{r.url.rpartition('#')[2]}" for r in results]


# The first result for each way people type a name.
FIRST = [
    # case, hyphens, spaces and their absence
    ("server-side apply", "KEP-555"),
    ("Server Side Apply", "KEP-555"),
    ("SERVER-SIDE-APPLY", "KEP-555"),
    ("serversideapply", "KEP-555"),
    ("서버 사이드 어플라이", "KEP-555"),
    ("서버-사이드 어플라이", "KEP-555"),
    ("서버사이드 어플라이", "KEP-555"),
    ("SSA", "KEP-555"),
    # two-character Korean words, in NFC and NFD, and across languages
    ("스왑", "KEP-2400"),
    (NFD_SWAP, "KEP-2400"),
    ("swap", "KEP-2400"),
    ("node swap", "KEP-2400"),
    ("메모리 관리자", "KEP-1769"),
    ("memory manager", "KEP-1769"),
    # feature gates
    ("NodeSwap", "KEP-2400"),
    ("nodeswap", "KEP-2400"),
    ("TokenRequestProjection", "KEP-1205"),
    ("PodSecurity", "KEP-2579"),
    # KEP and tracking-issue numbers
    ("KEP-2400", "KEP-2400"),
    ("kep 2400", "KEP-2400"),
    ("2400", "KEP-2400"),
    ("#542", "KEP-1205"),
    ("1205", "KEP-1205"),
    ("KEP-1205", "KEP-1205"),
    # removed APIs
    ("networking.k8s.io/v1beta1 Ingress", "removed_api:networking-k8s-io-v1beta1-ingress-1-22"),
    ("extensions/v1beta1 ingress", "removed_api:extensions-v1beta1-ingress-1-22"),
    # glossary terms, either language
    ("사용 중단", "glossary:deprecated"),
    ("deprecated", "glossary:deprecated"),
    ("dockershim", "glossary:dockershim"),
    ("ga", "glossary:generally-available"),
    ("잡", "glossary:job"),
]

# Items that must be among the results (anywhere).
ANYWHERE = [
    ("사용 중단", {"KEP-281", "KEP-536", "KEP-1558", "KEP-1693", "glossary:deprecated"}),
    ("deprecated", {"KEP-281", "KEP-536", "KEP-1558", "glossary:deprecated"}),
    ("스왑", {"glossary:swap", "glossary:swap-space"}),
    ("swap", {"glossary:swap", "glossary:swap-space"}),
    ("Ingress", {"removed_api:extensions-v1beta1-ingress-1-22", "glossary:ingress", "KEP-2365"}),
    ("networking.k8s.io/v1beta1", {"removed_api:networking-k8s-io-v1beta1-ingressclass-1-22"}),
    ("cri-dockerd", {"faq:use-dockershim-after-removal", "faq:docker-engine-as-container-runtime"}),
    ("CRI dockerd", {"faq:use-dockershim-after-removal"}),
    ("도커심", {"faq:why-is-dockershim-deprecated", "glossary:dockershim"}),
    ("잡", {"KEP-2214", "KEP-2232", "KEP-19"}),
]

HOSTILE = [
    '"',
    '""',
    "'",
    "NEAR(",
    "NEAR(a b)",
    "*",
    "swap*",
    "-",
    "-swap",
    "a OR b",
    "AND",
    "NOT swap",
    '" OR "',
    "title:swap",
    "^swap",
    "{a b}",
    "%",
    "_",
    "\\",
    "'; DROP TABLE releasenotes_searchentry; --",
    "x" * 5000,
    "스" * 5000,
    "a " * 2000,
    "\x00",
    "swap\x00",
    "\u200b",
    "\ufeff스왑",
    "99999999999999999999",
    "#99999999999999999999",
    "KEP-" + "9" * 40,
]


@pytest.mark.django_db
@pytest.mark.parametrize(("raw", "first"), FIRST)
def test_it_ranks_the_named_item_first(raw, first):
    assert found(raw)[:1] == [first]


@pytest.mark.django_db
@pytest.mark.parametrize(("raw", "expected"), ANYWHERE)
def test_it_finds_every_item_that_mentions_the_term(raw, expected):
    assert expected <= set(found(raw, limit=10_000))  # every release's notes mention some of these


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_page_language_does_not_change_what_is_found(language):
    assert found("스왑", language) == found("swap", language) == found("swap", "ko")


@pytest.mark.django_db
def test_it_ranks_exact_then_prefix_then_title_words_then_body():
    entries = search("memory").page(1, 60).entries
    ranks = [e.rank for e in entries]
    assert ranks == sorted(ranks)
    keys = found("memory", limit=10_000)
    assert keys[0] == "glossary:memory"  # exact term
    assert keys.index("KEP-1769") < keys.index("KEP-2400")  # "Memory Manager" (prefix) before "swap memory"
    assert keys.index("KEP-2400") < keys.index("KEP-2254")  # an alias word before a body mention


@pytest.mark.django_db
def test_exact_matches_put_enhancements_before_glossary_terms():
    keys = found("server side apply")
    assert keys[0] == "KEP-555"
    assert "glossary:server-side-apply" in keys[1:3]  # beside the ServerSideApply feature gate


@pytest.mark.django_db
def test_the_tracking_issue_number_needs_the_hash_to_prefer_the_issue():
    assert found("#542") == ["KEP-1205"]
    assert "KEP-1205" not in found("KEP-542")


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["zzqxv", "없는말없는말", "KEP-99999", "#99999"])
def test_a_query_for_nothing_finds_nothing(raw):
    assert found(raw) == []


@pytest.mark.django_db
def test_a_korean_term_finds_an_item_written_only_in_english():
    make_enhancement(title_en="Encrypted swap partitions", title_ko="", summary_en="Keeps swap private.")
    english_only = Enhancement.objects.get(title_en="Encrypted swap partitions").kep_number
    assert f"KEP-{english_only}" in found("스왑")


@pytest.mark.django_db
def test_it_finds_an_item_by_an_alias_added_after_loading():
    enhancement = Enhancement.objects.get(kep_number=2400)
    enhancement.aliases = [*enhancement.aliases, "Auslagerungsspeicher"]
    enhancement.save()
    assert found("auslagerungs-speicher")[:1] == ["KEP-2400"]


@pytest.mark.django_db
def test_the_index_follows_edits_and_deletions():
    term = GlossaryTerm.objects.get(slug="swap")
    term.note_en = "Also called paging space."
    term.save()
    assert "glossary:swap" in found("paging space")
    term.delete()
    assert "glossary:swap" not in found("swap")
    assert not SearchEntry.objects.filter(kind="glossary", object_id=term.pk).exists()


@pytest.mark.django_db
def test_loading_the_fixtures_indexed_everything():
    from releasenotes.search.registry import registry

    assert SearchEntry.objects.count() == sum(source.model.objects.count() for source in registry)


@pytest.mark.django_db
def test_rebuilding_the_index_keeps_the_results(capsys):
    before = found("스왑")
    entries = SearchEntry.objects.count()
    call_command("rebuild_search_index", "--dry-run")
    assert f"Would index {entries} entries" in capsys.readouterr().out
    SearchEntry.objects.all().delete()
    assert found("스왑") == []
    call_command("rebuild_search_index")
    assert f"Indexed {entries} entries" in capsys.readouterr().out
    assert found("스왑") == before


@pytest.mark.django_db
def test_the_enhancement_list_filter_uses_the_same_engine(client):
    html = client.get("/en/enhancements/?q=서버사이드").content.decode()
    assert 'href="/en/enhancements/555/"' in html
    data = client.get("/api/v1/enhancements/?q=스왑").json()
    assert [r["kep_number"] for r in data["results"]] == [2400]
    assert {r["kep_number"] for r in client.get("/api/v1/enhancements/?q=%23542").json()["results"]} == {1205}


# The HTML page ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_results_page_lists_and_highlights_matches(client, language):
    html = client.get(f"/{language}/search/", {"q": "스왑"}).content.decode()
    assert f'href="/{language}/enhancements/2400/"' in html
    assert "<mark>스왑</mark>" in html
    assert f'href="/{language}/glossary/#swap"' in html


@pytest.mark.django_db
def test_the_results_page_titles_items_in_the_page_language(client):
    korean = client.get("/ko/search/", {"q": "NodeSwap"}).content.decode()
    english = client.get("/en/search/", {"q": "NodeSwap"}).content.decode()
    assert "노드 시스템 스왑(swap) 지원" in korean
    assert "Node system swap support" in english
    assert "<mark>NodeSwap</mark>" in english  # the feature gate it matched is shown


@pytest.mark.django_db
def test_the_results_page_escapes_everything_but_the_marks(client):
    html = client.get("/en/search/", {"q": "<script>alert(1)</script> swap"}).content.decode()
    assert "<script>alert" not in html
    assert escape("<script>alert(1)</script> swap") in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ko", "en"])
def test_an_empty_query_offers_examples_and_popular_items(client, language):
    response = client.get(f"/{language}/search/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="?q=NodeSwap"' in html
    assert f'href="/{language}/enhancements/2400/"' in html  # a major theme of 1.22


@pytest.mark.django_db
def test_a_query_without_results_suggests_what_to_try(client):
    html = client.get("/en/search/", {"q": "swp"}).content.decode()
    assert "Nothing found for “swp”" in html
    assert '<a href="?q=swap">swap</a>' in html  # did you mean
    assert 'href="?q=NodeSwap"' in html
    assert 'href="/en/enhancements/555/"' in html


@pytest.mark.django_db
def test_results_are_paged(client):
    first = client.get("/en/search/", {"q": "ga"}).content.decode()
    second = client.get("/en/search/", {"q": "ga", "page": "2"}).content.decode()
    assert 'rel="next"' in first
    assert 'start="26"' in second and 'rel="prev"' in second
    for number in ["999", "0", "-1", "²", "1" * 40, "x"]:
        assert client.get("/en/search/", {"q": "ga", "page": number}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("raw", HOSTILE)
def test_hostile_input_never_breaks_the_page(client, raw):
    assert client.get("/ko/search/", {"q": raw}).status_code in (200, 400)


@pytest.mark.django_db
@pytest.mark.parametrize("raw", HOSTILE)
def test_hostile_input_never_breaks_the_api(client, raw):
    response = client.get("/api/v1/search/", {"q": raw})
    assert response.status_code in (200, 400)
    assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
@pytest.mark.parametrize("encoded", ["%ff%fe", "%ed%b3%bf", "%c0%80", "%00", "%e2%80%ae%ed%8a%a4"])
def test_invalid_bytes_in_the_query_string_are_no_error(client, encoded):
    assert client.get(f"/en/search/?q={encoded}").status_code == 200
    assert client.get(f"/api/v1/search/?q={encoded}").status_code == 200
    assert client.get(f"/en/enhancements/?q={encoded}").status_code in (200, 400)  # its form refuses NUL


@pytest.mark.django_db
def test_an_overlong_query_is_a_clear_400(client):
    html = client.get("/ko/search/", {"q": "x" * 5000})
    assert html.status_code == 400
    assert "500" in html.content.decode()  # names the limit
    data = client.get("/api/v1/search/", {"q": "x" * 5000}).json()
    assert data["error"]["code"] == "invalid_parameter"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/ko/search/?q=스왑", "/en/search/?q=zzqxv", "/en/search/", "/ko/search/?q=a+OR+b&page=2"]
)
def test_the_search_page_runs_a_small_constant_number_of_queries(client, url, django_assert_max_num_queries):
    # Six: one reads the content version that every public page is cached and tagged by.
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_the_search_box_on_every_page_leads_to_search(client):
    html = client.get("/ko/enhancements/").content.decode()
    assert 'action="/ko/search/"' in html
    assert '<a href="/ko/glossary/">' in html


# The API ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_answers_with_the_contract_fields(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        data = client.get("/api/v1/search/", {"q": "server-side apply"}).json()
    assert set(data) == {"query", "count", "results"}
    assert data["query"] == "server-side apply"
    # Server-side Apply itself, then the KEPs that name it (field validation, kubectl's default).
    assert data["count"] == len(data["results"]) >= 2
    first = data["results"][0]
    assert set(first) == {"type", "title", "url", "snippet", "kep_number"}
    assert first["type"] == "enhancement"
    assert first["kep_number"] == 555
    assert first["url"] == "http://testserver/en/enhancements/555/"
    assert data["results"][1]["kep_number"] is None


@pytest.mark.django_db
def test_the_api_titles_results_in_the_request_language(client):
    korean = client.get("/api/v1/search/", {"q": "KEP-2400"}, headers={"accept-language": "ko"}).json()
    english = client.get("/api/v1/search/", {"q": "KEP-2400"}, headers={"accept-language": "en"}).json()
    assert korean["results"][0]["title"] == "노드 시스템 스왑(swap) 지원"
    assert english["results"][0]["title"] == "Node system swap support"


@pytest.mark.django_db
def test_the_api_marks_matches_in_escaped_snippets(client):
    data = client.get("/api/v1/search/", {"q": "cri-dockerd"}).json()
    assert data["count"] >= 5
    assert {r["type"] for r in data["results"]} <= {"faq", "glossary", "release_note"}
    assert all("<mark>" in r["snippet"] for r in data["results"])


@pytest.mark.django_db
def test_the_api_types_cover_every_kind(client):
    types = {r["type"] for r in client.get("/api/v1/search/", {"q": "ingress"}).json()["results"]}
    assert {"enhancement", "removed_api", "glossary"} <= types
    assert {r["type"] for r in client.get("/api/v1/search/", {"q": "dockershim"}).json()["results"]} >= {"faq"}


@pytest.mark.django_db
def test_the_api_refuses_a_missing_query(client):
    response = client.get("/api/v1/search/")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "missing_parameter"


# The glossary page -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_glossary_lists_every_term_with_an_anchor(client, language):
    html = client.get(f"/{language}/glossary/").content.decode()
    assert html.count("<tr id=") == GlossaryTerm.objects.count()
    assert '<tr id="swap">' in html and "스왑" in html
    assert '<tr id="deprecated">' in html and "사용 중단" in html


# Normalising queries (plain Python) ------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Server-side Apply", "serversideapply"),
        ("server side apply", "serversideapply"),
        ("ServerSideApply", "serversideapply"),
        ("서버 사이드 어플라이", "서버사이드어플라이"),
        (unicodedata.normalize("NFD", "서버-사이드"), "서버사이드"),
        ("networking.k8s.io/v1beta1", "networking.k8s.io/v1beta1"),
        ("(HugePages)", "hugepages"),
        ("Straße", "strasse"),
        ("1.22.", "1.22"),
        ('"NEAR(*)"', "near"),
        ("\x00\udcff", ""),
    ],
)
def test_folding_ignores_case_hyphens_spaces_and_normalisation(raw, folded):
    assert fold(raw) == folded


def test_normalising_keeps_words_apart_and_drops_control_characters():
    assert normalise_query("  Node\tSWAP\x00 ") == "node swap"
    assert normalise_query(unicodedata.normalize("NFD", "스왑")) == "스왑"
    assert clean_query("x" * 5000) == "x" * 500
    assert words("PodSecurity (admission) — kube_proxy") == ["podsecurity", "admission", "kube", "proxy"]


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("KEP-2400", Number(2400, "kep")),
        ("kep 2400", Number(2400, "kep")),
        ("kep2400", Number(2400, "kep")),
        ("#542", Number(542, "issue")),
        ("2400", Number(2400, "any")),
        ("1.22", None),
        ("KEP-", None),
        ("9" * 10, None),  # too large for the database: a plain text search instead
    ],
)
def test_it_reads_kep_and_issue_numbers(raw, number):
    assert parse_number(raw) == number


def test_glossary_phrases_become_one_group_with_their_translations():
    glossary = Glossary.from_pairs([("deprecated", "사용 중단"), ("swap", "스왑"), ("generally available (GA)", "GA")])
    query = parse_query("사용 중단 스왑", glossary)
    assert query.groups == (frozenset({"사용중단", "deprecated"}), frozenset({"스왑", "swap"}))
    assert "deprecatedswap" in query.whole and "사용중단스왑" in query.whole
    assert parse_query("ga", glossary).groups == (frozenset({"ga", "generallyavailable", "generallyavailablega"}),)
    assert glossary.close_to("swp") == ["swap"]


def test_variants_split_out_parenthesised_names():
    assert variants("generally available (GA)") == ["generally available (GA)", "generally available", "GA"]
    assert variants("스왑") == ["스왑"]


def test_matches_are_found_in_the_original_text():
    text = "서버-사이드 어플라이(Server-side Apply)"
    spans = find_matches(text, {"serversideapply", "서버사이드"})
    assert [text[a:b] for a, b in spans] == ["서버-사이드", "Server-side Apply"]
    # a short spelling counts only at the start of a word, as in the search itself
    assert find_matches("omega ga", {"ga"}) == [(6, 8)]


def test_highlighting_escapes_the_text_around_the_marks():
    html = presentation.highlight("<b>swap</b> & more", [(3, 7)])
    assert html == "&lt;b&gt;<mark>swap</mark>&lt;/b&gt; &amp; more"


# Queries whose words split into runs over other words, with typos, and of several words.
SHORTCUTS = [
    "server side apply",
    "serversideapply",
    "ingressswap",
    "cgroup v2",
    "memroy manager",
    "kubelte",
    "dokcershim removal",
    "pod security policy",
    "node swap",
    "서버 사이드 어플라이",
    "ingress class name",
]


@pytest.mark.django_db
@pytest.mark.parametrize("raw", SHORTCUTS)
def test_the_matching_shortcuts_change_no_result(raw, monkeypatch):
    """Dropping the runs no entry holds, and testing all groups but one on the found rows'
    text (SQLite), find and rank exactly what testing everything through the index does."""
    from django.db import connection

    from releasenotes.search import engine

    quick = found(raw)
    every_group = engine._groups_match
    if connection.vendor == "sqlite":

        def every_group(query, groups):
            return engine.Sql.join(" AND ", [engine._group_fts(query, g) for g in groups])

    monkeypatch.setattr(engine, "_runs_held", lambda query: query)
    monkeypatch.setattr(engine, "_groups_match", every_group)
    assert found(raw) == quick


@pytest.mark.django_db
def test_runs_over_words_that_no_entry_holds_are_dropped(monkeypatch):
    from releasenotes.search import engine

    assert ("server", "side", "apply") in engine.parse("serversideapply").pieces["serversideapply"]
    assert "ingressswap" not in engine.parse("ingressswap").pieces
    monkeypatch.setattr(engine, "_runs_held", lambda query: query)
    assert ("ingress", "swap") in engine.parse("ingressswap").pieces["ingressswap"]  # the vocabulary splits it
