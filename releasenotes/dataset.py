"""Build the fixtures in fixtures/ from the facts file and our own written content.

Structure (KEP numbers, SIGs, stages, milestone maps) comes from the facts file; every
sentence a reader sees comes from releasenotes/content/*.yaml, which we write. The
output is ordinary Django fixtures, loaded in file-name order by `loaddata`. Rows carry
natural keys or fixed primary keys, so loading them twice changes nothing.
"""

import json
from pathlib import Path

import yaml
from django.apps import apps

from .checker.rules import RULES_PATH, build_rules
from .importers import keps
from .models import STAGE_RANK, Stage
from .translation_status import fingerprint
from .versions import parse_minor, try_normalise

CONTENT_DIR = Path(__file__).resolve().parent / "content"
DEFAULT_FACTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "k8s-1.22-facts.yaml"
PLUTO = Path("upstream") / "pluto" / "versions.yaml"  # beside the facts file
CURRENT = "1.22"
FAQ_TIMELINE_KEY = "dockershim-timeline"

_STAGE_FROM_FACTS = {"deprecation": Stage.DEPRECATED}


def load_yaml(path: Path):
    with open(path, encoding="utf-8") as handle:
        # libyaml's parser when PyYAML has it: the same safe loading, many times faster.
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506


def version_key(version: str) -> tuple[int, int]:
    return parse_minor(version)


def stage_timeline(item: dict) -> list[tuple[str, str]]:
    """[(version, stage)] oldest first, from the milestone map, consistent with the 1.22 stage.

    The 1.22 stage in the facts wins over the milestone map. Entries that would make the
    history go backwards around it (a later release at an earlier stage, an earlier
    release at a later stage) are dropped.
    """
    stage_22 = str(_STAGE_FROM_FACTS.get(item["stage_in_1_22"], item["stage_in_1_22"]))
    milestone = (item.get("kep_yaml_now") or {}).get("milestone") or {}
    by_version = {}
    for stage, raw in milestone.items():
        version = try_normalise(raw)
        if version is None or stage not in Stage.values:
            continue  # "never", "TBD", "TODO" and the like
        by_version.setdefault(version, stage)
        if STAGE_RANK[Stage(stage)] > STAGE_RANK[Stage(by_version[version])]:
            by_version[version] = stage
    by_version[CURRENT] = stage_22
    rank_22, key_22 = STAGE_RANK[Stage(stage_22)], version_key(CURRENT)
    timeline = []
    for version in sorted(by_version, key=version_key):
        rank = STAGE_RANK[Stage(by_version[version])]
        if version_key(version) < key_22 and rank > rank_22:
            continue
        if version_key(version) > key_22 and rank < rank_22:
            continue
        timeline.append((version, by_version[version]))
    return timeline


def corrected_timelines(content_dir: Path = CONTENT_DIR) -> dict[int, tuple[list[tuple[str, str]], str]]:
    """{kep: ([(version, stage)] oldest first, source)} from content/corrections.yaml."""
    path = content_dir / "corrections.yaml"
    if not path.exists():
        return {}
    corrected = {}
    for entry in load_yaml(path) or []:
        stages = sorted(((str(v), stage) for stage, v in entry["stages"].items()), key=lambda vs: version_key(vs[0]))
        corrected[int(entry["kep"])] = (stages, entry["source"])
    return corrected


def _release_row(version: str, **fields) -> dict:
    major, minor = parse_minor(version)
    return {"model": "releasenotes.release", "fields": {"version": version, "major": major, "minor": minor, **fields}}


def _md_list(lines) -> str:
    return "\n".join(f"- {line}" for line in lines)


