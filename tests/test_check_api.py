"""The manifest checker over HTTP: the JSON API and the bilingual page."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from .conftest import REPO

pytestmark = pytest.mark.django_db
PEER = REPO.parent / "shared" / "data" / "peer" / "kube-no-trouble-fixtures"

INGRESS = """\
apiVersion: extensions/v1beta1
kind: Ingress
metadata:
  name: web
  namespace: shop
spec:
  backend:
    serviceName: web
    servicePort: 80
"""

HELM = """\
---
# Source: app/templates/cronjob.yaml
apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: build
            image: docker:24
          volumes:
          - name: docker
            hostPath:
              path: /var/run/docker.sock
---
# Source: app/templates/empty.yaml
---
# Source: app/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec: {}
"""


def post(client, body, content_type="application/yaml", **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.post(f"/api/v1/check/?{query}", data=body, content_type=content_type)


def test_it_reports_a_removed_ingress_with_its_replacement(client):
    data = post(client, INGRESS, current="1.21", target="1.22").json()
    assert data["current"] == "1.21" and data["target"] == "1.22" and data["documents"] == 1
    [finding] = data["findings"]
    assert finding["notable_changes"]["en"].startswith("- `spec.backend`")
    assert finding["notable_changes"]["ko"]
    assert finding.pop("notable_changes") and finding.pop("guide_url").endswith("#ingress-v122")
    assert finding == {
        "document": 0,
        "item": None,
        "line": 1,
        "timing": "breaks-on-upgrade",
        "replacement_deprecated": False,
        "advice": {"en": "", "ko": ""},
        "url": "http://testserver/en/removed-apis/1.22/#extensions-v1beta1-ingress-1-22",
        "kind": "Ingress",
        "name": "web",
        "namespace": "shop",
        "api_version": "extensions/v1beta1",
        "status": "removed",
        "deprecated_in": "1.14",
        "removed_in": "1.22",
        "replacement": "networking.k8s.io/v1",
        "replacement_available_since": "1.19",
        "source": "apiVersion",
    }


def test_a_later_removal_is_deprecated_and_the_docker_socket_is_reported(client):
    data = post(client, HELM.replace("\n", "\r\n"), target="1.22").json()
    assert data["documents"] == 2
    [finding] = data["findings"]
    assert (finding["kind"], finding["status"], finding["removed_in"]) == ("CronJob", "deprecated", "1.25")
    assert data["dockershim"] == [
        {"document": 0, "kind": "CronJob", "name": "nightly", "path": "/var/run/docker.sock", "line": 3}
    ]


def test_it_reads_a_kubectl_json_list(client):
    body = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            {"apiVersion": "policy/v1beta1", "kind": "PodSecurityPolicy", "metadata": {"name": "restricted"}},
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}},
        ],
    }
    data = post(client, json.dumps(body), "application/json", target="1.25").json()
    [finding] = data["findings"]
    assert finding["kind"] == "PodSecurityPolicy" and finding["replacement"] == ""


def test_it_reads_the_last_applied_configuration(client):
    body = (PEER / "fake-deployment-v1beta1-with-annotation.yaml").read_text()
    data = post(client, body, target="1.16").json()
    assert "last-applied-configuration" in {f["source"] for f in data["findings"]}


def test_a_multipart_upload_works(client):
    upload = SimpleUploadedFile("ingress.yaml", INGRESS.encode(), content_type="application/yaml")
    response = client.post("/api/v1/check/?target=1.22", {"manifests": upload})
    assert response.status_code == 200
    assert response.json()["findings"][0]["kind"] == "Ingress"


@pytest.mark.parametrize("path", sorted(PEER.glob("*.y*ml")) + sorted(PEER.glob("*.json")), ids=lambda p: p.name)
def test_every_peer_manifest_is_read_without_error(client, path):
    response = post(client, path.read_bytes(), target="1.32")
    assert response.status_code == 200, response.content


def test_unparseable_yaml_is_a_400_naming_document_and_line(client):
    body = "apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: [oops\n"
    response = post(client, body.split("---\n")[1], target="1.22")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_yaml"
    assert error["document"] == 0 and error["line"] in (2, 3)


def test_one_bad_document_is_reported_and_the_others_are_still_checked(client):
    body = "apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: [oops\n---\n" + INGRESS
    response = post(client, body, target="1.22")
    assert response.status_code == 200
    data = response.json()
    [error] = data["errors"]
    assert (error["code"], error["document"], error["line"]) == ("invalid_yaml", 1, 6)
    [finding] = data["findings"]
    assert (finding["kind"], finding["document"], finding["line"]) == ("Ingress", 2, 7)


def test_a_body_over_one_mebibyte_is_a_413(client):
    response = post(client, "#" * (1024 * 1024 + 10), target="1.22")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_binary_is_refused(client):
    assert post(client, b"\x89PNG\r\n\x1a\n\x00\x00", target="1.22").status_code in (400, 415)
    assert post(client, b"\x00\x01", "image/png", target="1.22").status_code == 415


@pytest.mark.parametrize("target", ["", "1.99", "abc", "1.15"])
def test_an_unknown_target_lists_the_known_versions(client, target):
    response = post(client, INGRESS, target=target)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unknown_target"
    assert "1.16" in error["message"] and "1.32" in error["message"]


def test_a_yaml_alias_bomb_is_refused(client):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    response = post(client, "\n".join(lines), target="1.22")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_complex"


def test_deep_nesting_is_refused(client):
    response = post(client, "[" * 10000 + "]" * 10000, "application/json", target="1.22")
    assert response.status_code == 400


def test_nothing_is_stored(client, django_assert_max_num_queries):
    from releasenotes.models import ApiRemoval

    before = ApiRemoval.objects.count()
    with django_assert_max_num_queries(2):  # reads the removals; writes nothing
        post(client, INGRESS, target="1.22")
    assert ApiRemoval.objects.count() == before


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_page_groups_findings_by_release_and_links_them(client, lang):
    response = client.post(
        f"/{lang}/check/", {"manifests": INGRESS + "---\n" + HELM, "target": "1.22", "current": "1.21"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("1.22") < html.index("1.25")
    assert "/removed-apis/1.22/#extensions-v1beta1-ingress" in html
    assert f"/{lang}/dockershim/#docker-in-docker-builds" in html
    assert f'<html lang="{lang}">' in html


def test_the_page_explains_bad_yaml_in_korean(client):
    response = client.post("/ko/check/", {"manifests": "kind: [oops", "target": "1.22"})
    assert response.status_code == 400
    assert "YAML" in response.content.decode() and "줄" in response.content.decode()


def test_the_page_accepts_an_upload(client):
    upload = SimpleUploadedFile("x.yaml", INGRESS.encode())
    response = client.post("/en/check/", {"file": upload, "target": "1.22"})
    assert "extensions/v1beta1" in response.content.decode()


def test_the_page_refuses_an_unknown_target(client):
    response = client.post("/en/check/", {"manifests": INGRESS, "target": "2.0"})
    assert response.status_code == 400
    assert "1.16" in response.content.decode()
