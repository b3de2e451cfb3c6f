"""The kep.yaml reader, on the real upstream files and on broken ones. No database."""

import re
import textwrap
from pathlib import Path

import pytest

from releasenotes.importers.keps import load_keps, normalise_status

from .conftest import REPO

KEPS = REPO.parent / "shared" / "data" / "upstream" / "enhancements" / "keps"


@pytest.fixture(scope="module")
def real():
    return load_keps(KEPS)


def write(root: Path, folder: str, text: str) -> None:
    path = root / folder / "kep.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def test_it_reads_every_kep_once(real):
    assert real.report.files == 656
    numbers = [r.number for r in real.records]
    assert len(numbers) == len(set(numbers)) == 650


def test_it_keeps_the_swap_map_as_published(real):
    swap = real.by_number()[2400]
    assert swap.timeline() == [("1.22", "alpha"), ("1.30", "beta"), ("1.34", "stable")]
    assert swap.feature_gates == ["NodeSwap"]
    assert (swap.owning_sig, swap.status, swap.latest_milestone) == ("sig-node", "implemented", "1.34")
    assert swap.url.endswith("/keps/sig-node/2400-node-swap")


def test_it_reports_the_template_and_the_duplicate_number(real):
    assert real.report.paths("template") == ["NNNN-kep-template"]
    assert real.report.paths("duplicate_number") == ["sig-cloud-provider/2133-out-of-tree-credential-provider"]
    assert real.by_number()[2133].path == "sig-node/2133-kubelet-credential-providers"


def test_it_survives_the_dates_a_plain_yaml_load_refuses(real):
    paths = real.report.paths("invalid_date")
    assert "sig-api-machinery/4355-coordinated-leader-election" in paths
    assert "sig-scheduling/5075-dra-consumable-capacity" in paths
    assert 4355 in real.by_number() and 5075 in real.by_number()


def test_it_normalises_status_typos_and_counts_them(real):
    assert real.report.paths("status_typo") == ["sig-node/2625-cpumanager-policies-thread-placement"]
    assert real.by_number()[2625].status == "implemented"
    assert normalise_status("imlpemented") == ("implemented", "status_typo")
    assert normalise_status("implemented (alpha)") == ("implemented", None)
    assert normalise_status("provisional|implementable|implemented") == ("", "status_unknown")


def test_it_drops_and_counts_unusable_milestones(real):
    counts = real.report.counts()
    dropped = real.report.problems["milestone_dropped"]
    assert counts["milestone_dropped"] == len(dropped) > 60
    details = " ".join(p.detail for p in dropped)
    for value in ("'TBD'", "''", "'never'", "'TODO'", "'x.y'"):
        assert value in details, value
    assert "'0.0'" in " ".join(p.detail for p in real.report.problems["latest_milestone_dropped"])
    for record in real.records:
        assert all(v.count(".") == 1 and not v.startswith("0.") for v in record.milestones.values()), record.path


def test_it_keeps_only_sig_slugs(real):
    record = real.by_number()[4216]
    assert "Kubelet garbage collection WG" not in record.participating_sigs
    assert "sig-node/4216-image-pull-per-runtime-class" in real.report.paths("sig_invalid")
    assert all(re.match(r"^[a-z0-9-]+$", s) for r in real.records for s in [r.owning_sig, *r.participating_sigs])


def test_it_treats_v1_22_and_1_22_alike(tmp_path):
    write(tmp_path, "sig-a/1-one", "kep-number: 1\ntitle: One\nmilestone: {alpha: 'v1.22', beta: '1.23'}\n")
    [record] = load_keps(tmp_path).records
    assert record.milestones == {"alpha": "1.22", "beta": "1.23"}


def test_it_does_not_take_an_environment_variable_for_a_feature_gate(real):
    assert "KUBECTL_KUBERC" not in real.by_number()[3104].feature_gates
    assert "sig-cli/3104-introduce-kuberc" in real.report.paths("feature_gate_invalid")


def test_it_reports_broken_files_and_goes_on(tmp_path):
    write(tmp_path, "sig-a/1-good", "kep-number: 1\ntitle: Good\nstatus: implemented\nmilestone: {alpha: v1.20}\n")
    write(tmp_path, "sig-a/2-broken", "kep-number: 2\ntitle: [unclosed\n")
    write(tmp_path, "sig-a/3-list", "- just\n- a list\n")
    write(tmp_path, "sig-a/4-dup", "kep-number: 1\ntitle: Same number\nstatus: replaced\n")
    write(tmp_path, "NNNN-kep-template", "kep-number: NNNN\ntitle: KEP Template\n")
    write(tmp_path, "sig-a/5-date", "kep-number: 5\ntitle: Date\ncreation-date: 2023-14-05\n")
    write(tmp_path, "sig-a/6-nonumber", "title: No number\n")
    (tmp_path / "sig-a" / "7-binary").mkdir()
    (tmp_path / "sig-a" / "7-binary" / "kep.yaml").write_bytes(b"\xff\xfe\x00bad")
    result = load_keps(tmp_path)
    assert [r.number for r in result.records] == [1, 5]
    assert result.by_number()[1].title == "Good"
    assert result.report.counts() == {
        "duplicate_number": 1,
        "invalid_date": 1,
        "missing_number": 1,
        "not_a_mapping": 1,
        "status_missing": 1,
        "template": 1,
        "yaml_error": 2,
    }
    assert result.report.paths("yaml_error") == ["sig-a/2-broken", "sig-a/7-binary"]
    assert result.report.files == 8


def test_a_release_named_for_two_stages_keeps_the_later_one(tmp_path):
    write(
        tmp_path,
        "sig-a/1-one",
        "kep-number: 1\ntitle: One\nstatus: implemented\nmilestone: {alpha: v1.21, beta: v1.21, stable: TBD}\n",
    )
    result = load_keps(tmp_path)
    assert result.records[0].timeline() == [("1.21", "beta")]
    assert set(result.report.counts()) == {"milestone_same_release", "milestone_dropped"}