def build(facts_path: Path = DEFAULT_FACTS, content_dir: Path = CONTENT_DIR) -> dict[str, list[dict]]:
    """Return {fixture file name: list of fixture rows}."""
    facts = load_yaml(facts_path)
    site = load_yaml(content_dir / "site.yaml")
    items = facts["enhancements"]["items"]
    content = {}
    for path in sorted(content_dir.glob("enhancements_*.yaml")):
        for entry in load_yaml(path):
            content[entry["kep"]] = entry
    missing = [item["kep_number"] for item in items if item["kep_number"] not in content]
    if missing:
        raise ValueError(f"no written content for KEPs {missing}")
    removals = load_yaml(content_dir / "removed_apis.yaml")
    deprecations = removal_deprecations(removals, rules_table(facts_path, content_dir, facts))
    faq = load_yaml(content_dir / "dockershim_faq.yaml")
    timeline_text = load_yaml(content_dir / "dockershim_timeline.yaml")
    glossary = load_yaml(content_dir / "glossary.yaml")

    timelines = {item["kep_number"]: stage_timeline(item) for item in items}
    corrections = corrected_timelines(content_dir)
    for kep, (stages, _source) in corrections.items():
        timelines[kep] = stages
    versions = {v for tl in timelines.values() for v, _ in tl}
    for removal in removals:
        versions.add(removal["removed_in"])
        if removal.get("replacement_available_since"):
            versions.add(removal["replacement_available_since"])
        if deprecations.get(removal["slug"]):
            versions.add(deprecations[removal["slug"]])
    for entry in faq:
        versions.update(v for v in (entry.get("applies_from"), entry.get("applies_until")) if v)
    listed = {str(r["version"]): r for r in load_yaml(content_dir / "releases.yaml")}
    versions.update(listed)

    rel = facts["release"]
    counts = facts["enhancements"]["official_counts"]
    text = site["release"]
    releases = []
    for version in sorted(versions, key=version_key):
        if version == CURRENT:
            releases.append(
                _release_row(
                    version,
                    documented=True,
                    name_en=text["name_en"],
                    name_ko=text["name_ko"],
                    summary_en=text["summary_en"].strip(),
                    summary_ko=text["summary_ko"].strip(),
                    release_date=rel["release_date"],
                    announced_stable=counts["stable"],
                    announced_beta=counts["beta"],
                    announced_alpha=counts["alpha"],
                    announced_deprecated=counts["deprecated"],
                    counts_note_en=text["counts_note_en"].strip(),
                    counts_note_ko=text["counts_note_ko"].strip(),
                    announcement_url_en=rel["blog_url_en"],
                    announcement_url_ko=rel["blog_url_ko"],
                    changelog_url=rel["changelog_url"],
                )
            )
        elif version in listed:
            entry = listed[version]
            releases.append(
                _release_row(
                    version,
                    name_en=f"Kubernetes {version}: {entry['name']}",
                    name_ko=f"쿠버네티스 {version}: {entry['name']}",
                    release_date=str(entry["date"]),
                )
            )
        else:
            releases.append(_release_row(version))

    sigs = [
        {
            "model": "releasenotes.sig",
            "fields": {
                "slug": sig["slug"],
                "name": sig["name"],
                "description_en": sig["description_en"].strip(),
                "description_ko": sig["description_ko"].strip(),
            },
        }
        for sig in sorted(site["sigs"], key=lambda s: s["slug"])
    ]
    known_sigs = {sig["fields"]["slug"] for sig in sigs}

    enhancements, entries = [], []
    for item in items:
        kep = item["kep_number"]
        written = content[kep]
        participating = sorted(set(item.get("participating_sigs") or []) - {item["owning_sig"]})
        unknown = ({item["owning_sig"], *participating}) - known_sigs
        if unknown:
            raise ValueError(f"KEP {kep}: SIGs {sorted(unknown)} are not in site.yaml")
        enhancements.append(
            {
                "model": "releasenotes.enhancement",
                "pk": kep,
                "fields": {
                    "kep_number": kep,
                    "tracking_issue": item["tracking_issue"],
                    "slug": written["slug"],
                    "title_en": written["title_en"].strip(),
                    "title_ko": written["title_ko"].strip(),
                    "summary_en": written["summary_en"].strip(),
                    "summary_ko": written["summary_ko"].strip(),
                    "owning_sig": [item["owning_sig"]],
                    "participating_sigs": [[slug] for slug in participating],
                    "feature_gates": item.get("feature_gates_in_kep") or [],
                    "aliases": written.get("aliases") or [],
                    "kep_url": item["kep_url"],
                    "status": keps.normalise_status((item.get("kep_yaml_now") or {}).get("status"))[0],
                    "docs_url_en": written.get("docs_url_en"),
                    "docs_url_ko": written.get("docs_url_ko"),  # None (as the admin saves it) where none
                },
            }
        )
        for version, stage in timelines[kep]:
            major_theme = version == CURRENT and bool(item["release_blog_1_22"].get("major_theme"))
            source = item["stage_source"] if version == CURRENT else "kep.yaml milestone map"
            if kep in corrections:
                source = corrections[kep][1]
            entries.append(
                {
                    "model": "releasenotes.stageentry",
                    "pk": kep * 100 + parse_minor(version)[1],
                    "fields": {
                        "enhancement": kep,
                        "release": [version],
                        "stage": stage,
                        "major_theme": major_theme,
                        "source": source[:200],
                    },
                }
            )

    themes = [
        {
            "model": "releasenotes.theme",
            "pk": parse_minor(CURRENT)[1] * 100 + position,
            "fields": {
                "release": [CURRENT],
                "position": position,
                "slug": theme["slug"],
                "title_en": theme["title_en"].strip(),
                "title_ko": theme["title_ko"].strip(),
                "summary_en": theme["summary_en"].strip(),
                "summary_ko": theme["summary_ko"].strip(),
                "enhancements": sorted(theme.get("keps") or []),
            },
        }
        for position, theme in enumerate(site["themes"], start=1)
    ]

    removal_rows = [
        {
            "model": "releasenotes.apiremoval",
            "fields": {
                "slug": r["slug"],
                "group": r["group"] or "",
                "version": r["version"],
                "kinds": list(r["kinds"]),
                "removed_in": [r["removed_in"]],
                "deprecated_in": [deprecations[r["slug"]]] if deprecations.get(r["slug"]) else None,
                "replacement": r["replacement"] or "",
                "replacement_available_since": [r["replacement_available_since"]]
                if r.get("replacement_available_since")
                else None,
                "notable_changes_en": (r.get("notable_changes_en") or "").strip(),
                "notable_changes_ko": (r.get("notable_changes_ko") or "").strip(),
                "note_en": (r.get("note_en") or "").strip(),
                "note_ko": (r.get("note_ko") or "").strip(),
                "guide_url": r["guide_url"],
            },
        }
        for r in removals
    ]

    faq_rows = [
        {
            "model": "releasenotes.faqentry",
            "fields": {
                "topic": f["topic"],
                "position": f["position"],
                "slug": f["slug"],
                "question_en": f["question_en"].strip(),
                "question_ko": f["question_ko"].strip(),
                "answer_en": f["answer_en"].strip(),
                "answer_ko": f["answer_ko"].strip(),
                "applies_from": f.get("applies_from") or "",
                "applies_until": f.get("applies_until") or "",
                "source_url": f.get("source_url") or "",
            },
        }
        for f in faq
    ]
    steps_en = _md_list(f"**{s['version']}** — {s['title_en']}" for s in timeline_text["steps"])
    steps_ko = _md_list(f"**{s['version']}** — {s['title_ko']}" for s in timeline_text["steps"])
    snippets = [
        {
            "model": "releasenotes.snippet",
            "fields": {
                "key": FAQ_TIMELINE_KEY,
                "title_en": "Timeline",
                "title_ko": "타임라인",
                "body_en": steps_en + "\n\n" + timeline_text["intro_en"].strip(),
                "body_ko": steps_ko + "\n\n" + timeline_text["intro_ko"].strip(),
            },
        }
    ]
    glossary_rows = [
        {
            "model": "releasenotes.glossaryterm",
            "fields": {
                "slug": g["slug"],
                "english": g["english"],
                "korean": g["korean"],
                "avoid": list(g.get("avoid") or []),
                "note_en": (g.get("note_en") or "").strip(),
                "note_ko": (g.get("note_ko") or "").strip(),
                "synonyms": [str(s) for s in g.get("synonyms") or []],
            },
        }
        for g in glossary
    ]
    fixtures = {
        "01_releases.json": releases,
        "02_sigs.json": sigs,
        "03_enhancements.json": enhancements + entries,
        "04_themes.json": themes,
        "05_removed_apis.json": removal_rows,
        "06_dockershim_faq.json": faq_rows + snippets,
        "07_glossary.json": glossary_rows,
    }
    return {name: with_translation_sources(rows) for name, rows in fixtures.items()}


