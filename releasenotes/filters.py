"""The FilterSets behind the list pages and the API: one per list, shared by both."""

import django_filters
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from . import search
from .models import ENTERED_STAGES, Enhancement, FeatureGate, Release, Sig, Stage, StageEntry
from .versions import covered_releases

LIST_STAGES = ENTERED_STAGES


class EnhancementFilter(django_filters.FilterSet):
    """Filters validate their values through the form; `apply` does the filtering, so the
    facet counts can reuse it with some filters left out and no new validation queries.

    Without `release`, the site's current release is meant, on the page and in the API:
    a list is always one release's list, and `stage` the stage entered in it.
    """

    # field_name only documents the filter (for the OpenAPI schema); `apply` filters.
    # Versions are checked against the covered range without asking the database.
    release = django_filters.ChoiceFilter(
        label=_("Release"),
        field_name="stages__release__version",
        choices=[(v, v) for v in covered_releases()],
        empty_label=None,
    )
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=[(s.value, s.label) for s in LIST_STAGES])
    sig = django_filters.ModelChoiceFilter(
        label=_("SIG"), field_name="owning_sig", queryset=Sig.objects.all(), to_field_name="slug"
    )
    theme = django_filters.ChoiceFilter(label=_("Major theme"), choices=[("true", _("Major themes only"))])
    q = django_filters.CharFilter(label=_("Search"), max_length=5000)

    class Meta:
        model = Enhancement
        fields = ["release", "stage", "sig", "theme", "q"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("release"):
            data = data.copy()
            current = Release.objects.current()
            if current is not None:
                data["release"] = current.version
        super().__init__(data, *args, **kwargs)

    @property
    def release_version(self) -> str | None:
        """The release listed (after validation): the one asked for, else the current one."""
        return self.form.cleaned_data.get("release") or None

    def filter_queryset(self, queryset):
        return self.apply(queryset, self.form.cleaned_data)

    @staticmethod
    def apply(queryset, data):
        # for_release remembers the release, so stage and theme describe its entry there.
        if data.get("release"):
            queryset = queryset.for_release(data["release"])
        if data.get("stage"):
            queryset = queryset.at_stage(data["stage"])
        if data.get("theme"):
            queryset = queryset.major_themes()
        if data.get("sig"):
            queryset = queryset.owned_by(data["sig"])
        if data.get("q"):
            queryset = search.filter_enhancements(queryset, data["q"])
        return queryset

    def without(self, *names: str):
        """The results with some filters left out: the base for those facets' counts."""
        data = {name: value for name, value in self.form.cleaned_data.items() if name not in names}
        return self.apply(self.queryset, data)


def facet_counts(filterset: EnhancementFilter) -> dict[str, dict]:
    """For each facet, how many results each of its values would give.

    Each facet is counted with every *other* filter applied, so a count is what a person
    gets by picking that value next: the usual AND-between-facets behaviour. The stage
    entry facets (release, stage, theme) are counted on the entries themselves so that
    they describe one entry together. Three queries, whatever the size of the data: the
    stage and theme facets share one, grouped by both.
    """
    data = filterset.form.cleaned_data
    stage, theme, version = data.get("stage"), data.get("theme"), filterset.release_version

    def ids(*names):
        return filterset.without(*names).values("pk")

    entries = StageEntry.objects.filter(enhancement__in=ids("release", "stage", "theme"))
    by_stage_and_theme = (
        entries.filter(release__version=version).values("stage", "major_theme").annotate(n=Count("id")).order_by()
    )
    stage_counts, theme_count = {}, 0
    for row in by_stage_and_theme:  # one entry per enhancement and release: counts add up
        if row["major_theme"] or not theme:
            stage_counts[row["stage"]] = stage_counts.get(row["stage"], 0) + row["n"]
        if row["major_theme"] and (not stage or row["stage"] == stage):
            theme_count += row["n"]
    release_q = entries.filter(release__version__in=covered_releases())
    if stage:
        release_q = release_q.filter(stage=stage)
    if theme:
        release_q = release_q.filter(major_theme=True)
    release_rows = release_q.values("release__version").annotate(n=Count("id")).order_by()
    sig_rows = (
        Enhancement.objects.filter(pk__in=ids("sig"))
        .values("owning_sig__slug", "owning_sig__name")
        .annotate(n=Count("pk"))
        .order_by("owning_sig__slug")
    )
    return {
        "stage": stage_counts,
        "release": {row["release__version"]: row["n"] for row in release_rows},
        "sig": {row["owning_sig__slug"]: row["n"] for row in sig_rows},
        "sig_names": {row["owning_sig__slug"]: row["owning_sig__name"] for row in sig_rows},
        "theme": {"true": theme_count},
    }


class FeatureGateFilter(django_filters.FilterSet):
    """Feature gates by name and by the stage they had in a release (the current one
    when none is given). The page and the API both use it."""

    q = django_filters.CharFilter(label=_("Name contains"), max_length=100, method="filter_name")
    # field_name only documents these two (for the OpenAPI schema); filter_queryset filters.
    release = django_filters.ModelChoiceFilter(
        label=_("Release"),
        field_name="kep__stages__release",
        queryset=Release.objects.covered(),
        to_field_name="version",
        method="filter_nothing",
    )
    stage = django_filters.ChoiceFilter(
        label=_("Stage in that release"),
        field_name="kep__stages__stage",
        choices=[(s.value, s.label) for s in Stage],
        method="filter_nothing",
    )

    class Meta:
        model = FeatureGate
        fields = ["q", "release", "stage"]

    def filter_name(self, queryset, name, value):
        return queryset.named_like(value)

    def filter_nothing(self, queryset, name, value):
        return queryset  # release and stage act together in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        version = data["release"].version if data.get("release") else self.current_version()
        if version is None:
            return queryset
        if data.get("stage"):
            return queryset.at_stage_in(data["stage"], version)
        return queryset.with_stage_in(version)

    def current_version(self):
        current = Release.objects.current()
        return current.version if current else None
