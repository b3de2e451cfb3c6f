"""The registrations: everything the site holds that search finds."""

from django.utils.translation import gettext_lazy as _

from ..models import ApiRemoval, Enhancement, FaqEntry, FeatureGate, GlossaryTerm, Release, ReleaseNote, StageEntry
from ..versions import try_normalise
from .index import plain
from .registry import Document, Url, register
from .text import tidy, variants


def _between(first: str, last: str) -> list[str]:
    """Every minor release from `first` to `last` ("1.20", "1.24" → 1.20 … 1.24)."""
    first, last = try_normalise(first or ""), try_normalise(last or "")
    if not (first and last):
        return [v for v in (first, last) if v]
    (major, start), (_major, end) = (map(int, v.split(".")) for v in (first, last))
    return [f"{major}.{minor}" for minor in range(start, end + 1)]


def _releases_of_enhancement(entry):
    return [entry.enhancement]


@register(
    Enhancement,
    kind="enhancement",
    label=_("Enhancement"),
    queryset=lambda: Enhancement.objects.prefetch_related("stages__release"),
    depends_on={StageEntry: _releases_of_enhancement},
)
def enhancement(e: Enhancement) -> Document:
    stages = sorted(e.stages.all(), key=lambda s: (s.release.major, s.release.minor))
    return Document(
        titles=(e.title_en, e.title_ko),
        keywords=[*e.feature_gates, *e.aliases],
        bodies=(plain(e.summary_en), plain(e.summary_ko)),
        releases=[s.release.version for s in stages],
        url=Url("releasenotes:enhancement-detail", {"kep_number": e.kep_number}),
        kep_number=e.kep_number,
        tracking_issue=e.tracking_issue,
    )


def _gates_of_enhancement(e):
    return list(e.gates.all())


@register(
    FeatureGate,
    kind="feature_gate",
    label=_("Feature gate"),
    queryset=lambda: FeatureGate.objects.select_related("kep").prefetch_related("kep__stages__release"),
    depends_on={Enhancement: _gates_of_enhancement},
)
def feature_gate(g: FeatureGate) -> Document:
    kep = g.kep
    stages = sorted(kep.stages.all(), key=lambda s: (s.release.major, s.release.minor)) if kep else []
    return Document(
        titles=(g.name, g.name),
        bodies=(f"KEP-{kep.kep_number}: {kep.title_en}", f"KEP-{kep.kep_number}: {kep.title_ko or kep.title_en}")
        if kep
        else ("", ""),
        releases=[s.release.version for s in stages],
        url=Url("releasenotes:feature-gate-detail", {"name": g.name}),
    )


@register(
    ApiRemoval,
    kind="removed_api",
    label=_("Removed API"),
    queryset=lambda: ApiRemoval.objects.select_related("removed_in"),
    # A removed API's URL names its release's version.
    depends_on={Release: lambda release: ApiRemoval.objects.filter(removed_in=release).select_related("removed_in")},
)
def removed_api(r: ApiRemoval) -> Document:
    title = f"{r.api_version} {', '.join(r.kinds)}"
    # The arrow says "replaced by" in either language, without translating at index time.
    lead = f"{r.api_version} → {r.replacement or '—'}."
    return Document(
        titles=(title, title),
        names=[r.api_version, *r.kinds, *(f"{r.api_version} {kind}" for kind in r.kinds)],
        bodies=(
            " ".join(filter(None, [lead, plain(r.notable_changes_en), plain(r.note_en)])),
            " ".join(filter(None, [lead, plain(r.notable_changes_ko), plain(r.note_ko)])),
        ),
        releases=[r.removed_in.version],
        url=Url("releasenotes:removed-apis", {"version": r.removed_in.version}, r.slug),
    )


@register(FaqEntry, kind="faq", label=_("FAQ"))
def faq(f: FaqEntry) -> Document:
    return Document(
        titles=(f.question_en, f.question_ko),
        bodies=(plain(f.answer_en), plain(f.answer_ko)),
        releases=_between(f.applies_from, f.applies_until),
        url=Url("releasenotes:dockershim", {}, f.slug),
    )


@register(GlossaryTerm, kind="glossary", label=_("Glossary"))
def glossary_term(t: GlossaryTerm) -> Document:
    return Document(
        titles=(f"{t.english} — {t.korean}", f"{t.korean} — {t.english}"),
        # Other names are found, never shown: renderings we do not use stay out of our Korean.
        names=[*variants(t.english), *variants(t.korean), *(v for s in t.synonyms for v in variants(s))],
        bodies=(plain(t.note_en), plain(t.note_ko)),  # notes are Markdown
        url=Url("releasenotes:glossary", {}, t.slug),
    )


def _short(text: str, limit: int = 100) -> str:
    """The start of a text, cut at a space: a title for items that have none."""
    text = tidy(text)
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit] + " …"


@register(
    ReleaseNote,
    kind="release_note",
    label=_("Release note"),
    queryset=lambda: ReleaseNote.objects.select_related("release"),
)
def release_note(n: ReleaseNote) -> Document:
    body_en, body_ko = plain(n.text_en), plain(n.text_ko)
    return Document(
        titles=(_short(body_en), _short(body_ko)),
        keywords=[*n.feature_gates],
        bodies=(body_en, body_ko),
        releases=[n.release.version],
        url=Url("releasenotes:release-notes", {"version": n.release.version}, f"pr-{n.pr_number}", f"pr={n.pr_number}"),
    )