def rules_table(facts_path: Path = DEFAULT_FACTS, content_dir: Path = CONTENT_DIR, facts=None) -> list[dict]:
    """The checker's rule table (checker/rules.py) from the facts file, pluto and our content."""
    facts = load_yaml(facts_path) if facts is None else facts
    pluto = load_yaml(facts_path.parent / PLUTO)
    return build_rules(facts, pluto, load_yaml(content_dir / "removed_apis.yaml"))


def removal_deprecations(removals: list[dict], rules: list[dict]) -> dict[str, str]:
    """slug -> the release that deprecated it (the earliest of its kinds'), where known."""
    by_slug: dict[str, list[str]] = {}
    for rule in rules:
        if rule["slug"] and rule["deprecated_in"]:
            by_slug.setdefault(rule["slug"], []).append(rule["deprecated_in"])
    return {slug: min(found, key=version_key) for slug, found in by_slug.items()}


def write_rules(rules: list[dict], path: Path = RULES_PATH) -> Path:
    body = {
        "about": "Generated by `make fixtures` from the facts file's removals, pluto's table and "
        "releasenotes/content/removed_apis.yaml (see releasenotes/checker/rules.py). Do not edit.",
        "rules": rules,
    }
    path.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def with_translation_sources(rows: list[dict]) -> list[dict]:
    """Our Korean content is written from the English beside it: record that."""
    for row in rows:
        fields = row["fields"]
        translated = getattr(apps.get_model(row["model"]), "TRANSLATED_FIELDS", ())
        fields["translation_sources"] = {
            name: fingerprint(fields.get(f"{name}_en", "")) for name in translated if fields.get(f"{name}_ko")
        }
    return rows


def render(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"


def write(output_dir: Path, fixtures: dict[str, list[dict]]) -> list[Path]:
    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in fixtures.items():
        path = output_dir / name
        path.write_text(render(rows), encoding="utf-8")
        written.append(path)
    return written
