"""Normalising what people type into a search box, and the text it is matched against.
Plain Python, no Django.

The index and the query go through the same folding, so that "Server-side Apply",
"server side apply", "ServerSideApply" and "서버 사이드 어플라이" (typed in NFC or NFD) meet:

- `fold` gives the *compact* form: NFC, case-folded, with every space, hyphen and other
  punctuation taken out ("server-side apply" → "serversideapply"). Matching is substring
  matching on compact text, so "서버사이드" finds "서버 사이드 어플라이".
- `tokens` splits text into folded words where the text keeps words apart (spaces,
  hyphens, punctuation other than "." and "/"). The index stores text as tokens, so a
  match never straddles two words ("es" never matches "nod[e s]elector"): a spelling
  matches inside one token, or it runs across tokens from the start of one ("serverside"
  is the token "server" followed by a token starting "side"). `splits` finds those runs
  from the tokens the vocabulary holds.
- Short terms (one or two characters: "스왑", "ga") match the start of a token, which is
  what someone typing a short word means, and what an index can answer quickly.
- Typos: `deletes` gives the spellings one letter shorter, the keys under which the
  vocabulary finds words one edit away (rapidfuzz decides which really are).
"""

import difflib
import re
import unicodedata
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import accumulate, islice, product

from rapidfuzz.distance import OSA

MAX_QUERY_LENGTH = 500  # the search box's maxlength; longer input is refused, not cut
MAX_TERMS = 8  # words beyond this add SQL but hardly change the results
MAX_PHRASE_WORDS = 4  # the longest glossary phrase looked for in a query, in words
MAX_SPELLINGS = 16  # whole-query spellings tried for an exact match (glossary combinations)
SHORT = 3  # terms shorter than this are matched as word prefixes (a trigram needs three)
ABBREVIATION = 4  # glossary names this short are abbreviations, also matched as word prefixes
TYPO_MIN = 5  # a term this long or longer may have one wrong, missing or swapped letter
MAX_WORD = 40  # longer tokens (hashes, URLs) are searchable but not vocabulary
MAX_SPLIT = 24  # the longest spelling looked for as a run across several words
MAX_PIECES = 4  # ... and across at most this many words
MAX_SPLITS = 6  # ways of splitting one spelling into words, kept

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


_TOKEN_SEPARATOR = re.compile(r"[^\w./]+|_")


def tokens(text: str) -> list[str]:
    """The folded words of `text`, in order: "Server-side Apply (SSA), k8s.io/v1." →
    ["server", "side", "apply", "ssa", "k8s.io/v1"]."""
    found = (t.strip(KEPT_PUNCTUATION) for t in _TOKEN_SEPARATOR.split(_clean(text or "").casefold()))
    return [t for t in found if t]


