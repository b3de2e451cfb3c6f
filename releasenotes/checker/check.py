"""Check parsed manifests against the API rules and for Docker socket mounts.

Plain Python, no Django: ``manifests.check_request`` calls ``check`` with the rule table
(``rules.load_rules()``) and answers with ``Report.as_dict()`` plus the versions it was
asked for. ``Removal`` values (one API version, several kinds) still work, for tests.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from releasenotes.versions import VersionError, parse_minor, try_normalise

from .parse import Document, collector_paused
from .rules import Replacement, Rule, RuleSet

__all__ = [
    "DOCKER_SOCKET_PATHS",
    "LAST_APPLIED_ANNOTATION",
    "DockerSocketMount",
    "Finding",
    "Removal",
    "Report",
    "check",
    "rules_from_removals",
]

LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"
DOCKER_SOCKET_PATHS = frozenset({"/var/run/docker.sock", "/run/docker.sock"})

SOURCE_API_VERSION = "apiVersion"
SOURCE_LAST_APPLIED = "last-applied-configuration"
STATUS_REMOVED = "removed"
STATUS_DEPRECATED = "deprecated"

# Where each built-in workload keeps its pod spec.
_POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


# Built-in kinds that hold no pod spec: not worth walking for `volumes` lists.
_WITHOUT_POD_SPEC = frozenset(
    {
        "Service", "Ingress", "IngressClass", "ConfigMap", "Secret", "ServiceAccount", "Namespace",
        "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding", "NetworkPolicy", "Endpoints",
        "EndpointSlice", "PersistentVolumeClaim", "PersistentVolume", "StorageClass",
        "HorizontalPodAutoscaler", "PodDisruptionBudget", "PriorityClass", "LimitRange", "ResourceQuota",
        "CustomResourceDefinition", "Lease", "Event",
    }
)  # fmt: skip


def _is_core_group(api_version: Any) -> bool:
    """A Kubernetes API group (no dot, or ending in .k8s.io), not a custom resource's."""
    if not isinstance(api_version, str):
        return False
    group = api_version.rpartition("/")[0]
    return "." not in group or group.endswith(".k8s.io")


@dataclass(frozen=True)
class Removal:
    """One removed API version and the kinds it served.

    ``api_version`` is "group/version" (or "v1" for the core group); versions are
    Kubernetes minors such as "1.22". ``removed_in`` must parse (ValueError otherwise).
    """

    api_version: str
    kinds: tuple[str, ...]
    removed_in: str
    deprecated_in: str | None = None
    replacement: str = ""
    replacement_available_since: str | None = None
    slug: str = ""

    def __post_init__(self) -> None:
        # Accept any iterable of kinds (a list from a JSONField, say) but store a tuple,
        # so a Removal stays hashable.
        if isinstance(self.kinds, str):
            raise TypeError("Removal.kinds takes a sequence of kinds, not one string")
        object.__setattr__(self, "kinds", tuple(self.kinds))
        try:
            parse_minor(self.removed_in)
        except VersionError as exc:
            raise ValueError(f"Removal {self.slug or self.api_version}: {exc}") from None


@dataclass(frozen=True)
class Finding:
    """An object that uses an API version the target release deprecates or no longer serves."""

    document: int  # 0-based, as written (the numbering errors use too)
    kind: str
    name: str | None
    namespace: str | None
    api_version: str
    status: str  # "removed" or "deprecated"
    deprecated_in: str | None
    removed_in: str | None
    replacement: str
    replacement_available_since: str | None
    source: str  # "apiVersion" or "last-applied-configuration"
    replacement_deprecated: bool = False  # the target deprecates every version it serves
    slug: str = ""  # the removed-APIs page entry, for the view to link to; not in as_dict()
    line: int | None = None
    item: int | None = None  # 0-based place in a List's items
    timing: str = ""  # "already-broken", "breaks-on-upgrade" or "breaks-later"
    notable_changes: dict[str, str] = field(default_factory=dict)
    advice: dict[str, str] = field(default_factory=dict)
    guide_url: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "item": self.item,
            "line": self.line,
            "kind": self.kind,
            "name": self.name,
            "namespace": self.namespace,
            "api_version": self.api_version,
            "status": self.status,
            "timing": self.timing,
            "deprecated_in": self.deprecated_in,
            "removed_in": self.removed_in,
            "replacement": self.replacement,
            "replacement_available_since": self.replacement_available_since,
            "replacement_deprecated": self.replacement_deprecated,
            "source": self.source,
            "notable_changes": {"en": self.notable_changes.get("en", ""), "ko": self.notable_changes.get("ko", "")},
            "advice": {"en": self.advice.get("en", ""), "ko": self.advice.get("ko", "")},
            "guide_url": self.guide_url,
        }


