"""The manifest checker's core: read manifests, compare them with the API rules.

Plain Python, no Django, so it can be tested and reused without a database:

    manifests = read_manifests(body)             # raises ManifestError
    report = check(manifests.documents, load_rules(), target="1.22", current="1.21")
    report.as_dict()                             # the check API's body, less the versions
"""

from .check import (
    DOCKER_SOCKET_PATHS,
    LAST_APPLIED_ANNOTATION,
    MAX_FINDINGS,
    DockerSocketMount,
    Finding,
    Removal,
    Report,
    check,
    rules_from_removals,
)
from .parse import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NODES,
    MAX_OBJECTS,
    Document,
    ManifestError,
    Manifests,
    parse_manifests,
    read_manifests,
)
from .rules import Replacement, Rule, RuleSet, load_rules

__all__ = [
    "DOCKER_SOCKET_PATHS",
    "LAST_APPLIED_ANNOTATION",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_FINDINGS",
    "MAX_NODES",
    "MAX_OBJECTS",
    "DockerSocketMount",
    "Document",
    "Finding",
    "ManifestError",
    "Manifests",
    "Removal",
    "Replacement",
    "Report",
    "Rule",
    "RuleSet",
    "check",
    "load_rules",
    "parse_manifests",
    "read_manifests",
    "rules_from_removals",
]
