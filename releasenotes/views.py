from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import manifests
from .cache import public_page
from .dataset import FAQ_TIMELINE_KEY
from .filters import LIST_STAGES, EnhancementFilter, facet_counts
from .forms import UpgradeForm
from .models import (
    ApiRemoval,
    Enhancement,
    FaqEntry,
    FaqTopic,
    GlossaryTerm,
    Release,
    Sig,
    Snippet,
    Stage,
    StageEntry,
    Theme,
    stage_counts,
)
from .search import search as find
from .search.forms import NarrowingForm
from .search.presentation import EXAMPLE_QUERIES, popular_enhancements
from .search.text import MAX_QUERY_LENGTH
from .versions import parse_minor

PAGE_SIZE = 25


def current_release_or_404():
    release = Release.objects.current()
    if release is None:
        raise Http404(_("No release has been loaded yet."))
    return release


@public_page
def home(request):
    return _release_page(request, current_release_or_404())


@public_page
def release_detail(request, version):
    return _release_page(request, get_object_or_404(Release.objects.documented(), version=version))


def _release_page(request, release):
    themes = Theme.objects.filter(release=release).prefetch_related("enhancements")
    counts = stage_counts(release.version)
    context = {
        "release": release,
        "counts": counts,
        "records_total": counts[Stage.STABLE] + counts[Stage.BETA] + counts[Stage.ALPHA],
        "themes": themes,
        "stages": LIST_STAGES,
    }
    return render(request, "releasenotes/home.html", context)


@public_page
def enhancement_list(request):
    current = current_release_or_404()
    data = request.GET.copy()
    if not data.get("release"):
        data["release"] = current.version
    filterset = EnhancementFilter(data, queryset=Enhancement.objects.for_cards(), request=request)
    if not filterset.is_valid():
        return render(request, "releasenotes/enhancement_list.html", {"filter": filterset, "invalid": True}, status=400)
    release = filterset.form.cleaned_data["release"]
    queryset = filterset.qs.prefetch_related(
        Prefetch("stages", queryset=StageEntry.objects.filter(release=release), to_attr="release_stages")
    ).order_by("kep_number")
    paginator = Paginator(queryset, PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        raise Http404(_("There is no such page of results.")) from None
    context = {
        "filter": filterset,
        "release": release,
        "page": page,
        "facets": facet_counts(filterset, release),
        "sigs": Sig.objects.all(),
        "releases": Release.objects.documented(),
        "stages": LIST_STAGES,
    }
    return render(request, "releasenotes/enhancement_list.html", context)


@public_page
def enhancement_detail(request, kep_number):
    enhancement = get_object_or_404(
        Enhancement.objects.select_related("owning_sig").prefetch_related(
            "participating_sigs",
            Prefetch("stages", queryset=StageEntry.objects.select_related("release")),
            "themes",
        ),
        kep_number=kep_number,
    )
    context = {"enhancement": enhancement, "timeline": list(enhancement.stages.all())}
    return render(request, "releasenotes/enhancement_detail.html", context)


@public_page
def sig_list(request):
    release = current_release_or_404()
    sigs = Sig.objects.all()
    counts = {}
    for row in StageEntry.objects.filter(release=release).values("enhancement__owning_sig", "stage"):
        per_sig = counts.setdefault(row["enhancement__owning_sig"], {})
        per_sig[row["stage"]] = per_sig.get(row["stage"], 0) + 1
    rows = [(sig, counts.get(sig.pk, {})) for sig in sigs]
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
    """Everything removed between two releases, release by release, saying so where nothing was."""
    asked = "from" in request.GET or "to" in request.GET
    form = UpgradeForm({"from_version": request.GET.get("from", ""), "to_version": request.GET.get("to", "")})
    context = {"form": form, "asked": asked}
    if not asked:
        return render(request, "releasenotes/upgrade.html", context)
    if not form.is_valid():
        return render(request, "releasenotes/upgrade.html", context, status=400)
    current, target = form.cleaned_data["from_version"], form.cleaned_data["to_version"]
    removals = list(ApiRemoval.objects.with_releases().between(current, target))
    cur, tgt = parse_minor(current), parse_minor(target)
    steps = []
    for minor in range(cur[1] + 1, tgt[1] + 1):
        version = f"{cur[0]}.{minor}"
        steps.append((version, [r for r in removals if r.removed_in.version == version]))
    context.update({"current": current, "target": target, "steps": steps, "total": len(removals)})
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
    releases = Release.objects.order_by("-major", "-minor").values_list("version", flat=True)
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
    return render(request, "releasenotes/glossary.html", {"terms": GlossaryTerm.objects.all()})
