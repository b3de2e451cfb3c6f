"""Matching and ranking, in SQL. A parsed query (text.py) is completed from the
vocabulary, matched through the database's own index (SQLite FTS5, PostgreSQL pg_trgm)
and ranked:

    0  the KEP or tracking-issue number, or the exact title, alias, feature gate or term
    1  a title or other name that starts with the query
    2  every word of the query in the titles or other names
    3  anywhere else
    4… only with a typo corrected (one letter wrong, missing, extra or swapped): the same
       four ranks again, below all of the above

and among equal ranks, items of the current release first, then by kind (registration
order) and title.
"""

import json
from dataclasses import dataclass, replace
from functools import lru_cache

from django.db import connection
from django.db.models.expressions import RawSQL

from ..models import GlossaryTerm
from .models import SearchEntry, SearchWord
from .registry import registry
from .text import Glossary, Number, Query, clean_query, deletes, parse_query

# The SQLite FTS5 tables over `text` (see migrations): trigrams, and word tokens.
TEXT_INDEX = "releasenotes_searchentry_text"
WORDS_INDEX = "releasenotes_searchentry_words"
EXACT, PREFIX, TITLE_WORDS, ANYWHERE, TYPO = range(5)


# Parsing ---------------------------------------------------------------------------------


def parse(raw: str) -> Query:
    """Parse a query with the glossary's translations and what the vocabulary knows of its
    words: two queries, only when there are words."""
    if not clean_query(raw):
        return Query("")
    query = parse_query(raw, _glossary(_glossary_rows()))
    return _with_vocabulary(query) if query.groups else query


def _glossary_rows() -> tuple:
    # Read as stored (synonyms as JSON text where the driver gives text): these columns are
    # not translated, and this runs on every search, so the translating manager is skipped.
    table = GlossaryTerm._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT english, korean, synonyms FROM {table} ORDER BY id")  # noqa: S608
        return tuple(cursor.fetchall())


@lru_cache(maxsize=4)
def _glossary(rows: tuple) -> Glossary:
    # Keyed by the terms themselves, read afresh for every query: an edit shows at once,
    # and folding them again is skipped while they stay the same.
    decoded = [(e, k, tuple(json.loads(s) if isinstance(s, str) else s or ())) for e, k, s in rows]
    return Glossary.from_pairs(decoded)


def _with_vocabulary(query: Query) -> Query:
    keys = query.vocabulary_keys()
    if not keys:
        return query
    terms = query.typo_terms()
    if connection.vendor == "postgresql":
        # pg_trgm similarity finds the candidates (its GIN index on `word`); the threshold is
        # set low enough for a swapped letter in a five-letter word (see apps.py).
        sql = (
            "SELECT key, word, NULL FROM search_searchword WHERE key = ANY(%s) UNION ALL "
            "SELECT NULL, word, t.term FROM search_searchword, unnest(%s::text[]) AS t(term) WHERE word %% t.term"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [sorted(keys), terms])
            rows = cursor.fetchall()
        known = {word for key, word, _ in rows if key == word}
        candidates = {term: [word for _, word, t in rows if t == term] for term in terms}
    else:
        rows = list(SearchWord.objects.filter(key__in=sorted(keys)).values_list("key", "word"))
        known = {word for key, word in rows if key == word}
        candidates = {}
        for term in terms:
            near = {term} | deletes(term)
            candidates[term] = [word for key, word in rows if key in near]
    return _runs_held(query.with_vocabulary(known, candidates))


