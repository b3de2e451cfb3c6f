"""Every KEP of 1.19–1.34 from the kep.yaml files, beside the facts file's 1.22: counts per
release on the page and in the API, timelines with their sources, feature gates."""

import re
from collections import Counter
from pathlib import Path

import pytest
from markupsafe import escape

from releasenotes import dataset
from releasenotes.importers.keps import load_keps
from releasenotes.models import Enhancement, FeatureGate, StageEntry
from releasenotes.sync.keps import KEPS_DIR, TITLES_KO, sync_keps
from releasenotes.sync.report import SyncReport
from releasenotes.versions import covered_releases

pytestmark = pytest.mark.django_db
STAGES = ("alpha", "beta", "stable", "deprecated")
HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def expected(facts):
    """{(release, stage): n} from the normalised maps, the facts file's timelines for its
    56 items (including its corrections), and nothing but the facts for 1.22."""
    items = {item["kep_number"]: item for item in facts["enhancements"]["items"]}
    corrections = dataset.corrected_timelines()
    counts = Counter()
    for kep, item in items.items():
        timeline = corrections[kep][0] if kep in corrections else dataset.stage_timeline(item)
        counts.update(timeline)
    for record in load_keps(KEPS_DIR).records:
        if record.number not in items:
            counts.update((v, s) for v, s in record.timeline() if v != dataset.CURRENT)
    return counts


def test_it_counts_every_release_as_the_normalised_maps_do(expected):
    for version in covered_releases():
        counts = Enhancement.objects.for_release(version).stage_counts()
        assert {s: counts[s] for s in STAGES} == {s: expected[(version, s)] for s in STAGES}, version


def test_the_list_page_and_the_api_agree_with_the_maps_for_every_release(client, expected):
    for version in covered_releases():
        facets = client.get(f"/en/enhancements/?release={version}").context["facets"]["stage"]
        assert {s: facets.get(s, 0) for s in STAGES} == {s: expected[(version, s)] for s in STAGES}, version
        for stage in ("alpha", "beta", "stable"):
            data = client.get(f"/api/v1/enhancements/?release={version}&stage={stage}").json()
            assert data["count"] == expected[(version, stage)], (version, stage)
            assert {item["stage"] for item in data["results"]} <= {stage}, (version, stage)


def test_1_22_keeps_the_facts_counts_beside_the_announced_ones(client):
    counts = Enhancement.objects.for_release("1.22").stage_counts()
    assert [counts[s] for s in STAGES] == [17, 24, 12, 3]
    assert Enhancement.objects.for_release("1.22").count() == 56
    page = client.get("/en/").content.decode()
    assert re.search(r"Beta</a></th><td>24</td><td>24</td>", page)
    assert re.search(r"Stable</a></th><td>13</td><td>12</td>", page)


def test_stage_without_a_release_means_beta_in_the_current_release(client):
    data = client.get("/api/v1/enhancements/?stage=beta").json()
    assert data["count"] == 24
    assert {item["stage"] for item in data["results"]} == {"beta"}
    assert client.get("/api/v1/enhancements/").json()["count"] == 56


def test_it_holds_far_more_keps_than_1_22s_list():
    assert Enhancement.objects.count() > 600
    assert Enhancement.objects.filter(stages__release__version__in=covered_releases()).distinct().count() > 360


def test_the_swap_timeline_follows_the_facts_file(client):
    data = client.get("/api/v1/enhancements/2400/").json()
    assert data["stages"] == [
        {"release": "1.22", "stage": "alpha"},
        {"release": "1.28", "stage": "beta"},
        {"release": "1.34", "stage": "stable"},
    ]
    page = client.get("/en/enhancements/2400/").content.decode()
    assert page.count("correction_2026_12") == 3
    assert re.findall(r'<span class="release">([\d.]+)</span>', page) == ["1.22", "1.28", "1.34"]


def test_a_kep_outside_1_22_shows_its_kep_yaml_facts(client):
    page = client.get("/en/enhancements/3329/").content.decode()
    assert "Retriable and non-retriable Pod failures for Jobs" in page
    assert "We have not written a summary" in page
    assert "Source: kep.yaml milestone map" in page
    assert 'href="/en/feature-gates/JobPodFailurePolicy/"' in page
    assert "Implemented" in page
    e = Enhancement.objects.get(kep_number=3329)
    assert not e.summary_en and not e.summary_ko and e.owning_sig.slug == "sig-apps"


