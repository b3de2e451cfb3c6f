"""The manifest checker's core: reading manifests and checking them against API removals.

Plain Python: runs without Django (`pytest tests/test_checker.py -p no:django`).
"""

import json
import random
from pathlib import Path

import pytest

from releasenotes.checker import (
    DockerSocketMount,
    Document,
    ManifestError,
    Removal,
    check,
    load_rules,
    parse_manifests,
)
from releasenotes.checker.rules import GUIDE_URL

CORPUS = Path(__file__).resolve().parents[2] / "shared/data/peer/kube-no-trouble-fixtures"
CORPUS_FILES = sorted(p.name for p in CORPUS.glob("*") if p.suffix in {".yaml", ".yml", ".json"})


def contract(**fields):
    """A finding as the API shows it, with the fields a test does not care about at their
    values for a rule of the small table below."""
    return {
        "item": None,
        "timing": "breaks-on-upgrade",
        "replacement_deprecated": False,
        "notable_changes": {"en": "", "ko": ""},
        "advice": {"en": "", "ko": ""},
        "guide_url": GUIDE_URL,
        **fields,
    }


def removal(api_version, kinds, removed_in, replacement="", since=None, deprecated_in=None):
    slug = f"{api_version}-{'-'.join(kinds)}-{removed_in}".lower().replace("/", "-").replace(".", "-")
    return Removal(
        api_version=api_version,
        kinds=tuple(kinds),
        removed_in=removed_in,
        deprecated_in=deprecated_in,
        replacement=replacement,
        replacement_available_since=since,
        slug=slug,
    )


