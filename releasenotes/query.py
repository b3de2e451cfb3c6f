"""Normalising what people type into a search box. Plain Python, no Django.

The index and the query go through the same folding, so that "Server-side Apply",
"server side apply", "ServerSideApply" and "서버 사이드 어플라이" (typed in NFC or NFD) meet:

- `fold` gives the *compact* form: NFC, case-folded, with every space, hyphen and other
  punctuation taken out ("server-side apply" → "serversideapply"). Matching is substring
  matching on compact text, so "서버사이드" finds "서버 사이드 어플라이".
- `words` gives the same text split into words, for terms too short for substring search:
  a one- or two-character term ("스왑", "ga") matches the start of a word instead, which is
  what someone typing a short word means, and what an index can answer quickly.
"""

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice, product

MAX_QUERY_LENGTH = 500  # the search box's maxlength; longer input is refused, not cut
MAX_TERMS = 8  # words beyond this add SQL but hardly change the results
MAX_PHRASE_WORDS = 4  # the longest glossary phrase looked for in a query, in words
MAX_SPELLINGS = 16  # whole-query spellings tried for an exact match (glossary combinations)
SHORT = 3  # terms shorter than this are matched as word prefixes (a trigram needs three)

# Kept inside compact text because they carry meaning in names: "networking.k8s.io/v1", "1.22".
KEPT_PUNCTUATION = "./"

_NUMBER = re.compile(r"(?:(kep)[\s-]*|(#))?(\d{1,9})")  # nine digits still fit an integer column
_PARENTHESISED = re.compile(r"\(([^()]*)\)")


def tidy(text: str) -> str:
    """NFC, without control characters or unpaired surrogates, spaces collapsed. Case is
    kept: this is text to show."""
    return " ".join(_clean(text or "").split())


def clean_query(raw: str) -> str:
    """The query as typed, made safe to show and to search."""
    return tidy((raw or "")[: MAX_QUERY_LENGTH * 2])[:MAX_QUERY_LENGTH]


def normalise_query(raw: str) -> str:
    """NFC-normalise, case-fold, drop control characters and collapse spaces."""
    return clean_query(raw).casefold()


def _clean(text: str) -> str:
    # Category C is control, format, surrogate, private use and unassigned: none of it is
    # searchable, and NUL or a lone surrogate would break the database driver. Printable
    # text has none, and checking that is much cheaper than looking at every character.
    if not text.isprintable():
        text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """The compact form: "Server-side Apply" → "serversideapply", "k8s.io/v1" → "k8s.io/v1"."""
    compact = "".join(ch for ch in _clean(text or "").casefold() if ch.isalnum() or ch in KEPT_PUNCTUATION)
    return compact.strip(KEPT_PUNCTUATION)


def words(text: str) -> list[str]:
    """The text's words, folded: "PodSecurity (admission)" → ["podsecurity", "admission"]."""
    return [word for word in re.split(r"[\W_]+", _clean(text or "").casefold()) if word]


def is_short(spelling: str) -> bool:
    return len(spelling) < SHORT


def variants(term: str) -> list[str]:
    """A glossary term and the names inside it: "generally available (GA)" → itself,
    "generally available" and "GA"."""
    found = [term]
    inside = _PARENTHESISED.findall(term)
    if inside:
        found.append(_PARENTHESISED.sub(" ", term))
        found.extend(inside)
    return [v.strip() for v in found if v.strip()]


@dataclass(frozen=True)
class Glossary:
    """Korean and English terms that mean the same, keyed by compact spelling."""

    synonyms: dict[str, frozenset[str]] = field(default_factory=dict)
    display: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> "Glossary":
        synonyms, display = defaultdict(set), {}
        for english, korean in pairs:
            spelled = {fold(v): v for v in variants(english or "") + variants(korean or "")}
            spelled.pop("", None)
            for compact, original in spelled.items():
                synonyms[compact] |= spelled.keys()
                display.setdefault(compact, original)
        return cls({k: frozenset(v) for k, v in synonyms.items()}, display)

    def close_to(self, compact: str, limit: int = 3) -> list[str]:
        """Glossary terms spelled almost like `compact`, for "did you mean"."""
        if not compact:
            return []
        keys = [k for k in self.display if k != compact]
        return [self.display[k] for k in difflib.get_close_matches(compact, keys, n=limit, cutoff=0.7)]


@dataclass(frozen=True)
class Number:
    value: int
    kind: str  # "kep" (KEP-2400), "issue" (#542) or "any" (2400)


@dataclass(frozen=True)
class Query:
    """A parsed query. An item matches when its number matches, or when every group
    matches; a group matches when any of its spellings does (the word itself and its
    glossary translations)."""

    text: str
    groups: tuple[frozenset[str], ...] = ()
    whole: frozenset[str] = frozenset()  # spellings of the whole query, for exact and prefix ranks
    number: Number | None = None
    glossary: Glossary = field(default_factory=Glossary, compare=False, repr=False)

    def __bool__(self):
        return bool(self.groups or self.number)

    @property
    def spellings(self) -> set[str]:
        return set().union(*self.groups) if self.groups else set()

    def close_terms(self) -> list[str]:
        return self.glossary.close_to(fold(self.text))


def parse_number(text: str) -> Number | None:
    """A KEP or issue number: KEP-2400 and kep 2400 → KEP 2400, #542 → issue 542, 2400 → either."""
    match = _NUMBER.fullmatch(text.strip().casefold())
    if not match:
        return None
    kep, issue, digits = match.groups()
    return Number(int(digits), "kep" if kep else "issue" if issue else "any")


def parse_query(raw: str, glossary: Glossary | None = None) -> Query:
    glossary = glossary or Glossary()
    normal = normalise_query(raw)
    terms = [t for t in map(fold, normal.split()) if t][:MAX_TERMS]
    groups = []
    i = 0
    while i < len(terms):
        # The longest run of words that is a glossary term becomes one group, so that
        # "사용 중단" is looked for as "사용중단" or "deprecated", not as two separate words.
        for n in range(min(MAX_PHRASE_WORDS, len(terms) - i), 0, -1):
            phrase = "".join(terms[i : i + n])
            if n == 1 or phrase in glossary.synonyms:
                groups.append(frozenset({phrase}) | glossary.synonyms.get(phrase, frozenset()))
                i += n
                break
    whole = frozenset("".join(combo) for combo in islice(product(*map(sorted, groups)), MAX_SPELLINGS))
    return Query(clean_query(raw), tuple(groups), whole if groups else frozenset(), parse_number(normal), glossary)


def find_matches(text: str, spellings: Iterable[str]) -> list[tuple[int, int]]:
    """Where the spellings occur in `text`, folded as the index folds it: sorted,
    non-overlapping (start, end) spans of `text`. Short spellings count only at the
    start of a word, as they do in the search itself."""
    folded, origin = [], []
    for i, ch in enumerate(text):
        for f in ch.casefold():
            if f.isalnum() or f in KEPT_PUNCTUATION:
                folded.append(f)
                origin.append(i)
    haystack = "".join(folded)
    spans = []
    for spelling in spellings:
        start = haystack.find(spelling) if spelling else -1
        while start != -1:
            first = origin[start]
            if not is_short(spelling) or first == 0 or not text[first - 1].isalnum():
                spans.append((first, origin[start + len(spelling) - 1] + 1))
            start = haystack.find(spelling, start + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
