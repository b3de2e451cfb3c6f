import re

import pytest

from releasenotes.models import ApiRemoval

pytestmark = pytest.mark.django_db


def test_it_holds_every_removal_of_the_facts_file(facts):
    expected = set()
    for item in facts["removed_apis"]["items"]:
        for api_version in item["removed_versions"]:
            expected.update((api_version, kind, "1.22") for kind in item["kinds"])
    for item in facts["removed_apis_other_releases"]:
        removed_in = item["removed_in"].removeprefix("v")
        for api_version in item["removed_versions"]:
            expected.update((api_version, kind, removed_in) for kind in item["kinds"])
    stored = {(r.api_version, kind, r.removed_in.version) for r in ApiRemoval.objects.all() for kind in r.kinds}
    assert stored == expected


def test_replacements_and_since_versions_match_the_facts(facts):
    for item in facts["removed_apis"]["items"]:
        since = item["replacement_available_since"]
        for kind in item["kinds"]:
            removal = next(
                r for r in ApiRemoval.objects.filter(removed_in__version="1.22", group=item["group"]) if kind in r.kinds
            )
            assert removal.replacement == item["replacement"]
            expected = since[kind] if isinstance(since, dict) else since
            assert removal.replacement_available_since.version == expected.removeprefix("v"), kind


def test_pod_security_policy_has_no_replacement():
    [psp] = [r for r in ApiRemoval.objects.filter(group="policy", version="v1beta1") if "PodSecurityPolicy" in r.kinds]
    assert psp.replacement == "" and psp.replacement_available_since is None


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_1_22_page_lists_ingress_with_its_replacement(client, lang):
    html = client.get(f"/{lang}/removed-apis/1.22/").content.decode()
    assert "<code>networking.k8s.io/v1beta1</code>" in html
    assert "<code>networking.k8s.io/v1</code>" in html
    assert "spec.defaultBackend" in html


def test_a_release_that_removed_nothing_says_so(client):
    assert "1.23 removed no APIs" in client.get("/en/removed-apis/1.23/").content.decode()
    assert "1.23에서 제거된 API는 없습니다" in client.get("/ko/removed-apis/1.23/").content.decode()


def test_a_release_outside_the_data_is_a_404_not_a_guess(client):
    assert client.get("/en/removed-apis/1.4/").status_code == 404
    assert client.get("/en/removed-apis/abc/").status_code == 404


def test_the_upgrade_path_lists_every_release_on_the_way(client):
    html = client.get("/en/upgrade/?from=1.21&to=1.25").content.decode()
    assert re.findall(r'<h2 id="step-\d+">([\d.]+)</h2>', html) == ["1.22", "1.23", "1.24", "1.25"]
    assert "1.23 removed no APIs." in html and "1.24 removed no APIs." in html
    assert "batch/v1beta1" in html and "extensions/v1beta1" in html
    assert "apps/v1beta1" not in html  # removed in 1.16, before the range


def test_the_upgrade_path_reaches_the_newest_release_with_pluto_after_the_guide(client):
    """The guide's removals end at 1.32; later steps say so and list what pluto's table
    (the checker's rules) removes, with the replacement, and count it with the rest."""
    from releasenotes.checker import load_rules

    html = client.get("/en/upgrade/?from=1.31&to=1.34").content.decode()
    assert re.findall(r'<h2 id="step-\d+">([\d.]+)</h2>', html) == ["1.32", "1.33", "1.34"]
    steps = re.split(r'<h2 id="step-\d+">', html)[1:]
    assert "pluto" not in steps[0] and "flowcontrol.apiserver.k8s.io/v1beta3" in steps[0]
    later = [r for r in load_rules().rules if r.removed_in in ("1.33", "1.34")]
    assert later
    for rule in later:
        step = steps[1] if rule.removed_in == "1.33" else steps[2]
        assert "pluto's table" in step and rule.api_version in step and rule.kind in step
    assert "use <code>resource.k8s.io/v1</code>" in steps[2]
    guide = ApiRemoval.objects.filter(removed_in__version="1.32").count()
    versions = {(r.removed_in, r.api_version) for r in later}
    assert f"{guide + len(versions)} removed API versions on the way." in html


@pytest.mark.parametrize(
    "query",
    ["from=1.25&to=1.21", "from=x&to=1.22", "from=1.21&to=9.99", "from=1.21", "from=1.10&to=1.22", "from=1.30&to=1.35"],
)
def test_a_bad_upgrade_range_is_a_400_that_says_why(client, query):
    response = client.get(f"/ko/upgrade/?{query}")
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode() or "field-error" in response.content.decode()


def test_the_api_filters_by_removed_in(client):
    data = client.get("/api/v1/removed-apis/?removed_in=1.22").json()
    assert data["count"] == len(data["results"]) == ApiRemoval.objects.filter(removed_in__version="1.22").count()
    first = data["results"][0]
    assert set(first) == {
        "group", "version", "kinds", "deprecated_in", "removed_in", "replacement", "replacement_available_since", "url",
    }  # fmt: skip
    assert {r["removed_in"] for r in data["results"]} == {"1.22"}


def test_the_api_gives_an_upgrade_range(client):
    data = client.get("/api/v1/removed-apis/?from=1.21&to=1.25").json()
    assert {r["removed_in"] for r in data["results"]} == {"1.22", "1.25"}


@pytest.mark.parametrize("query", ["removed_in=abc", "from=1.21&to=abc", "from=1.25&to=1.21"])
def test_the_api_answers_bad_versions_with_a_json_400(client, query):
    response = client.get(f"/api/v1/removed-apis/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_parameter"


def test_every_removal_has_the_deprecation_release_pluto_gives_or_none():
    from releasenotes.checker import load_rules

    rules = load_rules()
    for removal in ApiRemoval.objects.with_releases():
        known = [rules.get(removal.api_version, kind).deprecated_in for kind in removal.kinds]
        known = [version for version in known if version]
        expected = min(known, key=lambda v: tuple(map(int, v.split(".")))) if known else None
        assert (removal.deprecated_in.version if removal.deprecated_in else None) == expected, removal


@pytest.mark.parametrize("lang, unknown", [("en", "not given by the official guide or pluto"), ("ko", "pluto 모두")])
def test_the_removed_apis_page_shows_when_each_api_was_deprecated(client, lang, unknown):
    html = client.get(f"/{lang}/removed-apis/1.22/").content.decode()
    ingress = html[html.index('id="extensions-v1beta1-ingress-1-22"') :]

    assert re.search(r"<dd>1\.14</dd>", ingress[: ingress.index("</dl>")])
    reviews = html[html.index('id="authorization-k8s-io-v1beta1-subjectaccessreview-1-22"') :]
    assert unknown in reviews[: reviews.index("</dl>")]
    assert "FairwindsOps/pluto" in html
