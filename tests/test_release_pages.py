"""Releases, the notes browser, the upgrade path, the release-notes API, feeds and sitemap."""

import itertools
import re
import xml.etree.ElementTree as ET

import pytest
from django.db.models import Count
from django.http import QueryDict

from releasenotes.filters import ReleaseNoteFilter, ReleaseNoteIndex, clean_note_query, note_choices, note_labels
from releasenotes.models import NoteFacet, NoteLabel, Release, ReleaseNote

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def notes_with(version, **labels):
    queryset = ReleaseNote.objects.filter(release__version=version)
    for facet, slug in labels.items():
        queryset = queryset.filter(labels__facet=facet, labels__slug=slug)
    return queryset


def listed_prs(html):
    return {int(n) for n in re.findall(r'<li class="note" id="pr-(\d+)"', html)}


def test_it_lists_every_release_with_dates_and_counts(client):
    html = client.get("/ko/releases/").content.decode()
    for n in range(19, 35):
        assert f'href="/ko/releases/1.{n}/"' in html
    assert 'datetime="2022-05-03"' in html and "Stargazer" in html
    assert '<a href="/ko/releases/1.22/notes/">384</a>' in html
    assert '<a href="/ko/releases/1.22/notes/?action_required=true">24</a>' in html


def test_the_1_22_page_keeps_the_home_page_and_reads_its_action_required_notes_in_korean(client):
    html = client.get("/ko/releases/1.22/").content.decode()
    home = client.get("/ko/").content.decode()
    assert 'id="themes-heading"' in html and 'id="themes-heading"' in home
    assert html.count("data-action-required") == 24
    action = html[html.index('id="action-heading"') :]
    assert "untranslated" not in action.split("</section>")[0]
    assert "감사(audit) 로그 파일이 이제 0600 모드로 만들어진다." in html
    assert 'href="https://github.com/kubernetes/kubernetes/pull/95387"' in html  # the PR link after our Korean
    assert "kubernetes-sigs/release-notes" in html and "Apache License 2.0" in html


def test_release_pages_announce_their_feeds(client):
    for url in ["/ko/releases/", "/ko/releases/1.25/", "/en/releases/1.25/notes/"]:
        assert '<link rel="alternate" type="application/atom+xml"' in client.get(url).content.decode(), url


def test_the_notes_browser_combines_facets_with_and(client):
    html = client.get("/en/releases/1.22/notes/?kind=bug&sig=node").content.decode()
    expected = notes_with("1.22", kind="bug", sig="sig-node")
    assert f"{expected.count()} notes" in html
    assert listed_prs(html) == set(expected.values_list("pr_number", flat=True)[:50])
    # The count beside another facet's value is what choosing it next would give.
    kubelet = notes_with("1.22", kind="bug", sig="sig-node", area="kubelet").count()
    assert kubelet and f'area=kubelet">kubelet <span class="count">({kubelet})</span>' in html


def test_it_takes_node_and_sig_node_alike(client):
    a = client.get("/en/releases/1.22/notes/?sig=node").content.decode()
    b = client.get("/en/releases/1.22/notes/?sig=sig-node").content.decode()
    assert listed_prs(a) == listed_prs(b) and listed_prs(a)


def test_every_note_is_reachable_without_losing_the_facets(client):
    expected = set(notes_with("1.22", sig="sig-node").values_list("pr_number", flat=True))
    seen, url = set(), "/en/releases/1.22/notes/?sig=node"
    while url:
        html = client.get(url).content.decode()
        seen |= listed_prs(html)
        nxt = re.search(r'href="(\?[^"]+)" rel="next"', html)
        url = "/en/releases/1.22/notes/" + nxt.group(1).replace("&amp;", "&") if nxt else None
        assert url is None or "sig=node" in url
    assert seen == expected and len(expected) > 50


def test_the_search_box_filters_the_notes(client):
    html = client.get("/en/releases/1.24/notes/?q=dockershim").content.decode()
    prs = listed_prs(html)
    assert prs and all("dockershim" in n.text_en.lower() for n in ReleaseNote.objects.filter(pr_number__in=prs))


@pytest.mark.parametrize("query", ["kind=nope", "sig=sig-nope", "area=nope", "action_required=maybe", "page=99"])
def test_bad_filters_are_a_clear_4xx(client, query):
    response = client.get(f"/ko/releases/1.22/notes/?{query}")
    assert response.status_code in (400, 404)
    if response.status_code == 400:
        assert 'role="alert"' in response.content.decode()