def test_a_release_page_says_what_entered_each_stage_and_from_where(client):
    page = client.get("/en/").content.decode()
    assert "What entered each stage in 1.22" in page
    assert "kep.yaml milestone map (current HEAD)" in page


def test_the_feature_gate_page_shows_swap_per_release(client):
    response = client.get("/ko/feature-gates/NodeSwap/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/ko/enhancements/2400/"' in page
    rows = dict(re.findall(r'<th scope="row">(1\.\d+)</th><td><span class="badge stage stage-(\w+)"', page))
    assert (rows["1.22"], rows["1.27"], rows["1.28"], rows["1.33"], rows["1.34"]) == (
        "alpha",
        "alpha",
        "beta",
        "beta",
        "stable",
    )
    assert "1.21" not in rows


def test_the_feature_gate_api_names_its_kep_and_stages(client):
    data = client.get("/api/v1/feature-gates/NodeSwap/").json()
    assert data == {
        "name": "NodeSwap",
        "kep_number": 2400,
        "keps": [2400],
        "stages": [
            {"release": "1.22", "stage": "alpha"},
            {"release": "1.28", "stage": "beta"},
            {"release": "1.34", "stage": "stable"},
        ],
        "url": data["url"],
    }
    assert data["url"].startswith("http://testserver/") and data["url"].endswith("/feature-gates/NodeSwap/")
    error = client.get("/api/v1/feature-gates/NoSuchGate/")
    assert error.status_code == 404 and error.json()["error"]["code"] == "not_found"


def test_feature_gates_filter_by_their_stage_in_a_release(client):
    def names(url):
        response = client.get(url)
        assert response.status_code == 200, url
        return [gate.name for gate in response.context["page"].object_list]

    assert "NodeSwap" in names("/en/feature-gates/?release=1.29&stage=beta&q=swap")
    assert "NodeSwap" not in names("/en/feature-gates/?release=1.27&stage=beta&q=swap")
    assert names("/en/feature-gates/?q=nodeswap") == ["NodeSwap"]
    api = client.get("/api/v1/feature-gates/?release=1.29&stage=beta&q=NodeSwap").json()
    assert [g["name"] for g in api["results"]] == ["NodeSwap"]
    assert client.get("/en/feature-gates/?stage=sideways").status_code == 400
    assert client.get("/api/v1/feature-gates/?release=2.0").status_code == 400


def test_a_gate_the_facts_name_belongs_to_the_facts_kep():
    assert FeatureGate.objects.get(name="HugePageStorageMediumSize").kep.kep_number in {
        item.kep_number for item in Enhancement.objects.for_release("1.22")
    }
    assert FeatureGate.objects.filter(name__startswith="KUBECTL_").count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "/ko/enhancements/?release=1.27",
        "/ko/enhancements/?release=1.30&stage=beta&sig=sig-node&theme=true",
        "/ko/enhancements/?release=1.27&page=2",
        "/ko/enhancements/2400/",
        "/ko/enhancements/3329/",
        "/ko/feature-gates/",
        "/ko/feature-gates/?release=1.29&stage=beta&q=node",
        "/ko/feature-gates/NodeSwap/",
        "/ko/",
        "/api/v1/enhancements/?release=1.27",
        "/api/v1/feature-gates/",
        "/api/v1/feature-gates/NodeSwap/",
    ],
)
def test_every_list_and_detail_page_stays_within_eight_queries(client, django_assert_max_num_queries, url):
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


def test_it_fills_korean_titles_but_keeps_1_22s_own(django_capture_on_commit_callbacks):
    kept = Enhancement.objects.get(kep_number=2400).title_ko
    sync_keps(SyncReport(), dry_run=False, titles_path=HERE / "data" / "kep_titles_ko.yaml")
    assert Enhancement.objects.get(kep_number=3329).title_ko.startswith("잡(Job)")
    assert Enhancement.objects.get(kep_number=2400).title_ko == kept != "이 제목은 쓰이지 않아야 한다"


def test_a_second_sync_changes_nothing_and_keeps_an_editors_title():
    e = Enhancement.objects.get(kep_number=3329)
    e.title_en = "Pod failure policy for Jobs"
    e.save()
    report = SyncReport()
    sync_keps(report, dry_run=False)
    step = report.steps[-1]
    assert step.created == step.updated == 0
    assert step.kept == 1
    assert Enhancement.objects.get(kep_number=3329).title_en == "Pod failure policy for Jobs"


