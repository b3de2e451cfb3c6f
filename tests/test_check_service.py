"""The checker's one service behind three doors: check_request(), the check API, the page
and `manage.py check_manifests`; strict input, bounded answers."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import RequestFactory

from releasenotes import api, manifests, views
from releasenotes.checker import MAX_OBJECTS

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

CRONJOB = """\
apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: nightly
"""

DUPLICATE = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
apiVersion: extensions/v1beta1
"""

CHART = """\
{{- if .Values.ingress.enabled }}
apiVersion: {{ include "app.ingress.apiVersion" . }}
kind: Ingress
metadata:
  name: {{ .Release.Name }}
{{- end }}
"""


def post(client, body, content_type="application/yaml", **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.post(f"/api/v1/check/?{query}", data=body, content_type=content_type)


# The service


def test_check_request_is_what_the_page_the_api_and_the_command_call():
    # One front door: the API view, the page view and the command all go through it.
    for module in (api, views):
        assert "manifests.check_request(" in open(module.__file__, encoding="utf-8").read()
    command = REPO / "releasenotes" / "management" / "commands" / "check_manifests.py"
    assert "manifests.check_request(" in command.read_text(encoding="utf-8")


def test_it_answers_with_the_versions_and_findings():
    result = manifests.check_request(INGRESS, "v1.22.0", "1.21")

    assert (result.target, result.current) == ("1.22", "1.21")
    assert [(f.kind, f.status, f.line) for f in result.findings] == [("Ingress", "removed", 1)]
    assert result.exit_code() == 3


@pytest.mark.parametrize("target", ["1.33", "1.34"])
def test_it_checks_targets_up_to_the_newest_release_the_rules_cover(target):
    result = manifests.check_request("apiVersion: resource.k8s.io/v1alpha3\nkind: ResourceClaim\n", target)

    assert [f.kind for f in result.findings] == ["ResourceClaim"]


def test_the_first_document_error_and_the_findings_use_one_numbering():
    body = "# only a comment\n---\n---\n" + CRONJOB + "---\nkind: [oops\n---\n" + INGRESS
    result = manifests.check_request(body, "1.22")

    [error] = result.errors
    assert error.document == 2 and error.line in (9, 10)  # where the parser sees the open bracket end
    assert [(f.document, f.kind, f.line) for f in result.findings] == [(1, "CronJob", 4), (3, "Ingress", 11)]


# Strict input


@pytest.mark.parametrize(
    "body, content_type, line",
    [
        (DUPLICATE, "application/yaml", 5),
        ('{"apiVersion": "v1",\n "kind": "ConfigMap",\n "apiVersion": "v2"}', "application/json", 3),
    ],
)
def test_a_duplicate_key_is_a_400_with_the_line_of_the_second_one(client, body, content_type, line):
    response = post(client, body, content_type, target="1.22")

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["document"], error["line"]) == ("duplicate_key", 0, line)
    assert "apiVersion" in error["message"]


@pytest.mark.parametrize("chart", [CHART, CHART.split("\n", 1)[1], "---\n" + INGRESS + "---\n" + CHART])
def test_an_unrendered_helm_chart_is_a_400_that_says_to_run_helm_template(client, chart):
    response = post(client, chart, target="1.22")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "helm_template"
    assert "helm template" in error["message"]
    assert error["line"] is not None


def test_a_quoted_template_in_a_rendered_manifest_is_fine(client):
    body = INGRESS + "  annotations:\n    summary: '{{ $labels.instance }} is down'\n"

    assert post(client, body, target="1.22").status_code == 200


def test_the_page_tells_a_helm_user_what_to_do_in_korean(client):
    response = client.post("/ko/check/", {"manifests": CHART, "target": "1.22"})

    assert response.status_code == 400
    assert "helm template" in response.content.decode()


@pytest.mark.parametrize("name", ["manifests", "file"])
def test_the_api_and_the_page_take_an_upload_under_either_name(client, name):
    def upload():
        return SimpleUploadedFile("ingress.yaml", INGRESS.encode(), content_type="application/yaml")

    from_api = client.post("/api/v1/check/?target=1.22", {name: upload()})
    from_page = client.post("/en/check/", {name: upload(), "target": "1.22"})

    assert from_api.status_code == 200 and from_api.json()["findings"][0]["kind"] == "Ingress"
    assert from_page.status_code == 200 and "extensions/v1beta1" in from_page.content.decode()


