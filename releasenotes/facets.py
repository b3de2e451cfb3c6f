"""What a facet block shows, independent of the list it filters.

`templates/releasenotes/_facets.html` renders `Group`s of `Option`s (each a link that
sets one filter, with its count) and the active filters as removable `Chip`s. Any list
page builds these from its own FilterSet and counts and includes the partial.
"""

from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.translation import gettext as _

from .models import Stage


def with_query(query: QueryDict, **changes) -> str:
    """The query string with some parameters set (None or "" removes one), page reset."""
    query = query.copy()
    query.pop("page", None)
    for name, value in changes.items():
        if value in (None, ""):
            query.pop(name, None)
        else:
            query[name] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@dataclass
class Option:
    label: str
    url: str
    current: bool = False
    count: int | None = None
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


def enhancement_facets(query: QueryDict, release, releases, sigs, stages, counts) -> tuple[list[Group], list[Chip]]:
    """Facet groups and active-filter chips for the enhancement list."""
    stage, sig, theme = query.get("stage", ""), query.get("sig", ""), query.get("theme", "")
    release_group = Group("release", _("Release"))
    for r in releases:
        count = counts["release"].get(r.version, 0)
        release_group.options.append(Option(r.version, with_query(query, release=r.version), r == release, count))
    stage_group = Group("stage", _("Stage"), [Option(_("Any stage"), with_query(query, stage=None), not stage)])
    for s in stages:
        option = Option(s.label, with_query(query, stage=s.value), stage == s.value, counts["stage"].get(s.value, 0))
        option.stage = s.value
        stage_group.options.append(option)
    theme_group = Group(
        "theme",
        _("Major theme"),
        [
            Option(_("Any"), with_query(query, theme=None), not theme),
            Option(_("Major themes only"), with_query(query, theme="true"), theme == "true", counts["theme"]["true"]),
        ],
    )
    sig_group = Group("sig", _("SIG"), [Option(_("Any SIG"), with_query(query, sig=None), not sig)])
    for s in sigs:
        n = counts["sig"].get(s.slug, 0)
        if n or sig == s.slug:
            sig_group.options.append(Option(s.name, with_query(query, sig=s.slug), sig == s.slug, n))
    chips = []
    if stage in Stage.values:
        chips.append(Chip(Stage(stage).label, with_query(query, stage=None)))
    if sig:
        chips.append(Chip(next((s.name for s in sigs if s.slug == sig), sig), with_query(query, sig=None)))
    if theme:
        chips.append(Chip(_("Major themes only"), with_query(query, theme=None)))
    if query.get("q"):
        chips.append(Chip(f"“{query['q']}”", with_query(query, q=None)))
    return [release_group, stage_group, theme_group, sig_group], chips
