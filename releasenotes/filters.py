"""The FilterSets behind the list pages and the API: one per list, shared by both."""

import django_filters
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .facets import Chip, Group, active_chips, choice_group
from .models import (
    ENTERED_STAGES,
    Enhancement,
    FeatureGate,
    NoteFacet,
    NoteLabel,
    Release,
    ReleaseNote,
    Sig,
    Stage,
    StageEntry,
)
from .search import search
from .versions import covered_releases

LIST_STAGES = ENTERED_STAGES
SORTS = [("kep", _("KEP number")), ("stage", _("Stage")), ("sig", _("SIG")), ("name", _("Name"))]


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
    # Validated here, applied by order_enhancements(): the order is not a filter.
    sort = django_filters.ChoiceFilter(label=_("Sort by"), choices=SORTS, method=lambda queryset, name, value: queryset)

    class Meta:
        model = Enhancement
        fields = ["release", "stage", "sig", "theme", "q", "sort"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("release"):
            data = data.copy()
            current = Release.objects.current()
            if current is not None:
                data["release"] = current.version
        super().__init__(data, *args, **kwargs)

    def get_form_class(self):
        # The fields are the same for every request (fixed choices; the SIG field's
        # queryset is copied, and so read afresh, by each form), so the form class is
        # built once rather than for each request.
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            cls._form_class = super().get_form_class()
        return cls._form_class

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
            queryset = queryset.filter(pk__in=search(data["q"]).object_ids("enhancement"))
        return queryset

    def without(self, *names: str):
        """The results with some filters left out: the base for those facets' counts."""
        data = {name: value for name, value in self.form.cleaned_data.items() if name not in names}
        return self.apply(self.queryset, data)


def facet_counts(filterset: EnhancementFilter, owners) -> dict[str, dict]:
    """For each facet, how many results each of its values would give.

    Each facet is counted with every *other* filter applied, so a count is what a person
    gets by picking that value next: the usual AND-between-facets behaviour.

    - The release, stage and theme facets add up one query of the stage entries of the
      enhancements the SIG and search filters keep, grouped by release, stage and major
      theme (small, whatever the size of the data), so that a release, a stage and a
      theme describe one entry together.
    - The SIG facet counts `owners`: the (slug, name) of the owning SIG of each result
      without the SIG filter, `filterset.without("sig")`, which the list reads anyway.
    """
    data = filterset.form.cleaned_data
    stage, theme, version = data.get("stage"), data.get("theme"), filterset.release_version

    entries = StageEntry.objects.filter(release__version__in=covered_releases())
    kept = filterset.without("release", "stage", "theme")
    if kept.query.has_filters():  # SIG or search: the entries of the enhancements they keep
        entries = entries.filter(enhancement__in=kept.values("pk"))
    rows = entries.values_list("release__version", "stage", "major_theme").annotate(n=Count("id")).order_by()
    release_counts, stage_counts, theme_count = {}, {}, 0
    for release, entry_stage, major_theme, n in rows:  # one entry per enhancement and release
        if (major_theme or not theme) and (not stage or entry_stage == stage):
            release_counts[release] = release_counts.get(release, 0) + n
        if release == version:
            if major_theme or not theme:
                stage_counts[entry_stage] = stage_counts.get(entry_stage, 0) + n
            if major_theme and (not stage or entry_stage == stage):
                theme_count += n
    sig_counts, sig_names = {}, {}
    for slug, name in owners:
        sig_counts[slug] = sig_counts.get(slug, 0) + 1
        sig_names[slug] = name
    return {
        "stage": stage_counts,
        "release": release_counts,
        "sig": sig_counts,
        "sig_names": sig_names,
        "theme": {"true": theme_count},
    }


class FeatureGateFilter(django_filters.FilterSet):
    """Feature gates by name and by the stage they had in a release (the current one
    when none is given). The page and the API both use it."""

    q = django_filters.CharFilter(label=_("Search"), max_length=100, method="filter_name")
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
        return queryset.filter(pk__in=search(value).object_ids("feature_gate"))

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


def order_enhancements(queryset, sort: str):
    """The list in the order asked for: by owning SIG, title in the page language, or KEP
    number; ties by KEP number. By stage, the rows read in KEP order go through
    `by_stage`."""
    if sort == "sig":
        return queryset.order_by("owning_sig__name", "kep_number")
    if sort == "name":
        language = "ko" if get_language() == "ko" else "en"
        return queryset.order_by(Lower(f"title_{language}"), "kep_number")
    return queryset.order_by("kep_number")


STAGE_RANK = {stage.value: rank for rank, stage in enumerate(LIST_STAGES)}


def by_stage(rows, stage_of):
    """Rows in KEP order, by their stage in the release: stable, beta, alpha, deprecated,
    then any other; ties stay in KEP order. One release's rows, sorted here rather than
    by a CASE expression the database would need built for each request."""
    last = len(STAGE_RANK)
    return sorted(rows, key=lambda row: STAGE_RANK.get(stage_of(row), last))


# The kinds the release tool uses, in the order the notes browser lists them.
NOTE_KINDS = [
    ("feature", _("Feature")),
    ("api-change", _("API change")),
    ("deprecation", _("Deprecation")),
    ("bug", _("Bug fix")),
    ("regression", _("Regression")),
    ("cleanup", _("Cleanup")),
    ("documentation", _("Documentation")),
    ("failing-test", _("Failing test")),
    ("flake", _("Flaky test")),
    ("design", _("Design")),
]
NOTE_KIND_LABELS = dict(NOTE_KINDS)
YES_NO = [("true", _("Yes")), ("false", _("No"))]


class SigChoiceField(django_filters.fields.ChoiceField):
    """Takes "node" as well as "sig-node", as people and the release tool write it."""

    def clean(self, value):
        from .sync.release_notes import sig_slug

        return super().clean(sig_slug(value) if value else value)


class SigNoteFilter(django_filters.ChoiceFilter):
    field_class = SigChoiceField


class ReleaseNoteFilter(django_filters.FilterSet):
    """The one FilterSet behind the notes browser and the release-notes API: facets
    combine with AND, and every facet value gets a count (`note_facet_counts`).

    The kind, SIG and area choices are the labels the notes carry, read in one query; the
    releases are the ones the site covers, known without one."""

    release = django_filters.ChoiceFilter(
        label=_("Release"), field_name="release__version", choices=[(v, v) for v in covered_releases()]
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), method="filter_label", choices=NOTE_KINDS)
    sig = SigNoteFilter(label=_("SIG"), method="filter_label", choices=[])
    area = django_filters.ChoiceFilter(label=_("Area"), method="filter_label", choices=[])
    action_required = django_filters.ChoiceFilter(
        label=_("Action required"), method="filter_action_required", choices=YES_NO
    )
    q = django_filters.CharFilter(label=_("Search"), method="filter_text", max_length=500)
    # One note's own link (ReleaseNote.get_absolute_url), wherever it falls in the pages.
    pr = django_filters.NumberFilter(label=_("PR number"), field_name="pr_number", min_value=1, max_value=10**9)

    class Meta:
        model = ReleaseNote
        fields = ["release", "kind", "sig", "area", "action_required", "q", "pr"]

    FACETS = ("kind", "sig", "area", "action_required")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.found: dict[str, object] = {}  # search text → its matches (filter_text)
        self.labels = list(NoteLabel.objects.all())
        slugs = {facet: [label.slug for label in self.labels if label.facet == facet] for facet in NoteFacet.values}
        known_kinds = {value for value, _label in NOTE_KINDS}
        self.filters["kind"].extra["choices"] = NOTE_KINDS + [(s, s) for s in slugs["kind"] if s not in known_kinds]
        self.filters["sig"].extra["choices"] = [(s, s) for s in slugs["sig"]]
        self.filters["area"].extra["choices"] = [(s, s) for s in slugs["area"]]
        for name in ("kind", "sig", "area"):
            # A form field built earlier (e.g. for the OpenAPI schema) would keep old choices.
            self.filters[name].__dict__.pop("_field", None)

    def filter_label(self, queryset, name, value: str):
        # One join per facet: a note must carry a label of each facet asked for (AND).
        return queryset.filter(
            labels__in=[label for label in self.labels if (label.facet, label.slug) == (name, value)]
        )

    def filter_action_required(self, queryset, name, value: str):
        return queryset.filter(action_required=value == "true")

    def filter_text(self, queryset, name, value: str):
        """The search box: the notes search finds (every word, in either language, with the
        glossary's other names and typo correction). Read once per request, however many
        facet counts apply it (the matches are a subquery: no rows come to Python)."""
        if value not in self.found:
            self.found[value] = search(value).object_ids("release_note")
        return queryset.filter(pk__in=self.found[value])

    def without(self, *names: str):
        """The results with some filters left out: the base for those facets' counts."""
        queryset = self.queryset
        for name, value in self.form.cleaned_data.items():
            if name not in names and value not in (None, ""):
                queryset = self.filters[name].filter(queryset, value)
        return queryset