def test_the_page_skips_the_empty_file_part_a_browser_sends_with_the_pasted_text(client):
    boundary = "XyZ"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="target"\r\n\r\n1.22\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="manifests"\r\n\r\n{INGRESS}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="manifests"; filename=""\r\n'
        "Content-Type: application/octet-stream\r\n\r\n\r\n"
        f"--{boundary}--\r\n"
    )

    response = client.post("/en/check/", data=body, content_type=f"multipart/form-data; boundary={boundary}")

    assert response.status_code == 200 and "extensions/v1beta1" in response.content.decode()


def test_the_api_takes_a_multipart_text_field_as_curl_form_sends_it(client):
    response = client.post("/api/v1/check/?target=1.22", {"manifests": INGRESS})

    assert response.status_code == 200 and len(response.json()["findings"]) == 1


@pytest.mark.parametrize(
    "content_type",
    [
        "application/yaml; charset=utf-8",
        "application/json; charset=UTF-8",
        "text/plain;charset=utf-8",
        "application/x-www-form-urlencoded",  # curl --data-binary @file without -H
    ],
)
def test_the_api_takes_the_content_types_people_send(client, content_type):
    as_json = json.dumps({"apiVersion": "extensions/v1beta1", "kind": "Ingress"})
    body = as_json if "json" in content_type else INGRESS

    response = post(client, body, content_type, target="1.22")

    assert response.status_code == 200, response.content
    assert response.json()["findings"][0]["kind"] == "Ingress"


def test_the_api_takes_a_urlencoded_form_field(client):
    from urllib.parse import urlencode

    response = post(client, urlencode({"manifests": INGRESS}), "application/x-www-form-urlencoded", target="1.22")

    assert response.status_code == 200 and response.json()["findings"][0]["kind"] == "Ingress"


def test_the_api_reads_a_chunked_body_without_a_content_length():
    # What gunicorn hands over for `Transfer-Encoding: chunked`: the body, no CONTENT_LENGTH.
    request = RequestFactory().post("/api/v1/check/?target=1.22", data=b"", content_type="application/yaml")
    request.META.pop("CONTENT_LENGTH", None)
    request.META["HTTP_TRANSFER_ENCODING"] = "chunked"
    request.META["wsgi.input"] = io.BytesIO(INGRESS.encode())

    response = api.CheckView.as_view()(request)

    assert response.status_code == 200
    assert response.data["findings"][0]["kind"] == "Ingress"


def test_a_chunked_body_over_the_limit_is_a_413():
    request = RequestFactory().post("/api/v1/check/?target=1.22", data=b"", content_type="application/yaml")
    request.META.pop("CONTENT_LENGTH", None)
    request.META["HTTP_TRANSFER_ENCODING"] = "chunked"
    request.META["wsgi.input"] = io.BytesIO(b"#" * (1024 * 1024 + 1))

    assert api.CheckView.as_view()(request).status_code == 413


# Bounded


def test_it_stops_at_the_object_cap_and_says_the_answer_is_truncated(client):
    body = (CRONJOB + "---\n") * (MAX_OBJECTS + 10)

    data = post(client, body, target="1.22").json()

    assert data["truncated"] is True
    assert data["documents"] == MAX_OBJECTS


def test_it_caps_the_findings_and_says_so(monkeypatch):
    from releasenotes.checker import check

    monkeypatch.setattr(check, "__kwdefaults__", {"max_findings": 3})
    result = manifests.check_request((CRONJOB + "---\n") * 10, "1.22")

    assert len(result.findings) == 3 and result.truncated


def test_the_page_never_echoes_more_than_64_kb(client):
    filler = "# " + "x" * 1000 + "\n"
    body = INGRESS + filler * 80  # about 80 KB

    response = client.post("/en/check/", {"manifests": body, "target": "1.22"})
    html = response.content.decode()

    assert response.status_code == 200
    assert html.count("x" * 1000) == 0
    assert "larger than 64 KB" in html
    assert "extensions/v1beta1" in html