def _runs_held(query: Query) -> Query:
    """The query without the runs over words (`pieces`) of a spelling that no entry holds:
    they could match nothing, and every candidate would pay for testing them when it is
    ranked. One statement: a lookup per spelling, each ending at its first hit."""
    if not query.pieces:
        return query
    spellings = sorted(query.pieces)
    lookups = []
    for spelling in spellings:
        runs = sorted(query.pieces[spelling])
        if connection.vendor == "sqlite":
            expression = " OR ".join(_fts_string(" ".join(run)) + "*" for run in runs)
            lookups.append(Sql(f"SELECT 1 FROM {WORDS_INDEX} WHERE {WORDS_INDEX} MATCH %s", [expression]))  # noqa: S608
        else:
            in_text = Sql.join(" OR ", [_like("text", " " + " ".join(run)) for run in runs])
            lookups.append(Sql(f"SELECT 1 FROM {TABLE} s WHERE {in_text.text}", in_text.params))  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(f"({lookup.text} LIMIT 1)" for lookup in lookups),
            [x for lookup in lookups for x in lookup.params],
        )
        found = cursor.fetchone()
    held = {spelling: query.pieces[spelling] for spelling, hit in zip(spellings, found, strict=True) if hit}
    return replace(query, pieces=held)


# Matching and ranking, as SQL ---------------------------------------------------------
#
# The statement is written here rather than through the ORM: a query with its glossary
# spellings makes dozens of conditions, and building them as expressions cost more than
# the database took to answer. What people type only ever travels as a parameter; the
# table names are constants.

TABLE = SearchEntry._meta.db_table


@dataclass
class Sql:
    """A fragment of SQL and its parameters."""

    text: str
    params: list

    @staticmethod
    def join(glue: str, parts: list["Sql"]) -> "Sql":
        parts = [p for p in parts if p is not None]
        if len(parts) == 1:
            return parts[0]
        return Sql("(" + glue.join(p.text for p in parts) + ")", [x for p in parts for x in p.params])


def _fts_string(spelling: str) -> str:
    # Every spelling reaches MATCH as an FTS5 string, so no input is read as FTS syntax.
    return '"' + spelling.replace('"', '""') + '"'


def _fts(table: str, expression: str) -> Sql:
    # `table` is one of the two constants above; the expression travels as a parameter.
    return Sql(f"s.id IN (SELECT rowid FROM {table} WHERE {table} MATCH %s)", [expression])  # noqa: S608


def _like(column: str, pattern: str) -> Sql:
    # Folded text holds no "%" or "_" (see text.fold), so nothing needs escaping.
    return Sql(f"s.{column} LIKE %s", [f"%{pattern}%"])


def _group_fts(query: Query, spellings) -> Sql:
    """A group on SQLite: a long spelling inside one word (trigrams), a short one or an
    abbreviation at the start of a word, or a run over words from the start of one (word
    tokens)."""
    inside = [_fts_string(s) for s in sorted(spellings) if not query.at_word_start(s)]
    starts = [_fts_string(s) + "*" for s in sorted(spellings) if query.at_word_start(s)]
    starts += [_fts_string(" ".join(run)) + "*" for s in sorted(spellings) for run in sorted(query.pieces.get(s, ()))]
    conditions = []
    if inside:
        conditions.append(_fts(TEXT_INDEX, " OR ".join(inside)))
    if starts:
        conditions.append(_fts(WORDS_INDEX, " OR ".join(starts)))
    return Sql.join(" OR ", conditions)


def _holds(column: str, needle: str) -> str:
    # For ranking rows already found: a plain substring test, cheaper than LIKE's patterns.
    function = "instr" if connection.vendor == "sqlite" else "strpos"
    return f"{function}(s.{column}, {needle}) > 0"


def _contains(column: str, part: str) -> Sql:
    return Sql(_holds(column, "%s"), [part])


def _group_like(query: Query, column: str, spellings, test=_like) -> Sql:
    """The same rule as substring tests on a column of words between spaces (PostgreSQL
    answers LIKEs from its trigram index; ranking tests rows already found)."""
    conditions = []
    for s in sorted(spellings):
        conditions.append(test(column, f" {s}" if query.at_word_start(s) else s))
        conditions += [test(column, " " + " ".join(run)) for run in sorted(query.pieces.get(s, ()))]
    return Sql.join(" OR ", conditions)


