"""The checker's rule table (checker/rules.json) against its sources: the official guide (the
facts file) and pluto's table, and the answers the checker gives from it.

Plain Python: runs without Django (`pytest tests/test_checker_rules.py -p no:django`).
"""

import json
from pathlib import Path

import pytest
import yaml

from releasenotes.checker import check, load_rules, parse_manifests
from releasenotes.checker.rules import RULES_PATH, build_rules
from releasenotes.versions import normalise, parse_minor

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
PLUTO = DATA / "upstream" / "pluto" / "versions.yaml"
FACTS = DATA / "k8s-1.22-facts.yaml"
FIRST, LAST = (1, 16), (1, 34)


def load(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=yaml.CSafeLoader)


def pluto_entries():
    seen, entries = set(), []
    for entry in load(PLUTO)["deprecated-versions"]:
        key = (entry["version"], entry["kind"])
        if entry.get("component") == "k8s" and key not in seen:
            seen.add(key)
            entries.append(entry)
    return entries


def guide_removals():
    """(apiVersion, kind) -> removal release, as the official guide gives them."""
    facts = load(FACTS)
    items = [{**i, "removed_in": facts["removed_apis"]["release"]} for i in facts["removed_apis"]["items"]]
    items += facts["removed_apis_other_releases"]
    return {
        (api_version, kind): normalise(item["removed_in"])
        for item in items
        for api_version in item["removed_versions"]
        for kind in item["kinds"]
    }


def minor(text):
    return normalise(text) if text else None


def status(api_version, kind, target):
    documents = parse_manifests(json.dumps({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}))
    findings = check(documents, load_rules(), target=target).findings
    return (findings[0].status, findings[0].removed_in) if findings else (None, None)


def expected(entry, guide, release):
    """Pluto's answer at a release (pluto: removed from removed-in on, deprecated from
    deprecated-in), with the guide's removal release where the guide has one."""
    removed_in = guide.get((entry["version"], entry["kind"])) or minor(entry.get("removed-in"))
    deprecated_in = minor(entry.get("deprecated-in"))
    if removed_in and parse_minor(release) >= parse_minor(removed_in):
        return ("removed", removed_in)
    if deprecated_in and parse_minor(release) >= parse_minor(deprecated_in):
        return ("deprecated", removed_in)
    return (None, None)


def agreement_cells():
    guide = guide_removals()
    cells = []
    for entry in pluto_entries():
        releases = {minor(entry.get("removed-in")), minor(entry.get("deprecated-in"))}
        releases.add(guide.get((entry["version"], entry["kind"])))
        for release in sorted(r for r in releases if r and FIRST <= parse_minor(r) <= LAST):
            cells.append((entry["version"], entry["kind"], release, expected(entry, guide, release)))
    return cells


def test_it_agrees_with_pluto_at_each_removal_and_deprecation_release():
    cells = agreement_cells()
    disagree = [
        (api_version, kind, release, want, got)
        for api_version, kind, release, want in cells
        if (got := status(api_version, kind, release)) != want
    ]
    share = 1 - len(disagree) / len(cells)

    print(f"agreement with pluto (guide winning): {share:.1%} of {len(cells)} cells; differing: {disagree}")
    assert len(cells) > 100
    assert share >= 0.97, disagree


def test_the_rule_file_is_what_the_sources_build():
    content = load(REPO / "releasenotes" / "content" / "removed_apis.yaml")
    built = build_rules(load(FACTS), load(PLUTO), content)

    assert json.loads(RULES_PATH.read_text(encoding="utf-8"))["rules"] == built, "run `make fixtures`"


def test_every_pluto_kubernetes_entry_and_every_guide_removal_has_a_rule():
    rules = load_rules()

    missing_pluto = [(e["version"], e["kind"]) for e in pluto_entries() if rules.get(e["version"], e["kind"]) is None]
    missing_guide = [key for key in guide_removals() if rules.get(*key) is None]

    assert missing_pluto == [] and missing_guide == []


def test_the_guide_wins_where_pluto_disagrees_and_the_rule_says_so():
    rule = load_rules().get("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema")

    assert rule.removed_in == "1.26"  # pluto says 1.29
    assert "Pluto says removed in 1.29" in rule.note and "official guide" in rule.note


def test_a_rule_without_a_deprecation_release_says_neither_source_gives_one():
    rules = load_rules()
    unknown = [r for r in rules.rules if r.deprecated_in is None]

    assert {(r.api_version, r.kind) for r in unknown} >= {
        ("authorization.k8s.io/v1beta1", "SubjectAccessReview"),
        ("extensions/v1beta1", "ReplicaSet"),
    }
    assert all("deprecation release" in r.note for r in unknown)