# A small table in the shape of the ApiRemoval rows, enough for the peer corpus.
REMOVALS = [
    # 1.16
    removal("extensions/v1beta1", ["Deployment", "DaemonSet", "ReplicaSet"], "1.16", "apps/v1", "1.9"),
    removal("apps/v1beta1", ["Deployment", "StatefulSet", "ReplicaSet"], "1.16", "apps/v1", "1.9"),
    removal("apps/v1beta2", ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"], "1.16", "apps/v1", "1.9"),
    removal("extensions/v1beta1", ["NetworkPolicy"], "1.16", "networking.k8s.io/v1", "1.8"),
    removal("extensions/v1beta1", ["PodSecurityPolicy"], "1.16", "policy/v1beta1", "1.10"),
    # 1.22
    removal("extensions/v1beta1", ["Ingress"], "1.22", "networking.k8s.io/v1", "1.19", "1.14"),
    removal("networking.k8s.io/v1beta1", ["Ingress", "IngressClass"], "1.22", "networking.k8s.io/v1", "1.19", "1.19"),
    removal(
        "admissionregistration.k8s.io/v1beta1",
        ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"],
        "1.22",
        "admissionregistration.k8s.io/v1",
        "1.16",
    ),
    removal("apiextensions.k8s.io/v1beta1", ["CustomResourceDefinition"], "1.22", "apiextensions.k8s.io/v1", "1.16"),
    removal("apiregistration.k8s.io/v1beta1", ["APIService"], "1.22", "apiregistration.k8s.io/v1", "1.10"),
    removal("authentication.k8s.io/v1beta1", ["TokenReview"], "1.22", "authentication.k8s.io/v1", "1.6"),
    removal(
        "authorization.k8s.io/v1beta1",
        ["LocalSubjectAccessReview", "SelfSubjectAccessReview", "SubjectAccessReview"],
        "1.22",
        "authorization.k8s.io/v1",
        "1.6",
    ),
    removal("certificates.k8s.io/v1beta1", ["CertificateSigningRequest"], "1.22", "certificates.k8s.io/v1", "1.19"),
    removal("coordination.k8s.io/v1beta1", ["Lease"], "1.22", "coordination.k8s.io/v1", "1.14"),
    removal(
        "rbac.authorization.k8s.io/v1beta1",
        ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
        "1.22",
        "rbac.authorization.k8s.io/v1",
        "1.8",
    ),
    removal("scheduling.k8s.io/v1beta1", ["PriorityClass"], "1.22", "scheduling.k8s.io/v1", "1.14"),
    removal(
        "storage.k8s.io/v1beta1",
        ["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
        "1.22",
        "storage.k8s.io/v1",
        "1.6",
    ),
    # 1.25 and later
    removal("batch/v1beta1", ["CronJob"], "1.25", "batch/v1", "1.21", "1.21"),
    removal("discovery.k8s.io/v1beta1", ["EndpointSlice"], "1.25", "discovery.k8s.io/v1", "1.21"),
    removal("autoscaling/v2beta1", ["HorizontalPodAutoscaler"], "1.25", "autoscaling/v2", "1.23"),
    removal("policy/v1beta1", ["PodDisruptionBudget"], "1.25", "policy/v1", "1.21", "1.21"),
    removal("policy/v1beta1", ["PodSecurityPolicy"], "1.25", deprecated_in="1.21"),  # no replacement
    removal("node.k8s.io/v1beta1", ["RuntimeClass"], "1.25", "node.k8s.io/v1", "1.20"),
    removal("autoscaling/v2beta2", ["HorizontalPodAutoscaler"], "1.26", "autoscaling/v2", "1.23"),
    removal(
        "flowcontrol.apiserver.k8s.io/v1beta1",
        ["FlowSchema", "PriorityLevelConfiguration"],
        "1.26",
        "flowcontrol.apiserver.k8s.io/v1beta2",
    ),
    removal("storage.k8s.io/v1beta1", ["CSIStorageCapacity"], "1.27", "storage.k8s.io/v1", "1.24"),
    removal(
        "flowcontrol.apiserver.k8s.io/v1beta2",
        ["FlowSchema", "PriorityLevelConfiguration"],
        "1.29",
        "flowcontrol.apiserver.k8s.io/v1",
        "1.29",
    ),
    removal(
        "flowcontrol.apiserver.k8s.io/v1beta3",
        ["FlowSchema", "PriorityLevelConfiguration"],
        "1.32",
        "flowcontrol.apiserver.k8s.io/v1",
        "1.29",
    ),
]

A = "apiVersion"
L = "last-applied-configuration"

# Per corpus file: how many objects it holds and the (kind, apiVersion, source) it must
# be flagged for when checked against REMOVALS with a target of 1.32.
CORPUS_EXPECTED = {
    "apiservice-v1beta1.yaml": (1, {("APIService", "apiregistration.k8s.io/v1beta1", A)}),
    "autoscaler-v2beta1.yaml": (1, {("HorizontalPodAutoscaler", "autoscaling/v2beta1", A)}),
    "autoscaler-v2beta2.yaml": (1, {("HorizontalPodAutoscaler", "autoscaling/v2beta2", A)}),
    "certificatesigningrequest-v1beta1.yaml": (
        1,
        {("CertificateSigningRequest", "certificates.k8s.io/v1beta1", A)},
    ),
    "clusterrole-v1beta1.yaml": (1, {("ClusterRole", "rbac.authorization.k8s.io/v1beta1", A)}),
    "clusterrolebinding-v1beta1.yaml": (1, {("ClusterRoleBinding", "rbac.authorization.k8s.io/v1beta1", A)}),
    "cronjob-v1beta1.yaml": (1, {("CronJob", "batch/v1beta1", A)}),
    "csidriver-v1beta1.yaml": (1, {("CSIDriver", "storage.k8s.io/v1beta1", A)}),
    "csinode-v1beta1.yaml": (1, {("CSINode", "storage.k8s.io/v1beta1", A)}),
    "csistoragecapacity-v1beta1.yaml": (1, {("CSIStorageCapacity", "storage.k8s.io/v1beta1", A)}),
    "customresourcedefinition-v1beta1.yaml": (
        1,
        {("CustomResourceDefinition", "apiextensions.k8s.io/v1beta1", A)},
    ),
    "deployment-v1beta1-and-ingress-v1beta1.yaml": (
        2,
        {("Deployment", "apps/v1beta1", A), ("Ingress", "extensions/v1beta1", A)},
    ),
    "deployment-v1beta1-labels.yaml": (1, {("Deployment", "apps/v1beta1", A)}),
    "deployment-v1beta1.json": (1, {("Deployment", "extensions/v1beta1", A)}),
    "deployment-v1beta1.yaml": (1, {("Deployment", "apps/v1beta1", A)}),
    "endpointslice-v1beta1.yaml": (1, {("EndpointSlice", "discovery.k8s.io/v1beta1", A)}),
    # Read back from a cluster as apps/v1, with nothing recording how it was applied.
    "fake-deployment-v1beta1-no-annotation.yaml": (1, set()),
    "fake-deployment-v1beta1-with-annotation.yaml": (1, {("Deployment", "apps/v1beta1", L)}),
    # kapp records the original in its own annotation, which the checker does not read.
    "fake-deployment-v1beta1-with-kapp-annotation.yaml": (1, set()),
    "fake-ingress-v1beta1-with-annotation.yaml": (1, {("Ingress", "extensions/v1beta1", L)}),
    "fake-tokenReview-deprecated.yaml": (1, {("TokenReview", "authentication.k8s.io/v1beta1", A)}),
    "flowschema-v1beta1.yaml": (1, {("FlowSchema", "flowcontrol.apiserver.k8s.io/v1beta1", A)}),
    "flowschema-v1beta2.yaml": (1, {("FlowSchema", "flowcontrol.apiserver.k8s.io/v1beta2", A)}),
    "flowschema-v1beta3.yaml": (1, {("FlowSchema", "flowcontrol.apiserver.k8s.io/v1beta3", A)}),
    "ingress-v1beta1.yaml": (1, {("Ingress", "extensions/v1beta1", A)}),
    "ingressclass-v1beta1.yaml": (1, {("IngressClass", "networking.k8s.io/v1beta1", A)}),
    # cert-manager's own API: not a Kubernetes removal.
    "issuer-v1alpha2.yaml": (1, set()),
    "lease-v1beta1.yaml": (1, {("Lease", "coordination.k8s.io/v1beta1", A)}),
    "localsubjectaccessreview-v1beta1.yaml": (
        1,
        {("LocalSubjectAccessReview", "authorization.k8s.io/v1beta1", A)},
    ),
    "mutatingwebhookconfiguration-v1beta1.yaml": (
        1,
        {("MutatingWebhookConfiguration", "admissionregistration.k8s.io/v1beta1", A)},
    ),
    "poddisruptionbudget-v1beta1.yaml": (1, {("PodDisruptionBudget", "policy/v1beta1", A)}),
    "podsecuritypolicy-v1beta1.yaml": (1, {("PodSecurityPolicy", "policy/v1beta1", A)}),
    "priorityclass-v1beta1.yaml": (1, {("PriorityClass", "scheduling.k8s.io/v1beta1", A)}),
    "prioritylevelconfiguration-v1beta1.yaml": (
        1,
        {("PriorityLevelConfiguration", "flowcontrol.apiserver.k8s.io/v1beta1", A)},
    ),
    "prioritylevelconfiguration-v1beta2.yaml": (
        1,
        {("PriorityLevelConfiguration", "flowcontrol.apiserver.k8s.io/v1beta2", A)},
    ),
    "prioritylevelconfiguration-v1beta3.yaml": (
        1,
        {("PriorityLevelConfiguration", "flowcontrol.apiserver.k8s.io/v1beta3", A)},
    ),
    "role-v1beta1.yaml": (1, {("Role", "rbac.authorization.k8s.io/v1beta1", A)}),
    "rolebinding-v1beta1.yaml": (1, {("RoleBinding", "rbac.authorization.k8s.io/v1beta1", A)}),
    "runtimeclass-v1beta1.yaml": (1, {("RuntimeClass", "node.k8s.io/v1beta1", A)}),
    "selfsubjectaccessreview-v1beta1.yaml": (
        1,
        {("SelfSubjectAccessReview", "authorization.k8s.io/v1beta1", A)},
    ),
    "storageclass-v1beta1.yaml": (1, {("StorageClass", "storage.k8s.io/v1beta1", A)}),
    "subjectaccessreview-v1beta1.yaml": (1, {("SubjectAccessReview", "authorization.k8s.io/v1beta1", A)}),
    "tokenreview-v1beta1.yaml": (1, {("TokenReview", "authentication.k8s.io/v1beta1", A)}),
    "validatingwebhookconfiguration-v1beta1.yaml": (
        1,
        {("ValidatingWebhookConfiguration", "admissionregistration.k8s.io/v1beta1", A)},
    ),
    "volumeattachment-v1beta1.yaml": (1, {("VolumeAttachment", "storage.k8s.io/v1beta1", A)}),
    # The CSI snapshotter's CRDs: served by an add-on, not by Kubernetes itself.
    "volumesnapshot-v1beta1.yaml": (1, set()),
    "volumesnapshotclass-v1beta1.yaml": (1, set()),
    "volumesnapshotcontent-v1beta1.yaml": (1, set()),
}


def read_corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def parse_error(data, **kwargs) -> ManifestError:
    with pytest.raises(ManifestError) as caught:
        parse_manifests(data, **kwargs)
    return caught.value


def check_text(text, target="1.22", current=None):
    return check(parse_manifests(text), REMOVALS, target=target, current=current)


def found(report) -> set[tuple[str, str, str]]:
    return {(f.kind, f.api_version, f.source) for f in report.findings}


def deployment(api_version="apps/v1", name="web", volumes=None) -> dict:
    pod_spec = {"containers": [{"name": "app", "image": "nginx:1.21"}]}
    if volumes is not None:
        pod_spec["volumes"] = volumes
    return {
        "apiVersion": api_version,
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "shop"},
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": pod_spec},
        },
    }