def _groups_match(query: Query, groups) -> Sql:
    """Every group in the text. On SQLite one group, the one likeliest to be rare, finds
    the candidates through the index, and the others are tested on those candidates'
    text by the same rule PostgreSQL uses: each index lookup reads whole lists of rows,
    where a substring test on a few hundred found rows costs less than one of them."""
    if connection.vendor != "sqlite":
        return Sql.join(" AND ", [_group_like(query, "text", g) for g in groups])
    groups = list(groups)
    driver = max(groups, key=lambda group: min(map(len, group)))
    others = [_group_like(query, "text", g, _contains) for g in groups if g is not driver]
    return Sql.join(" AND ", [_group_fts(query, driver), *others])


def _number_matches(number: Number) -> Sql:
    by_kep, by_issue = Sql("s.kep_number = %s", [number.value]), Sql("s.tracking_issue = %s", [number.value])
    return {"kep": by_kep, "issue": by_issue}.get(number.kind) or Sql.join(" OR ", [by_kep, by_issue])


def _fuzzy_groups(query: Query):
    """Each group with the words its typo may stand for."""
    fuzzy = query.fuzzy or (frozenset(),) * len(query.groups)
    return [group | extra for group, extra in zip(query.groups, fuzzy, strict=True)]


def _condition(query: Query, narrowing: "Narrowing") -> Sql | None:
    condition = _groups_match(query, _fuzzy_groups(query)) if query.groups else None
    if query.number and query.number.kind != "any":
        condition = None  # "#542" and "KEP-2400" name one number; "542" inside "112542" is no match
    if query.number:
        number = _number_matches(query.number)
        condition = number if condition is None else Sql.join(" OR ", [number, condition])
    if condition is None:
        return None
    return Sql.join(" AND ", [condition, *narrowing.conditions()])


def _name_ranks(query: Query, offset: int = 0, tested: Query | None = None) -> list[tuple[Sql, str]]:
    """Exact name, name prefix, words of the names. Most candidates match in their text
    only, so the prefix test (which an exact name also passes) guards the exact one.

    `tested` is a query whose name ranks come earlier in the same CASE: a spelling it
    tested already failed for every row that gets this far, so it is not tested again
    (every candidate pays for every test, and a typo doubles them)."""
    whole = query.whole - tested.whole if tested else query.whole
    groups = query.groups
    if tested and len(groups) == 1:  # one group: "any spelling", so the earlier ones can go
        groups = (groups[0] - tested.groups[0],)
    exact = Sql.join(" OR ", [_contains("names", f" {s} ") for s in sorted(whole)])
    prefix = Sql.join(" OR ", [_contains("names", f" {s}") for s in sorted(whole)])
    name_words = Sql.join(" AND ", [_group_like(query, "name_words", g, _contains) for g in groups])
    ranks = []
    if whole:
        then = Sql(f"CASE WHEN {exact.text} THEN {EXACT + offset} ELSE {PREFIX + offset} END", exact.params)
        ranks.append((prefix, then))
    if all(groups):
        ranks.append((name_words, Sql(str(TITLE_WORDS + offset), [])))
    return ranks


def _rank(query: Query) -> Sql:
    whens = []
    if query.number:
        whens.append((_number_matches(query.number), Sql(str(EXACT), [])))
    if query.groups:
        whens += _name_ranks(query)
    default = ANYWHERE
    if any(query.fuzzy):
        # Found only through a corrected typo: the same ranks again, all below the exact ones.
        whens.append((_groups_match(query, query.groups), Sql(str(ANYWHERE), [])))
        whens += _name_ranks(query.corrected(), offset=TYPO, tested=query)
        default = TYPO + ANYWHERE
    if not whens:
        return Sql(str(default), [])
    return Sql(
        "CASE " + " ".join(f"WHEN {w.text} THEN {then.text}" for w, then in whens) + f" ELSE {default} END",
        [x for w, then in whens for x in (*w.params, *then.params)],
    )


# The site's current release (the latest one it documents) between spaces, as an entry's
# `releases` lists it: read once per statement, then a plain substring test per candidate.
CURRENT_RELEASE = (
    "(SELECT ' ' || r.version || ' ' FROM releasenotes_release r WHERE r.documented"
    " ORDER BY r.major DESC, r.minor DESC LIMIT 1)"
)


