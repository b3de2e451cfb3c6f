"""The FilterSets behind the list pages and the API: one per list, shared by both."""

import json
import re
from collections import Counter
from functools import lru_cache
from itertools import compress
from operator import itemgetter
from typing import NamedTuple

import django_filters
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import Count
from django.db.models.functions import Lower
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .facets import Chip, Group, active_chips, choice_group
from .models import (
    ENTERED_STAGES,
    Enhancement,
    FeatureGate,
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


def without(data, *names: str):
    """The enhancements the filters in `data` (as EnhancementFilter's form cleans them)
    give, with some filters left out: the list without its SIG filter, and the base of
    the facets' counts."""
    return EnhancementFilter.apply(Enhancement.objects.all(), {k: v for k, v in data.items() if k not in names})


_PLAIN_SLUG = re.compile(r"[-a-z0-9]{1,100}")


def clean_enhancement_query(query) -> dict | None:
    """The enhancement list's filters as EnhancementFilter's form cleans them, the release
    filled in as the FilterSet fills it, when every value is plainly valid: a release,
    stage, theme or order as listed, a SIG by its slug, a search of at most its length.
    None for anything else, for the FilterSet to decide and to name the field in error: as
    clean_note_query, this only spares a page its form when there is nothing to correct."""
    base = EnhancementFilter.base_filters
    data = {}
    for name in ("release", "stage", "theme", "sort"):
        value = query.get(name, "")
        if value and value not in {choice for choice, _label in base[name].extra["choices"]}:
            return None
        data[name] = value
    if not data["release"]:
        current = Release.objects.current()
        data["release"] = current.version if current else ""
    text = query.get("q", "").strip()
    if len(text) > base["q"].extra["max_length"] or "\x00" in text:
        return None
    data["q"] = text
    slug = query.get("sig", "")
    if slug and not _PLAIN_SLUG.fullmatch(slug):  # NUL and the like: the form refuses them
        return None
    data["sig"] = Sig.objects.filter(slug=slug).first() if slug else None
    if slug and data["sig"] is None:
        return None
    return data


def plain_rows(queryset) -> list[tuple]:
    """The rows of a values_list() queryset as the database gives them: the ORM writes the
    SQL, but the values skip its per-value converters (JSON columns come as their text,
    booleans as SQLite's 0 and 1), which cost a list more than running the statement.
    For the lists that read a release's rows whole and convert only what they show."""
    return _run(_statement(queryset))


def plain_rows_once(key: tuple, build) -> list[tuple]:
    """plain_rows(build()), with build()'s SQL written once per `key` and process, then run
    afresh on every call.

    For a statement that depends on the values named in `key` (filter values the form or
    the plain check accepted, the language) and on the code only, never on what the
    database holds: build() asks the QuerySet vocabulary and reads nothing
    (tests/test_keps.py checks). Writing the SQL, through the vocabulary and the ORM's
    compiler, costs a list page more than running it; the rows themselves are never kept."""
    key = (connection.vendor, *key)
    statement = _STATEMENTS.get(key, _UNWRITTEN)
    if statement is _UNWRITTEN:
        if len(_STATEMENTS) >= _STATEMENTS_KEPT:  # the keys are bounded by the choices; a guard
            _STATEMENTS.clear()
        statement = _STATEMENTS[key] = _statement(build())
    return _run(statement)


_STATEMENTS: dict[tuple, tuple | None] = {}
_STATEMENTS_KEPT = 4096
_UNWRITTEN = object()


def _statement(queryset) -> tuple | None:
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (a search that finds nothing)
        return None
    return queryset.db, sql, params


def _run(statement) -> list[tuple]:
    if statement is None:
        return []
    db, sql, params = statement
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def json_value(value, empty=None):
    """A JSON column's value read by plain_rows: decoded text (SQLite, psycopg), or the
    value a driver decoded already; `empty` for an empty list or object."""
    if isinstance(value, str):
        return empty if value in ("[]", "{}") else json.loads(value)
    return value if value else empty


def facet_counts(data, owners) -> dict[str, dict]:
    """For each facet, how many results each of its values would give.

    Each facet is counted with every *other* filter applied, so a count is what a person
    gets by picking that value next: the usual AND-between-facets behaviour.

    - The release, stage and theme facets add up one query of the stage entries of the
      enhancements the SIG and search filters keep, grouped by release, stage and major
      theme (small, whatever the size of the data), so that a release, a stage and a
      theme describe one entry together.
    - The SIG facet counts `owners`: the (slug, name) of the owning SIG of each result
      without the SIG filter, `without(data, "sig")`, which the list reads anyway.

    `data` as EnhancementFilter's form cleans it, with the release listed.
    """
    stage, theme, version = data.get("stage"), data.get("theme"), data.get("release")

    if data.get("sig") or data.get("q"):
        rows = plain_rows(entry_counts(data))
    else:  # the same statement for every list without them
        rows = plain_rows_once(("entry counts",), lambda: entry_counts(data))
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


def entry_counts(data):
    """The stage entries of the covered releases, counted by release, stage and major theme:
    of the enhancements the SIG and search filters in `data` keep, when it has them."""
    entries = StageEntry.objects.filter(release__version__in=covered_releases())
    if data.get("sig") or data.get("q"):
        entries = entries.filter(enhancement__in=without(data, "release", "stage", "theme").values("pk"))
    return entries.values_list("release__version", "stage", "major_theme").annotate(n=Count("id")).order_by()


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
YES_NO = [("true", _("Yes")), ("false", _("No"))]


class SigChoiceField(django_filters.fields.ChoiceField):
    """Takes "node" as well as "sig-node", as people and the release tool write it."""

    def clean(self, value):
        from .sync.release_notes import sig_slug

        return super().clean(sig_slug(value) if value else value)


class SigNoteFilter(django_filters.ChoiceFilter):
    field_class = SigChoiceField


class Label(NamedTuple):
    """A release-note label as lists show it (a note's `label_list`) and as facets count it."""

    facet: str
    slug: str


LABEL_FACETS = ("kind", "sig", "area")


def note_labels() -> dict[int, Label]:
    """Every release-note label by id, in label order (facet, then slug, as the database
    sorts them): one query of plain rows."""
    table = NoteLabel._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, facet, slug FROM {table} ORDER BY facet, slug")  # noqa: S608 - a constant
        return {row[0]: Label._make(row[1:]) for row in cursor.fetchall()}


def note_choices(labels: dict[int, Label]) -> dict[str, list[tuple[str, str]]]:
    """The kind, SIG and area choices: the kinds the release tool uses, in their order, then
    the labels the notes carry."""
    slugs = {facet: [label.slug for label in labels.values() if label.facet == facet] for facet in LABEL_FACETS}
    known_kinds = {value for value, _label in NOTE_KINDS}
    return {
        "kind": NOTE_KINDS + [(s, s) for s in slugs["kind"] if s not in known_kinds],
        "sig": [(s, s) for s in slugs["sig"]],
        "area": [(s, s) for s in slugs["area"]],
    }


class ReleaseNoteFilter(django_filters.FilterSet):
    """The one FilterSet behind the notes browser and the release-notes API: facets
    combine with AND. It validates the page's filters whenever `clean_note_query` does not
    find them plainly valid, and ReleaseNoteIndex counts and filters as it does.

    The kind, SIG and area choices are the labels the notes carry, read in one query (or
    given as `labels`, from `note_labels`); the releases are the ones the site covers,
    known without one."""

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

    def __init__(self, *args, labels: dict[int, Label] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.labels = note_labels() if labels is None else labels
        for name, choices in note_choices(self.labels).items():
            self.filters[name].extra["choices"] = choices
            # A form field built earlier (e.g. for the OpenAPI schema) would keep old choices.
            self.filters[name].__dict__.pop("_field", None)

    def filter_label(self, queryset, name, value: str):
        # One join per facet: a note must carry a label of each facet asked for (AND).
        return queryset.filter(labels__in=[pk for pk, label in self.labels.items() if label == (name, value)])

    def filter_action_required(self, queryset, name, value: str):
        return queryset.filter(action_required=value == "true")

    def filter_text(self, queryset, name, value: str):
        """The search box: the notes search finds (every word, in either language, with the
        glossary's other names and typo correction), as a subquery: no rows come to Python."""
        return queryset.filter(pk__in=search(value).object_ids("release_note"))


_PLAIN_NUMBER = re.compile(r"[0-9]{1,10}")


def clean_note_query(query, version: str, choices: dict[str, list[tuple[str, str]]]) -> dict | None:
    """The notes browser's filters as ReleaseNoteFilter's form cleans them, when every
    value is plainly valid: a choice as listed, a PR number in digits, a search of at most
    500 characters. None for anything else, for the FilterSet to decide (and to name the
    field in error): this only spares a page its form when there is nothing to correct."""
    from .sync.release_notes import sig_slug

    if version not in covered_releases():
        return None
    base = ReleaseNoteFilter.base_filters
    allowed = {name: {value for value, _label in values} for name, values in choices.items()}
    allowed["action_required"] = {value for value, _label in YES_NO}
    data = {"release": version}
    for name in ("kind", "sig", "area", "action_required"):
        value = query.get(name, "")
        if name == "sig" and value:
            value = sig_slug(value)
        if value and value not in allowed[name]:
            return None
        data[name] = value
    text = query.get("q", "").strip()
    if len(text) > base["q"].extra["max_length"] or "\x00" in text:
        return None
    data["q"] = text
    pr = query.get("pr", "")
    bounds = base["pr"].extra["min_value"], base["pr"].extra["max_value"]
    if pr and not (_PLAIN_NUMBER.fullmatch(pr) and bounds[0] <= int(pr) <= bounds[1]):
        return None
    data["pr"] = int(pr) if pr else None
    return data


class ReleaseNoteIndex:
    """One release's notes as sets of ids: the notes in list order (action required first,
    then by PR number), those that need action, those the search finds, and each note's
    labels as `label_ids` writes them. Read in one query of plain rows (from the
    release_note_listing index alone), they give the notes browser every facet count, the
    filtered list and its pages as ReleaseNoteFilter's queries would
    (tests/test_release_pages.py compares the two on many combinations); only the page's
    own notes are read in full (`notes`).

    A facet's counts are one tally of the label ids its notes carry (`_tally`: joined,
    split and counted in C), not a set of notes per label built note by note; the notes
    of a label are gathered only for the labels a filter asks for (`_carrying`)."""

    def __init__(self, version: str, labels: dict[int, Label], search_text: str = ""):
        note, release = ReleaseNote._meta.db_table, Release._meta.db_table
        # The flag as a number, not the column: SQLite's driver would call Django's bool
        # converter once per row. The search's column only when there is a search.
        found, params = "", []
        if search_text:
            matches = search(search_text).object_ids("release_note")
            found, params = (f", n.id IN ({matches.sql})", list(matches.params)) if matches else (", 0", [])
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT n.id, CASE WHEN n.action_required THEN 1 ELSE 0 END, n.pr_number, n.label_ids"  # noqa: S608
                f"{found} FROM {note} n INNER JOIN {release} r ON r.id = n.release_id WHERE r.version = %s"
                " ORDER BY n.action_required DESC, n.pr_number",
                [*params, version],
            )
            rows = cursor.fetchall()
        self.rows = rows  # (id, flag, PR number, label ids[, found])
        self.order = list(map(itemgetter(0), rows))
        self.everything = frozenset(self.order)
        self.flagged = frozenset(compress(self.order, map(itemgetter(1), rows)))
        self.found = frozenset(compress(self.order, map(itemgetter(4), rows))) if search_text else None
        # Each note's label ids ("3,17,40"), and each label by the text they write it as.
        self.carried = dict(map(itemgetter(0, 3), rows))
        self.known = {str(pk): label for pk, label in labels.items()}
        self.keys = {label: key for key, label in self.known.items()}
        self._carriers: dict[str, frozenset[int]] = {}
        self._delimited: list[tuple[int, str]] | None = None

    def _carrying(self, label: Label) -> frozenset[int]:
        """The ids of the notes that carry `label`."""
        key = self.keys.get(label)
        if key is None:
            return frozenset()
        if key not in self._carriers:
            if self._delimited is None:  # each note's ids between commas: a label is ",id,"
                self._delimited = [(pk, f",{ids},") for pk, ids in self.carried.items()]
            written = f",{key},"
            self._carriers[key] = frozenset(pk for pk, ids in self._delimited if written in ids)
        return self._carriers[key]

    def _tally(self, ids) -> Counter:
        """How many of the notes `ids` carry each label, by the label's id text."""
        carried = self.carried
        written = carried.values() if ids is self.everything else map(carried.__getitem__, ids)
        return Counter(",".join(written).split(","))

    def matching(self, data, leave_out: str = "") -> frozenset[int]:
        """The ids of the notes the filters in `data` (cleaned as ReleaseNoteFilter cleans
        them) give, with one filter left out when `leave_out` names it: a note carries
        every label asked for (AND), has the action-required flag asked for, the PR number,
        and is found by the search."""
        ids = self.everything
        for facet in LABEL_FACETS:
            if facet != leave_out and data.get(facet):
                ids = ids & self._carrying(Label(facet, data[facet]))
        flag = data.get("action_required") if leave_out != "action_required" else ""
        if flag:
            ids = ids & self.flagged if flag == "true" else ids - self.flagged
        if data.get("pr") is not None:
            ids = ids & {row[0] for row in self.rows if row[2] == data["pr"]}
        if data.get("q"):
            ids = ids & (self.found or frozenset())
        return ids

    def results(self, data) -> list[int]:
        """The ids of the filtered notes, in list order."""
        ids = self.matching(data)
        return [pk for pk in self.order if pk in ids]

    def facet_counts(self, data) -> dict[str, dict[str, int]]:
        """{facet: {value: notes}} — each facet counted with every other filter applied, so
        a count is what choosing that value next gives. Values without notes are left out."""
        counts = {facet: {} for facet in ReleaseNoteFilter.FACETS}
        results = self.matching(data)
        # A facet with no value chosen is counted among the results; a chosen one among
        # the notes every other filter gives.
        for key, n in self._tally(results).items():
            label = self.known.get(key)
            if label is not None and not data.get(label.facet):
                counts[label.facet][label.slug] = n
        for facet in LABEL_FACETS:
            if data.get(facet):
                for key, n in self._tally(self.matching(data, leave_out=facet)).items():
                    label = self.known.get(key)
                    if label is not None and label.facet == facet:
                        counts[facet][label.slug] = n
        ids = self.matching(data, leave_out="action_required")
        flagged = len(ids & self.flagged)
        by_flag = {"true": flagged, "false": len(ids) - flagged}
        counts["action_required"] = {value: n for value, n in by_flag.items() if n}
        return counts

    def notes(self, ids) -> list["ListedNote"]:
        """The notes of these ids, in their order, each with its labels in label order:
        one query for the columns a list shows."""
        if not ids:
            return []
        fields = [ReleaseNote._meta.get_field(name) for name in ListedNote.COLUMNS]
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        sql = f"SELECT {columns} FROM {ReleaseNote._meta.db_table} WHERE id IN ({', '.join(['%s'] * len(ids))})"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, list(ids))
            found = {values[0]: values for values in cursor.fetchall()}
        carried, known = self.carried, self.known
        label_lists: dict[str, list[Label]] = {}  # notes often carry the same labels
        notes = []
        for pk in ids:
            _pk, release_id, pr_number, html_en, html_ko, action_required, author, docs, gates = found[pk]
            written = carried[pk]  # the ids in label order, as `label_ids` lists them
            labels = label_lists.get(written)
            if labels is None:
                labels = [known[key] for key in written.split(",") if key in known] if written else []
                label_lists[written] = labels
            values = (pk, release_id, pr_number, html_en, html_ko, bool(action_required), author)
            notes.append(ListedNote._make((*values, json_value(docs, []), json_value(gates, []), labels)))
        return notes