def deletes(word: str) -> set[str]:
    """`word` with one letter left out, each way: the keys of a one-edit neighbourhood."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def splits(spelling: str, vocabulary: set[str]) -> list[tuple[str, ...]]:
    """Ways to read `spelling` as a run over several words: every piece but the last a word
    of the vocabulary, the last the start of one. "serverside" → [("server", "side")]."""
    found: list[tuple[str, ...]] = []

    def walk(start: int, pieces: tuple[str, ...]):
        for end in range(len(spelling) - 1, start, -1):  # longest words first
            piece = spelling[start:end]
            if piece not in vocabulary:
                continue
            if len(pieces) + 2 <= MAX_PIECES:
                found.append((*pieces, piece, spelling[end:]))
                walk(end, (*pieces, piece))
            if len(found) >= MAX_SPLITS:
                return

    if SHORT <= len(spelling) <= MAX_SPLIT:  # a short term is already the start of a word
        walk(0, ())
    return found[:MAX_SPLITS]


def pieces_keys(spelling: str) -> set[str]:
    """The substrings of `spelling` that `splits` may ask the vocabulary about."""
    if len(spelling) > MAX_SPLIT:
        return set()
    n = len(spelling)
    return {spelling[i:j] for i in range(n) for j in range(i + 1, n)}


def one_edit_away(term: str, words: Iterable[str], limit: int = 3) -> list[str]:
    """The words one wrong, missing, extra or swapped letter away from `term` (optimal
    string alignment distance 1), closest in length first."""
    close = [w for w in set(words) if w != term and OSA.distance(term, w, score_cutoff=1) <= 1]
    return sorted(close, key=lambda w: (abs(len(w) - len(term)), w))[:limit]


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
    # How each multi-word spelling splits into words: "serversideapply" → ("server", "side", "apply").
    pieces: dict[str, frozenset[tuple[str, ...]]] = field(default_factory=dict)
    # Abbreviations ("ssa", "pvc", "ing"): found at the start of a word only, never inside
    # one ("ssa" is not in "me[ssa]ges").
    abbreviations: frozenset[str] = frozenset()

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple]) -> "Glossary":
        """From (English, Korean) or (English, Korean, [other names]) rows. The other names
        (abbreviations, renderings we do not use) are search input only: they find the
        term's items and the items find them, but `display` never offers them."""
        synonyms, display, pieces = defaultdict(set), {}, defaultdict(set)
        for english, korean, *rest in pairs:
            shown = variants(english or "") + variants(korean or "")
            others = [v for name in (rest[0] if rest else None) or [] for v in variants(str(name))]
            spelled = {fold(v): v for v in shown + others}
            spelled.pop("", None)
            for original in shown + others:
                split = tuple(tokens(original))
                if len(split) > 1:
                    pieces[fold(original)].add(split)
            for compact in spelled:
                synonyms[compact] |= spelled.keys()
            for original in shown:
                display.setdefault(fold(original), original)
        return cls(
            {k: frozenset(v) for k, v in synonyms.items()},
            display,
            {k: frozenset(v) for k, v in pieces.items()},
            frozenset(k for k in synonyms if len(k) <= ABBREVIATION and k.isascii() and k.isalpha()),
        )

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
    # Filled from the vocabulary (see `with_vocabulary`): how spellings run across words,
    # and per group the words one typo away from a term the index does not hold.
    pieces: dict[str, frozenset[tuple[str, ...]]] = field(default_factory=dict, compare=False, repr=False)
    fuzzy: tuple[frozenset[str], ...] = field(default=(), compare=False, repr=False)
    corrections: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    terms: tuple[str, ...] = field(default=(), compare=False, repr=False)  # the folded words typed, per group

    def __bool__(self):
        return bool(self.groups or self.number)

    @property
    def spellings(self) -> set[str]:
        return set().union(*self.groups, *self.fuzzy) if self.groups else set()

    def at_word_start(self, spelling: str) -> bool:
        """Whether `spelling` matches only at the start of a word (see `is_short`)."""
        return is_short(spelling) or spelling in self.glossary.abbreviations

    def close_terms(self) -> list[str]:
        return self.glossary.close_to(fold(self.text))

    def suggestion(self) -> str:
        """The query with each misspelt term replaced by the word it is closest to, or ""."""
        if not self.corrections:
            return ""
        return " ".join(self.corrections.get(fold(word), word) for word in normalise_query(self.text).split())

    def typo_terms(self) -> list[str]:
        """Typed words long enough to be looked up as possible typos."""
        return [t for t in self.terms if len(t) >= TYPO_MIN and len(t) <= MAX_WORD]

    def vocabulary_keys(self) -> set[str]:
        """What to ask the vocabulary for: pieces of the typed spellings, and typo keys."""
        keys = set()
        for spelling in self.terms:
            keys |= pieces_keys(spelling)
        for term in self.typo_terms():
            keys |= {term} | deletes(term)
        return keys

    def with_vocabulary(self, known: Iterable[str], candidates: dict[str, Iterable[str]]) -> "Query":
        """This query with what the vocabulary says: `known` are the words it holds among
        `vocabulary_keys()`, `candidates` per typo term the words that may be one edit away."""
        from dataclasses import replace

        known = set(known)
        pieces = dict(self.glossary_pieces())
        for term in self.terms:
            found = splits(term, known)
            if found:
                pieces[term] = pieces.get(term, frozenset()) | frozenset(found)
        fuzzy, corrections = [], {}
        for group, term in zip(self.groups, self.terms, strict=True):
            close = []
            if term in candidates and term not in known:
                close = one_edit_away(term, candidates[term])
            extra = set()
            for word in close:
                extra |= {word} | self.glossary.synonyms.get(word, frozenset())
            if close:
                corrections[term] = close[0]
            fuzzy.append(frozenset(extra - group))
        return replace(self, pieces=pieces, fuzzy=tuple(fuzzy), corrections=corrections)

    def corrected(self) -> "Query":
        """The query as if its typos were corrected: each group with its corrections."""
        from dataclasses import replace

        groups = tuple(g | f for g, f in zip(self.groups, self.fuzzy or (frozenset(),) * len(self.groups), strict=True))
        whole = frozenset("".join(combo) for combo in islice(product(*map(sorted, groups)), MAX_SPELLINGS))
        return replace(self, groups=groups, whole=whole, fuzzy=())

    def glossary_pieces(self) -> dict[str, frozenset[tuple[str, ...]]]:
        found = {}
        for spelling in self.spellings:
            if spelling in self.glossary.pieces:
                found[spelling] = self.glossary.pieces[spelling]
        return found


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
    groups, typed = [], []
    i = 0
    while i < len(terms):
        # The longest run of words that is a glossary term becomes one group, so that
        # "사용 중단" is looked for as "사용중단" or "deprecated", not as two separate words.
        for n in range(min(MAX_PHRASE_WORDS, len(terms) - i), 0, -1):
            phrase = "".join(terms[i : i + n])
            if n == 1 or phrase in glossary.synonyms:
                groups.append(frozenset({phrase}) | glossary.synonyms.get(phrase, frozenset()))
                typed.append(phrase if n == 1 else "")
                i += n
                break
    whole = frozenset("".join(combo) for combo in islice(product(*map(sorted, groups)), MAX_SPELLINGS))
    return Query(
        clean_query(raw),
        tuple(groups),
        whole if groups else frozenset(),
        parse_number(normal),
        glossary,
        pieces={s: glossary.pieces[s] for g in groups for s in g if s in glossary.pieces},
        terms=tuple(typed),
    )


