"""Step: every KEP from the upstream `kep.yaml` files, and the feature gates they declare.

Trust order: the facts file (shipped as fixtures by the content step, including its
`correction_2026_12` notes) owns the 56 items of 1.22 — their titles, summaries, SIGs,
gates and timelines — and is the whole list of what 1.22 shipped. Every other KEP comes
from its kep.yaml: English title, SIGs, status, feature gates, and a stage entry for each
release its normalised milestone map names, from the first release on to the last one the
site covers. Korean titles come from content/kep_titles_ko.yaml when it is there.

Everything is written through the ledger, so a value an editor changed stays.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection
from simple_history.utils import bulk_create_with_history

from .. import dataset, search
from ..cache import bump_content_version
from ..importers.keps import ImportResult, KepRecord, load_keps
from ..models import Enhancement, FeatureGate, Release, Sig, StageEntry
from ..versions import is_after_covered, parse_minor
from .ledger import retire, upsert, upsert_many
from .report import SyncReport

KEPS_DIR = Path(settings.BASE_DIR).parent / "shared" / "data" / "upstream" / "enhancements" / "keps"
TITLES_KO = dataset.CONTENT_DIR / "kep_titles_ko.yaml"
MAP_SOURCE = "kep.yaml milestone map"
# Words a SIG's slug spells in lower case that its name spells otherwise.
_SIG_WORDS = {"sig": "SIG", "wg": "WG", "api": "API", "cli": "CLI", "ui": "UI", "aws": "AWS", "etcd": "etcd"}


def sig_name(slug: str) -> str:
    """ "sig-api-machinery" → "SIG API Machinery"."""
    return " ".join(_SIG_WORDS.get(word, word.capitalize()) for word in slug.split("-"))


def korean_titles(path: Path = TITLES_KO) -> dict[int, str]:
    if not path.exists():
        return {}
    return {int(row["kep"]): str(row["title_ko"]).strip() for row in dataset.load_yaml(path) or []}


def facts_keps(facts_path: Path = dataset.DEFAULT_FACTS) -> set[int]:
    return {item["kep_number"] for item in dataset.load_yaml(facts_path)["enhancements"]["items"]}


def entry_pk(kep: int, version: str) -> int:
    """The fixtures' scheme, so an entry keeps its id from one sync to the next."""
    return kep * 100 + parse_minor(version)[1]


def planned_timeline(record: KepRecord, problems: list[str]) -> list[tuple[str, str]]:
    """The record's timeline as the site stores it: 1.22 belongs to the facts file, and a
    release after the last covered one is a plan, not a fact."""
    kept = []
    for version, stage in record.timeline():
        if version == dataset.CURRENT:
            problems.append(f"{record.path}: milestone.{stage} {version}: not in the facts file's list for {version}")
        elif is_after_covered(version):
            problems.append(f"{record.path}: milestone.{stage} {version}: planned, after the releases covered")
        else:
            kept.append((version, stage))
    return kept


def sync_keps(report: SyncReport, dry_run: bool, keps_dir: Path = KEPS_DIR, titles_path: Path = TITLES_KO) -> None:
    step = report.step("KEPs")
    result: ImportResult = load_keps(keps_dir)
    for kind, found in result.report.problems.items():
        step.problems.extend(f"{p.path}: {kind}: {p.detail}" for p in found)
    owned_by_facts = facts_keps()
    titles = korean_titles(titles_path)
    records = [r for r in result.records if r.number not in owned_by_facts]

    sigs = {s.slug: s.pk for s in Sig.objects.all()}
    for slug in sorted({r.owning_sig for r in records} | {s for r in records for s in r.participating_sigs}):
        if slug not in sigs:
            sigs[slug] = upsert(Sig, {"slug": slug}, {"name": sig_name(slug)}, report, MAP_SOURCE).pk

    taken = dict(Enhancement.objects.values_list("slug", "kep_number"))
    rows = []
    for r in records:
        slug = r.slug[:90]
        if taken.setdefault(slug, r.number) != r.number:
            slug = f"{slug}-{r.number}"
        rows.append(
            {
                "id": r.number,
                "kep_number": r.number,
                "tracking_issue": r.number,
                "slug": slug,
                "title_en": r.title[:200],
                "title_ko": titles.get(r.number, "")[:200],
                "owning_sig": sigs[r.owning_sig],
                "participating_sigs": sorted(sigs[s] for s in r.participating_sigs if s != r.owning_sig),
                "feature_gates": r.feature_gates,
                "status": r.status,
                "kep_url": r.url,
            }
        )
    upsert_many(Enhancement, "kep_number", rows, report, MAP_SOURCE, create=_with_history(Enhancement))

    timelines = {r.number: planned_timeline(r, step.problems) for r in records}
    versions = sorted({v for timeline in timelines.values() for v, _ in timeline}, key=parse_minor)
    releases = {r.version: r.pk for r in Release.objects.filter(version__in=versions)}
    for version in versions:
        if version not in releases:
            releases[version] = upsert(Release, {"version": version}, {}, report, MAP_SOURCE).pk
    entries = [
        {
            "id": entry_pk(kep, version),
            "enhancement": kep,
            "release": releases[version],
            "stage": stage,
            "source": MAP_SOURCE,
        }
        for kep, timeline in timelines.items()
        for version, stage in timeline
    ]
    upsert_many(StageEntry, "id", entries, report, MAP_SOURCE, create=_with_history(StageEntry))
    # A map rewritten later (a stage moved to another release, or dropped) leaves entries
    # an earlier sync wrote for the KEPs read now: those go, unless an editor changed them.
    dropped = StageEntry.objects.filter(enhancement__in=list(timelines), source=MAP_SOURCE).exclude(
        id__in=[entry["id"] for entry in entries]
    )
    retire(StageEntry, dropped.select_related("enhancement", "release"), report)

    sync_feature_gates(report, owned_by_facts)
    reset_sequences(Enhancement, StageEntry)
    if not dry_run and report.current.changed:
        # Bulk writes send no signals: bring the search index and the page cache up to date.
        search.rebuild()
        bump_content_version()


def sync_feature_gates(report: SyncReport, owned_by_facts: set[int]) -> None:
    """A row per gate any enhancement names. Its KEP (whose timeline is the gate's) is the
    facts file's when the facts name it, else the lowest-numbered KEP that declares it."""
    declared: dict[str, list[int]] = {}
    for kep, gates in Enhancement.objects.order_by("kep_number").values_list("kep_number", "feature_gates"):
        for name in gates or []:
            declared.setdefault(name, []).append(kep)
    rows = []
    for name, keps in sorted(declared.items()):
        primary = next((k for k in keps if k in owned_by_facts), keps[0])
        rows.append({"name": name, "kep": primary, "keps": sorted(keps)})
    upsert_many(FeatureGate, "name", rows, report, MAP_SOURCE)


def reset_sequences(*models) -> None:
    """Rows written with chosen ids (the KEP number, as the fixtures do) leave PostgreSQL's
    id sequences behind; move them past the highest id, as loaddata does."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _with_history(model):
    def create(objs):
        return bulk_create_with_history(objs, model, batch_size=500, default_change_reason="sync_content")

    return create