def docker_socket(path="/var/run/docker.sock") -> list[dict]:
    return [{"name": "docker-sock", "hostPath": {"path": path, "type": "Socket"}}]


def dockershim_of(obj: dict) -> list[DockerSocketMount]:
    return check([Document(0, obj, 1)], REMOVALS, target="1.24").dockershim


# The peer corpus


def test_the_peer_corpus_is_there_and_every_file_has_an_expectation():
    assert CORPUS.is_dir(), f"missing peer corpus at {CORPUS}"
    assert CORPUS_FILES == sorted(CORPUS_EXPECTED)


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_it_reads_and_checks_every_file_of_the_peer_corpus(name):
    count, expected = CORPUS_EXPECTED[name]

    documents = parse_manifests(read_corpus(name))
    report = check(documents, REMOVALS, target="1.32")

    assert [d.index for d in documents] == list(range(count))
    assert all(isinstance(d.obj, dict) and d.obj.get("kind") for d in documents)
    assert found(report) == expected
    assert all(f.status == "removed" for f in report.findings)


def test_it_reads_the_peer_json_deployment():
    (document,) = parse_manifests(read_corpus("deployment-v1beta1.json"))
    (finding,) = check([document], REMOVALS, target="1.16").findings

    assert document.line == 2  # the line of its apiVersion
    assert finding.as_dict() == contract(
        **{
            "document": 0,
            "line": 2,
            "kind": "Deployment",
            "name": "nginx-deployment-old",
            "namespace": "default",
            "api_version": "extensions/v1beta1",
            "status": "removed",
            "deprecated_in": None,
            "removed_in": "1.16",
            "replacement": "apps/v1",
            "replacement_available_since": "1.9",
            "source": "apiVersion",
        }
    )


def test_it_numbers_and_locates_both_objects_of_a_two_document_file():
    documents = parse_manifests(read_corpus("deployment-v1beta1-and-ingress-v1beta1.yaml"))
    report = check(documents, REMOVALS, target="1.22")

    assert [(d.index, d.line, d.obj["kind"]) for d in documents] == [(0, 1, "Deployment"), (1, 23, "Ingress")]
    assert [(f.document, f.kind, f.status) for f in report.findings] == [
        (0, "Deployment", "removed"),
        (1, "Ingress", "removed"),
    ]


