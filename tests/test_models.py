"""Queryset methods on a small table of our own (KEP numbers from 90000 up)."""

import pytest

from releasenotes.models import ApiRemoval, Enhancement, Release

from .factories import make_enhancement, make_release

pytestmark = pytest.mark.django_db


@pytest.fixture
def table():
    return {
        "a": make_enhancement(kep_number=90001, stages=[("1.98", "alpha"), ("1.99", "beta")]),
        "b": make_enhancement(kep_number=90002, stages=[("1.99", "stable", True)]),
        "c": make_enhancement(kep_number=90003, stages=[("1.99", "deprecated")]),
        "d": make_enhancement(kep_number=90004, stages=[("1.98", "alpha")]),
    }


def keps(queryset):
    return list(queryset.order_by("kep_number").values_list("kep_number", flat=True))


def test_for_release_is_what_entered_a_stage_in_it(table):
    assert keps(Enhancement.objects.for_release("1.99")) == [90001, 90002, 90003]


def test_at_stage_is_the_stage_in_the_release_asked_for(table):
    assert keps(Enhancement.objects.for_release("1.98").at_stage("alpha")) == [90001, 90004]
    assert keps(Enhancement.objects.for_release("1.99").at_stage("alpha")) == []


def test_at_stage_without_a_release_means_the_current_release(table):
    # make_release marks 1.99 documented, so it is the newest documented release here.
    assert keps(Enhancement.objects.at_stage("beta")) == [90001]
    assert keps(Enhancement.objects.at_stage("alpha")) == []


def test_major_themes_belong_to_the_release(table):
    assert keps(Enhancement.objects.for_release("1.99").major_themes()) == [90002]
    assert keps(Enhancement.objects.for_release("1.98").major_themes()) == []


def test_stage_counts(table):
    counts = Enhancement.objects.for_release("1.99").stage_counts()
    assert counts == {"alpha": 0, "beta": 1, "stable": 1, "deprecated": 1, "removed": 0}


def test_counts_by_sig_and_stage(table):
    sig = table["a"].owning_sig_id
    assert Enhancement.objects.for_release("1.98").counts_by_sig_and_stage() == {sig: {"alpha": 2}}


def test_entered_stages_groups_a_release_by_stage(table):
    groups = {g.stage: [e.enhancement.kep_number for e in g.entries] for g in make_release("1.99").entered_stages()}
    assert groups == {"stable": [90002], "beta": [90001], "alpha": [], "deprecated": [90003]}


def test_current_is_the_newest_documented_release(table):
    make_release("1.100", documented=False)
    assert Release.objects.current().version == "1.99"


def test_releases_sort_by_number_not_text():
    make_release("1.9", documented=False)
    versions = list(Release.objects.filter(version__in=["1.9", "1.22", "1.16"]).values_list("version", flat=True))
    assert versions == ["1.9", "1.16", "1.22"]


def test_a_version_is_stored_normalised():
    release = make_release("v1.97.0")
    assert (release.version, release.major, release.minor) == ("1.97", 1, 97)


def test_between_gives_the_removals_an_upgrade_passes():
    removals = ApiRemoval.objects.between("1.21", "1.25")
    assert {r.removed_in.version for r in removals} == {"1.22", "1.25"}
    assert not ApiRemoval.objects.between("1.22", "1.24").exists()


def test_str_and_url(table):
    assert str(table["a"]) == "KEP-90001: Test enhancement 90001"
    assert str(Release.objects.get(version="1.22")) == "Kubernetes 1.22"
    assert table["a"].tracking_issue_url.endswith("/issues/90001")
