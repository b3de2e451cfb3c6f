"""Read every KEP's `kep.yaml` from a kubernetes/enhancements checkout. Plain Python, no Django.

The files are dirty in known ways (see shared/data/upstream/SOURCE.md): the template
folder, a KEP number used twice, dates a plain YAML load refuses, status typos, and
milestone values such as `TBD`, `''`, `0.0`, `never`, `TODO` and `x.y`. None of them
stops the import: each is repaired or dropped, and counted in the report with the file it
came from, so a reader can see what was left out and why.

    result = load_keps(Path("…/enhancements/keps"))
    result.records      # [KepRecord], one per KEP number, sorted by number
    result.report.counts()  # {"milestone_dropped": 63, "duplicate_number": 1, …}
"""

import datetime
import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..versions import parse_minor, try_normalise

STAGES = ("alpha", "beta", "stable", "deprecated", "removed")
STAGE_RANK = {stage: rank for rank, stage in enumerate(STAGES)}
STATUSES = ("provisional", "implementable", "implemented", "deferred", "rejected", "withdrawn", "replaced")
STATUS_SYNONYMS = {"superseded": "replaced"}
# Statuses that mean "this file is not the live KEP"; a duplicate number keeps the other one.
RETIRED_STATUSES = {"replaced", "withdrawn", "rejected"}
KEP_BASE_URL = "https://github.com/kubernetes/enhancements/tree/master/keps/"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SIG = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$")  # "sig-node", "wg-device-management"


# libyaml's parser when PyYAML has it (ten times faster on 650 files), the same safe
# constructor either way.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StringDateLoader(_SafeLoader):
    """A safe loader without the timestamp resolver: `creation-date: 2024-13-45` stays the
    string it is instead of making the whole file fail to load."""


_StringDateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Problem:
    path: str
    detail: str


@dataclass
class ImportReport:
    files: int = 0
    problems: dict[str, list[Problem]] = field(default_factory=lambda: defaultdict(list))

    def add(self, kind: str, path: str, detail: str = "") -> None:
        self.problems[kind].append(Problem(path, detail))

    def counts(self) -> dict[str, int]:
        return {kind: len(found) for kind, found in sorted(self.problems.items())}

    def paths(self, kind: str) -> list[str]:
        return [p.path for p in self.problems.get(kind, [])]

    def summary(self) -> str:
        counts = ", ".join(f"{kind} {n}" for kind, n in self.counts().items())
        return f"{self.files} kep.yaml files read" + (f"; {counts}" if counts else "")


@dataclass
class KepRecord:
    number: int
    title: str
    path: str  # the KEP's folder relative to keps/, e.g. "sig-node/2400-node-swap"
    owning_sig: str
    participating_sigs: list[str]
    status: str  # one of STATUSES, or "" when the file's value means none of them
    feature_gates: list[str]
    milestones: dict[str, str]  # {stage: "1.22"}, normalised; unusable values dropped
    latest_milestone: str | None

    @property
    def url(self) -> str:
        return KEP_BASE_URL + self.path

    @property
    def slug(self) -> str:
        return self.path.rsplit("/", 1)[-1].removeprefix(f"{self.number}-") or str(self.number)

    def timeline(self) -> list[tuple[str, str]]:
        """[(version, stage)] oldest first: the stage the KEP entered in each release. A
        release the map names for two stages keeps the later stage."""
        by_version: dict[str, str] = {}
        for stage, version in self.milestones.items():
            if version not in by_version or STAGE_RANK[stage] > STAGE_RANK[by_version[version]]:
                by_version[version] = stage
        return sorted(by_version.items(), key=lambda item: parse_minor(item[0]))


@dataclass
class ImportResult:
    records: list[KepRecord]
    report: ImportReport

    def by_number(self) -> dict[int, KepRecord]:
        return {record.number: record for record in self.records}


def load_keps(root: Path) -> ImportResult:
    """Every KEP under `root` (the `keps/` folder), never raising on a bad file."""
    root = Path(root)
    report = ImportReport()
    found: dict[int, list[KepRecord]] = defaultdict(list)
    for path in sorted(root.glob("**/kep.yaml")):
        report.files += 1
        record = read_kep(path, root, report)
        if record is not None:
            found[record.number].append(record)
    records = []
    for number, candidates in sorted(found.items()):
        if len(candidates) > 1:
            kept = _pick_duplicate(candidates)
            for other in candidates:
                if other is not kept:
                    report.add("duplicate_number", other.path, f"KEP-{number} also in {kept.path}; kept that one")
            candidates = [kept]
        records.append(candidates[0])
    return ImportResult(records, report)


def _pick_duplicate(candidates: list[KepRecord]) -> KepRecord:
    # A file that says it was replaced or withdrawn loses to the live one; then the one
    # with a milestone map; then the first by path, so the choice is stable.
    return min(candidates, key=lambda r: (r.status in RETIRED_STATUSES, not r.milestones, r.path))