def test_a_broken_upstream_folder_is_reported_and_loses_nothing(tmp_path):
    before = StageEntry.objects.count()
    (tmp_path / "sig-x" / "1-broken").mkdir(parents=True)
    (tmp_path / "sig-x" / "1-broken" / "kep.yaml").write_text("kep-number: [1\n", encoding="utf-8")
    report = SyncReport()
    sync_keps(report, dry_run=False, keps_dir=tmp_path)
    assert any("sig-x/1-broken: yaml_error" in p for p in report.problems)
    assert StageEntry.objects.count() == before


def _sync_one_kep(root: Path, milestones: str) -> SyncReport:
    folder = root / "sig-node" / "9901-rewritten-map"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kep.yaml").write_text(
        f"kep-number: 9901\ntitle: A map rewritten later\nowning-sig: sig-node\nstatus: implementable\n"
        f"milestone: {{{milestones}}}\n",
        encoding="utf-8",
    )
    report = SyncReport()
    sync_keps(report, dry_run=False, keps_dir=root)
    return report


def _timeline(kep: int) -> dict[str, str]:
    return dict(StageEntry.objects.filter(enhancement=kep).values_list("release__version", "stage"))


def test_a_stage_the_map_moves_later_leaves_no_stale_entry(tmp_path):
    """KEP-2400's map once said beta 1.30 and was rewritten to 1.28: a database synced
    before must not show both. The dropped entry goes, and the history keeps its removal."""
    _sync_one_kep(tmp_path, "alpha: v1.25, beta: v1.27")
    assert _timeline(9901) == {"1.25": "alpha", "1.27": "beta"}
    stale = StageEntry.objects.get(enhancement=9901, release__version="1.27")

    report = _sync_one_kep(tmp_path, "alpha: v1.25, beta: v1.28")
    assert _timeline(9901) == {"1.25": "alpha", "1.28": "beta"}
    step = report.steps[-1]
    assert step.removed == 1 and "1 removed" in step.summary()
    assert StageEntry.history.filter(id=stale.pk, history_type="-").exists()
    assert _sync_one_kep(tmp_path, "alpha: v1.25, beta: v1.28").steps[-1].changed == 0


def test_an_entry_an_editor_changed_stays_when_the_map_drops_it(tmp_path):
    _sync_one_kep(tmp_path, "alpha: v1.25, beta: v1.27")
    entry = StageEntry.objects.get(enhancement=9901, release__version="1.27")
    entry.stage = "stable"  # an editor's correction
    entry.save()
    report = _sync_one_kep(tmp_path, "alpha: v1.25")
    assert _timeline(9901) == {"1.25": "alpha", "1.27": "stable"}
    assert report.steps[-1].removed == 0 and report.steps[-1].kept == 1


TITLES_MISSING = not TITLES_KO.exists()


@pytest.mark.xfail(TITLES_MISSING, reason="content/kep_titles_ko.yaml is not in the repository yet", strict=True)
def test_at_least_95_percent_of_the_keps_of_1_19_to_1_34_have_a_korean_title():
    keps = Enhancement.objects.filter(stages__release__version__in=covered_releases()).distinct()
    titled = keps.exclude(title_ko__isnull=True).exclude(title_ko="")
    assert titled.count() >= 0.95 * keps.count(), f"{titled.count()} of {keps.count()}"


def test_a_kep_page_lists_the_release_notes_that_name_its_gates_newest_first(client):
    response = client.get("/en/enhancements/3329/")
    notes = response.context["notes"]
    gates = {"PodDisruptionConditions", "JobPodFailurePolicy"}
    assert len(notes) > 5
    assert all(gates & set(n.feature_gates) or 3329 in n.kep_numbers for n in notes)
    assert any(gates & set(n.feature_gates) for n in notes)
    order = [(n.release.major, n.release.minor, n.pr_number) for n in notes]
    assert order == sorted(order, reverse=True)
    assert f'id="pr-{notes[0].pr_number}"' in response.content.decode()


def test_every_release_page_says_what_entered_each_stage_and_from_where(client, expected):
    for version in ("1.19", "1.27", "1.34"):
        response = client.get(f"/en/releases/{version}/")
        assert response.status_code == 200, version
        assert {g.stage: g.count for g in response.context["entered"]} == {s: expected[(version, s)] for s in STAGES}
        assert "Where these come from: kep.yaml milestone map" in response.content.decode()


