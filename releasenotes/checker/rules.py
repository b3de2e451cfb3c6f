"""The checker's rule table: which API version of which kind is deprecated and removed when,
and what replaces it.

Plain Python, no Django. The table is data, in one file (``rules.json`` beside this
module), built by ``make fixtures`` from two sources:

- the official deprecation guide's removals (``removed_apis`` and
  ``removed_apis_other_releases`` in the facts file), with our written notable changes
  and notes from ``releasenotes/content/removed_apis.yaml``;
- every Kubernetes entry of pluto's table (``upstream/pluto/versions.yaml``).

Where both know an API version and kind, the guide's removal release and replacement win,
and the rule's ``note`` says what pluto said instead. The facts file gives no deprecation
releases, so ``deprecated_in`` comes from pluto; where pluto has none either, it is null
and the note says so. Nothing is invented.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from releasenotes.versions import parse_minor, try_normalise

__all__ = ["RULES_PATH", "Replacement", "Rule", "RuleSet", "build_rules", "load_rules", "version_rank"]

RULES_PATH = Path(__file__).with_name("rules.json")
GUIDE_URL = "https://kubernetes.io/docs/reference/using-api/deprecation-guide/"


@dataclass(frozen=True)
class Replacement:
    api_version: str
    since: str | None  # the release that first served it, when a source says
    deprecated: bool = False  # served at the target, but deprecated there too (no better one)


@dataclass(frozen=True)
class Rule:
    """One API version of one kind, with its deprecation and removal releases."""

    api_version: str
    kind: str
    deprecated_in: str | None
    removed_in: str | None  # None: deprecated, removal not scheduled
    replacements: tuple[Replacement, ...] = ()
    source: str = "guide"  # "guide", "pluto" or "guide+pluto"
    slug: str = ""  # the removed-APIs page entry, for guide rules
    guide_url: str = GUIDE_URL
    notable_changes: dict[str, str] = field(default_factory=dict)  # {"en", "ko"} Markdown
    advice: dict[str, str] = field(default_factory=dict)  # {"en", "ko"} when nothing replaces it
    note: str = ""  # where the sources disagree, or what they do not say

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Rule:
        return cls(
            api_version=row["api_version"],
            kind=row["kind"],
            deprecated_in=row.get("deprecated_in"),
            removed_in=row.get("removed_in"),
            replacements=tuple(Replacement(r["api_version"], r.get("since")) for r in row.get("replacements", ())),
            source=row.get("source", "guide"),
            slug=row.get("slug", ""),
            guide_url=row.get("guide_url") or GUIDE_URL,
            notable_changes=row.get("notable_changes") or {},
            advice=row.get("advice") or {},
            note=row.get("note", ""),
        )

    def status_at(self, target: tuple[int, int]) -> str | None:
        """ "removed" from `removed_in` on, "deprecated" from `deprecated_in` until then, else None."""
        if self.removed_in and target >= parse_minor(self.removed_in):
            return "removed"
        if self.deprecated_in and target >= parse_minor(self.deprecated_in):
            return "deprecated"
        return None

    def deprecated_at(self, release: tuple[int, int]) -> bool:
        return self.status_at(release) is not None


_LEVEL = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


def version_rank(api_version: str) -> tuple[int, int, int]:
    """Order of maturity: v2 > v1 > v1beta3 > v1beta1 > v1alpha1 (Kubernetes' own order)."""
    match = _LEVEL.match(api_version.rsplit("/", 1)[-1])
    if not match:
        return (0, 0, 0)
    major, level, number = match.groups()
    return (int(major), {"alpha": 0, "beta": 1, None: 2}[level], int(number or 0))


def is_stable(api_version: str) -> bool:
    return version_rank(api_version)[1] == 2


class RuleSet:
    """The rules indexed by (apiVersion, kind), with target-aware replacements."""

    def __init__(self, rules: Iterable[Rule]):
        self.rules = list(rules)
        self.by_key = {(r.api_version, r.kind): r for r in self.rules}
        self._by_kind: dict[str, list[Rule]] = {}
        self._replacements: dict[tuple[str, str, tuple[int, int]], Replacement | None] = {}
        for rule in self.rules:
            self._by_kind.setdefault(rule.kind, []).append(rule)

    def get(self, api_version: str, kind: str) -> Rule | None:
        return self.by_key.get((api_version, kind))

    def replacement_at(self, rule: Rule, target: tuple[int, int]) -> Replacement | None:
        """A version of the rule's kind that `target` serves and does not deprecate, the most
        mature one (stable where there is one). When every version the target serves is
        deprecated too, the one removed last, marked `deprecated`; None when the target
        serves no other version of the kind (PodSecurityPolicy from 1.25)."""
        key = (rule.api_version, rule.kind, target)
        if key not in self._replacements:
            self._replacements[key] = self._replacement_at(rule, target)
        return self._replacements[key]

    def _replacement_at(self, rule: Rule, target: tuple[int, int]) -> Replacement | None:
        known_since: dict[str, str | None] = {}
        for other in self._by_kind.get(rule.kind, ()):
            for candidate in other.replacements:
                since = known_since.get(candidate.api_version)
                if candidate.api_version not in known_since or (
                    candidate.since and (since is None or parse_minor(candidate.since) < parse_minor(since))
                ):
                    known_since[candidate.api_version] = candidate.since
        clean, deprecated = [], []
        for api_version, since in known_since.items():
            if api_version == rule.api_version:
                continue
            successor = self.get(api_version, rule.kind)
            if since and parse_minor(since) > target:
                continue  # not served yet at the target
            if since is None and not is_stable(api_version) and (successor is None or successor.deprecated_in is None):
                continue  # a pre-release version no source dates: not offered
            status = successor.status_at(target) if successor is not None else None
            if status is None:
                clean.append(Replacement(api_version, since))
            elif status == "deprecated":
                deprecated.append((successor, Replacement(api_version, since, deprecated=True)))
        if clean:
            return max(clean, key=lambda r: version_rank(r.api_version))
        if deprecated:

            def removal(pair):
                removed_in = pair[0].removed_in
                return parse_minor(removed_in) if removed_in else (99, 99)

            return max(deprecated, key=removal)[1]
        return None

    def advice_for(self, rule: Rule) -> dict[str, str]:
        """What to do when no API replaces the rule's: its own advice, or the advice of a
        later version of the same kind that has no replacement (PodSecurityPolicy)."""
        if rule.advice:
            return rule.advice
        for other in self._by_kind.get(rule.kind, ()):
            if other.advice:
                return other.advice
        return {}


@cache
def load_rules(path: Path = RULES_PATH) -> RuleSet:
    with open(path, encoding="utf-8") as handle:
        return RuleSet(Rule.from_dict(row) for row in json.load(handle)["rules"])


# Building the table (make fixtures)


def _minor(text: Any) -> str | None:
    if text in (None, ""):
        return None
    return try_normalise(str(text))


def _guide_rules(facts: dict[str, Any], content: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (apiVersion, kind) the official guide removes."""
    written = {}
    for entry in content:
        api_version = f"{entry['group']}/{entry['version']}" if entry.get("group") else entry["version"]
        for kind in entry["kinds"]:
            written[(api_version, kind, str(entry["removed_in"]))] = entry

    items = []
    for item in facts["removed_apis"]["items"]:
        items.append({**item, "removed_in": facts["removed_apis"]["release"]})
    items.extend(facts["removed_apis_other_releases"])

    rows = []
    for item in items:
        removed_in = _minor(item["removed_in"])
        for api_version in item["removed_versions"]:
            for kind in item["kinds"]:
                replacements = _guide_replacements(item, kind)
                entry = written.get((api_version, kind, removed_in), {})
                row = {
                    "api_version": api_version,
                    "kind": kind,
                    "deprecated_in": None,
                    "removed_in": removed_in,
                    "replacements": replacements,
                    "source": "guide",
                    "slug": entry.get("slug", ""),
                    "guide_url": entry.get("guide_url") or GUIDE_URL,
                    "notable_changes": {
                        "en": (entry.get("notable_changes_en") or "").strip(),
                        "ko": (entry.get("notable_changes_ko") or "").strip(),
                    },
                    "advice": {},
                    "note": "",
                }
                if not replacements and entry.get("note_en"):
                    row["advice"] = {"en": entry["note_en"].strip(), "ko": (entry.get("note_ko") or "").strip()}
                rows.append(row)
    return rows


def _guide_replacements(item: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """The guide's replacement(s): "g/v1 (or v1beta3)" with since per version or per kind."""
    text = item.get("replacement")
    if not text:
        return []
    since = item.get("replacement_available_since")
    first, _, rest = text.partition(" (or ")
    group = first.rsplit("/", 1)[0]
    names = [first.strip()] + ([f"{group}/{rest.rstrip(')').strip()}"] if rest else [])
    replacements = []
    for name in names:
        if isinstance(since, dict):
            value = since.get(name, since.get(kind))
        else:
            value = since
        replacements.append({"api_version": name, "since": _minor(value)})
    return replacements


def _pluto_rows(pluto: dict[str, Any]) -> list[dict[str, Any]]:
    rows, seen = [], set()
    for entry in pluto["deprecated-versions"]:
        if entry.get("component") != "k8s":
            continue
        key = (entry["version"], entry["kind"])
        if key in seen:  # pluto lists audit.k8s.io/v1alpha1 Policy twice
            continue
        seen.add(key)
        rows.append(entry)
    return rows


def build_rules(facts: dict[str, Any], pluto: dict[str, Any], content: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rule table from the facts file, pluto's table and our removed-API content."""
    rules = {(r["api_version"], r["kind"]): r for r in _guide_rules(facts, content)}
    pluto_rows = _pluto_rows(pluto)
    by_version: dict[str, list[dict[str, Any]]] = {}
    for entry in pluto_rows:
        by_version.setdefault(entry["version"], []).append(entry)

    for entry in pluto_rows:
        key = (entry["version"], entry["kind"])
        deprecated_in = _minor(entry.get("deprecated-in"))
        removed_in = _minor(entry.get("removed-in"))
        replacement = entry.get("replacement-api") or ""
        since = _minor(entry.get("replacement-available-in"))
        rule = rules.get(key)
        if rule is None:
            rules[key] = {
                "api_version": entry["version"],
                "kind": entry["kind"],
                "deprecated_in": deprecated_in,
                "removed_in": removed_in,
                "replacements": [{"api_version": replacement, "since": since}] if replacement else [],
                "source": "pluto",
                "slug": "",
                "guide_url": GUIDE_URL,
                "notable_changes": {"en": "", "ko": ""},
                "advice": {},
                "note": "" if deprecated_in else "Pluto gives no deprecation release; the guide gives none either.",
            }
            continue
        rule["source"] = "guide+pluto"
        rule["deprecated_in"] = deprecated_in
        notes = []
        if removed_in != rule["removed_in"]:
            notes.append(
                f"Pluto says removed in {removed_in}; the official guide says {rule['removed_in']}, which wins."
            )
        guide_names = {r["api_version"] for r in rule["replacements"]}
        if replacement and replacement not in guide_names:
            named = ", ".join(sorted(guide_names)) or "none"
            notes.append(f"Pluto names {replacement} as the replacement; the official guide names {named}, which wins.")
        if deprecated_in is None:
            notes.append("Neither the official guide nor pluto gives a deprecation release.")
        rule["note"] = " ".join(notes)

    # The guide rules pluto does not list: their deprecation release is unknown.
    for rule in rules.values():
        if rule["source"] == "guide":
            pluto_kinds = {e["kind"] for e in by_version.get(rule["api_version"], [])}
            rule["note"] = "Pluto does not list this kind; neither source gives a deprecation release." + (
                f" (Pluto lists {', '.join(sorted(pluto_kinds))} for this API version.)" if pluto_kinds else ""
            )

    def order(rule):
        removed = parse_minor(rule["removed_in"]) if rule["removed_in"] else (99, 99)
        return (removed, rule["api_version"], rule["kind"])

    return sorted(rules.values(), key=order)
