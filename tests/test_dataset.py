"""The shipped fixtures against the facts file: the dataset is the product."""

import json
import re

import pytest
from django.core.management import call_command
from django.db.models import F

from releasenotes import dataset
from releasenotes.models import ApiRemoval, Enhancement, FaqEntry, GlossaryTerm, Release, StageEntry, Theme

from .conftest import FACTS, FIXTURES, REPO

HANGUL = re.compile(r"[\uac00-\ud7a3]")
pytestmark = pytest.mark.django_db


def test_it_holds_all_56_items_of_the_facts_file(facts):
    items = facts["enhancements"]["items"]
    assert Enhancement.objects.for_release("1.22").count() == len(items) == 56
    assert Enhancement.objects.count() > 56  # every other KEP comes from its kep.yaml
    for item in items:
        e = Enhancement.objects.select_related("owning_sig").get(kep_number=item["kep_number"])
        assert e.tracking_issue == item["tracking_issue"], item["kep_number"]
        assert e.owning_sig.slug == item["owning_sig"], item["kep_number"]
        expected = {"deprecation": "deprecated"}.get(item["stage_in_1_22"], item["stage_in_1_22"])
        assert e.stages.get(release__version="1.22").stage == expected, item["kep_number"]
        assert e.feature_gates == (item.get("feature_gates_in_kep") or [])
        assert e.kep_url == item["kep_url"]


def test_it_counts_12_stable_24_beta_17_alpha_and_3_deprecations():
    entries = StageEntry.objects.filter(release__version="1.22")
    counts = {stage: entries.filter(stage=stage).count() for stage in ["stable", "beta", "alpha", "deprecated"]}
    assert counts == {"stable": 12, "beta": 24, "alpha": 17, "deprecated": 3}


def test_it_keeps_the_announced_counts_beside_ours():
    release = Release.objects.get(version="1.22")
    assert (release.announced_stable, release.announced_beta, release.announced_alpha) == (13, 24, 16)
    assert release.announced_deprecated == 3
    assert release.announced_total == 53
    assert "1558" in release.counts_note_en and "1558" in release.counts_note_ko


def test_kep_and_tracking_issue_differ_where_the_facts_say():
    assert Enhancement.objects.get(kep_number=1205).tracking_issue == 542
    assert Enhancement.objects.get(kep_number=1855).tracking_issue == 2047
    differing = Enhancement.objects.exclude(tracking_issue=F("kep_number"))
    assert sorted(differing.values_list("kep_number", flat=True)) == [1205, 1855]


def test_the_server_side_apply_timeline_runs_alpha_beta_stable():
    timeline = [(e.release.version, e.stage) for e in Enhancement.objects.get(kep_number=555).stages.all()]
    assert timeline == [("1.14", "alpha"), ("1.16", "beta"), ("1.22", "stable")]


@pytest.mark.parametrize("kep", [2570, 19, 281, 277, 1495])
def test_every_timeline_is_consistent_with_the_1_22_stage(kep):
    from releasenotes.models import STAGE_RANK

    stages = [e.stage for e in Enhancement.objects.get(kep_number=kep).stages.all()]
    ranks = [STAGE_RANK[s] for s in stages]
    assert ranks == sorted(ranks), stages


def test_timelines_never_go_backwards_anywhere():
    from releasenotes.models import STAGE_RANK

    for e in Enhancement.objects.prefetch_related("stages__release"):
        ranks = [STAGE_RANK[s.stage] for s in e.stages.all()]
        assert ranks == sorted(ranks), e.kep_number


def test_the_milestone_map_loses_to_the_1_22_stage():
    item = {"stage_in_1_22": "alpha", "stage_source": "", "kep_yaml_now": {"milestone": {"beta": "v1.21"}}}
    assert dataset.stage_timeline(item) == [("1.22", "alpha")]
    item = {
        "stage_in_1_22": "beta",
        "stage_source": "",
        "kep_yaml_now": {"milestone": {"alpha": "v1.20", "beta": "TBD"}},
    }
    assert dataset.stage_timeline(item) == [("1.20", "alpha"), ("1.22", "beta")]


def test_the_major_themes_are_flagged(facts):
    flagged = set(
        StageEntry.objects.filter(release__version="1.22", major_theme=True).values_list(
            "enhancement__kep_number", flat=True
        )
    )
    expected = {i["kep_number"] for i in facts["enhancements"]["items"] if i["release_blog_1_22"].get("major_theme")}
    assert flagged == expected
    assert Theme.objects.filter(release__version="1.22").count() == 8


def test_every_korean_field_contains_hangul():
    checks = [
        (Enhancement.objects.for_release("1.22"), ["title_ko", "summary_ko"]),
        (Enhancement.objects.exclude(title_ko=""), ["title_ko"]),
        (Theme, ["title_ko", "summary_ko"]),
        (FaqEntry, ["question_ko", "answer_ko"]),
        (Release.objects.filter(documented=True), ["name_ko", "summary_ko", "counts_note_ko"]),
    ]
    for source, fields in checks:
        queryset = source.objects.all() if hasattr(source, "objects") else source
        for obj in queryset:
            for field in fields:
                assert HANGUL.search(getattr(obj, field) or ""), f"{obj} {field}"
    for removal in ApiRemoval.objects.exclude(notable_changes_en=""):
        assert HANGUL.search(removal.notable_changes_ko), removal.slug
    for term in GlossaryTerm.objects.exclude(note_en=""):
        assert HANGUL.search(term.note_ko), term.slug
    # Some terms stay in Latin letters in Korean too (GA, seccomp); most do not.
    korean_terms = [t.korean for t in GlossaryTerm.objects.all()]
    assert sum(bool(HANGUL.search(t)) for t in korean_terms) >= 0.8 * len(korean_terms)


def test_every_summary_is_two_to_five_sentences_long():
    for e in Enhancement.objects.for_release("1.22"):  # the others have none rather than an invented one
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", e.summary_en.strip()) if s]
        assert 2 <= len(sentences) <= 6, (e.kep_number, len(sentences))


def test_loading_the_fixtures_twice_changes_nothing():
    def snapshot():
        return {
            model.__name__: {row["id"]: row for row in model.objects.values()}
            for model in [Release, Enhancement, StageEntry, Theme, ApiRemoval, FaqEntry, GlossaryTerm]
        }

    before = snapshot()
    call_command("loaddata", *FIXTURES, verbosity=0)
    assert snapshot() == before


def test_the_fixtures_are_what_the_builder_makes_from_the_facts_and_content():
    built = dataset.build(FACTS)
    for name, rows in built.items():
        with open(REPO / "fixtures" / name, encoding="utf-8") as handle:
            assert json.load(handle) == json.loads(dataset.render(rows)), f"{name} is stale: run make fixtures"


def test_the_swap_timeline_follows_the_facts_correction_not_the_rewritten_map():
    entries = Enhancement.objects.get(kep_number=2400).stages.select_related("release")
    assert [(e.release.version, e.stage) for e in entries] == [("1.22", "alpha"), ("1.28", "beta"), ("1.34", "stable")]
    assert all("correction_2026_12" in e.source for e in entries)


@pytest.mark.parametrize(
    ("kep", "gates"),
    [
        (1797, ["SetHostnameAsFQDN"]),
        (859, []),  # kubectl commands in headers: an environment variable, not a gate
        (2568, ["RootlessControlPlane"]),
    ],
)
def test_feature_gates_follow_the_facts_corrections(kep, gates):
    assert Enhancement.objects.get(kep_number=kep).feature_gates == gates
