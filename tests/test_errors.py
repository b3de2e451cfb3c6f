"""Errors that say what happened: 400, 404, 503, as a page or, under /api/, as JSON."""

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper

pytestmark = pytest.mark.django_db


def test_a_foreign_host_is_a_400_page_not_a_500(client):
    response = client.get("/en/", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


def test_a_foreign_host_on_the_api_is_a_json_400(client):
    response = client.get("/api/v1/enhancements/", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize(
    "path",
    [
        "/en/releases/1.22%00/",
        "/en/enhancements/%00/",
        "/en/sigs/sig-node%00/",
        "/ko/removed-apis/1.22%00/",
        "/en/sigs/%ff%fe/",
        "/en/sigs/sig%01node/",
        "/api/v1/feature-gates/Node%00Swap/",
    ],
)
def test_nul_and_bad_bytes_in_a_path_are_404_on_any_database(client, path):
    response = client.get(path)
    assert response.status_code == 404


def test_an_unknown_api_address_answers_json(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


@pytest.fixture
def database_down(monkeypatch, client):
    """Every query fails as it does when the database server is stopped."""

    def refuse(self, *args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    monkeypatch.setattr(CursorWrapper, "executemany", refuse)
    client.raise_request_exception = False
    return client


def test_a_stopped_database_gives_a_plain_503_page(database_down):
    response = database_down.get("/en/enhancements/555/")
    assert response.status_code == 503
    assert response["Retry-After"]
    html = response.content.decode()
    assert "database" in html and "데이터베이스" in html
    assert "<link" not in html  # plain: nothing that needs the site to work


def test_a_stopped_database_gives_json_503_under_the_api(database_down):
    response = database_down.get("/api/v1/enhancements/")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"


def test_healthz_is_503_when_the_database_is_down(database_down):
    assert database_down.get("/healthz").status_code == 503


def test_healthz_reads_a_real_table(client, django_assert_num_queries):
    with django_assert_num_queries(1) as queries:
        assert client.get("/healthz").content == b"ok"
    assert "releasenotes_contentversion" in queries.captured_queries[0]["sql"]


def test_other_failures_stay_500(client, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("releasenotes.views.render", boom)
    client.raise_request_exception = False
    assert client.get("/en/glossary/").status_code == 500