def test_the_largest_release_page_stays_within_the_query_budget(client, django_assert_max_num_queries):
    version = max(Release.objects.with_note_counts(), key=lambda r: r.note_count).version
    with django_assert_max_num_queries(8):
        response = client.get(f"/ko/releases/{version}/notes/?kind=feature&sig=node&area=kubelet&action_required=false")
    assert response.status_code == 200
    with django_assert_max_num_queries(8):
        response = client.get(f"/ko/releases/{version}/notes/")
    assert len(response.content) <= 100_000
    # The search box too: its words are read once, not once per facet count.
    with django_assert_max_num_queries(8):
        response = client.get(f"/ko/releases/{version}/notes/?kind=bug&sig=node&action_required=false&q=pod")
    assert response.status_code == 200 and "data-action-required" not in response.content.decode()


def without(filterset, left_out):
    """The FilterSet's results with one filter left out, through its own filters."""
    queryset = filterset.queryset
    for name, value in filterset.form.cleaned_data.items():
        if name != left_out and value not in (None, ""):
            queryset = filterset.filters[name].filter(queryset, value)
    return queryset


def orm_facet_counts(filterset):
    """Each facet's counts as the FilterSet's own queries give them: every other filter applied."""
    counts = {}
    for facet in ("kind", "sig", "area"):
        base = without(filterset, facet).order_by().values("pk")
        rows = NoteLabel.objects.filter(facet=facet, notes__in=base).values_list("slug").annotate(n=Count("notes"))
        counts[facet] = dict(rows.order_by())
    rows = without(filterset, "action_required").order_by().values_list("action_required").annotate(n=Count("pk"))
    counts["action_required"] = {("true" if flag else "false"): n for flag, n in rows}
    return counts


@pytest.mark.parametrize("version", ["1.22", "1.19"])
def test_the_notes_browser_counts_filters_and_orders_as_the_filterset_does(version):
    """ReleaseNoteIndex (the page) against ReleaseNoteFilter's queries (the API), for many
    combinations of facets, the search box and a PR number."""
    labels = note_labels()
    combinations = list(
        itertools.product(
            ["", "bug", "feature", "flake"],
            ["", "node", "sig-network", "sig-windows"],
            ["", "kubelet"],
            ["", "true", "false"],
            ["", "pod"],
        )
    )
    combinations += [("", "", "", "", "", "95387"), ("feature", "", "", "", "", "1"), ("design", "", "", "", "", "")]
    checked = 0
    for kind, sig, area, action_required, q, *pr in combinations:
        query = QueryDict(mutable=True)
        query.update({"kind": kind, "sig": sig, "area": area, "action_required": action_required, "q": q})
        query.update({"pr": pr[0] if pr else "", "release": version})
        filterset = ReleaseNoteFilter(query, queryset=ReleaseNote.objects.all(), labels=labels)
        assert filterset.is_valid(), filterset.errors
        data = clean_note_query(query, version, note_choices(labels))
        assert data == filterset.form.cleaned_data
        index = ReleaseNoteIndex(version, labels, q)
        counts = index.facet_counts(data)
        assert counts == orm_facet_counts(filterset), query
        expected = list(filterset.qs.order_by("-action_required", "pr_number").values_list("pr_number", flat=True))
        pr_numbers = {pk: pr_number for pk, _flag, pr_number, *_rest in index.rows}
        assert [pr_numbers[pk] for pk in index.results(data)] == expected, query
        checked += bool(expected)
    assert checked > 50  # most combinations list notes: the comparison is not between empty lists


@pytest.mark.parametrize(
    "query",
    [
        "kind=nope",
        "sig=sig-nope",
        "area=x",
        "action_required=maybe",
        "action_required=TRUE",
        "kind=%20bug",
        "q=" + "x" * 501,
        "q=a%00b",
        "pr=0",
        "pr=-1",
        "pr=5.0",
        "pr=1000000001",
        "pr=%2012",
        "pr=x",
        "sig=SIG%20Node",
        "sig=sig-",
        "q=%20%20",
        "kind=bug&kind=nope",
        "kind=nope&kind=bug",
        "pr=12&q=pod%20&sig=node",
        "pr=007",
    ],
)
def test_the_plain_check_of_the_filters_agrees_with_the_filterset_or_leaves_it_the_decision(query):
    """clean_note_query accepts only what ReleaseNoteFilter accepts, cleaned the same way."""
    labels = note_labels()
    data = QueryDict(query, mutable=True)
    data["release"] = "1.22"
    filterset = ReleaseNoteFilter(data, queryset=ReleaseNote.objects.all(), labels=labels)
    cleaned = clean_note_query(QueryDict(query), "1.22", note_choices(labels))
    if cleaned is not None:
        assert filterset.is_valid() and cleaned == filterset.form.cleaned_data
    else:  # every bad value, and PR numbers written otherwise than in digits, which the form takes
        assert filterset.is_valid() == (query in ("pr=5.0", "pr=%2012"))


def test_the_plain_check_leaves_unknown_releases_to_the_filterset():
    assert clean_note_query(QueryDict(""), "9.99", note_choices(note_labels())) is None


