"""The manifest checker's one front door, shared by the checker page, the check API and
`manage.py check_manifests`: `check_request()`.

Everything about a check request lives here: which versions may be asked for, how large an
input may be, how a request body or form becomes the manifests, and the error envelope
({"code", "message", "document", "line"}) every door answers with. The reading and
checking itself is plain Python in `checker/`. Nothing a person submits is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .checker import Finding, ManifestError, Report, check, load_rules, read_manifests
from .markup import render_markdown
from .versions import VersionError, normalise, parse_minor

# The removed-API pages and the upgrade path cover the official guide's removals, 1.16 to
# 1.32: elsewhere "removed nothing" would be a guess.
FIRST_TARGET, LAST_TARGET = 16, 32
# The checker's rules (the guide plus pluto's table) reach further.
LAST_CHECK_TARGET = 34

# The page repeats a paste back only up to this size, and lists at most this many findings;
# the API and the command give them all (up to checker.MAX_FINDINGS, then `truncated`).
PAGE_ECHO_LIMIT = 64 * 1024
PAGE_FINDINGS_SHOWN = 200

# Names of the multipart field (file or text) that carries the manifests; the first is
# the one to use, the second what the checker page used to call its upload.
FIELD_NAMES = ("manifests", "file")


def known_targets() -> list[str]:
    """Releases the removed-API pages cover."""
    return [f"1.{minor}" for minor in range(FIRST_TARGET, LAST_TARGET + 1)]


def check_targets() -> list[str]:
    """Releases a manifest check can target."""
    return [f"1.{minor}" for minor in range(FIRST_TARGET, LAST_CHECK_TARGET + 1)]


def check_currents() -> list[str]:
    return [f"1.{minor}" for minor in range(FIRST_TARGET - 1, LAST_CHECK_TARGET)]


class CheckRequestError(Exception):
    """A request the checker cannot answer with findings, and the status to answer with.

    `message` is the precise English detail (the API's contract); `describe()` is the
    explanation for people, in the active language.
    """

    def __init__(self, code: str, message: str, *, document=None, line=None, status=400, display=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.document = document
        self.line = line
        self.status = status
        self._display = display

    @classmethod
    def from_manifest_error(cls, error: ManifestError) -> CheckRequestError:
        return cls(
            error.code,
            error.message,
            document=error.document,
            line=error.line,
            status=413 if error.code == "too_large" else 400,
            display=describe_error(error),
        )

    def describe(self) -> str:
        return self._display or self.message

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "document": self.document, "line": self.line}


def clean_versions(target: str | None, current: str | None) -> tuple[str, str | None]:
    targets, currents = check_targets(), check_currents()
    try:
        target = normalise(target or "")
    except VersionError:
        target = None
    if target not in targets:
        raise CheckRequestError(
            "unknown_target",
            _("Unknown target version. Known versions: %(versions)s.") % {"versions": ", ".join(targets)},
        )
    if current:
        try:
            current = normalise(current)
        except VersionError:
            current = None
        if current not in currents:
            raise CheckRequestError(
                "unknown_current",
                _("Unknown current version. Known versions: %(versions)s.") % {"versions": ", ".join(currents)},
            )
        if parse_minor(current) >= parse_minor(target):
            raise CheckRequestError("bad_range", _("The current version must be older than the target."))
    return target, current or None


@dataclass
class CheckResult:
    """A check's answer: the report, the documents that could not be read, the versions."""

    target: str
    current: str | None
    report: Report
    errors: list[ManifestError] = field(default_factory=list)
    truncated: bool = False

    @property
    def findings(self) -> list[Finding]:
        return self.report.findings

    def exit_code(self) -> int:
        """pluto's: 3 when something is removed at the target, 2 when deprecated only, else 0."""
        statuses = {f.status for f in self.report.findings}
        return 3 if "removed" in statuses else 2 if statuses else 0

    def as_dict(self, absolute=lambda url: url) -> dict[str, Any]:
        """The check API's body (DESIGN.md); `absolute` turns a path into a full URL."""
        body = self.report.as_dict()
        for data, finding in zip(body["findings"], self.report.findings, strict=True):
            url = finding_url(finding)
            data["url"] = absolute(url) if url else None
        return {
            "current": self.current,
            "target": self.target,
            **body,
            "truncated": self.truncated,
            "errors": [error.as_dict() for error in self.errors],
        }


def check_request(body: bytes | str, target: str | None, current: str | None = None) -> CheckResult:
    """Check manifests for an upgrade to `target` (from `current`); the one entry point.

    Raises CheckRequestError for unknown versions, and for input that cannot be checked at
    all (too large, not text, duplicate keys, an unrendered template, no object). A
    document that cannot be read is listed in `errors` while the others are checked.
    """
    target, current = clean_versions(target, current)
    if not body:
        raise CheckRequestError("empty", _("Paste manifests or choose a file to check."))
    try:
        manifests = read_manifests(body, max_bytes=settings.CHECKER_MAX_BYTES)
    except ManifestError as error:
        raise CheckRequestError.from_manifest_error(error) from None
    report = check(manifests.documents, load_rules(), target=target, current=current)
    return CheckResult(
        target=target,
        current=current,
        report=report,
        errors=manifests.errors,
        truncated=manifests.truncated or report.truncated,
    )


def too_large() -> CheckRequestError:
    return CheckRequestError.from_manifest_error(
        ManifestError("too_large", f"The body is larger than {settings.CHECKER_MAX_BYTES} bytes.")
    )


# Media types whose body is the manifests as they are.
RAW_TYPES = (
    "application/yaml",
    "application/x-yaml",
    "text/yaml",
    "text/x-yaml",
    "application/json",
    "text/plain",
    "application/octet-stream",
    # `curl --data-binary @deploy.yaml` without -H sends this, with the file as it is.
    "application/x-www-form-urlencoded",
    "",
)


def refuse_oversized(meta, slack: int = 0) -> None:
    """Refuse a body whose Content-Length says it is too large, before reading it."""
    length = meta.get("CONTENT_LENGTH") or ""
    if length.isdigit() and int(length) > settings.CHECKER_MAX_BYTES + slack:
        raise too_large()


def body_from_request(request) -> bytes | str:
    """The manifests of a request whose body is them (see RAW_TYPES): any charset
    parameter, a chunked body, and curl's default form type are all fine."""
    limit = settings.CHECKER_MAX_BYTES
    media_type = (request.content_type or "").strip().lower()
    if media_type not in RAW_TYPES:
        raise CheckRequestError(
            "unsupported_media_type",
            f"Send application/yaml, application/json or multipart/form-data, not {media_type}.",
            status=415,
        )
    refuse_oversized(request.META)
    chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
    if chunked and not request.META.get("CONTENT_LENGTH"):
        # No Content-Length: Django's own stream would read nothing. The server (gunicorn)
        # has already undone the chunking; read what it hands over, up to the limit.
        body = request.META["wsgi.input"].read(limit + 1)
    else:
        body = request.read(limit + 1)
    if len(body) > limit:
        raise too_large()
    if media_type == "application/x-www-form-urlencoded" and body.startswith(b"manifests="):
        # A real form (curl --data-urlencode manifests@deploy.yaml): take its field.
        body = QueryDict(body, encoding="utf-8").get("manifests", "")
    return body


def body_from_form(data, files, required: bool = False) -> bytes | str:
    """The manifests of a form post: an uploaded file, else the pasted text, under either
    field name. Raises CheckRequestError when the upload is too large, or when `required`
    and there is none."""
    for name in FIELD_NAMES:
        # A browser sends an empty file part when no file was chosen: skip it.
        for upload in files.getlist(name) if hasattr(files, "getlist") else [files.get(name)]:
            if upload is not None and upload.size:
                if upload.size > settings.CHECKER_MAX_BYTES:
                    raise too_large()
                return upload.read()
    for name in FIELD_NAMES:
        for text in data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]:
            if text:
                return text
    if required:
        raise CheckRequestError("missing_field", "Send the manifests in a multipart field named 'manifests'.")
    return ""


