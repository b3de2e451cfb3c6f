"""Glue between the checker core (plain Python) and the database, shared by the
checker page and the check API. Nothing a person submits is stored."""

from django.conf import settings
from django.utils.translation import gettext as _

from .checker import ManifestError, Removal, Report, check, parse_manifests
from .models import ApiRemoval
from .versions import VersionError, normalise, parse_minor

# The removed-API data runs from 1.16 to 1.32, so those are the releases a check or an
# upgrade path can target; "current" may be one release older.
FIRST_TARGET, LAST_TARGET = 16, 32


def known_targets() -> list[str]:
    return [f"1.{minor}" for minor in range(FIRST_TARGET, LAST_TARGET + 1)]


def known_currents() -> list[str]:
    return [f"1.{minor}" for minor in range(FIRST_TARGET - 1, LAST_TARGET)]


class CheckRequestError(Exception):
    """A problem with the request itself (not its manifests): unknown versions."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def as_dict(self):
        return {"code": self.code, "message": self.message, "document": None, "line": None}


def clean_versions(target: str | None, current: str | None) -> tuple[str, str | None]:
    listed = ", ".join(known_targets())
    try:
        target = normalise(target or "")
    except VersionError:
        target = None
    if target not in known_targets():
        raise CheckRequestError(
            "unknown_target", _("Unknown target version. Known versions: %(versions)s.") % {"versions": listed}
        )
    if current:
        try:
            current = normalise(current)
        except VersionError:
            current = None
        if current not in known_currents():
            raise CheckRequestError(
                "unknown_current",
                _("Unknown current version. Known versions: %(versions)s.") % {"versions": ", ".join(known_currents())},
            )
        if parse_minor(current) >= parse_minor(target):
            raise CheckRequestError("bad_range", _("The current version must be older than the target."))
    return target, current or None


def load_removals(rows=None) -> list[Removal]:
    """The checker's view of the removed APIs; `rows` lets a caller reuse the rows after."""
    rows = ApiRemoval.objects.with_releases() if rows is None else rows
    return [
        Removal(
            api_version=r.api_version,
            kinds=r.kinds,
            removed_in=r.removed_in.version,
            deprecated_in=r.deprecated_in.version if r.deprecated_in else None,
            replacement=r.replacement,
            replacement_available_since=(
                r.replacement_available_since.version if r.replacement_available_since else None
            ),
            slug=r.slug,
        )
        for r in rows
    ]


def run_check(body: bytes | str, target: str, current: str | None, rows=None) -> Report:
    """Parse and check; raises ManifestError for input that can't be read. The removals
    are read only once the input has parsed."""
    documents = parse_manifests(body, max_bytes=settings.CHECKER_MAX_BYTES)
    return check(documents, load_removals(rows), target=target, current=current)


ERROR_MESSAGES = {
    "invalid_yaml": lambda e: (
        _("The YAML could not be read (document %(document)s, line %(line)s).")
        % {"document": _one_based(e.document), "line": e.line or "?"}
    ),
    "invalid_json": lambda e: _("The JSON could not be read (line %(line)s).") % {"line": e.line or "?"},
    "not_text": lambda e: _("This does not look like a text file of YAML or JSON."),
    "too_large": lambda e: _("The manifests are larger than 1 MiB."),
    "too_complex": lambda e: _("The YAML uses too many aliases or is nested too deeply to check safely."),
    "not_an_object": lambda e: (
        _("Document %(document)s is not a Kubernetes object.") % {"document": _one_based(e.document)}
    ),
    "empty": lambda e: _("There is no Kubernetes object in the input."),
}


def _one_based(index):
    return "?" if index is None else index + 1


def describe_error(error: ManifestError) -> str:
    """The error in the page language, for people; the API keeps the core's English detail too."""
    describe = ERROR_MESSAGES.get(error.code)
    return describe(error) if describe else error.message


def group_by_release(report: Report) -> list[tuple[str, list]]:
    """Findings grouped by the release that removes their API, oldest release first."""
    groups: dict[str, list] = {}
    for finding in sorted(report.findings, key=lambda f: (parse_minor(f.removed_in), f.document)):
        groups.setdefault(finding.removed_in, []).append(finding)
    return list(groups.items())
