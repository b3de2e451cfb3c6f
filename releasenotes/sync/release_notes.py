"""Step (b): every published release note of 1.19–1.34, from the release tool's JSON as
kubernetes-sigs/release-notes and kubernetes/sig-release publish it (Apache-2.0), plus our
Korean texts from releasenotes/content/release_notes_ko/1.NN.yaml.

A file with bad entries imports the valid ones and reports the others by file and key; a
file that does not parse changes nothing. The feature gates a note names are found by
matching the gate names declared in every kep.yaml.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings
from simple_history.utils import bulk_create_with_history

from ..cache import bump_content_version
from ..importers.keps import load_keps
from ..models import NoteFacet, NoteLabel, Release, ReleaseNote
from ..versions import try_normalise
from .ledger import upsert_many
from .report import SyncReport

UPSTREAM = Path(settings.BASE_DIR).parent / "shared" / "data" / "upstream"
NOTES_DIR = UPSTREAM / "release-notes"
KEPS_DIR = UPSTREAM / "enhancements" / "keps"
KOREAN_DIR = Path(__file__).resolve().parents[1] / "content" / "release_notes_ko"
SOURCE = "kubernetes-sigs/release-notes, kubernetes/sig-release (Apache-2.0)"

_FILE_NAME = re.compile(r"^release-notes-(\d+\.\d+)(?:\.0|-draft)\.json$")
_KEP_MENTIONS = re.compile(
    r"\bKEP[- ]?#?(\d{1,5})\b|enhancements/issues/(\d{1,5})\b|/keps/sig-[a-z-]+/(?:[a-z-]+/)?(\d{1,5})-",
    re.IGNORECASE,
)


class NoteError(ValueError):
    pass


def sig_slug(name: str) -> str:
    """ "node", "sig-node" and "SIG Node" → "sig-node"."""
    slug = re.sub(r"[\s_]+", "-", str(name).strip().lower())
    slug = slug.removeprefix("sig-")
    return f"sig-{slug}" if slug else ""


def declared_feature_gates(keps_dir: Path = KEPS_DIR) -> set[str]:
    """Every feature gate a KEP declares, as the KEP reader reads its kep.yaml. Only names
    that start with a capital, as Kubernetes names its gates: they are looked for in prose."""
    return {gate for record in load_keps(keps_dir).records for gate in record.feature_gates if gate[:1].isupper()}


def gate_matcher(names):
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9_])({alternatives})(?![A-Za-z0-9_])")


def mentioned_keps(text: str) -> list[int]:
    found = {int(next(g for g in match.groups() if g)) for match in _KEP_MENTIONS.finditer(text)}
    return sorted(n for n in found if n > 0)


def _strings(value, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise NoteError(f"{what} must be a list of strings")
    return value


@dataclass
class ParsedNote:
    pr_number: int
    markdown: str
    author: str
    kinds: list[str]
    sigs: list[str]
    areas: list[str]
    action_required: bool
    documentation: list[dict]


def parse_note(entry) -> ParsedNote | None:
    """One entry of the JSON; None when it must not be published; NoteError when invalid."""
    if not isinstance(entry, dict):
        raise NoteError("not an object")
    if entry.get("do_not_publish"):
        return None
    try:
        pr_number = int(entry.get("pr_number"))
    except (TypeError, ValueError):
        raise NoteError("pr_number is not a number") from None
    if pr_number <= 0:
        raise NoteError("pr_number is not a PR number")
    markdown = entry.get("markdown") or entry.get("text")
    if not isinstance(markdown, str) or not markdown.strip():
        raise NoteError("markdown is empty")
    docs = entry.get("documentation") or []
    if not isinstance(docs, list) or not all(isinstance(d, dict) and isinstance(d.get("url"), str) for d in docs):
        raise NoteError("documentation must be a list of links")
    author = entry.get("author") or ""
    return ParsedNote(
        pr_number=pr_number,
        markdown=markdown.strip(),
        author=author if isinstance(author, str) else "",
        kinds=sorted({k.removeprefix("kind/") for k in _strings(entry.get("kinds"), "kinds")}),
        sigs=sorted({sig_slug(s) for s in _strings(entry.get("sigs"), "sigs") if sig_slug(s)}),
        areas=sorted({a.removeprefix("area/") for a in _strings(entry.get("areas"), "areas")}),
        action_required=entry.get("action_required") is True,
        documentation=[
            {"description": str(d.get("description") or ""), "url": d["url"], "type": str(d.get("type") or "")}
            for d in docs
        ],
    )


def read_notes_file(path: Path, problems: list[str]) -> list[ParsedNote] | None:
    """The publishable notes of one file; None when the file cannot be read at all."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        problems.append(f"{path.name}: not readable JSON ({error}); nothing imported from it")
        return None
    if not isinstance(data, dict):
        problems.append(f"{path.name}: not an object keyed by PR number; nothing imported from it")
        return None
    notes, seen = [], set()
    for key, entry in data.items():
        try:
            note = parse_note(entry)
        except NoteError as error:
            problems.append(f"{path.name}: {key}: {error}")
            continue
        if note is None:
            continue
        if note.pr_number in seen:
            problems.append(f"{path.name}: {key}: PR #{note.pr_number} appears twice; the first one is kept")
            continue
        seen.add(note.pr_number)
        notes.append(note)
    return notes


