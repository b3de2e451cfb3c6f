import pytest

pytestmark = pytest.mark.django_db

FIELDS = {
    "kep_number", "tracking_issue", "slug", "title", "summary", "owning_sig", "participating_sigs",
    "feature_gates", "stage", "stages", "major_theme", "url", "kep_url", "tracking_issue_url",
}  # fmt: skip


def test_the_list_is_paginated_with_next(client):
    data = client.get("/api/v1/enhancements/").json()
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 56
    assert data["next"].endswith("/api/v1/enhancements/?page=2")
    assert set(data["results"][0]) == FIELDS


def test_it_filters_by_release_stage_and_sig(client):
    data = client.get("/api/v1/enhancements/?release=1.22&stage=beta&sig=sig-node").json()
    assert sorted(r["kep_number"] for r in data["results"]) == [1769, 1967, 2238, 2254]
    assert {r["stage"] for r in data["results"]} == {"beta"}


def test_the_detail_has_exactly_the_contract_fields(client):
    data = client.get("/api/v1/enhancements/555/").json()
    assert set(data) == FIELDS
    assert data["title"]["en"] == "Server-side Apply"
    assert "서버" in data["title"]["ko"]
    assert data["stages"] == [
        {"release": "1.14", "stage": "alpha"},
        {"release": "1.16", "stage": "beta"},
        {"release": "1.22", "stage": "stable"},
    ]
    assert data["stage"] == "stable"
    assert data["major_theme"] is True  # no release asked for: its latest entry (1.22) decides
    assert data["owning_sig"] == "sig-api-machinery"
    assert data["feature_gates"] == ["ServerSideApply"]
    assert data["tracking_issue_url"] == "https://github.com/kubernetes/enhancements/issues/555"


def test_stage_and_major_theme_follow_the_release_asked_for(client):
    data = client.get("/api/v1/enhancements/?release=1.22&q=2400").json()
    [swap] = [r for r in data["results"] if r["kep_number"] == 2400]
    assert swap["stage"] == "alpha"
    assert swap["major_theme"] is True


def test_kep_and_tracking_issue_differ_for_bound_tokens(client):
    data = client.get("/api/v1/enhancements/1205/").json()
    assert data["tracking_issue"] == 542
    assert data["tracking_issue_url"].endswith("/issues/542")


def test_an_unknown_kep_is_a_json_404(client):
    response = client.get("/api/v1/enhancements/99999/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("query", ["stage=gamma", "sig=sig-nope", "release=0.1", "release=abc"])
def test_an_unknown_filter_value_is_a_json_400(client, query):
    response = client.get(f"/api/v1/enhancements/?{query}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_parameter"
    assert query.split("=")[0] in error["message"]


@pytest.mark.parametrize("page", ["0", "abc", "999"])
def test_a_bad_page_is_a_json_404(client, page):
    response = client.get(f"/api/v1/enhancements/?page={page}")
    assert response.status_code == 404
    assert "error" in response.json()


def test_the_schema_is_served(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/enhancements/" in response.content