def test_it_finds_the_applied_api_version_in_the_last_applied_configuration():
    documents = parse_manifests(read_corpus("fake-deployment-v1beta1-with-annotation.yaml"))
    (finding,) = check(documents, REMOVALS, target="1.22").findings

    assert (finding.kind, finding.api_version, finding.source) == (
        "Deployment",
        "apps/v1beta1",
        "last-applied-configuration",
    )
    assert (finding.name, finding.namespace, finding.status) == ("nginx-deployment-old", "default", "removed")


def test_it_finds_an_ingress_applied_as_extensions_v1beta1_on_a_live_cluster():
    documents = parse_manifests(read_corpus("fake-ingress-v1beta1-with-annotation.yaml"))
    (finding,) = check(documents, REMOVALS, target="1.22").findings

    assert finding.as_dict() == contract(
        **{
            "document": 0,
            "line": 4,
            "kind": "Ingress",
            "name": "test-ingress",
            "namespace": "default",
            "api_version": "extensions/v1beta1",
            "status": "removed",
            "deprecated_in": "1.14",
            "removed_in": "1.22",
            "replacement": "networking.k8s.io/v1",
            "replacement_available_since": "1.19",
            "source": "last-applied-configuration",
        }
    )


# Reading manifests people paste

HELM_OUTPUT = """\
---
# Source: shop/templates/serviceaccount.yaml
---
# Source: shop/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: shop
spec:
  ports:
    - port: 80
---
# Source: shop/templates/ingress.yaml
apiVersion: networking.k8s.io/v1beta1
kind: Ingress
metadata:
  name: shop
  namespace: shop
spec:
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            backend:
              serviceName: shop
              servicePort: 80
---
# Source: shop/templates/tests/test-connection.yaml
"""


def test_it_reads_helm_output_with_source_comments_and_empty_documents():
    documents = parse_manifests(HELM_OUTPUT)

    assert [(d.index, d.line, d.obj["kind"]) for d in documents] == [(0, 5, "Service"), (1, 14, "Ingress")]


def test_it_checks_helm_output_end_to_end():
    report = check_text(HELM_OUTPUT, target="1.22", current="1.21")

    assert report.as_dict() == {
        "documents": 2,
        "truncated": False,
        "findings": [
            contract(
                **{
                    "document": 2,  # the empty first document counts, as it does in errors
                    "line": 14,
                    "kind": "Ingress",
                    "name": "shop",
                    "namespace": "shop",
                    "api_version": "networking.k8s.io/v1beta1",
                    "status": "removed",
                    "deprecated_in": "1.19",
                    "removed_in": "1.22",
                    "replacement": "networking.k8s.io/v1",
                    "replacement_available_since": "1.19",
                    "source": "apiVersion",
                }
            )
        ],
        "dockershim": [],
    }


def test_it_reads_crlf_line_endings():
    crlf = HELM_OUTPUT.replace("\n", "\r\n").encode()

    documents = parse_manifests(crlf)

    assert [(d.line, d.obj["kind"]) for d in documents] == [(5, "Service"), (14, "Ingress")]
    assert documents[1].obj["spec"]["rules"][0]["host"] == "shop.example.com"


def test_it_ignores_a_utf8_bom():
    (document,) = parse_manifests(b"\xef\xbb\xbfapiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n")

    assert document.obj == {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}}


def test_it_reads_utf16_as_windows_powershell_writes_it():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 설정\n"

    (document,) = parse_manifests(text.encode("utf-16"))

    assert document.obj["metadata"]["name"] == "설정"


def test_it_reads_str_as_well_as_bytes():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 설정\n"

    assert parse_manifests(text) == parse_manifests(text.encode())


KUBECTL_GET_JSON = """\
{
    "apiVersion": "v1",
    "items": [
        {
            "apiVersion": "networking.k8s.io/v1beta1",
            "kind": "Ingress",
            "metadata": {
                "name": "shop",
                "namespace": "shop"
            }
        },
        {
            "apiVersion": "batch/v1beta1",
            "kind": "CronJob",
            "metadata": {
                "name": "nightly",
                "namespace": "ops"
            }
        }
    ],
    "kind": "List",
    "metadata": {
        "resourceVersion": "",
        "selfLink": ""
    }
}
"""


def test_it_reads_a_kind_list_from_kubectl_json():
    documents = parse_manifests(KUBECTL_GET_JSON)

    # Each item's line is the line of its apiVersion.
    assert [(d.index, d.line, d.obj["kind"]) for d in documents] == [(0, 5, "Ingress"), (1, 13, "CronJob")]


def test_it_checks_each_item_of_a_kind_list():
    report = check_text(KUBECTL_GET_JSON, target="1.22")

    assert [(f.document, f.item, f.kind, f.name, f.namespace, f.status) for f in report.findings] == [
        (0, 0, "Ingress", "shop", "shop", "removed"),
        (0, 1, "CronJob", "nightly", "ops", "deprecated"),
    ]


def test_it_reads_a_kind_list_from_kubectl_yaml():
    text = """\
apiVersion: v1
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
- apiVersion: policy/v1beta1
  kind: PodDisruptionBudget
  metadata:
    name: web
kind: List
metadata:
  resourceVersion: ""
"""
    documents = parse_manifests(text)

    assert [(d.index, d.line, d.obj["kind"]) for d in documents] == [
        (0, 3, "Deployment"),
        (1, 7, "PodDisruptionBudget"),
    ]


