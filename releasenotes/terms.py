"""One Korean rendering per term: find text that uses a rendering the glossary rules out.

Plain Python, no Django: the glossary's `avoid` lists (content/glossary.yaml, or the
GlossaryTerm rows) become rules, and any Korean text can be checked against them. The
content files are walked whatever their shape, so files added later are covered too.
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Search synonyms list the variants people type on purpose; the rules' own lists too.
SKIPPED_KEYS = {"aliases", "avoid", "synonyms"}


@dataclass(frozen=True)
class Rule:
    avoid: str
    use: str
    english: str


@dataclass(frozen=True)
class Violation:
    where: str
    rule: Rule
    excerpt: str

    def __str__(self):
        return f"{self.where}: “{self.rule.avoid}” → use “{self.rule.use}” ({self.rule.english}): …{self.excerpt}…"


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def rules_from(terms: Iterable[dict]) -> list[Rule]:
    """Rules from glossary entries ({"english", "korean", "avoid": [...]})."""
    return [
        Rule(_fold(avoid), term["korean"], term["english"])
        for term in terms
        for avoid in term.get("avoid") or []
        if avoid.strip()
    ]


def find(text: str, rules: Iterable[Rule], where: str = "") -> Iterator[Violation]:
    text = _fold(text or "")
    for rule in rules:
        start = text.find(rule.avoid)
        if start >= 0:
            yield Violation(where, rule, text[max(0, start - 20) : start + len(rule.avoid) + 20].replace("\n", " "))


def korean_strings(data, path: str = "") -> Iterator[tuple[str, str]]:
    """(where, text) for every string holding Hangul in a loaded YAML document."""
    if isinstance(data, dict):
        for key, value in data.items():
            if str(key) not in SKIPPED_KEYS:
                yield from korean_strings(value, f"{path}.{key}" if path else str(key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from korean_strings(value, f"{path}[{index}]")
    elif isinstance(data, str) and HANGUL.search(data):
        yield path, data


def check_content(content_dir: Path, rules: list[Rule]) -> list[Violation]:
    found = []
    for path in sorted(content_dir.rglob("*.yaml")):
        with open(path, encoding="utf-8") as handle:
            for document in yaml.safe_load_all(handle):
                for where, text in korean_strings(document):
                    found.extend(find(text, rules, f"{path.relative_to(content_dir)}:{where}"))
    return found