class ListedNote(NamedTuple):
    """A release note as a list of notes shows it (releasenotes/_notes.html): the columns of
    ReleaseNote.LISTED and its labels, read as plain values."""

    COLUMNS = ("id", *ReleaseNote.LISTED)  # in the order of the fields below

    pk: int
    release_id: int
    pr_number: int
    html_en: str
    html_ko: str
    action_required: bool
    author: str
    documentation: list
    feature_gates: list
    label_list: list[Label]

    pr_url = ReleaseNote.pr_url
    author_url = ReleaseNote.author_url


NOTE_FACETS = [
    # (facet, heading, "any" label)
    ("action_required", _("Action required"), _("Any")),
    ("kind", _("Kind"), _("Any kind")),
    ("sig", _("SIG"), _("Any SIG")),
    ("area", _("Area"), _("Any area")),
]


def note_facet_groups(choices, data, counts, query) -> tuple[list[Group], list[Chip]]:
    """The notes browser's facets as the facet block draws them (releasenotes.facets):
    each value with its count and the link that picks it, keeping every other filter.
    `choices` as `note_choices` gives them, `data` as the FilterSet cleans it."""
    facets, flags, kinds = note_facet_texts(get_language())
    choices = {**choices, "action_required": flags}
    groups = []
    for facet, heading, any_label in facets:
        counted = [(value, kinds.get(value, label), counts[facet].get(value, 0)) for value, label in choices[facet]]
        groups.append(choice_group(query, facet, heading, counted, any_label, current=data.get(facet) or ""))
    return groups, active_chips(query, groups)


@lru_cache(maxsize=16)
def note_facet_texts(language: str) -> tuple[list, list, dict[str, str]]:
    """NOTE_FACETS, the action-required choices and the kinds' names (NOTE_KINDS) in
    `language`: translated once per language and process rather than on every page (a lazy
    text is translated again each time it is read). Called while `language` is active."""
    facets = [(facet, str(heading), str(any_label)) for facet, heading, any_label in NOTE_FACETS]
    flags = [("true", str(_("Action required"))), ("false", str(_("No action required")))]
    return facets, flags, {slug: str(label) for slug, label in NOTE_KINDS}