def test_it_fills_in_kind_and_api_version_for_items_of_a_typed_list():
    # What the API server answers to GET /apis/extensions/v1beta1/ingresses.
    text = json.dumps(
        {
            "apiVersion": "extensions/v1beta1",
            "kind": "IngressList",
            "items": [{"metadata": {"name": "a"}}, {"metadata": {"name": "b"}}],
        }
    )
    report = check_text(text)

    assert [(f.document, f.item, f.kind, f.api_version, f.name) for f in report.findings] == [
        (0, 0, "Ingress", "extensions/v1beta1", "a"),
        (0, 1, "Ingress", "extensions/v1beta1", "b"),
    ]


def test_it_reads_a_json_array_of_objects():
    text = '[\n  {"apiVersion": "v1", "kind": "Service"},\n  {"apiVersion": "batch/v1beta1", "kind": "CronJob"}\n]\n'

    documents = parse_manifests(text)

    assert [(d.index, d.line, d.obj["kind"]) for d in documents] == [(0, 2, "Service"), (1, 3, "CronJob")]


def test_it_reads_json_objects_one_after_another():
    text = '{"apiVersion": "v1", "kind": "Service"}\n{"apiVersion": "v1", "kind": "Secret"}\n'

    documents = parse_manifests(text)

    assert [(d.index, d.line, d.obj["kind"]) for d in documents] == [(0, 1, "Service"), (1, 2, "Secret")]


def test_it_reads_yaml_flow_style_that_looks_like_json():
    (document,) = parse_manifests("{apiVersion: v1, kind: Pod, metadata: {name: p}}")

    assert document.obj == {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}


def test_it_keeps_timestamps_as_strings():
    (document,) = parse_manifests("kind: Pod\nmetadata:\n  creationTimestamp: 2020-09-04T19:51:38Z\n  x: 2020-99-99\n")

    assert document.obj["metadata"] == {"creationTimestamp": "2020-09-04T19:51:38Z", "x": "2020-99-99"}


def test_it_allows_a_few_ordinary_aliases():
    text = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: &labels
    app: web
    tier: front
spec:
  selector:
    matchLabels: *labels
  template:
    metadata:
      labels:
        <<: *labels
        version: "2"
"""
    (document,) = parse_manifests(text)

    assert document.obj["spec"]["template"]["metadata"]["labels"] == {"app": "web", "tier": "front", "version": "2"}


# Refusing what isn't a manifest

BROKEN_SECOND_DOCUMENT = """\
apiVersion: v1
kind: Service
metadata:
  name: web
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
   namespace: shop
