"""What is searchable. Making a model searchable is one `register` call (see sources.py):

    @register(FeatureGate, kind="feature_gate", label=_("Feature gate"))
    def feature_gate(gate) -> Document:
        return Document(titles=(gate.name, gate.name), url=Url("releasenotes:feature-gate-detail", {...}))

The order of registration breaks ties between equally good matches, and the kinds are
the API's "type" values and the choices for narrowing a search by type.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models


@dataclass(frozen=True)
class Url:
    """Where an item lives, reversed when shown (so it carries the page's language)."""

    name: str
    kwargs: dict = field(default_factory=dict)
    anchor: str = ""
    query: str = ""

    @property
    def suffix(self) -> str:
        return (f"?{self.query}" if self.query else "") + (f"#{self.anchor}" if self.anchor else "")


@dataclass(frozen=True)
class Document:
    """What an item offers to search: titles and plain bodies per language (shown),
    other names (matched like titles; `keywords` are also shown as "also known as"),
    the releases it belongs to (the last is shown), and where it lives."""

    titles: tuple[str, str]
    url: Url
    bodies: tuple[str, str] = ("", "")
    names: Iterable[str] = ()
    keywords: Iterable[str] = ()
    releases: Iterable[str] = ()
    kep_number: int | None = None
    tracking_issue: int | None = None


@dataclass(frozen=True)
class Source:
    model: type[models.Model]
    kind: str
    label: str
    document: Callable[[models.Model], Document]
    queryset: Callable[[], models.QuerySet]
    # Other models whose saves change this model's documents: {model: instance → items}.
    depends_on: dict = field(default_factory=dict)


class Registry:
    def __init__(self):
        self._by_model: dict[type, Source] = {}

    def register(self, model, *, kind, label, queryset=None, depends_on=None):
        def decorator(document):
            self._by_model[model] = Source(
                model, kind, label, document, queryset or model._default_manager.all, depends_on or {}
            )
            return document

        return decorator

    def __iter__(self):
        return iter(self._by_model.values())

    def for_model(self, model) -> Source | None:
        return self._by_model.get(model)

    def kinds(self) -> list[str]:
        return [source.kind for source in self]

    def choices(self) -> list[tuple[str, str]]:
        return [(source.kind, source.label) for source in self]

    def label(self, kind: str) -> str:
        return next((source.label for source in self if source.kind == kind), kind)


registry = Registry()
register = registry.register