def test_every_rule_is_deprecated_before_or_when_it_is_removed():
    for rule in load_rules().rules:
        if rule.deprecated_in and rule.removed_in:
            assert parse_minor(rule.deprecated_in) <= parse_minor(rule.removed_in), rule


# Status and replacement by target


def finding(api_version, kind, target, current=None):
    documents = parse_manifests(json.dumps({"apiVersion": api_version, "kind": kind}))
    findings = check(documents, load_rules(), target=target, current=current).findings
    return findings[0] if findings else None


def test_it_says_nothing_about_cronjob_v1beta1_before_its_deprecation():
    assert finding("batch/v1beta1", "CronJob", "1.16") is None
    assert finding("batch/v1beta1", "CronJob", "1.20") is None
    deprecated = finding("batch/v1beta1", "CronJob", "1.21")
    assert (deprecated.status, deprecated.replacement, deprecated.replacement_available_since) == (
        "deprecated",
        "batch/v1",
        "1.21",
    )


def test_it_sends_flowcontrol_v1beta1_to_v1_at_1_32_not_to_a_removed_version():
    found = finding("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", "1.32")

    assert (found.status, found.removed_in, found.replacement) == ("removed", "1.26", "flowcontrol.apiserver.k8s.io/v1")
    assert not found.replacement_deprecated


def test_it_flags_a_replacement_the_target_deprecates_too_when_there_is_no_better_one():
    found = finding("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", "1.27")

    # v1 is served from 1.29 only; v1beta3 FlowSchema is served at 1.27, deprecated since 1.24 (pluto).
    assert (found.replacement, found.replacement_deprecated) == ("flowcontrol.apiserver.k8s.io/v1beta3", True)


@pytest.mark.parametrize("api_version", ["extensions/v1beta1", "policy/v1beta1"])
def test_podsecuritypolicy_has_no_replacement_from_1_25_and_points_to_pod_security_admission(api_version):
    found = finding(api_version, "PodSecurityPolicy", "1.25")

    assert found.replacement == ""
    assert "Pod Security Admission" in found.advice["en"]
    assert "파드 시큐리티 어드미션" in found.advice["ko"]


def test_extensions_podsecuritypolicy_still_moves_to_policy_v1beta1_before_1_25():
    found = finding("extensions/v1beta1", "PodSecurityPolicy", "1.22")

    assert found.replacement == "policy/v1beta1" and found.replacement_deprecated  # deprecated in 1.21


def test_it_says_whether_an_object_is_already_broken_or_breaks_on_the_way():
    assert finding("extensions/v1beta1", "Ingress", "1.25", current="1.23").timing == "already-broken"
    assert finding("extensions/v1beta1", "Ingress", "1.25", current="1.21").timing == "breaks-on-upgrade"
    assert finding("extensions/v1beta1", "Ingress", "1.25").timing == "breaks-on-upgrade"
    assert finding("batch/v1beta1", "CronJob", "1.22", current="1.21").timing == "breaks-later"


@pytest.mark.parametrize(
    "api_version, kind, target, removed_in",
    [
        ("rbac.authorization.k8s.io/v1alpha1", "ClusterRole", "1.22", "1.22"),
        ("scheduling.k8s.io/v1alpha1", "PriorityClass", "1.17", "1.17"),
        ("audit.k8s.io/v1beta1", "Policy", "1.24", "1.24"),
        ("admissionregistration.k8s.io/v1alpha1", "ValidatingAdmissionPolicy", "1.33", "1.33"),
        ("resource.k8s.io/v1alpha3", "ResourceClaim", "1.34", "1.34"),
    ],
)
def test_it_knows_the_apis_only_pluto_lists(api_version, kind, target, removed_in):
    found = finding(api_version, kind, target)

    assert (found.status, found.removed_in) == ("removed", removed_in)
    assert found.replacement


def test_every_replacement_is_served_at_the_target():
    rules = load_rules()
    for rule in rules.rules:
        for minor_version in range(16, 35):
            target = (1, minor_version)
            replacement = rules.replacement_at(rule, target)
            if replacement is None:
                continue
            assert replacement.api_version != rule.api_version
            if replacement.since:
                assert parse_minor(replacement.since) <= target, (rule, target)
            later = rules.get(replacement.api_version, rule.kind)
            if later is not None and later.removed_in:
                assert target < parse_minor(later.removed_in), (rule, target)