def note_facet_counts(filterset: ReleaseNoteFilter) -> dict[str, dict[str, int]]:
    """{facet: {value: notes}} — each facet counted with every other filter applied.

    Facets whose own filter is not set share one base (the current results); a facet that
    is set is counted over the results without its own filter. All label facets are
    counted in one query, the action-required facet in another, whatever the data.
    Counted on the link table alone: a note carries a label once, so no DISTINCT."""
    data = filterset.form.cleaned_data
    through = ReleaseNote.labels.through
    by_id = {label.pk: label for label in filterset.labels}
    counts = {facet: {} for facet in filterset.FACETS}
    label_facets = ("kind", "sig", "area")
    unset = [f for f in label_facets if not data.get(f)]
    groups = ([(unset, filterset.qs)] if unset else []) + [
        ([f], filterset.without(f)) for f in label_facets if data.get(f)
    ]
    # One query for every group: each group's count is a filtered aggregate over the link
    # rows of that group's base results, and each label reads the aggregate of its facet.
    conditions = [Q(releasenote__in=base.order_by().values("pk")) for _facets, base in groups]
    aggregates = {f"n{i}": Count("pk", filter=condition) for i, condition in enumerate(conditions)}
    group_of = {facet: i for i, (facets, _base) in enumerate(groups) for facet in facets}
    if groups:
        any_condition = conditions[0]
        for condition in conditions[1:]:
            any_condition |= condition
        rows = through.objects.filter(any_condition).values("notelabel").annotate(**aggregates).order_by()
        for row in rows:
            label = by_id.get(row["notelabel"])
            if label is None or label.facet not in group_of:
                continue
            n = row[f"n{group_of[label.facet]}"]
            if n:
                counts[label.facet][label.slug] = n
    base = filterset.without("action_required") if data.get("action_required") else filterset.qs
    rows = base.order_by().values_list("action_required").annotate(n=Count("pk"))
    counts["action_required"] = {("true" if flag else "false"): n for flag, n in rows}
    return counts