def read_korean_file(path: Path, problems: list[str]) -> dict[int, str]:
    """{pr: Korean Markdown} from one release_notes_ko/1.NN.yaml; {} when it does not parse."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        problems.append(f"release_notes_ko/{path.name}: not readable YAML ({error}); nothing imported from it")
        return {}
    if not isinstance(data, list):
        problems.append(f"release_notes_ko/{path.name}: not a list of {{pr, text_ko}}; nothing imported from it")
        return {}
    texts = {}
    for position, entry in enumerate(data):
        key = entry.get("pr", f"#{position}") if isinstance(entry, dict) else f"#{position}"
        text = entry.get("text_ko") if isinstance(entry, dict) else None
        if not isinstance(key, int) or isinstance(key, bool) or key <= 0:
            problems.append(f"release_notes_ko/{path.name}: {key}: pr must be a PR number")
        elif not isinstance(text, str) or not text.strip():
            problems.append(f"release_notes_ko/{path.name}: {key}: text_ko is empty")
        else:
            texts[key] = text.strip()
    return texts


def notes_files(notes_dir: Path = NOTES_DIR) -> dict[str, Path]:
    """{version: path}, the GA file when both a GA file and a draft exist."""
    found = {}
    for path in sorted(notes_dir.glob("release-notes-*.json")):
        match = _FILE_NAME.match(path.name)
        if match and (match.group(1) not in found or path.name.endswith(".0.json")):
            found[match.group(1)] = path
    return found


def _labels(notes: list[ParsedNote]) -> dict[tuple[str, str], int]:
    wanted = {(NoteFacet.KIND.value, k) for n in notes for k in n.kinds}
    wanted |= {(NoteFacet.SIG.value, s) for n in notes for s in n.sigs}
    wanted |= {(NoteFacet.AREA.value, a) for n in notes for a in n.areas}
    existing = {(label.facet, label.slug): label.pk for label in NoteLabel.objects.all()}
    missing = [NoteLabel(facet=f, slug=s) for f, s in sorted(wanted - set(existing))]
    if missing:
        NoteLabel.objects.bulk_create(missing)
        existing = {(label.facet, label.slug): label.pk for label in NoteLabel.objects.all()}
    return existing


def import_release_notes(
    report: SyncReport,
    notes_dir: Path = NOTES_DIR,
    korean_dir: Path = KOREAN_DIR,
    keps_dir: Path = KEPS_DIR,
) -> None:
    step = report.current
    matcher = gate_matcher(declared_feature_gates(keps_dir))
    releases = {r.version: r for r in Release.objects.all()}
    parsed = {}
    for version, path in notes_files(notes_dir).items():
        if try_normalise(version) not in releases:
            step.problems.append(f"{path.name}: release {version} is not in releases.yaml; skipped")
            continue
        notes = read_notes_file(path, step.problems)
        if notes is not None:
            parsed[version] = (path, notes)
    labels = _labels([n for _, notes in parsed.values() for n in notes])
    for version, (path, notes) in parsed.items():
        korean_path = korean_dir / f"{version}.yaml"
        korean = read_korean_file(korean_path, step.problems) if korean_path.exists() else {}
        known = {n.pr_number for n in notes}
        for pr in sorted(set(korean) - known):
            step.problems.append(f"release_notes_ko/{korean_path.name}: {pr}: no such note in {path.name}")
        release = releases[version]
        rows = []
        for note in notes:
            row = {
                "release": release.pk,
                "pr_number": note.pr_number,
                "text_en": note.markdown,
                "action_required": note.action_required,
                "author": note.author,
                "documentation": note.documentation,
                "feature_gates": sorted(set(matcher.findall(note.markdown))) if matcher else [],
                "kep_numbers": mentioned_keps(" ".join([note.markdown, *(d["url"] for d in note.documentation)])),
                "labels": sorted(
                    labels[(facet, value)]
                    for facet, values in (("kind", note.kinds), ("sig", note.sigs), ("area", note.areas))
                    for value in values
                ),
            }
            if note.pr_number in korean:
                # Only notes we wrote Korean for: an editor's Korean elsewhere is left alone.
                row["text_ko"] = korean[note.pr_number]
            rows.append(row)
        upsert_many(
            ReleaseNote,
            "pr_number",
            rows,
            report,
            source=f"{path.name} ({SOURCE})",
            scope={"release": release},
            create=lambda objs: bulk_create_with_history(objs, ReleaseNote, batch_size=500),
        )
    # New notes' links are written in bulk, past the signal that keeps their label ids;
    # this also mends any written so elsewhere. Derived data: not a change to report.
    if ReleaseNote.refresh_label_ids():
        bump_content_version()


def sync_release_notes(report: SyncReport, dry_run: bool) -> None:
    report.step("release notes")
    import_release_notes(report)
