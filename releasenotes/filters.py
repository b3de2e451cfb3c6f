"""The one FilterSet behind the enhancement list page and the enhancements API."""

import django_filters
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .models import Enhancement, Release, Sig, Stage, StageEntry
from .search import search

LIST_STAGES = [Stage.STABLE, Stage.BETA, Stage.ALPHA, Stage.DEPRECATED]


class EnhancementFilter(django_filters.FilterSet):
    """Filters validate their values through the form; `apply` does the filtering, so the
    facet counts can reuse it with some filters left out and no new validation queries."""

    # field_name only documents the filter (for the OpenAPI schema); `apply` filters.
    release = django_filters.ModelChoiceFilter(
        label=_("Release"),
        field_name="stages__release",
        queryset=Release.objects.documented(),
        to_field_name="version",
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

    def filter_queryset(self, queryset):
        return self.apply(queryset, self.form.cleaned_data)

    @staticmethod
    def apply(queryset, data):
        # release, stage and theme describe one stage entry together, so they go into a
        # single .filter() and constrain the same entry.
        entry = {}
        if data.get("release"):
            entry["stages__release"] = data["release"]
        if data.get("stage"):
            entry["stages__stage"] = data["stage"]
        if data.get("theme"):
            entry["stages__major_theme"] = True
        if entry:
            queryset = queryset.filter(**entry)
        if data.get("sig"):
            queryset = queryset.filter(owning_sig=data["sig"])
        if data.get("q"):
            queryset = queryset.filter(pk__in=search(data["q"]).object_ids("enhancement"))
        return queryset.distinct()

    def without(self, *names: str):
        """The results with some filters left out: the base for those facets' counts."""
        data = {name: value for name, value in self.form.cleaned_data.items() if name not in names}
        return self.apply(self.queryset, data)


def facet_counts(filterset: EnhancementFilter, release: Release) -> dict[str, dict]:
    """For each facet, how many results each of its values would give.

    Each facet is counted with every *other* filter applied, so a count is what a person
    gets by picking that value next: the usual AND-between-facets behaviour. The stage
    entry facets (release, stage, theme) are counted on the entries themselves so that
    they describe one entry together. One query per facet, whatever the size of the data.
    """
    data = filterset.form.cleaned_data
    stage, theme = data.get("stage"), data.get("theme")

    def ids(*names):
        return filterset.without(*names).values("pk")

    entries = StageEntry.objects.filter(enhancement__in=ids("release", "stage", "theme"))
    in_release = entries.filter(release=release)

    def count_by(queryset, field):
        rows = queryset.values(field).annotate(n=Count("enhancement", distinct=True)).order_by()
        return {row[field]: row["n"] for row in rows}

    stage_q = in_release.filter(major_theme=True) if theme else in_release
    release_q = entries.filter(release__documented=True)
    if stage:
        release_q = release_q.filter(stage=stage)
    if theme:
        release_q = release_q.filter(major_theme=True)
    theme_q = in_release.filter(major_theme=True)
    if stage:
        theme_q = theme_q.filter(stage=stage)
    sig_rows = (
        Enhancement.objects.filter(pk__in=ids("sig")).values("owning_sig__slug").annotate(n=Count("pk")).order_by()
    )
    return {
        "stage": count_by(stage_q, "stage"),
        "release": count_by(release_q, "release__version"),
        "sig": {row["owning_sig__slug"]: row["n"] for row in sig_rows},
        "theme": {"true": theme_q.values("enhancement").distinct().count()},
    }
