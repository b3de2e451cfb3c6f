from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Prefetch
from django.db.models.fields.json import KT
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from . import manifests
from .cache import public_page
from .checker.rules import GUIDE_URL
from .dataset import FAQ_TIMELINE_KEY
from .facets import enhancement_facets
from .filters import (
    LIST_STAGES,
    SORTS,
    EnhancementFilter,
    FeatureGateFilter,
    ReleaseNoteFilter,
    ReleaseNoteIndex,
    by_stage,
    clean_enhancement_query,
    clean_note_query,
    facet_counts,
    json_value,
    note_choices,
    note_facet_groups,
    note_labels,
    order_enhancements,
    plain_rows,
    plain_rows_once,
    without,
)
from .forms import UpgradeForm
from .models import (
    ApiRemoval,
    Enhancement,
    FaqEntry,
    FaqTopic,
    FeatureGate,
    GlossaryTerm,
    Release,
    ReleaseNote,
    Sig,
    Snippet,
    Stage,
    StageEntry,
    Theme,
)
from .search import search as find
from .search.forms import NarrowingForm
from .search.presentation import EXAMPLE_QUERIES, popular_enhancements
from .search.text import MAX_QUERY_LENGTH
from .templatetags.releasenotes import content, stage_badge
from .upgrade import upgrade_path
from .versions import covered_releases, parse_minor

PAGE_SIZE = 25
LIST_PAGE_SIZE = 60  # a whole release's enhancements (56 in 1.22) on one page
NOTES_PAGE_SIZE = 50


def current_release_or_404():
    release = Release.objects.current()
    if release is None:
        raise Http404(_("No release has been loaded yet."))
    return release


@public_page
def home(request):
    return render(request, "releasenotes/home.html", _overview(current_release_or_404()))


def _overview(release):
    """What the site says in full about a documented release (the home page's content)."""
    counts = Enhancement.objects.for_release(release.version).stage_counts()
    return {
        "release": release,
        "counts": counts,
        "entered": release.entered_stages(),
        "records_total": counts[Stage.STABLE] + counts[Stage.BETA] + counts[Stage.ALPHA],
        "themes": Theme.objects.filter(release=release).prefetch_related("enhancements"),
        "stages": LIST_STAGES,
        "removed_count": ApiRemoval.objects.removed_in(release.version).count(),
    }


@public_page
def release_index(request):
    return render(request, "releasenotes/release_index.html", {"releases": Release.objects.with_note_counts()})


@public_page
def release_detail(request, version):
    release = get_object_or_404(Release.objects.with_note_counts(), version=version)
    notes = ReleaseNote.objects.in_release(release).for_display()
    context = {
        **(_overview(release) if release.documented else {"release": release, "entered": release.entered_stages()}),
        "action_required": ReleaseNote.attach_labels(notes.action_required().order_by("pr_number")),
        "deprecation_count": notes.deprecations().count(),
        "removals": ApiRemoval.objects.with_releases().removed_in(release.version),
    }
    return render(request, "releasenotes/release_detail.html", context)