@dataclass(frozen=True)
class DockerSocketMount:
    """A pod volume that mounts the Docker socket from the node (gone with dockershim).

    ``name`` is the object's name; ``volume`` the volume's, kept for display but not part
    of as_dict(); ``path`` is the hostPath as written.
    """

    document: int
    kind: str | None
    name: str | None
    path: str
    volume: str | None = None
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"document": self.document, "kind": self.kind, "name": self.name, "path": self.path, "line": self.line}


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    dockershim: list[DockerSocketMount] = field(default_factory=list)
    documents: int = 0
    truncated: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The body of the check API without "current" and "target", which the view adds."""
        return {
            "documents": self.documents,
            "truncated": self.truncated,
            "findings": [finding.as_dict() for finding in self.findings],
            "dockershim": [mount.as_dict() for mount in self.dockershim],
        }


TIMING_ALREADY_BROKEN = "already-broken"
TIMING_ON_UPGRADE = "breaks-on-upgrade"
TIMING_LATER = "breaks-later"
MAX_FINDINGS = 1_000


def rules_from_removals(removals: Iterable[Removal]) -> RuleSet:
    """A RuleSet from Removal values (one per API version, several kinds)."""
    rules = []
    for removal in removals:
        replacements = (
            (Replacement(removal.replacement, _version(removal.replacement_available_since)),)
            if removal.replacement
            else ()
        )
        for kind in removal.kinds:
            rules.append(
                Rule(
                    api_version=removal.api_version.strip(),
                    kind=kind,
                    deprecated_in=_version(removal.deprecated_in),
                    removed_in=_version(removal.removed_in),
                    replacements=replacements,
                    slug=removal.slug,
                )
            )
    return RuleSet(rules)


def check(
    documents: Sequence[Document],
    rules: RuleSet | Iterable[Removal],
    target: str,
    current: str | None = None,
    *,
    max_findings: int = MAX_FINDINGS,
) -> Report:
    """Report deprecated or removed API versions and Docker socket mounts in documents.

    An API version is "removed" at a target at or after its ``removed_in``, "deprecated"
    from its ``deprecated_in`` until then, and not reported before. Each finding names a
    replacement the target serves and does not deprecate, and says whether the object is
    already broken on ``current`` or breaks on the way to ``target``. Raises ValueError if
    ``target`` or ``current`` is not a Kubernetes version.
    """
    target_minor = parse_minor(target)  # VersionError is a ValueError
    current_minor = parse_minor(current) if current is not None else None
    ruleset = rules if isinstance(rules, RuleSet) else rules_from_removals(rules)
    with collector_paused():
        return _check(documents, ruleset, target_minor, current_minor, max_findings)


def _check(documents, ruleset, target_minor, current_minor, max_findings) -> Report:
    report = Report(documents=len(documents))
    for document in documents:
        obj = document.obj
        if not isinstance(obj, dict):
            continue
        name, namespace = _identity(obj)
        seen: set[tuple[str, str, str]] = set()
        for api_version, kind, source, fallback in _api_versions(obj):
            key = (api_version, kind, source)
            rule = ruleset.get(api_version, kind)
            if rule is None or key in seen:
                continue
            seen.add(key)
            status = rule.status_at(target_minor)
            if status is None:
                continue
            if len(report.findings) >= max_findings:
                report.truncated = True
                break
            report.findings.append(
                _finding(
                    document,
                    rule,
                    ruleset,
                    status,
                    target_minor,
                    current_minor,
                    name,
                    namespace,
                    fallback,
                    api_version,
                    kind,
                    source,
                )
            )
        room = max_findings - len(report.dockershim)
        mounts = list(islice(_docker_socket_mounts(document, obj, name), room + 1))
        if len(mounts) > room:
            report.truncated = True
        report.dockershim.extend(mounts[:room])
    return report


def _finding(document, rule, ruleset, status, target, current, name, namespace, fallback, api_version, kind, source):
    if status == STATUS_REMOVED:
        already = current is not None and parse_minor(rule.removed_in) <= current
        timing = TIMING_ALREADY_BROKEN if already else TIMING_ON_UPGRADE
    else:
        timing = TIMING_LATER
    replacement = ruleset.replacement_at(rule, target)
    fallback_name, fallback_namespace = fallback
    return Finding(
        document=document.position,
        item=document.item,
        line=document.line,
        kind=kind,
        name=name if name is not None else fallback_name,
        namespace=namespace if namespace is not None else fallback_namespace,
        api_version=api_version,
        status=status,
        timing=timing,
        deprecated_in=rule.deprecated_in,
        removed_in=rule.removed_in,
        replacement=replacement.api_version if replacement else "",
        replacement_available_since=replacement.since if replacement else None,
        replacement_deprecated=bool(replacement and replacement.deprecated),
        source=source,
        slug=rule.slug,
        notable_changes=rule.notable_changes if replacement else {},
        advice={} if replacement else ruleset.advice_for(rule),
        guide_url=rule.guide_url,
    )


def _version(text: str | None) -> str | None:
    """Normalise "v1.22" to "1.22"; pass anything that is not a version through unchanged."""
    if text is None or text == "":
        return None
    return try_normalise(text) or text


def _identity(obj: dict[str, Any]) -> tuple[str | None, str | None]:
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict):
        return None, None
    return _text(metadata.get("name")), _text(metadata.get("namespace"))


def _text(value: Any) -> str | None:
    """A name as a string. YAML reads `name: 1234` as a number; Kubernetes would not."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _api_versions(
    obj: dict[str, Any],
) -> Iterator[tuple[str, str, str, tuple[str | None, str | None]]]:
    """(apiVersion, kind, source, (name, namespace) fallback) for the object and, when
    kubectl recorded one, the configuration it was last applied with."""
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if isinstance(api_version, str) and isinstance(kind, str):
        yield api_version.strip(), kind, SOURCE_API_VERSION, (None, None)

    applied = _last_applied(obj)
    if applied is not None:
        api_version, kind = applied.get("apiVersion"), applied.get("kind")
        if isinstance(api_version, str) and isinstance(kind, str):
            yield api_version.strip(), kind, SOURCE_LAST_APPLIED, _identity(applied)