spec: {}
"""


def test_it_names_the_document_and_line_of_broken_yaml():
    error = parse_error(BROKEN_SECOND_DOCUMENT)

    assert (error.code, error.document, error.line) == ("invalid_yaml", 1, 10)
    assert "Document 2" in error.message
    assert "line 10" in error.message


def test_it_names_the_line_of_broken_yaml_with_crlf_endings():
    error = parse_error(BROKEN_SECOND_DOCUMENT.replace("\n", "\r\n").encode())

    assert (error.code, error.document, error.line) == ("invalid_yaml", 1, 10)


def test_it_reports_the_line_of_broken_json():
    error = parse_error('{\n  "apiVersion": "v1",\n  "kind": "Pod"\n  "metadata": {}\n}\n')

    assert (error.code, error.line) == ("invalid_json", 4)
    assert "line 4" in error.message


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00",  # a zip file
        b"kind: Pod\n" + b"\x00\x00",
        "kind: Pod\nmetadata:\n  name: 파드\n".encode("cp949"),
        "kind: Pod\nmetadata:\n  name: caf\xe9\n".encode("latin-1"),
        b"kind: Pod\nmetadata:\n  name: \x07bell\n",
        "kind: Pod\nmetadata:\n  name: \udc80\n",  # a lone surrogate in a str
    ],
    ids=["png", "zip", "nul", "cp949", "latin-1", "control character", "lone surrogate"],
)
def test_it_rejects_input_that_is_not_text(data):
    assert parse_error(data).code == "not_text"


def test_it_rejects_random_bytes():
    data = random.Random(1222).randbytes(4096)

    assert parse_error(data).code == "not_text"


def test_it_rejects_input_over_the_size_limit_before_reading_it():
    assert parse_error(b"\x00" * (1024 * 1024 + 1)).code == "too_large"
    assert parse_error("a" * (1024 * 1024 + 1)).code == "too_large"
    # 400,000 Hangul syllables are 1.2 MB in UTF-8: the limit is in bytes, not characters.
    assert parse_error("가" * 400_000).code == "too_large"


def test_it_takes_the_size_limit_as_an_argument():
    text = "apiVersion: v1\nkind: Service\n"

    assert parse_manifests(text, max_bytes=len(text))
    error = parse_error(text, max_bytes=len(text) - 1)
    assert error.code == "too_large"
    assert error.as_dict() == {"code": "too_large", "message": error.message, "document": None, "line": None}


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_it_rejects_a_yaml_alias_bomb():
    # Refused from the event stream, before a single list is built: this cannot hang.
    error = parse_error(BILLION_LAUGHS)

    assert error.code == "too_complex"
    assert error.document == 0


def test_it_rejects_an_alias_bomb_in_a_later_document():
    error = parse_error("apiVersion: v1\nkind: Service\n---\n" + BILLION_LAUGHS)

    assert (error.code, error.document) == ("too_complex", 1)


def test_it_rejects_an_alias_that_contains_itself():
    assert parse_error("kind: Pod\nspec: &spec\n  again: *spec\n").code == "too_complex"


@pytest.mark.parametrize(
    "text",
    [
        "[" * 10_000,
        "[" * 10_000 + "]" * 10_000,
        "{" * (1024 * 1024),
        "spec: " + "[" * 10_000,
        "- " * 10_000 + "x",
        "".join("  " * depth + f"k{depth}:\n" for depth in range(200)),
    ],
    ids=[
        "open brackets",
        "closed brackets",
        "a mebibyte of braces",
        "after a key",
        "block sequences",
        "block mappings",
    ],
)
def test_it_rejects_deep_nesting(text):
    assert parse_error(text).code == "too_complex"


def test_it_rejects_json_nested_deeper_than_the_limit():
    # json reads 200 levels without trouble; the checker's own limit still applies.
    assert parse_error("[" * 200 + "]" * 200).code == "too_complex"


def test_it_rejects_a_document_that_is_not_an_object():
    error = parse_error("apiVersion: v1\nkind: Service\n---\njust a sentence\n")

    assert (error.code, error.document, error.line) == ("not_an_object", 1, 4)
    assert "Document 2" in error.message


def test_it_rejects_a_yaml_list_at_the_top():
    assert parse_error("- apiVersion: v1\n  kind: Service\n").code == "not_an_object"


def test_it_rejects_a_list_item_that_is_not_an_object():
    error = parse_error("apiVersion: v1\nkind: List\nitems:\n- kind: Service\n- 42\n")

    assert (error.code, error.document, error.line) == ("not_an_object", 0, 5)
    assert "item 2" in error.message


@pytest.mark.parametrize(
    "text",
    ["", "   \n\n", "# nothing here\n", "---\n---\n", "---\n# Source: chart/templates/empty.yaml\n", "[]", "null\n"],
)
def test_it_rejects_input_without_objects(text):
    assert parse_error(text).code == "empty"


def test_it_rejects_a_kind_list_without_items():
    assert parse_error("apiVersion: v1\nitems: []\nkind: List\n").code == "empty"


@pytest.mark.parametrize(
    "text, line",
    [
        ("kind: !Ref web\n", 1),
        ("replicas: !!int 0x\n", 1),
        ("a: *nowhere\n", 1),
        ("a: &x 1\nb: &x 2\n", 2),
    ],
    ids=["unknown tag", "bad int", "undefined alias", "duplicate anchor"],
)
def test_it_turns_whatever_yaml_cannot_build_into_invalid_yaml(text, line):
    error = parse_error(text)

    assert (error.code, error.document, error.line) == ("invalid_yaml", 0, line)


def test_it_reads_every_untagged_scalar_as_the_string_it_is_written_as():
    (document,) = parse_manifests("kind: Pod\nmetadata: {name: 0x10}\nspec: {replicas: " + "9" * 5000 + "}\n")

    assert document.obj["metadata"]["name"] == "0x10"
    assert document.obj["spec"]["replicas"] == "9" * 5000


def test_it_never_raises_anything_but_manifest_error():
    rnd = random.Random(20210804)
    pieces = [
        "---\n",
        "&a ",
        "*a",
        "<<: ",
        "- ",
        "? ",
        ": ",
        "{",
        "}",
        "[",
        "]",
        "!!binary ",
        "|\n",
        "\t",
        "\n",
        '"\\x',
    ]
    pieces += ["kind: List\n", "items:\n", "apiVersion: extensions/v1beta1\n", '"items": [', "1e400", "\xe9", "파드"]
    seeds = [read_corpus(name) for name in CORPUS_FILES] or [HELM_OUTPUT.encode()]
    for _ in range(1500):
        choice = rnd.random()
        if choice < 0.3:
            data = rnd.randbytes(rnd.randrange(64))
        elif choice < 0.6:
            data = "".join(rnd.choice(pieces) for _ in range(rnd.randrange(40))).encode()
        else:
            data = bytearray(rnd.choice(seeds))
            for _ in range(rnd.randrange(1, 5)):
                at = rnd.randrange(len(data) + 1)
                data[at:at] = rnd.choice(pieces).encode()
            data = bytes(data)
        try:
            check(parse_manifests(data), REMOVALS, target="1.22").as_dict()
        except ManifestError as error:
            json.dumps(error.as_dict())


# Checking against removals


def test_it_marks_an_api_removed_in_the_target_release_as_removed():
    report = check_text(json.dumps(deployment("apps/v1beta2")), target="1.16")

    assert [(f.status, f.removed_in, f.replacement, f.replacement_available_since) for f in report.findings] == [
        ("removed", "1.16", "apps/v1", "1.9")
    ]


def test_it_marks_an_api_removed_after_the_target_as_deprecated():
    text = "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: nightly\n"

    (finding,) = check_text(text, target="1.22").findings

    assert (finding.status, finding.deprecated_in, finding.removed_in) == ("deprecated", "1.21", "1.25")
    assert (finding.replacement, finding.replacement_available_since) == ("batch/v1", "1.21")


def test_it_compares_versions_as_numbers_not_strings():
    text = json.dumps(deployment("extensions/v1beta1"))

    documents = parse_manifests(text)

    # Deprecated in 1.9, removed in 1.16: as strings "1.16" <= "1.9", as versions 1.16 is later.
    assert [f.status for f in check(documents, load_rules(), target="1.8").findings] == []
    assert [f.status for f in check(documents, load_rules(), target="1.9").findings] == ["deprecated"]
    assert [f.status for f in check(documents, load_rules(), target="1.16").findings] == ["removed"]
    assert [f.status for f in check(documents, load_rules(), target="1.100").findings] == ["removed"]


def test_it_still_reports_a_removal_at_or_before_the_current_version():
    text = json.dumps(deployment("extensions/v1beta1"))

    (finding,) = check_text(text, target="1.22", current="1.21").findings

    assert (finding.status, finding.removed_in) == ("removed", "1.16")


def test_it_accepts_versions_written_with_a_v_and_a_patch():
    text = "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: shop\n"

    assert [f.status for f in check_text(text, target="v1.22.0", current="v1.21").findings] == ["removed"]


@pytest.mark.parametrize("target, current", [("latest", None), ("", None), ("1.22", "yesterday"), ("22", None)])
def test_it_rejects_a_version_that_does_not_parse(target, current):
    with pytest.raises(ValueError):
        check([], REMOVALS, target=target, current=current)


def test_a_removal_needs_a_removed_in_that_parses():
    with pytest.raises(ValueError):
        Removal(api_version="extensions/v1beta1", kinds=("Ingress",), removed_in="soon")


def test_a_removal_keeps_its_kinds_as_a_tuple():
    assert Removal(api_version="batch/v1beta1", kinds=["CronJob"], removed_in="1.25").kinds == ("CronJob",)


def test_it_reports_no_replacement_for_pod_security_policy():
    text = "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: restricted\n"

    (finding,) = check_text(text, target="1.25").findings

    assert (finding.replacement, finding.replacement_available_since, finding.namespace) == ("", None, None)


def test_it_tells_kinds_of_one_api_version_apart():
    text = """\
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: pdb}
---
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: {name: psp}
---
apiVersion: policy/v1beta1
kind: Eviction
metadata: {name: not-in-the-table}
"""
    report = check_text(text, target="1.25")

    assert [(f.document, f.kind, f.replacement) for f in report.findings] == [
        (0, "PodDisruptionBudget", "policy/v1"),
        (1, "PodSecurityPolicy", ""),
    ]


def test_it_ignores_current_api_versions_and_unknown_kinds():
    text = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop}
---
apiVersion: extensions/v1beta1
kind: SomethingElse
---
kind: ConfigMap
---
apiVersion: 42
kind: [Ingress]
"""
    report = check_text(text, target="1.22")

    assert report.findings == []
    assert report.documents == 4