def finding_url(finding: Finding) -> str | None:
    """The removed-APIs page entry for a finding, where the site has one."""
    if not finding.slug or not finding.removed_in or finding.removed_in not in known_targets():
        return None
    return reverse("releasenotes:removed-apis", kwargs={"version": finding.removed_in}) + f"#{finding.slug}"


ERROR_MESSAGES = {
    "invalid_yaml": lambda e: (
        _("The YAML could not be read (document %(document)s, line %(line)s).")
        % {"document": _one_based(e.document), "line": e.line or "?"}
    ),
    "invalid_json": lambda e: _("The JSON could not be read (line %(line)s).") % {"line": e.line or "?"},
    "not_text": lambda e: _("This does not look like a text file of YAML or JSON."),
    "too_large": lambda e: _("The manifests are larger than 1 MiB."),
    "too_complex": lambda e: _(
        "The input holds too many values, aliases or levels of nesting to check safely. Split it into smaller inputs."
    ),
    "not_an_object": lambda e: (
        _("Document %(document)s is not a Kubernetes object.") % {"document": _one_based(e.document)}
    ),
    "empty": lambda e: _("There is no Kubernetes object in the input."),
    "duplicate_key": lambda e: (
        _("Document %(document)s sets the same key twice (the second time at line %(line)s). Remove one of them.")
        % {"document": _one_based(e.document), "line": e.line or "?"}
    ),
    "helm_template": lambda e: (
        _(
            "Document %(document)s is an unrendered Helm template (line %(line)s). "
            "Run “helm template” on the chart and check its output instead."
        )
        % {"document": _one_based(e.document), "line": e.line or "?"}
    ),
}


def _one_based(index):
    return "?" if index is None else index + 1


def describe_error(error: ManifestError) -> str:
    """The error in the page language, for people; the API keeps the core's English detail too."""
    describe = ERROR_MESSAGES.get(error.code)
    return describe(error) if describe else error.message


# The page


@dataclass
class FindingView:
    """A finding as the page shows it, in the page's language."""

    finding: Finding
    url: str | None
    notable_changes: str  # sanitised HTML
    advice: str  # sanitised HTML


def _in_language(texts: dict[str, str]) -> str:
    language = (get_language() or "en").split("-")[0]
    return texts.get(language) or texts.get("en") or ""


@cache
def _html(markdown: str):
    return render_markdown(markdown) if markdown else ""


def group_by_release(
    result: CheckResult, limit: int = PAGE_FINDINGS_SHOWN
) -> list[tuple[str | None, list[FindingView]]]:
    """The first `limit` findings, grouped by the release that removes their API (oldest first;
    deprecations with no removal scheduled last)."""

    def order(finding):
        return (
            parse_minor(finding.removed_in) if finding.removed_in else (99, 99),
            finding.document,
            finding.line or 0,
        )

    groups: dict[str | None, list[FindingView]] = {}
    for finding in sorted(result.findings, key=order)[:limit]:
        view = FindingView(
            finding,
            finding_url(finding),
            _html(_in_language(finding.notable_changes)),
            _html(_in_language(finding.advice)),
        )
        groups.setdefault(finding.removed_in, []).append(view)
    return list(groups.items())