def _last_applied(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The parsed last-applied-configuration annotation, or None if absent or unreadable."""
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict):
        return None
    annotations = metadata.get("annotations")
    if not isinstance(annotations, dict):
        return None
    raw = annotations.get(LAST_APPLIED_ANNOTATION)
    if not isinstance(raw, str):
        return None
    try:
        applied = json.loads(raw)
    except (ValueError, RecursionError):  # a hand-edited or truncated annotation
        return None
    return applied if isinstance(applied, dict) else None


# Docker socket mounts


def _docker_socket_mounts(document: Document, obj: dict[str, Any], name: str | None) -> Iterator[DockerSocketMount]:
    kind = obj.get("kind") if isinstance(obj.get("kind"), str) else None
    path = _POD_SPEC_PATHS.get(kind) if kind else None
    if kind in _WITHOUT_POD_SPEC and _is_core_group(obj.get("apiVersion")):
        return
    if path is not None:
        pod_spec = _dig(obj, path)
        volume_lists = [pod_spec.get("volumes")] if isinstance(pod_spec, dict) else []
    else:
        # Custom resources (Argo Rollouts, Knative services, operators' CRs) embed pod
        # specs wherever they like; any `volumes` list anywhere is worth a look.
        volume_lists = list(_find_volume_lists(obj))

    for volumes in volume_lists:
        if not isinstance(volumes, list):
            continue
        for volume in volumes:
            host_path = _host_path(volume)
            if host_path is not None and _is_docker_socket(host_path):
                yield DockerSocketMount(
                    document=document.position,
                    line=document.line,
                    kind=kind,
                    name=name,
                    path=host_path,
                    volume=_text(volume.get("name")),
                )


def _dig(obj: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _find_volume_lists(obj: Any) -> Iterator[list[Any]]:
    """Every list under a `volumes` key, walking iteratively (no recursion limit) and
    visiting each container once (YAML aliases can share one list between places)."""
    stack = [obj]
    seen: set[int] = set()
    yielded: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, dict):
            volumes = current.get("volumes")
            if isinstance(volumes, list) and id(volumes) not in yielded:
                yielded.add(id(volumes))
                yield volumes
            stack.extend(v for v in current.values() if isinstance(v, (dict, list)))
        elif isinstance(current, list):
            stack.extend(v for v in current if isinstance(v, (dict, list)))


def _host_path(volume: Any) -> str | None:
    if not isinstance(volume, dict):
        return None
    host_path = volume.get("hostPath")
    if not isinstance(host_path, dict):
        return None
    path = host_path.get("path")
    return path if isinstance(path, str) else None


_SLASHES = re.compile(r"/+")


def _is_docker_socket(path: str) -> bool:
    """True for /var/run/docker.sock and /run/docker.sock, however many slashes.

    The kubelet mounts the path as written; `//var/run/docker.sock/` is the same file.
    """
    normal = posixpath.normpath(_SLASHES.sub("/", path.strip()))
    return normal in DOCKER_SOCKET_PATHS