@dataclass(frozen=True)
class Narrowing:
    """What a search is narrowed to: some kinds, one release."""

    kinds: tuple[str, ...] = ()
    release: str = ""

    def conditions(self) -> list[Sql]:
        found = []
        if self.kinds:
            found.append(Sql(f"s.kind IN ({', '.join(['%s'] * len(self.kinds))})", list(self.kinds)))
        if self.release:
            found.append(_like("releases", f" {self.release} "))
        return found


def _ranked_sql(query: Query, condition: Sql, window: bool) -> tuple[str, list]:
    rank = _rank(query)
    kinds = registry.kinds()
    kind_order = "CASE s.kind " + " ".join(f"WHEN %s THEN {i}" for i in range(len(kinds))) + f" ELSE {len(kinds)} END"
    # Constants and placeholders only:
    sql = (
        f"SELECT s.id AS id, {rank.text} AS rank_, "  # noqa: S608
        f"CASE WHEN {_holds('releases', CURRENT_RELEASE)} THEN 0 ELSE 1 END AS in_current, "
        f"{kind_order} AS kind_order, s.title_en AS title_en{', COUNT(*) OVER () AS total' if window else ''} "
        f"FROM {TABLE} s WHERE {condition.text}"
    )
    return sql, [*rank.params, *kinds, *condition.params]


ORDER = "rank_, in_current, kind_order, title_en, id"


def page_rows(query: Query, narrowing: Narrowing, offset: int, size: int) -> list[SearchEntry]:
    """One page of ranked entries, whole rows, each with `rank` and `total` (how many match
    in all), in one statement that searches the index once. The inner query sorts ids and
    keys only (SQLite's sorter carries every selected column of every candidate); the
    outer one reads the rows of that page.

    The total: PostgreSQL counts the candidates as it ranks them, with a window function.
    On SQLite a window function makes the sorter keep and sort every candidate, where with
    LIMIT alone it keeps only the page; so the candidates' ids are found once (a
    materialised CTE), then counted and ranked: with a thousand candidates or more, this
    takes a sixth to a third less time."""
    condition = _condition(query, narrowing)
    if condition is None:
        return []
    order = "ORDER BY r.rank_, r.in_current, r.kind_order, r.title_en, r.id"
    if connection.vendor == "sqlite":
        sql, params = _ranked_sql(query, Sql("s.id IN (SELECT id FROM found)", []), window=False)
        outer = (
            f"WITH found AS MATERIALIZED (SELECT s.id AS id FROM {TABLE} s WHERE {condition.text}) "  # noqa: S608
            f"SELECT e.*, r.rank_ AS rank, (SELECT COUNT(*) FROM found) AS total FROM {TABLE} e "
            f"JOIN ({sql} ORDER BY {ORDER} LIMIT %s OFFSET %s) r ON r.id = e.id {order}"
        )
        return list(SearchEntry.objects.raw(outer, [*condition.params, *params, size, offset]))
    sql, params = _ranked_sql(query, condition, window=True)
    outer = (
        f"SELECT e.*, r.rank_ AS rank, r.total AS total FROM {TABLE} e "  # noqa: S608
        f"JOIN ({sql} ORDER BY {ORDER} LIMIT %s OFFSET %s) r ON r.id = e.id {order}"
    )
    return list(SearchEntry.objects.raw(outer, [*params, size, offset]))


def count(query: Query, narrowing: Narrowing) -> int:
    condition = _condition(query, narrowing)
    if condition is None:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE} s WHERE {condition.text}", condition.params)  # noqa: S608
        return cursor.fetchone()[0]


def matching_ids(query: Query, narrowing: Narrowing) -> RawSQL | None:
    """The ids of the matching items of the narrowed kinds, as a subquery."""
    condition = _condition(query, narrowing)
    if condition is None:
        return None
    return RawSQL(f"SELECT s.object_id FROM {TABLE} s WHERE {condition.text}", condition.params)  # noqa: S608, S611