_KEPT_RUNS = re.compile(r"([^\W_]+|[./]+)")  # in a group: split() keeps them


def _folded_with_origin(text: str) -> tuple[str, Callable[[int], int]]:
    """`text` folded as `fold` does (without stripping), and where each of its characters
    came from in `text` (a function of the position)."""
    lowered = text.casefold()
    if len(lowered) == len(text):  # almost always: one character for each, kept in runs
        pieces = _KEPT_RUNS.split(lowered)  # what is dropped, a run, what is dropped, ...
        runs = pieces[1::2]
        starts: list[list[int]] = []  # of each run in `text` and in the folded text, once asked

        def origin(i: int) -> int:
            if not starts:
                starts.append(list(accumulate(map(len, pieces), initial=0))[1::2])
                starts.append(list(accumulate(map(len, runs), initial=0)))
            in_text, in_folded = starts
            run = bisect_right(in_folded, i) - 1
            return in_text[run] + i - in_folded[run]

        return "".join(runs), origin
    folded, origins = [], []
    for i, ch in enumerate(text):  # "ß" → "ss": each character on its own
        for f in ch.casefold():
            if f.isalnum() or f in KEPT_PUNCTUATION:
                folded.append(f)
                origins.append(i)
    return "".join(folded), origins.__getitem__


def find_matches(text: str, spellings: Iterable[str], at_word_start=is_short) -> list[tuple[int, int]]:
    """Where the spellings occur in `text`, folded as the index folds it: sorted,
    non-overlapping (start, end) spans of `text`. Short spellings count only at the
    start of a word, as they do in the search itself."""
    haystack, origin = _folded_with_origin(text)
    if not any(s and s in haystack for s in spellings):
        return []  # most texts shown hold no match
    spans = []
    for spelling in spellings:
        start = haystack.find(spelling) if spelling else -1
        while start != -1:
            first = origin(start)
            if not at_word_start(spelling) or first == 0 or not text[first - 1].isalnum():
                spans.append((first, origin(start + len(spelling) - 1) + 1))
            start = haystack.find(spelling, start + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
