"""What a facet block shows, independent of the list it filters.

releasenotes.rows.facet_block draws `Group`s of `Option`s (each a link that sets one
filter, with its count), `_chips.html` the active filters as removable `Chip`s. Any list
page builds these from its own FilterSet and counts.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import quote_plus, urlencode

from django.http import QueryDict
from django.utils.translation import gettext as _


def with_query(query: QueryDict, **changes) -> str:
    """The query string with some parameters set (None or "" removes one), page reset.

    Built from plain pairs rather than a QueryDict copy: list pages build a hundred of
    these links per request, and the copy is most of the cost."""
    params = {name: values for name, values in query.lists() if name != "page"}
    for name, value in changes.items():
        if value in (None, ""):
            params.pop(name, None)
        else:
            params[name] = [value]
    encoded = urlencode([(name, value) for name, values in params.items() for value in values])
    return f"?{encoded}" if encoded else "?"


_UNQUOTED = re.compile(r"[A-Za-z0-9_.~-]+")  # what quote_plus() never changes


def query_setter(query: QueryDict, name: str):
    """value -> with_query(query, **{name: value}), with the other parameters encoded
    once: a facet links each of its values with the same query string around it."""
    params = [(key, values) for key, values in query.lists() if key != "page"]
    keys = [key for key, _values in params]
    at = keys.index(name) if name in keys else len(params)
    head = urlencode([(key, value) for key, values in params[:at] for value in values])
    tail = urlencode([(key, value) for key, values in params[at + 1 :] for value in values])

    without = "?" + "&".join(part for part in (head, tail) if part)
    before, after = (f"?{head}&" if head else "?") + quote_plus(name) + "=", f"&{tail}" if tail else ""

    def link(value) -> str:
        # As urlencode() writes the pair, without building a list of pairs for each value
        # (a value of characters quote_plus leaves alone, as most are, is written as it is).
        if value in (None, ""):
            return without
        value = str(value)
        return before + (value if _UNQUOTED.fullmatch(value) else quote_plus(value)) + after

    return link


@dataclass
class Option:
    label: str
    url: str
    current: bool = False
    count: int | None = None
    value: str = ""
    stage: str = ""  # shown as a stage badge instead of the label


@dataclass
class Group:
    name: str
    label: str
    options: list[Option] = field(default_factory=list)


@dataclass
class Chip:
    label: str
    remove_url: str


def choice_group(
    query: QueryDict, name: str, label: str, choices, any_label: str = "", keep=(), current: str | None = None
) -> Group:
    """A facet of one query parameter: "any" (when `any_label` is given), then each
    (value, label, count) in `choices` that has results or is the current value, and
    any value listed in `keep`. Any list page builds its facets with this. `current` is
    the value chosen, when the form cleaned it into another spelling ("node" → "sig-node")."""
    current = query.get(name, "") if current is None else current
    link = query_setter(query, name)
    group = Group(name, label)
    if any_label:
        group.options.append(Option(any_label, link(None), not current))
    for value, option_label, count in choices:
        if count or current == value or value in keep:
            group.options.append(Option(option_label, link(value), current == value, count, value))
    return group


def active_chips(query: QueryDict, groups: list[Group], search: str = "q") -> list[Chip]:
    """A removable chip for each facet with a value chosen, and for the search text."""
    chips = [
        Chip(option.label, with_query(query, **{group.name: None}))
        for group in groups
        for option in group.options
        if option.current and query.get(group.name)
    ]
    if query.get(search):
        chips.append(Chip(f"“{query[search]}”", with_query(query, **{search: None})))
    return chips


def enhancement_facets(query: QueryDict, release, releases, sigs, stages, counts) -> tuple[list[Group], list[Chip]]:
    """Facet groups and active-filter chips for the enhancement list."""
    release_group = Group("release", _("Release"))
    current = getattr(release, "version", release)
    link = query_setter(query, "release")
    for version in (getattr(r, "version", r) for r in releases):  # Release rows or version strings
        count = counts["release"].get(version, 0)
        release_group.options.append(Option(version, link(version), version == current, count))
    stage_choices = [(s.value, s.label, counts["stage"].get(s.value, 0)) for s in stages]
    stage_group = choice_group(
        query, "stage", _("Stage"), stage_choices, _("Any stage"), keep=[s.value for s in stages]
    )
    for option in stage_group.options[1:]:  # after "any stage": each stage, drawn as its badge
        option.stage = option.value
    theme_choices = [("true", _("Major themes only"), counts["theme"]["true"])]
    theme_group = choice_group(query, "theme", _("Major theme"), theme_choices, _("Any"), keep=["true"])
    sig_choices = [(s.slug, s.name, counts["sig"].get(s.slug, 0)) for s in sigs]
    sig_group = choice_group(query, "sig", _("SIG"), sig_choices, _("Any SIG"))
    groups = [release_group, stage_group, theme_group, sig_group]
    # The release is always set (it defaults to the current one): not a filter to remove.
    return groups, active_chips(query, groups[1:])