def test_the_page_shows_notable_changes_in_the_page_language_and_the_line(client):
    korean = client.post("/ko/check/", {"manifests": INGRESS, "target": "1.22"}).content.decode()
    english = client.post("/en/check/", {"manifests": INGRESS, "target": "1.22"}).content.decode()

    assert "spec.defaultBackend" in korean and "필드 이름이" in korean
    assert "is renamed" in english
    assert "line 1" in english
    assert "deprecation-guide/#ingress-v122" in english


def test_the_page_points_podsecuritypolicy_to_pod_security_admission(client):
    body = "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: restricted\n"

    html = client.post("/ko/check/", {"manifests": body, "target": "1.25", "current": "1.24"}).content.decode()

    assert "파드 시큐리티 어드미션" in html


# The command


def run(*args, stdin=None, monkeypatch=None):
    out = io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_manifests", *args, stdout=out)
        raise SystemExit(0)
    return exit_info.value.code, out.getvalue()


def test_the_command_reads_a_directory_recursively(tmp_path):
    (tmp_path / "apps" / "web").mkdir(parents=True)
    (tmp_path / "apps" / "web" / "ingress.yaml").write_text(INGRESS)
    (tmp_path / "apps" / "jobs.yml").write_text(CRONJOB)
    (tmp_path / "README.md").write_text("apiVersion: extensions/v1beta1\nkind: Ingress\n")

    code, out = run("--target", "1.25", str(tmp_path))

    assert code == 3
    assert f"{tmp_path / 'apps' / 'web' / 'ingress.yaml'}:1: Ingress shop/web" in out
    assert f"{tmp_path / 'apps' / 'jobs.yml'}:1: CronJob nightly" in out
    assert "README" not in out


@pytest.mark.parametrize(
    "body, target, expected",
    [
        (INGRESS, "1.22", 3),  # removed at the target
        (CRONJOB, "1.22", 2),  # deprecated only
        (CRONJOB, "1.20", 0),  # not yet deprecated
        ("apiVersion: apps/v1\nkind: Deployment\n", "1.34", 0),
    ],
)
def test_the_command_reads_stdin_and_exits_as_pluto_does(monkeypatch, body, target, expected):
    code, _out = run("--target", target, "-", stdin=body, monkeypatch=monkeypatch)

    assert code == expected


def test_the_command_writes_sarif_with_file_and_line(tmp_path):
    path = tmp_path / "ingress.yaml"
    path.write_text("---\n" + INGRESS)

    code, out = run("--target", "1.22", "--current", "1.21", "-o", "sarif", str(path))
    sarif = json.loads(out)

    assert code == 3
    assert sarif["version"] == "2.1.0"
    [result] = sarif["runs"][0]["results"]
    assert (result["ruleId"], result["level"]) == ("removed-api", "error")
    location = result["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": path.as_posix()}, "region": {"startLine": 2}}
    assert "networking.k8s.io/v1" in result["message"]["text"]


def test_the_command_writes_json_and_markdown(tmp_path):
    path = tmp_path / "all.yaml"
    path.write_text(INGRESS + "---\n" + CRONJOB)

    _code, out = run("--target", "1.22", "-o", "json", str(path))
    data = json.loads(out)
    assert data["exit_code"] == 3
    assert [f["kind"] for f in data["files"][0]["findings"]] == ["Ingress", "CronJob"]

    _code, out = run("--target", "1.22", "-o", "markdown", str(path))
    assert "| File | Line |" in out and "| extensions/v1beta1 |" in out


def test_the_command_reports_an_unreadable_file_and_checks_the_others(tmp_path):
    (tmp_path / "a.yaml").write_text(DUPLICATE)
    (tmp_path / "b.yaml").write_text(CRONJOB)

    code, out = run("--target", "1.22", str(tmp_path))

    assert code == 2
    assert f"{tmp_path / 'a.yaml'}:5: error:" in out
    assert "CronJob nightly" in out


def test_the_command_checks_the_peer_corpus(monkeypatch):
    code, out = run("--target", "1.32", str(PEER))

    assert code == 3
    assert "error" not in out


def test_the_command_refuses_an_unknown_version():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="Unknown target"):
        call_command("check_manifests", "--target", "2.0", "-")