def test_it_reports_the_object_and_its_last_applied_configuration_separately():
    annotation = json.dumps(
        {"apiVersion": "networking.k8s.io/v1beta1", "kind": "Ingress", "metadata": {"name": "shop"}}
    )
    obj = {
        "apiVersion": "extensions/v1beta1",
        "kind": "Ingress",
        "metadata": {"name": "shop", "annotations": {"kubectl.kubernetes.io/last-applied-configuration": annotation}},
    }

    report = check([Document(0, obj, 1)], REMOVALS, target="1.22")

    assert [(f.api_version, f.source) for f in report.findings] == [
        ("extensions/v1beta1", "apiVersion"),
        ("networking.k8s.io/v1beta1", "last-applied-configuration"),
    ]


def test_it_reports_a_document_once_per_api_version_kind_and_source():
    annotation = json.dumps({"apiVersion": "extensions/v1beta1", "kind": "Ingress"})
    obj = {
        "apiVersion": "extensions/v1beta1",
        "kind": "Ingress",
        "metadata": {"name": "shop", "annotations": {"kubectl.kubernetes.io/last-applied-configuration": annotation}},
    }

    # The same removal listed twice, as two overlapping rows would.
    report = check([Document(0, obj, 1)], REMOVALS + REMOVALS, target="1.22")

    assert [(f.api_version, f.source) for f in report.findings] == [
        ("extensions/v1beta1", "apiVersion"),
        ("extensions/v1beta1", "last-applied-configuration"),
    ]


@pytest.mark.parametrize(
    "annotation",
    ['{"apiVersion": "extensions/v1beta1", "kind": ', "[]", '"just a string"', "[" * 10_000, 42, None],
    ids=["truncated", "a list", "a string", "deep", "a number", "null"],
)
def test_it_ignores_a_broken_last_applied_configuration(annotation):
    obj = deployment("apps/v1")
    obj["metadata"]["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": annotation}

    assert check([Document(0, obj, 1)], REMOVALS, target="1.22").findings == []


def test_it_takes_the_name_from_the_last_applied_configuration_when_the_object_has_none():
    annotation = json.dumps({"apiVersion": "batch/v1beta1", "kind": "CronJob", "metadata": {"name": "nightly"}})
    obj = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": annotation}},
    }

    (finding,) = check([Document(3, obj, 1)], REMOVALS, target="1.25").findings

    assert (finding.document, finding.name, finding.namespace) == (3, "nightly", None)