def read_kep(path: Path, root: Path, report: ImportReport) -> KepRecord | None:
    rel = path.parent.relative_to(root).as_posix()
    if path.parent.name.startswith("NNNN-"):
        report.add("template", rel, "the KEP template, not a KEP")
        return None
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_StringDateLoader)  # noqa: S506 (a SafeLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        report.add("yaml_error", rel, str(error).splitlines()[0][:200])
        return None
    if not isinstance(data, dict):
        report.add("not_a_mapping", rel, f"top level is {type(data).__name__}")
        return None
    number = _number(data.get("kep-number"))
    if number is None:
        kind = "template" if str(data.get("kep-number", "")).upper().startswith("NNNN") else "missing_number"
        report.add(kind, rel, f"kep-number {data.get('kep-number')!r}")
        return None
    for key in ("creation-date", "last-updated"):
        value = data.get(key)
        if value is not None and not _is_date(value):
            report.add("invalid_date", rel, f"{key} {value!r}")
    title = _text(data.get("title"))
    if not title:
        report.add("missing_title", rel)
        title = f"KEP-{number}"
    return KepRecord(
        number=number,
        title=title,
        path=rel,
        owning_sig=_owning_sig(data.get("owning-sig"), rel, report),
        participating_sigs=_sigs(data.get("participating-sigs"), rel, report),
        status=_status(data.get("status"), rel, report),
        feature_gates=_feature_gates(data.get("feature-gates"), rel, report),
        milestones=_milestones(data.get("milestone"), rel, report),
        latest_milestone=_latest(data.get("latest-milestone"), rel, report),
    )


def _number(value) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value.strip())
    return None


def _text(value) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _is_date(value) -> bool:
    text = str(value).strip().strip("'\"")
    if not _DATE.match(text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _owning_sig(value, rel: str, report: ImportReport) -> str:
    slug, folder = _text(value), rel.split("/", 1)[0]
    if _SIG.match(slug):
        return slug
    if not slug:
        return folder  # keps/<sig>/<number>-<name>/ says whose it is
    report.add("sig_invalid", rel, f"owning-sig {value!r}: the folder's {folder} instead")
    return folder


def _sigs(value, rel: str, report: ImportReport) -> list[str]:
    if not isinstance(value, list):
        return []
    slugs = []
    for item in value:
        slug = _text(item)
        if _SIG.match(slug):
            slugs.append(slug)
        elif slug:
            report.add("sig_invalid", rel, f"participating SIG {item!r} is not a SIG's slug")
    return list(dict.fromkeys(slugs))


def normalise_status(value) -> tuple[str, str | None]:
    """(status, problem) for a kep.yaml `status`: one of STATUSES (or "" when it means
    none of them), and the report's name for what was wrong with it, if anything."""
    if value is None:
        return "", "status_missing"
    raw = _text(value).lower()
    word = re.split(r"[\s(#|]", raw, maxsplit=1)[0] if raw else ""
    if word in STATUSES and word == raw:
        return word, None
    if "|" in raw:
        return "", "status_unknown"  # the template's placeholder, copied unchanged
    if word in STATUSES:
        return word, None  # "implemented (alpha)": a note after the status
    if word in STATUS_SYNONYMS:
        return STATUS_SYNONYMS[word], "status_normalised"
    close = difflib.get_close_matches(word, STATUSES, n=1, cutoff=0.8)
    if close:
        return close[0], "status_typo"
    return "", "status_unknown"


def _status(value, rel: str, report: ImportReport) -> str:
    status, problem = normalise_status(value)
    if problem:
        report.add(problem, rel, f"status {value!r} → {status or 'none'}")
    return status


def _feature_gates(value, rel: str, report: ImportReport) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        report.add("feature_gate_invalid", rel, f"feature-gates is {type(value).__name__}")
        return []
    names = []
    for gate in value:
        name = _text(gate.get("name")) if isinstance(gate, dict) else ""
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", name):
            report.add("feature_gate_invalid", rel, f"feature gate {gate!r}")
            continue
        names.append(name)
    return list(dict.fromkeys(names))


def _version(value, rel: str, report: ImportReport, what: str) -> str | None:
    """ "v1.22" and "1.22" alike; anything else dropped and counted."""
    text = _text(value).strip("'\"")
    if "," in text:
        first = text.split(",", 1)[0]
        report.add("milestone_several_versions", rel, f"{what} {value!r}: kept {first.strip()}")
        text = first
    version = try_normalise(text)
    if version is None or version.startswith("0."):
        kind = "latest_milestone_dropped" if what == "latest-milestone" else "milestone_dropped"
        report.add(kind, rel, f"{what} {value!r}")
        return None
    return version


def _milestones(value, rel: str, report: ImportReport) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        report.add("milestone_dropped", rel, f"milestone is {type(value).__name__}")
        return {}
    milestones = {}
    for stage, raw in value.items():
        if stage not in STAGE_RANK:
            report.add("milestone_stage_unknown", rel, f"milestone.{stage} {raw!r}")
            continue
        version = _version(raw, rel, report, f"milestone.{stage}")
        if version is not None:
            milestones[stage] = version
    by_version = defaultdict(list)
    for stage, version in milestones.items():
        by_version[version].append(stage)
    for version, stages in by_version.items():
        if len(stages) > 1:
            report.add("milestone_same_release", rel, f"{' and '.join(stages)} both {version}")
    return milestones


def _latest(value, rel: str, report: ImportReport) -> str | None:
    if value is None:
        return None
    return _version(value, rel, report, "latest-milestone")