def _entries_by_hand():
    """{(enhancement id, release): (stage, major theme)} and {enhancement id: owning SIG slug}."""
    entries = {
        (e, v): (stage, theme)
        for e, v, stage, theme in StageEntry.objects.values_list(
            "enhancement_id", "release__version", "stage", "major_theme"
        )
    }
    owners = dict(Enhancement.objects.values_list("pk", "owning_sig__slug"))
    return entries, owners


@pytest.mark.parametrize(
    "query",
    [
        "release=1.27",
        "release=1.27&stage=beta",
        "release=1.27&stage=deprecated",
        "release=1.27&theme=true",
        "release=1.27&stage=stable&theme=true",
        "release=1.27&sig=sig-node",
        "release=1.27&sig=sig-node&stage=alpha",
        "release=1.27&sig=sig-storage&theme=true&stage=beta",
        "release=1.30&sig=sig-node&stage=beta&theme=true",
        "release=1.22&q=swap",
        "release=1.28&q=node&stage=beta",
        "release=1.29&q=storage&sig=sig-storage",
        "release=1.19&sig=sig-cli",
        "release=1.34&stage=alpha&sort=stage",
        "release=1.27&sort=name&stage=beta",
        "release=1.27&sort=sig&page=2",
    ],
)
def test_the_list_counts_each_facet_value_as_picking_it_would_give(client, query):
    """Every count on the list, and its rows, against the stage entries counted by hand:
    a value's count is how many enhancements the list shows once that value is picked."""
    from django.core.cache import cache
    from django.http import QueryDict

    from releasenotes.search import search

    data = QueryDict(query)
    release, stage, theme, sig, q = (data.get(name) for name in ("release", "stage", "theme", "sig", "q"))
    entries, owners = _entries_by_hand()
    found = set(Enhancement.objects.filter(pk__in=search(q).object_ids("enhancement")).values_list("pk", flat=True))
    found = found if q else None

    def shown(version=release, stage=stage, theme=theme, sig=sig):
        return {
            e
            for (e, v), (entry_stage, major_theme) in entries.items()
            if v == version
            and (not stage or entry_stage == stage)
            and (not theme or major_theme)
            and (not sig or owners[e] == sig)
            and (found is None or e in found)
        }

    response = client.get(f"/en/enhancements/?{query}")
    assert response.status_code == 200
    counts, page = response.context["facets"], response.context["page"]
    nonzero = lambda counted: {value: n for value, n in counted.items() if n}  # noqa: E731
    assert counts["release"] == nonzero({v: len(shown(version=v)) for v in covered_releases()})
    assert counts["stage"] == nonzero(
        {s: len(shown(stage=s)) for s in ("alpha", "beta", "stable", "deprecated", "removed")}
    )
    assert counts["theme"] == {"true": len(shown(theme="true"))}
    assert counts["sig"] == nonzero({slug: len(shown(sig=slug)) for slug in set(owners.values())})
    expected = shown()
    assert page.paginator.count == len(expected)
    numbers = dict(Enhancement.objects.values_list("pk", "kep_number"))
    listed = []
    for n in page.paginator.page_range:
        cache.clear()  # the page cache would answer the page already read
        listed += client.get(f"/en/enhancements/?{query.replace('&page=2', '')}&page={n}").context["page"].object_list
    listed = [row.kep_number for row in listed]
    assert sorted(listed) == sorted(numbers[e] for e in expected)
    if "sort" not in data:
        assert listed == sorted(listed)