def test_report_as_dict_has_the_fields_of_the_api_contract():
    obj = deployment("extensions/v1beta1", volumes=docker_socket())

    report = check([Document(0, obj, 1)], REMOVALS, target="1.22").as_dict()

    assert set(report) == {"documents", "findings", "dockershim", "truncated"}
    assert set(report["findings"][0]) == {
        "document",
        "item",
        "line",
        "timing",
        "replacement_deprecated",
        "notable_changes",
        "advice",
        "guide_url",
        "kind",
        "name",
        "namespace",
        "api_version",
        "status",
        "deprecated_in",
        "removed_in",
        "replacement",
        "replacement_available_since",
        "source",
    }
    assert report["dockershim"] == [
        {"document": 0, "kind": "Deployment", "name": "web", "path": "/var/run/docker.sock", "line": 1}
    ]
    json.dumps(report)


# Dockershim exposure


def test_it_finds_a_deployment_mounting_the_docker_socket():
    text = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ci-runner
  namespace: ci
spec:
  selector:
    matchLabels: {app: ci-runner}
  template:
    metadata:
      labels: {app: ci-runner}
    spec:
      containers:
        - name: runner
          image: gitlab/gitlab-runner:v14.1.0
          volumeMounts:
            - name: docker-sock
              mountPath: /var/run/docker.sock
      volumes:
        - name: config
          configMap: {name: runner}
        - name: docker-sock
          hostPath:
            path: /var/run/docker.sock
            type: Socket
"""
    report = check_text(text, target="1.24")

    assert report.dockershim == [
        DockerSocketMount(
            document=0, kind="Deployment", name="ci-runner", path="/var/run/docker.sock", volume="docker-sock", line=1
        )
    ]
    assert report.findings == []


def test_it_finds_a_cronjob_mounting_run_docker_sock():
    text = """\
apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: image-prune
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: prune
              image: docker:20.10
              args: [image, prune, -af]
          volumes:
            - name: sock
              hostPath:
                path: /run/docker.sock
"""
    report = check_text(text, target="1.22")

    assert [m.as_dict() for m in report.dockershim] == [
        {"document": 0, "kind": "CronJob", "name": "image-prune", "path": "/run/docker.sock", "line": 1}
    ]
    assert [f.status for f in report.findings] == ["deprecated"]


@pytest.mark.parametrize(
    "path", ["/var/run/docker.sock/", "//var/run//docker.sock", "/run/docker.sock//", "/var/run/./docker.sock"]
)
def test_it_recognises_the_docker_socket_however_the_path_is_written(path):
    mounts = dockershim_of(deployment(volumes=docker_socket(path)))

    assert [m.path for m in mounts] == [path]


@pytest.mark.parametrize(
    "path",
    ["/var/run/containerd/containerd.sock", "/var/run/docker.sock.bak", "/var/lib/docker", "/var/run", "docker.sock"],
)
def test_it_ignores_other_host_paths(path):
    assert dockershim_of(deployment(volumes=docker_socket(path))) == []


@pytest.mark.parametrize(
    "obj",
    [
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"volumes": docker_socket()}},
        {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {"name": "p"},
            "spec": {"template": {"spec": {"volumes": docker_socket()}}},
        },
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "p"},
            "spec": {"template": {"spec": {"volumes": docker_socket()}}},
        },
    ],
    ids=["Pod", "DaemonSet", "Job"],
)
def test_it_finds_the_docker_socket_in_every_pod_bearing_kind(obj):
    assert [(m.kind, m.name) for m in dockershim_of(obj)] == [(obj["kind"], "p")]


def test_it_finds_docker_socket_mounts_in_custom_resources():
    rollout = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "canary"},
        "spec": {"template": {"spec": {"containers": [], "volumes": docker_socket()}}},
    }

    assert [(m.kind, m.name, m.path) for m in dockershim_of(rollout)] == [("Rollout", "canary", "/var/run/docker.sock")]


def test_it_reports_a_volume_list_shared_through_an_alias_once():
    text = """\
apiVersion: example.com/v1
kind: Runner
metadata: {name: r}
spec:
  build:
    volumes: &vols
      - name: sock
        hostPath: {path: /var/run/docker.sock}
  test:
    volumes: *vols
"""
    assert [m.path for m in check_text(text).dockershim] == ["/var/run/docker.sock"]


def test_it_survives_malformed_pod_specs():
    objs = [
        {"kind": "Deployment", "spec": {"template": {"spec": {"volumes": "not a list"}}}},
        {"kind": "Deployment", "spec": {"template": ["not", "a", "dict"]}},
        {"kind": "Pod", "spec": {"volumes": [None, 1, {"hostPath": "x"}, {"hostPath": {"path": 7}}]}},
        {"kind": "Widget", "spec": {"volumes": [{"hostPath": None}]}},
    ]

    report = check([Document(i, obj, 1) for i, obj in enumerate(objs)], REMOVALS, target="1.22")

    assert report.dockershim == []
    assert report.documents == 4


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_the_real_rules_flag_every_file_of_the_peer_corpus_as_expected(name):
    count, expected = CORPUS_EXPECTED[name]

    report = check(parse_manifests(read_corpus(name)), load_rules(), target="1.32")

    assert found(report) == expected
    assert all(f.status == "removed" and f.line for f in report.findings)
