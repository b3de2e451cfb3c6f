"""Check parsed manifests against API removals and for Docker socket mounts.

Plain Python, no Django: the view turns ``ApiRemoval`` rows into ``Removal`` values,
calls ``check`` and answers with ``Report.as_dict()`` plus the versions it was asked for.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from releasenotes.versions import VersionError, parse_minor, try_normalise

from .parse import Document

__all__ = [
    "DOCKER_SOCKET_PATHS",
    "LAST_APPLIED_ANNOTATION",
    "DockerSocketMount",
    "Finding",
    "Removal",
    "Report",
    "check",
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
    """A document that uses an API version a release removes."""

    document: int
    kind: str
    name: str | None
    namespace: str | None
    api_version: str
    status: str  # "removed" or "deprecated"
    deprecated_in: str | None
    removed_in: str
    replacement: str
    replacement_available_since: str | None
    source: str  # "apiVersion" or "last-applied-configuration"
    slug: str  # the Removal's slug, for the view to link to; not part of as_dict()

    def as_dict(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "kind": self.kind,
            "name": self.name,
            "namespace": self.namespace,
            "api_version": self.api_version,
            "status": self.status,
            "deprecated_in": self.deprecated_in,
            "removed_in": self.removed_in,
            "replacement": self.replacement,
            "replacement_available_since": self.replacement_available_since,
            "source": self.source,
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

    def as_dict(self) -> dict[str, Any]:
        return {"document": self.document, "kind": self.kind, "name": self.name, "path": self.path}


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    dockershim: list[DockerSocketMount] = field(default_factory=list)
    documents: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The body of the check API without "current" and "target", which the view adds."""
        return {
            "documents": self.documents,
            "findings": [finding.as_dict() for finding in self.findings],
            "dockershim": [mount.as_dict() for mount in self.dockershim],
        }


def check(
    documents: Sequence[Document],
    removals: Iterable[Removal],
    target: str,
    current: str | None = None,
) -> Report:
    """Report removed or deprecated API versions and Docker socket mounts in documents.

    A removal at or before ``target`` is "removed"; a later one is "deprecated". Raises
    ValueError if ``target`` or ``current`` is not a Kubernetes version.
    """
    target_minor = parse_minor(target)  # VersionError is a ValueError
    if current is not None:
        # An object whose API was removed at or before `current` can't exist on the
        # current cluster either; it is still reported as removed, so `current` is only
        # validated here.
        parse_minor(current)

    index = _index(removals)
    report = Report(documents=len(documents))
    for document in documents:
        obj = document.obj
        if not isinstance(obj, dict):
            continue
        name, namespace = _identity(obj)
        seen: set[tuple[str, str, str]] = set()
        for api_version, kind, source, fallback in _api_versions(obj):
            key = (api_version, kind, source)
            removal = index.get((api_version, kind))
            if removal is None or key in seen:
                continue
            seen.add(key)
            fallback_name, fallback_namespace = fallback
            report.findings.append(
                Finding(
                    document=document.index,
                    kind=kind,
                    name=name if name is not None else fallback_name,
                    namespace=namespace if namespace is not None else fallback_namespace,
                    api_version=api_version,
                    status=(STATUS_REMOVED if parse_minor(removal.removed_in) <= target_minor else STATUS_DEPRECATED),
                    deprecated_in=_version(removal.deprecated_in),
                    removed_in=_version(removal.removed_in) or removal.removed_in,
                    replacement=removal.replacement or "",
                    replacement_available_since=_version(removal.replacement_available_since),
                    source=source,
                    slug=removal.slug,
                )
            )
        report.dockershim.extend(_docker_socket_mounts(document.index, obj, name))
    return report


def _index(removals: Iterable[Removal]) -> dict[tuple[str, str], Removal]:
    """(api_version, kind) -> Removal; if two rows claim the pair, the earlier removal wins."""
    index: dict[tuple[str, str], Removal] = {}
    for removal in removals:
        for kind in removal.kinds:
            key = (removal.api_version.strip(), kind)
            known = index.get(key)
            if known is None or parse_minor(removal.removed_in) < parse_minor(known.removed_in):
                index[key] = removal
    return index


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


def _docker_socket_mounts(document: int, obj: dict[str, Any], name: str | None) -> Iterator[DockerSocketMount]:
    kind = obj.get("kind") if isinstance(obj.get("kind"), str) else None
    path = _POD_SPEC_PATHS.get(kind) if kind else None
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
                    document=document,
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