@public_page
def release_notes(request, version):
    """The notes browser: facets combined with AND, a count on each value, state in the URL.

    Filtered, counted and paged from one read of the release's notes as plain rows
    (ReleaseNoteIndex); only the page's notes are read in full. The filters are the
    release-notes API's (ReleaseNoteFilter), whose form checks any value that is not
    plainly valid."""
    labels = note_labels()
    choices = note_choices(labels)
    data = clean_note_query(request.GET, version, choices)
    if data is None:
        query = request.GET.copy()
        query["release"] = version
        filterset = ReleaseNoteFilter(query, queryset=ReleaseNote.objects.all(), request=request, labels=labels)
        if not filterset.is_valid():
            if "release" in filterset.errors:
                raise Http404(version)
            context = {"version": version, "filter": filterset, "invalid": True}
            return render(request, "releasenotes/release_notes.html", context, status=400)
        data = filterset.form.cleaned_data
    index = ReleaseNoteIndex(version, labels, data.get("q") or "")
    paginator = Paginator(index.results(data), NOTES_PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        raise Http404(_("There is no such page of results.")) from None
    page.object_list = index.notes(page.object_list)
    groups, chips = note_facet_groups(choices, data, index.facet_counts(data), request.GET)
    count = paginator.count
    heading = ngettext("%(counter)s note", "%(counter)s notes", count) % {"counter": count}
    context = {"version": version, "page": page, "heading": heading, "facet_groups": groups, "chips": chips}
    return render(request, "releasenotes/release_notes.html", context)


@public_page
def enhancement_list(request):
    data = clean_enhancement_query(request.GET)
    if data is None:
        filterset = EnhancementFilter(request.GET, queryset=Enhancement.objects.all(), request=request)
        if not filterset.is_valid():
            context = {"filter": filterset, "invalid": True}
            return render(request, "releasenotes/enhancement_list.html", context, status=400)
        data = filterset.form.cleaned_data
    release = data.get("release")
    if not release:
        raise Http404(_("No release has been loaded yet."))
    # One release's enhancements (sixty-odd at most), read whole with every filter but
    # the SIG: the SIG facet is counted from them, and the chosen SIG's rows are listed.
    sort = data.get("sort")
    if data.get("q"):  # the search's statement depends on its text
        listed = plain_rows(enhancement_listing(data))
    else:
        key = ("enhancement list", release, data.get("stage"), data.get("theme"), sort, get_language())
        listed = plain_rows_once(key, lambda: enhancement_listing(data))
    if sort == "stage":
        listed = by_stage(listed, itemgetter(EnhancementRow.STAGE))
    sig = EnhancementRow.SIG
    counts = facet_counts(data, [row[sig : sig + 2] for row in listed])
    chosen = data.get("sig")
    rows = [row for row in listed if row[sig] == chosen.slug] if chosen else listed
    paginator = Paginator(rows, LIST_PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        raise Http404(_("There is no such page of results.")) from None
    page.object_list = EnhancementRow.build(page.object_list)
    sigs = [SigChoice(slug, name) for slug, name in _sig_facet(counts, chosen)]
    groups, chips = enhancement_facets(request.GET, release, covered_releases(), sigs, LIST_STAGES, counts)
    context = {
        "release": release,
        "page": page,
        "facets": counts,
        "facet_groups": groups,
        "chips": chips,
        "sorts": SORTS,
    }
    return render(request, "releasenotes/enhancement_list.html", context)


def enhancement_listing(data):
    """The enhancement list's rows, every filter in `data` applied but the SIG, in the order
    asked for: the columns of EnhancementRow, named per language already (no
    modeltranslation fallback rewriting)."""
    listing = order_enhancements(without(data, "sig"), data.get("sort"))
    return listing.rewrite(False).values_list(*EnhancementRow.COLUMNS)


def route(viewname: str, kwarg: str, sentinel):
    """value -> the URL of `viewname` with `kwarg` set to it, from one reverse() call:
    a list links dozens of rows to the same route. Only for values that URLs carry as
    they are (numbers, slugs), as the route's converter guarantees for its own values."""
    head, tail = _route_parts(viewname, kwarg, sentinel, get_language(), get_script_prefix())
    return lambda value: f"{head}{value}{tail}"


@lru_cache(maxsize=64)
def _route_parts(viewname: str, kwarg: str, sentinel, language: str, script_prefix: str) -> tuple[str, str]:
    # What comes before and after the value: it depends on the route, the language and the
    # mount point only, so each is reversed once per process (as jinja_env.url does).
    # Called while `language` is the active one: it only keys the memo.
    head, _sentinel, tail = reverse(viewname, kwargs={kwarg: sentinel}).rpartition(str(sentinel))
    return head, tail


class EnhancementRow:
    """One row of the enhancement list (rows.enhancement_rows draws it), made from only
    the columns the row shows, read as plain rows (filters.plain_rows); of its translation
    sources only the title's, which the database takes out of the JSON; its title as
    `content` draws it, its links made once per list rather than once per row (its stage
    badge is drawn once per language by stage_badge)."""

    COLUMNS = (
        "kep_number",
        "title_en",
        "title_ko",
        KT("translation_sources__title"),  # what the Korean title was written from
        "feature_gates",
        "owning_sig__slug",
        "owning_sig__name",
        "release_stage",
        "release_theme",
    )
    SIG = COLUMNS.index("owning_sig__slug")  # then the SIG's name
    STAGE = COLUMNS.index("release_stage")
    __slots__ = (
        "kep_number",
        "title_en",
        "title_ko",
        "translation_sources",
        "title",
        "gates",
        "sig_name",
        "release_theme",
        "url",
        "sig_url",
        "stage_badge",
    )

    @classmethod
    def build(cls, values) -> list["EnhancementRow"]:
        detail_url = route("releasenotes:enhancement-detail", "kep_number", 0)
        sig_url = route("releasenotes:sig-detail", "slug", "sig")
        language = get_language() or "en"
        rows = []
        for kep, title_en, title_ko, title_source, gates, sig_slug, sig_name, stage, theme in values:
            row = cls()
            row.kep_number, row.title_en, row.title_ko = kep, title_en, title_ko
            row.translation_sources = {"title": title_source} if title_source else {}
            row.title = content(row, "title", language=language)
            row.gates = ", ".join(json_value(gates, ()))
            row.sig_name, row.release_theme = sig_name, theme
            row.url, row.sig_url = detail_url(kep), sig_url(sig_slug)
            row.stage_badge = stage_badge(stage, language) if stage else ""
            rows.append(row)
        return rows


class SigChoice(NamedTuple):
    slug: str
    name: str


def _sig_facet(facets, chosen):
    """(slug, name) of the SIGs with results, and the chosen one even without."""
    names = dict(facets["sig_names"])
    if chosen is not None:
        names.setdefault(chosen.slug, chosen.name)
    return sorted(names.items(), key=lambda item: item[1].casefold())


@public_page
def enhancement_detail(request, kep_number):
    enhancement = get_object_or_404(
        Enhancement.objects.select_related("owning_sig").prefetch_related(
            "participating_sigs",
            Prefetch("stages", queryset=StageEntry.objects.select_related("release")),
            "themes",
            "gates",
        ),
        kep_number=kep_number,
    )
    context = {
        "enhancement": enhancement,
        "timeline": list(enhancement.stages.all()),
        "gates": {gate.name: gate for gate in enhancement.gates.all()},
        "notes": ReleaseNote.objects.naming(enhancement),
    }
    return render(request, "releasenotes/enhancement_detail.html", context)


@public_page
def feature_gate_list(request):
    filterset = FeatureGateFilter(request.GET, queryset=FeatureGate.objects.select_related("kep"))
    if not filterset.is_valid():
        return render(
            request, "releasenotes/feature_gate_list.html", {"filter": filterset, "invalid": True}, status=400
        )
    paginator = Paginator(filterset.qs.order_by("name"), PAGE_SIZE * 2)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        raise Http404(_("There is no such page of results.")) from None
    context = {
        "filter": filterset,
        "page": page,
        "release": filterset.form.cleaned_data.get("release") or current_release_or_404(),
        "releases": Release.objects.covered(),
        "stages": LIST_STAGES,
    }
    return render(request, "releasenotes/feature_gate_list.html", context)


@public_page
def feature_gate_detail(request, name):
    gate = get_object_or_404(
        FeatureGate.objects.select_related("kep__owning_sig").prefetch_related(
            Prefetch("kep__stages", queryset=StageEntry.objects.select_related("release")),
            Prefetch("keps", queryset=Enhancement.objects.order_by("kep_number")),
        ),
        name=name,
    )
    context = {
        "gate": gate,
        "timeline": gate.timeline(),
        "per_release": gate.stage_per_release(covered_releases()),
    }
    return render(request, "releasenotes/feature_gate_detail.html", context)


@public_page
def sig_list(request):
    release = current_release_or_404()
    sigs = Sig.objects.all()
    counts = Enhancement.objects.for_release(release.version).counts_by_sig_and_stage()
    rows = [(sig, counts[sig.pk]) for sig in sigs if sig.pk in counts]
    context = {"release": release, "rows": rows, "stages": LIST_STAGES}
    return render(request, "releasenotes/sig_list.html", context)


@public_page
def sig_detail(request, slug):
    sig = get_object_or_404(Sig, slug=slug)
    release = current_release_or_404()
    entries = (
        StageEntry.objects.filter(release=release, enhancement__owning_sig=sig)
        .select_related("enhancement")
        .order_by("enhancement__kep_number")
    )
    participating = (
        StageEntry.objects.filter(release=release, enhancement__participating_sigs=sig)
        .exclude(enhancement__owning_sig=sig)
        .select_related("enhancement", "enhancement__owning_sig")
        .order_by("enhancement__kep_number")
    )
    by_stage = [(stage, [e for e in entries if e.stage == stage]) for stage in LIST_STAGES]
    context = {
        "sig": sig,
        "release": release,
        "by_stage": [(stage, items) for stage, items in by_stage if items],
        "participating": participating,
    }
    return render(request, "releasenotes/sig_detail.html", context)


@public_page
def deprecations(request):
    release = current_release_or_404()
    entries = (
        StageEntry.objects.filter(release=release, stage=Stage.DEPRECATED)
        .select_related("enhancement", "enhancement__owning_sig")
        .order_by("enhancement__kep_number")
    )
    removals = ApiRemoval.objects.with_releases().removed_in(release.version)
    context = {"release": release, "entries": entries, "removals": removals}
    return render(request, "releasenotes/deprecations.html", context)


def _versions_with_removals():
    return list(
        Release.objects.filter(api_removals__isnull=False)
        .distinct()
        .order_by("major", "minor")
        .values_list("version", flat=True)
    )


@public_page
def removed_apis_index(request):
    removals = ApiRemoval.objects.with_releases()
    by_release = {}
    for removal in removals:
        by_release.setdefault(removal.removed_in, []).append(removal)
    context = {"by_release": list(by_release.items()), "versions": [r.version for r in by_release]}
    return render(request, "releasenotes/removed_apis_index.html", context)


@public_page
def removed_apis(request, version):
    # Only releases the removal data covers: elsewhere "removed nothing" would be a guess.
    if version not in manifests.known_targets():
        raise Http404(version)
    release = Release.objects.filter(version=version).first() or Release(version=version)
    removals = ApiRemoval.objects.with_releases().removed_in(version)
    context = {"release": release, "removals": removals, "versions": _versions_with_removals()}
    return render(request, "releasenotes/removed_apis.html", context)


@public_page
def upgrade(request):
    """Everything that changes between two releases, release by release, saying so where nothing does."""
    asked = "from" in request.GET or "to" in request.GET
    form = UpgradeForm({"from_version": request.GET.get("from", ""), "to_version": request.GET.get("to", "")})
    context = {"form": form, "asked": asked}
    if not asked:
        return render(request, "releasenotes/upgrade.html", context)
    if not form.is_valid():
        return render(request, "releasenotes/upgrade.html", context, status=400)
    current, target = form.cleaned_data["from_version"], form.cleaned_data["to_version"]
    cur, tgt = parse_minor(current), parse_minor(target)
    versions = [f"{cur[0]}.{minor}" for minor in range(cur[1] + 1, tgt[1] + 1)]
    path = upgrade_path(current, target, versions)
    context.update(
        {
            "current": current,
            "target": target,
            "path": path,
            "steps": path.steps,
            "total": path.removals,
            "dockershim_url": reverse("releasenotes:dockershim"),
            "check_url": reverse("releasenotes:check"),
            "guide_url": GUIDE_URL,
        }
    )
    return render(request, "releasenotes/upgrade.html", context)


@public_page
def dockershim(request):
    faq = FaqEntry.objects.all()
    topics = [(value, label, [f for f in faq if f.topic == value]) for value, label in FaqTopic.choices]
    context = {"topics": topics, "timeline": Snippet.objects.filter(key=FAQ_TIMELINE_KEY).first()}
    return render(request, "releasenotes/dockershim.html", context)


def check(request):
    """The manifest checker page: paste or upload, see findings. Nothing is stored."""
    context = {"targets": manifests.check_targets(), "currents": manifests.check_currents()}
    if request.method != "POST":
        context.update({"target": "1.22", "current": "1.21"})
        return render(request, "releasenotes/check.html", context)
    target, current = request.POST.get("target"), request.POST.get("current") or None
    # The pasted text; an empty file part of the same name may come with it.
    text = next((value for value in request.POST.getlist("manifests") if value), "")
    too_long_to_echo = len(text) > manifests.PAGE_ECHO_LIMIT
    context.update(
        {
            "target": target,
            "current": current or "",
            "text": "" if too_long_to_echo else text,
            "not_echoed": too_long_to_echo,
        }
    )
    try:
        body = manifests.body_from_form(request.POST, request.FILES)
        result = manifests.check_request(body, target, current)
    except manifests.CheckRequestError as error:
        context["error"] = error.describe()
        return render(request, "releasenotes/check.html", context, status=error.status)
    context.update(
        {
            "result": result,
            "report": result.report,
            "groups": manifests.group_by_release(result),
            "shown": manifests.PAGE_FINDINGS_SHOWN,
            "errors": [(e, manifests.describe_error(e)) for e in result.errors],
        }
    )
    return render(request, "releasenotes/check.html", context)


@public_page
def search(request):
    """Results best first; with none, or no query, suggestions of what to look for."""
    raw = request.GET.get("q", "")
    releases = sorted(covered_releases(), key=parse_minor, reverse=True)
    narrowing = NarrowingForm(request.GET, releases=releases)
    too_long = len(raw) > MAX_QUERY_LENGTH
    found = find("" if too_long else raw, **narrowing.narrowing())
    number = request.GET.get("page", "")
    page = found.page(int(number) if number.isdecimal() and len(number) < 5 else 1, PAGE_SIZE)
    error = narrowing.error_message() if narrowing.errors else ""
    if too_long:
        error = _("A search can be at most %(limit)d characters long.") % {"limit": MAX_QUERY_LENGTH}
    context = {
        "query": found.query,
        "page": page,
        "narrowing": narrowing,
        "narrowed": narrowing.narrowing(),
        "results": found.present(page, get_language()),
        "suggestions": found.suggestions() if not page.entries or page.corrected else [],
        "error": error,
    }
    if not page.entries:
        context.update(examples=EXAMPLE_QUERIES, popular=popular_enhancements())
    return render(request, "releasenotes/search.html", context, status=400 if error else 200)


@public_page
def glossary(request):
    text = request.GET.get("q", "")[:MAX_QUERY_LENGTH]
    terms = GlossaryTerm.objects.in_order_for(get_language()).matching(text)
    return render(request, "releasenotes/glossary.html", {"terms": terms, "filter_text": text.strip()})