def test_the_list_links_each_row_as_the_records_link_themselves(client):
    from django.utils import translation

    keps = Enhancement.objects.for_release("1.27").filter(owning_sig__slug="sig-node").select_related("owning_sig")
    for language in ("en", "ko"):
        html = client.get(f"/{language}/enhancements/?release=1.27&sig=sig-node").content.decode()
        rows = re.findall(r'<a class="title" href="([^"]+)">.*?<a href="([^"]+)">', html, re.S)
        with translation.override(language):
            expected = [(e.get_absolute_url(), e.owning_sig.get_absolute_url()) for e in keps.order_by("kep_number")]
        assert rows == expected and rows, language


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/ko/enhancements/?release=1.27", 3),  # the content version, the facet counts, the rows
        ("/ko/enhancements/?release=1.27&stage=beta&sort=stage", 3),
        ("/ko/enhancements/?release=1.27&sig=sig-node&theme=true", 4),  # and the SIG asked for
        ("/ko/enhancements/", 4),  # and the current release
    ],
)
def test_the_list_reads_the_facets_and_rows_in_two_queries(client, django_assert_max_num_queries, url, queries):
    with django_assert_max_num_queries(queries):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "",
        "release=1.27",
        "release=1.27&stage=beta&theme=true&sort=stage",
        "release=1.27&sig=sig-node&q=swap",
        "stage=alpha&sort=name",
        "release=1.18",
        "release=v1.27",
        "release=1.27&stage=Beta",
        "release=1.27&stage=planned",
        "release=1.27&theme=false",
        "release=1.27&theme=True",
        "release=1.27&sort=date",
        "release=1.27&sig=node",
        "release=1.27&sig=sig-nope",
        "release=1.27&sig=%20sig-node",
        "release=1.27&sig=%00",
        "release=1.27&sig=SIG-NODE",
        "release=1.27&q=" + "x" * 5001,
        "release=1.27&q=a%00b",
        "release=1.27&q=%20%20",
        "release=1.27&stage=beta&stage=nope",
        "release=1.27&stage=nope&stage=beta",
    ],
)
def test_the_plain_check_of_the_list_filters_agrees_with_the_filterset_or_leaves_it_the_decision(query):
    """clean_enhancement_query accepts only what EnhancementFilter accepts, cleaned the same
    way (the current release filled in when none is asked for)."""
    from django.http import QueryDict

    from releasenotes.filters import EnhancementFilter, clean_enhancement_query

    filterset = EnhancementFilter(QueryDict(query), queryset=Enhancement.objects.all())
    cleaned = clean_enhancement_query(QueryDict(query))
    if cleaned is not None:
        assert filterset.is_valid() and cleaned == filterset.form.cleaned_data
    else:
        assert not filterset.is_valid()


@pytest.mark.parametrize("q", ["zzqxvw", "%ff%fe"])  # no entry holds it; nothing to look for at all
def test_a_search_that_finds_nothing_lists_nothing_and_counts_nothing(client, q):
    response = client.get(f"/en/enhancements/?release=1.27&q={q}")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert response.context["facets"]["release"] == {} and response.context["facets"]["stage"] == {}
    assert "No enhancement matches all of these filters." in response.content.decode()


def test_the_list_statements_are_written_from_the_filters_alone(django_assert_num_queries):
    """The list and its counts write their SQL once per filter values and language
    (filters.plain_rows_once): safe only while writing it reads nothing from the database,
    whatever the release, stage, theme, order and language."""
    from itertools import product

    from django.utils import translation

    from releasenotes.filters import entry_counts
    from releasenotes.views import enhancement_listing

    for release, stage, theme, sort, language in product(
        ("1.19", "1.22", "1.34"), ("", "alpha", "deprecated"), ("", "true"), ("", "stage", "sig", "name"), ("en", "ko")
    ):
        data = {"release": release, "stage": stage, "theme": theme, "sort": sort, "sig": None, "q": ""}
        with translation.override(language), django_assert_num_queries(0):
            enhancement_listing(data).query.sql_with_params()
            entry_counts(data).query.sql_with_params()


def test_the_list_reads_its_rows_afresh_each_time(client):
    """Only the statement is written once: an entry changed between two requests shows."""
    url = "/en/enhancements/?release=1.27&stage=beta"
    before = {row[0] for row in client.get(url).context["page"].paginator.object_list}
    entry = StageEntry.objects.filter(release__version="1.27", stage="beta").select_related("enhancement").first()
    entry.stage = "alpha"
    entry.save()
    after = {row[0] for row in client.get(url).context["page"].paginator.object_list}
    assert entry.enhancement.kep_number in before
    assert after == before - {entry.enhancement.kep_number}


def test_the_list_marks_a_korean_title_written_from_an_older_english_title(client):
    """A row reads only the title's entry of the translation sources (taken out of the JSON
    by the database): enough to tell a current Korean title from an outdated one."""
    url = "/ko/enhancements/?release=1.27"
    kep = Enhancement.objects.for_release("1.27").exclude(title_ko="").order_by("kep_number").first()

    def title_of_its_row():
        html = client.get(url).content.decode()
        return re.search(rf'<a class="title" href="/ko/enhancements/{kep.kep_number}/">(.*?)</a>', html, re.S)[1]

    assert kep.translation_status()["title"] == "current"
    korean = str(escape(kep.title_ko))
    assert "outdated-badge" not in title_of_its_row() and korean in title_of_its_row()
    kep.title_en += " (renamed upstream)"
    kep.save()
    assert Enhancement.objects.get(pk=kep.pk).translation_status()["title"] == "outdated"
    assert "outdated-badge" in title_of_its_row() and korean in title_of_its_row()