def test_the_upgrade_path_names_dockershim_and_every_action_required_note(client):
    html = client.get("/ko/upgrade/?from=1.21&to=1.25").content.decode()
    assert html.count("data-action-required") == 54
    expected = ReleaseNote.objects.filter(release__version__in=["1.22", "1.23", "1.24", "1.25"]).action_required()
    assert expected.count() == 54
    assert {int(n) for n in re.findall(r'id="pr-(\d+)" data-action-required', html)} == set(
        expected.values_list("pr_number", flat=True)
    )
    assert "도커심(dockershim)이 제거" in html and 'href="/ko/dockershim/"' in html
    step_24 = html[html.index('<h2 id="step-3">1.24</h2>') : html.index('<h2 id="step-4">')]
    assert 'id="dockershim"' in step_24


def test_the_upgrade_path_lists_deprecation_notes_and_says_when_there_are_none(client):
    html = client.get("/en/upgrade/?from=1.29&to=1.31").content.decode()
    deprecations = notes_with("1.30", kind="deprecation").count()
    assert deprecations and "No note of 1.30 needs action." in html
    html = client.get("/en/upgrade/?from=1.16&to=1.19").content.decode()
    assert "This site holds no release notes for 1.17" in html


def test_the_api_combines_filters_with_and(client):
    data = client.get("/api/v1/release-notes/?release=1.22&kind=bug&sig=node&area=kubelet").json()
    expected = notes_with("1.22", kind="bug", sig="sig-node", area="kubelet")
    assert data["count"] == expected.count() > 0
    for note in data["results"]:
        assert "bug" in note["kinds"] and "sig-node" in note["sigs"] and "kubelet" in note["areas"]
    assert set(data["results"][0]) == {
        "pr_number", "release", "kinds", "sigs", "areas", "action_required", "text", "pr_url",
        "documentation", "feature_gates", "kep_numbers", "url",
    }  # fmt: skip


def test_the_api_paginates_with_next(client):
    data = client.get("/api/v1/release-notes/?release=1.22").json()
    assert data["count"] == 384 and data["next"] and data["previous"] is None
    second = client.get(data["next"]).json()
    assert second["previous"] and {n["pr_number"] for n in second["results"]}.isdisjoint(
        {n["pr_number"] for n in data["results"]}
    )


def test_the_api_gives_korean_text_of_action_required_notes(client):
    data = client.get("/api/v1/release-notes/?release=1.22&action_required=true").json()
    assert data["count"] == 24 and all(n["text"]["ko"] for n in data["results"])


@pytest.mark.parametrize("field, value", [("kind", "nope"), ("sig", "nope"), ("release", "9.99"), ("area", "x")])
def test_the_api_answers_an_unknown_value_with_a_400_naming_the_field(client, field, value):
    response = client.get(f"/api/v1/release-notes/?{field}={value}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_parameter" and error["message"].startswith(f"{field}:")


def test_the_release_feed_is_atom(client):
    root = ET.fromstring(client.get("/en/releases/feed/").content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 16
    assert entries[0].find(f"{ATOM}title").text == "Kubernetes 1.34: Of Wind & Will (O' WaW)"


def test_the_action_required_feed_is_atom_in_the_page_language(client):
    root = ET.fromstring(client.get("/ko/releases/1.22/action-required/feed/").content)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 24
    assert any("감사(audit)" in (e.find(f"{ATOM}summary").text or "") for e in entries)
    assert client.get("/ko/releases/9.99/action-required/feed/").status_code == 404


def test_the_sitemap_lists_pages_in_both_languages_with_alternates(client):
    root = ET.fromstring(client.get("/sitemap.xml").content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    locations = {loc.text for loc in root.findall("s:url/s:loc", ns)}
    assert "http://testserver/ko/releases/1.22/notes/" in locations
    assert "http://testserver/en/releases/1.22/notes/" in locations
    assert "http://testserver/ko/enhancements/2400/" in locations
    hreflangs = {link.get("hreflang") for link in root.findall("s:url/x:link", ns)}
    assert {"ko", "en", "x-default"} <= hreflangs


def test_labels_are_one_row_per_value():
    assert ReleaseNote.objects.filter(labels__facet=NoteFacet.SIG, labels__slug="node").count() == 0


def test_a_notes_own_link_shows_it(client):
    note = ReleaseNote.objects.filter(release__version="1.19", action_required=False).order_by("-pr_number").first()
    html = client.get(note.get_absolute_url()).content.decode()
    assert listed_prs(html) == {note.pr_number}


def test_facet_choices_stay_current_after_the_schema_built_its_fields(client):
    from releasenotes.filters import ReleaseNoteFilter

    ReleaseNoteFilter.base_filters["sig"].field  # the OpenAPI schema generator does this
    assert client.get("/en/releases/1.22/notes/?sig=node").status_code == 200
