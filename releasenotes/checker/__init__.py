"""The manifest checker's core: read manifests, compare them with API removals.

Plain Python, no Django, so it can be tested and reused without a database:

    documents = parse_manifests(body)           # raises ManifestError
    report = check(documents, removals, target="1.22", current="1.21")
    report.as_dict()                             # the check API's body, less the versions
"""

from .check import (
    DOCKER_SOCKET_PATHS,
    LAST_APPLIED_ANNOTATION,
    DockerSocketMount,
    Finding,
    Removal,
    Report,
    check,
)
from .parse import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NODES,
    Document,
    ManifestError,
    parse_manifests,
)

__all__ = [
    "DOCKER_SOCKET_PATHS",
    "LAST_APPLIED_ANNOTATION",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "DockerSocketMount",
    "Document",
    "Finding",
    "ManifestError",
    "Removal",
    "Report",
    "check",
    "parse_manifests",
]