NOTE_FACETS = [
    # (facet, heading, "any" label)
    ("action_required", _("Action required"), _("Any")),
    ("kind", _("Kind"), _("Any kind")),
    ("sig", _("SIG"), _("Any SIG")),
    ("area", _("Area"), _("Any area")),
]


def note_facet_groups(filterset: ReleaseNoteFilter, counts, query) -> tuple[list[Group], list[Chip]]:
    """The notes browser's facets as the facet block draws them (releasenotes.facets):
    each value with its count and the link that picks it, keeping every other filter."""
    data = filterset.form.cleaned_data
    choices = {
        "action_required": [("true", _("Action required")), ("false", _("No action required"))],
        "kind": filterset.filters["kind"].extra["choices"],
        "sig": filterset.filters["sig"].extra["choices"],
        "area": filterset.filters["area"].extra["choices"],
    }
    groups = []
    for facet, heading, any_label in NOTE_FACETS:
        counted = [(value, label, counts[facet].get(value, 0)) for value, label in choices[facet]]
        groups.append(choice_group(query, facet, heading, counted, any_label, current=data.get(facet) or ""))
    return groups, active_chips(query, groups)


def filtered_total(filterset: ReleaseNoteFilter, counts) -> int:
    """How many notes the filters give, from the action-required counts (no extra query)."""
    wanted = filterset.form.cleaned_data.get("action_required")
    by_flag = counts["action_required"]
    return by_flag.get(wanted, 0) if wanted else sum(by_flag.values())
